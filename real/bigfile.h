/*
 * real/bigfile.h — BigFile: where the virtmem's pages come from and go to.
 *
 * A BigFile is an array of blocks, each one RAM page long (the block size is
 * the RAM's page size, given in every call).  The virtmem calls loadblk when
 * a page is first touched and storeblk at writeout; a backend is an ops
 * struct plus its own state (embed struct bigfile first, use container_of).
 * After Wendelin.core's bigfile_ops (2015).
 *
 * Backends (one file each):
 *   zero     zeros, or with BIGFILE_ZERO_PATTERN a deterministic per-block
 *            pattern (bigfile_pattern_word) so tests can verify content;
 *            storeblk accepts and forgets;
 *   file     pread/pwrite on a real file (reads past its end give zeros);
 *   synth    pages of a chosen compressibility (workloads/synth.h), the
 *            same bytes the simulator makes; storeblk counts writes;
 *   slow     a wrapper: adds latency to every call, and fails chosen
 *            blocks with EIO (for experiments and error-path tests).
 */
#ifndef PAGELAB_REAL_BIGFILE_H
#define PAGELAB_REAL_BIGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "workloads/synth.h"

struct bigfile;

struct bigfile_ops {
	/*
	 * Fill buf (blksize bytes) with block blk.  Called from the SIGSEGV
	 * handler of the faulting thread, WITHOUT the virtmem lock held, so
	 * several threads may run it at once for different blocks; never twice
	 * at once for one block of one file handle.  buf is the RAM page
	 * through the standing window: no other thread sees it until loadblk
	 * returns.  errno is free to change (the handler restores it).  It may
	 * take the application's locks; it must not touch the memory of the
	 * virtmem's own mappings (that fault is reported as -EFAULT).
	 * Returns 0 or -errno; an error becomes SIGBUS at the faulting access.
	 */
	int (*loadblk)(struct bigfile *f, uint64_t blk, void *buf, size_t blksize);
	/*
	 * Write block blk from buf.  Called from fileh_dirty_writeout in the
	 * caller's thread (not in a signal handler), WITH the virtmem lock
	 * held, once per dirty page in increasing blk order.  The same rules
	 * about our own mappings as loadblk.  Returns 0 or -errno; an error
	 * stops the writeout, which returns it, and the pages stay dirty.
	 */
	int (*storeblk)(struct bigfile *f, uint64_t blk, const void *buf, size_t blksize);
	/* Free the backend (after every file handle on it is closed). */
	void (*release)(struct bigfile *f);
};

struct bigfile {
	const struct bigfile_ops *ops;
};

static inline void bigfile_release(struct bigfile *f)
{
	if (f && f->ops->release)
		f->ops->release(f);
}

/* zero: BIGFILE_ZERO_PATTERN fills each block with its pattern. */
#define BIGFILE_ZERO_PATTERN 0x1u
struct bigfile *bigfile_zero_new(unsigned flags);

/* The pattern's 64-bit word i of block blk (never 0). */
static inline uint64_t bigfile_pattern_word(uint64_t blk, uint64_t i)
{
	uint64_t x = (blk << 20) ^ i ^ 0x9e3779b97f4a7c15ull;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x | 1;
}

/* file: blocks of a real file at path, opened read-write (created if
 * absent with BIGFILE_FILE_CREATE); a symbolic link or anything but a
 * regular file is refused.  NULL and a message on error. */
#define BIGFILE_FILE_CREATE 0x1u
struct bigfile *bigfile_file_new(const char *path, unsigned flags, char *err,
				 size_t errlen);

/* synth: block blk of file number `file` reads as synth_page(params,
 * file, blk, its write count); storeblk adds one to the count.  NULL when
 * out of memory. */
struct bigfile *bigfile_synth_new(const struct synth_params *params,
				  uint64_t file);
/* How many times storeblk wrote blk. */
uint64_t bigfile_synth_wcount(struct bigfile *f, uint64_t blk);

/* slow: wraps inner (and releases it on release).  Every loadblk and
 * storeblk first waits latency_ns (nanosleep: it models a slow device, it
 * does not poll for anything). */
struct bigfile *bigfile_slow_new(struct bigfile *inner, uint64_t latency_ns);
/* Make loadblk (store = 0) or storeblk (store = 1) of blk fail with EIO
 * (on = 1) or work again (on = 0).  Up to 64 blocks; -ENOSPC beyond. */
int bigfile_slow_set_error(struct bigfile *slow, int store, uint64_t blk, int on);

#endif

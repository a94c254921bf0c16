/*
 * real/ram.h — RAM: aliasable memory for the real virtmem.
 *
 * A RAM is a pool of pages that live in files of an in-memory filesystem, so
 * one page can be mapped at several addresses (two VMAs over the same file
 * pages share memory) and given back with a hole punch.  Types are
 * registered by name (ram_types[] in real/ram.c, one file each):
 *
 *   shmfs      tmpfs: a memfd, or files in a directory on a tmpfs mount
 *              (arg = that directory, e.g. a size-limited mount);
 *   hugetlbfs  2 MiB pages: a MFD_HUGETLB memfd, or files in a hugetlbfs
 *              mount (arg = the mount point).
 *
 * Each file handle of the virtmem gets its own RAM handle (struct ramh): one
 * file of the RAM type, sized once to the whole allocator arena (sparse),
 * and page offsets inside it chosen by an allocator policy with the file
 * page offset as hint, so file-adjacent pages sit at adjacent RAM offsets and
 * their mappings merge into one kernel VMA (docs/ENGINE.md).
 *
 *	RAM  (limit in pages, one reclaim policy, counters)
 *	 ├── ramh 0: fd, alloc policy, standing window  ─┐
 *	 └── ramh 1: ...                                 │ mmap_page(): MAP_FIXED
 *	                                                 ▼ at a VMA address
 *	     file:  [page][    hole    ][page][page] ...
 *
 * The standing window is a shared mapping of the RAM file kept for the life
 * of the handle (in 1 GiB chunks, mapped on first use): storeblk reads pages
 * through it and, where write(2) does not work (hugetlbfs), loadblk fills
 * them through it; on tmpfs loads go through a per-thread bounce buffer and
 * one pwrite (ramh_load_buf).  No load needs a temporary mmap/munmap.
 *
 * The size limit (npages_limit) counts pages allocated in all handles of one
 * RAM; allocation past it fails synchronously with -ENOSPC (never a later
 * SIGBUS on touch).  For files on a mount and for hugetlbfs, alloc_page
 * preallocates the page (fallocate) for the same reason.
 *
 * Context: ramh_alloc_page, ramh_free_page and ramh_page_addr run with the
 * virtmem lock held, possibly inside the SIGSEGV handler (a synchronous
 * fault: malloc and system calls are fine, stdio is not).
 */
#ifndef PAGELAB_REAL_RAM_H
#define PAGELAB_REAL_RAM_H

#include <stddef.h>
#include <stdint.h>

#include "common/counters.h"

struct ram;
struct ramh;

struct ram_type {
	const char *name;	/* --ram-type NAME */
	const char *help;	/* one line for --list */
	/* Set ram->pagesize and ram->type_priv from arg (NULL: the default
	 * place).  Runs once, at ram_new; fails with a one-line message that
	 * says what to do (e.g. how to reserve huge pages). */
	int (*init)(struct ram *ram, const char *arg, char *err, size_t errlen);
	/* A new, empty file for one RAM handle: an fd opened read-write, or
	 * -errno with a message. */
	int (*open_file)(struct ram *ram, char *err, size_t errlen);
	/* Bytes that could still be allocated now (free space of the mount,
	 * free huge pages). */
	uint64_t (*current_maxsize)(struct ram *ram);
	/* Whether alloc_page preallocates (fallocate) so exhaustion shows
	 * synchronously. */
	int (*prealloc)(const struct ram *ram);
	void (*fini)(struct ram *ram);
	/* pwrite(2) works on the type's files (tmpfs yes, hugetlbfs no) */
	int write_ok;
};

extern const struct ram_type *const ram_types[];	/* NULL-terminated */

struct virtmem;		/* the engine state of one RAM (real/virtmem.c) */

struct ram {
	const struct ram_type *type;
	void *type_priv;
	size_t pagesize;		/* 4096 or 2 MiB */
	unsigned pageshift;
	uint64_t npages_limit;		/* 0: no limit */
	uint64_t npages;		/* allocated now, in all handles */
	uint64_t npages_peak;
	uint64_t nallocs;		/* ramh_alloc_page calls that reached the RAM */
	uint64_t fail_nth;		/* test hook: the fail_nth-th allocation fails (0: off) */
	char alloc_spec[64];		/* default allocator policy of handles */
	struct virtmem *vm;		/* engine state (lock, reclaim, counters, files) */
	int is_default;
};

/*
 * A RAM of type `type` ("shmfs", "hugetlbfs"); arg is the type's place
 * (directory on a tmpfs or hugetlbfs mount) or NULL for a memfd.  NULL and a
 * one-line message on error (unknown type, no huge pages reserved, ...).
 * The RAM starts without a limit, with the default policies (see
 * ram_configure in real/virtmem.h).
 */
struct ram *ram_new(const char *type, const char *arg, char *err, size_t errlen);

/* The process-wide RAM of a type (created on first call, never closed);
 * NULL and a message if it cannot be created. */
struct ram *ram_get_default(const char *type, char *err, size_t errlen);

/* Bytes the RAM could still allocate now (free space of its backing). */
uint64_t ram_get_current_maxsize(struct ram *ram);

/* Close a RAM.  With file handles still open nothing is closed: a message
 * on stderr and -EBUSY.  Default RAMs are never closed (0). */
int ram_close(struct ram *ram);

/* Test hook: the n-th allocation from now on fails with -ENOMEM (0: off). */
void ram_test_fail_nth(struct ram *ram, uint64_t n);

/* --- RAM handles (one per file handle) --------------------------------- */

struct alloc;

struct ramh {
	struct ram *ram;
	int fd;
	struct alloc *alloc;		/* page offsets inside the file */
	uint64_t arena_npages;		/* file size in pages (sparse) */
	void **window;			/* standing mapping, per chunk (NULL: not yet) */
	size_t nchunks;
	unsigned chunk_shift;		/* pages per chunk = 1 << chunk_shift */
	uint64_t npages;		/* allocated in this handle */
};

/* A new handle with its own file, page offsets by allocator spec alloc_spec
 * (NULL: the RAM's default); NULL and a message on error. */
struct ramh *ramh_open(struct ram *ram, const char *alloc_spec, char *err, size_t errlen);

/*
 * Allocate one page, at pgoff_hint if that offset is free (ALLOC_NOHINT:
 * the allocator's choice).  0 and *ramoff, or -ENOSPC (RAM limit reached or
 * backing full) or -ENOMEM (test hook, allocator out of space).  The page
 * reads zero.
 */
int ramh_alloc_page(struct ramh *h, uint64_t pgoff_hint, uint64_t *ramoff);

/* Give page ramoff back: its memory is dropped (hole punch) and every
 * mapping of it reads zero afterwards (or a new page, once reallocated). */
void ramh_free_page(struct ramh *h, uint64_t ramoff);

/* Punch out the memory of page ramoff without freeing the offset. */
int ramh_drop_memory(struct ramh *h, uint64_t ramoff);

/* The page's address in the standing window (NULL: cannot map it). */
void *ramh_page_addr(struct ramh *h, uint64_t ramoff);

/*
 * Where loadblk fills page ramoff.  For types that support write(2): a
 * per-thread bounce buffer, copied into the page by ramh_load_done with one
 * pwrite (no trap, and the new page is not zeroed first, since the write
 * covers it); otherwise the page itself in the standing window.  NULL if
 * neither can be had.  Either way no other thread sees the page until it is
 * mapped into a view.
 */
void *ramh_load_buf(struct ramh *h, uint64_t ramoff);
/* Finish a load into buf from ramh_load_buf: 0 or -errno. */
int ramh_load_done(struct ramh *h, uint64_t ramoff, void *buf);

/* Map page ramoff at addr (MAP_FIXED over our reservation, or NULL: the
 * kernel's choice) with prot; the address, or MAP_FAILED with errno. */
void *ramh_mmap_page(struct ramh *h, uint64_t ramoff, void *addr, int prot);

/* Unmap the standing window (a fork()ed child must not write the RAM). */
void ramh_unmap_window(struct ramh *h);

/* Close the handle: unmap the window, free every page, close the file. */
void ramh_close(struct ramh *h);

#endif

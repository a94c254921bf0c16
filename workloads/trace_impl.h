/*
 * workloads/trace_impl.h — what the readers, writers and generators of
 * workloads/ share; not for use outside workloads/.
 *
 * Every reader is a struct trace_reader (the base, first member of the
 * format's own struct) with two ops.  File readers pull bytes through a
 * struct tin, the input layer (input.c): a buffered byte stream over a file
 * descriptor or a memory block, transparently zstd-decompressed.
 */
#ifndef PAGELAB_WORKLOADS_TRACE_IMPL_H
#define PAGELAB_WORKLOADS_TRACE_IMPL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bug.h"
#include "common/outfile.h"
#include "workloads/trace.h"

struct zstd_state;

/* The input layer: a window [pos, len) of decoded bytes in buf. */
struct tin {
	const char *name;	/* for messages (points at the reader's path) */
	int fd;			/* -1: memory source */
	int own_fd;
	const unsigned char *mem;	/* memory source */
	size_t memlen, mempos;
	struct zstd_state *z;	/* non-NULL: the stream is zstd-compressed */
	unsigned char *buf;
	size_t cap, pos, len;
	uint64_t base;		/* stream offset of buf[0] */
	uint64_t raw_off;	/* raw (compressed) bytes consumed */
	int eof;		/* no more bytes will come */
	int seekable;		/* regular file: its size is raw_size */
	uint64_t raw_size;
	char err[256];		/* I/O or decompression error (reason only) */
};

/* Open a path ("-" = stdin) or memory; detect zstd by its magic. */
int tin_open_path(struct tin *t, const char *path, char *err, size_t errlen);
int tin_open_mem(struct tin *t, const void *buf, size_t len, const char *name);
void tin_close(struct tin *t);
/* Make at least n bytes available at buf+pos, fewer only at the end of the
 * stream.  Returns the bytes available (len - pos), -1 on an error (t->err). */
long tin_need(struct tin *t, size_t n);
/* Next line of at most maxline bytes (without its '\n'): 1 with *s, *len
 * and *off (its stream offset) set; 0 at the end; -1 an input error
 * (t->err); -2 a line longer than maxline (at *off). */
int tin_getline(struct tin *t, size_t maxline, const char **s, size_t *len,
		uint64_t *off);
static inline uint64_t tin_offset(const struct tin *t)
{
	return t->base + t->pos;
}

struct trace_reader_ops {
	/* Fill up to max (> 0) events: > 0, 0 at the end, -1 after trace_fail(). */
	long (*read)(struct trace_reader *r, struct event *ev, size_t max);
	void (*close)(struct trace_reader *r);
};

struct trace_reader {
	const struct trace_reader_ops *ops;
	struct trace_header h;
	int state;		/* 0 reading, 1 at the end, -1 failed */
	char path[512];
	char err[1100];
};

/* Set r->err to "PATH: offset OFF: reason" and return -1. */
__attribute__((format(printf, 3, 4)))
long trace_fail(struct trace_reader *r, uint64_t off, const char *fmt, ...);
/* The input layer failed: copy its reason (adds "(decompressed)" etc.). */
long trace_fail_tin(struct trace_reader *r, const struct tin *t);
void trace_base_init(struct trace_reader *r, const struct trace_reader_ops *ops,
		     const char *path, const char *format);

/* Format openers: take over *t (closing it on failure). */
struct trace_reader *native_open(struct tin *t, const char *path,
				 const struct trace_opts *o, char *err, size_t errlen);
struct trace_reader *text_open(struct tin *t, const char *path,
			       const struct trace_opts *o, char *err, size_t errlen);
struct trace_reader *oracle_open(struct tin *t, const char *path,
				 const struct trace_opts *o, char *err, size_t errlen);
struct trace_reader *csv_open(struct tin *t, const char *path,
			      const struct trace_opts *o, char *err, size_t errlen);
struct trace_reader *lackey_open(struct tin *t, const char *path,
				 const struct trace_opts *o, char *err, size_t errlen);
struct trace_reader *txt_open(struct tin *t, const char *path,
			      const struct trace_opts *o, char *err, size_t errlen);
struct trace_reader *vscsi_open(struct tin *t, const char *path,
				const struct trace_opts *o, char *err, size_t errlen);
struct trace_reader *twr_open(struct tin *t, const char *path,
			      const struct trace_opts *o, char *err, size_t errlen);
struct trace_reader *twrns_open(struct tin *t, const char *path,
				const struct trace_opts *o, char *err, size_t errlen);
/* vscsi.c: the version (1 or 2) of the vscsi records at p[0, n) — the
 * version byte and a SCSI read/write opcode in each of the first (up to 8)
 * records — or 0. */
unsigned vscsi_version(const unsigned char *p, size_t n);

/* detect.c: the format of the stream in t (whose first bytes are
 * readable) and path's extension; NULL if unknown. */
const char *trace_detect(struct tin *t, const char *path);
/* detect.c: the format path's extension names (after dropping ".zst"), or
 * NULL: .pgt native, .csv, .oracleGeneral[.bin] oracle, .lackey, .vscsi,
 * .twr, .twrNS, .txt/.trace text. */
const char *trace_format_by_name(const char *path);

/* Sizes for key-only bounds: re-read the source (path again, or the same
 * memory) counting decompressed bytes and lines, in constant memory.
 * 0, or -1 if it cannot be known (a pipe, an error). */
int trace_prescan(struct tin *t, const char *path, uint64_t *bytes,
		  uint64_t *lines);

/* The 64-bit checksum of the native format (hash.c): fast, seeded. */
uint64_t trace_hash64(const void *p, size_t n, uint64_t seed);

/* Writers. */
struct trace_writer_ops {
	int (*write)(struct trace_writer *w, const struct event *ev, size_t n);
	int (*finish)(struct trace_writer *w);	/* flush, trailer, patch header */
	void (*free)(struct trace_writer *w);
};

struct trace_writer {
	const struct trace_writer_ops *ops;
	struct trace_header h;	/* page_size, generator; counts accumulate */
	int fd;
	int streamed;		/* stdout, a device, a FIFO: the header is not
				 * patched at the end */
	struct outfile of;	/* common/outfile.h: the file being written */
	char path[512];
	unsigned char *out;	/* output buffer */
	size_t outlen, outcap;
	uint64_t off;		/* bytes written so far */
	uint8_t *vmaseen;	/* bitmap of VMA ids, for nvmas */
	size_t vmaseen_bytes;
	int vma_overflow;
	int failed;
	uint64_t dropped;	/* events (or write flags) the format cannot hold */
	struct zstd_cstate *z;	/* non-NULL: output is zstd-compressed */
	char err[1100];
};

__attribute__((format(printf, 2, 3)))
int trace_writer_fail(struct trace_writer *w, const char *fmt, ...);
int trace_writer_put(struct trace_writer *w, const void *p, size_t n);
int trace_writer_flush(struct trace_writer *w);
/* Count one event into w->h (naccesses, nwrites, nvmas); -1 if invalid. */
int trace_writer_count(struct trace_writer *w, const struct event *ev);
int native_writer_init(struct trace_writer *w);
int text_writer_init(struct trace_writer *w);
int oracle_writer_init(struct trace_writer *w);	/* export.c */
int csv_writer_init(struct trace_writer *w);	/* export.c */

/* Parse an unsigned decimal or 0x-hex number in [s, e); -1 if malformed or
 * above max. */
int trace_parse_u64(const char *s, const char *e, uint64_t max, uint64_t *out);

#endif

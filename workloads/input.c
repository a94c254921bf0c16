/*
 * workloads/input.c — the input layer every trace reader pulls bytes from.
 *
 * A struct tin is a sliding window over a byte stream: a file descriptor
 * (a file or stdin) or a memory block.  If the stream starts with the zstd
 * frame magic (28 b5 2f fd) it is decompressed on the fly with libzstd's
 * streaming API, so every format can be read compressed; the readers see
 * decompressed bytes and decompressed offsets.  Memory stays constant: one
 * window buffer (grown only when a reader asks for a larger contiguous
 * record) plus libzstd's own context.  A file named *.zst without the
 * magic is refused rather than read as plain data, and an empty input is
 * refused (no format is empty: an empty text trace has its header line).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "workloads/trace_impl.h"

#define TIN_CAP (1u << 20)

struct zstd_state {
	ZSTD_DStream *ds;
	unsigned char *in;
	size_t in_cap, in_pos, in_len;
	int raw_eof;
	size_t last_ret;	/* 0 when the last frame was complete */
};

/* Read raw bytes from the source into p; 0 at the end, -1 on error. */
static long raw_read(struct tin *t, void *p, size_t n)
{
	if (t->fd < 0) {
		size_t k = t->memlen - t->mempos;
		if (k > n)
			k = n;
		memcpy(p, t->mem + t->mempos, k);
		t->mempos += k;
		return (long)k;
	}
	for (;;) {
		ssize_t k = read(t->fd, p, n);
		if (k >= 0)
			return (long)k;
		if (errno == EINTR)
			continue;
		snprintf(t->err, sizeof(t->err), "read: %s", strerror(errno));
		return -1;
	}
}

static int tin_setup(struct tin *t)
{
	unsigned char head[8];
	size_t got = 0;
	long k;

	t->cap = TIN_CAP;
	if (t->fd < 0 && t->memlen + 64 < TIN_CAP)	/* small memory inputs */
		t->cap = t->memlen + 64 < 4096 ? 4096 : t->memlen + 64;
	t->buf = malloc(t->cap);
	if (!t->buf) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	while (got < 4) {
		k = raw_read(t, head + got, 4 - got);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	if (got == 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f &&
	    head[3] == 0xfd) {
		struct zstd_state *z = calloc(1, sizeof(*z));
		if (!z) {
			snprintf(t->err, sizeof(t->err), "out of memory");
			return -1;
		}
		t->z = z;
		z->ds = ZSTD_createDStream();
		z->in_cap = ZSTD_DStreamInSize();
		z->in = malloc(z->in_cap);
		if (!z->ds || !z->in) {
			snprintf(t->err, sizeof(t->err), "out of memory");
			return -1;
		}
		ZSTD_initDStream(z->ds);
		memcpy(z->in, head, 4);
		z->in_len = 4;
		z->last_ret = 1;
		return 0;
	}
	if (got == 0) {
		/* no format is 0 bytes long: an empty text trace still has
		 * its header line, an empty native trace its header */
		snprintf(t->err, sizeof(t->err), "offset 0: empty file: not a trace "
			 "(an empty text trace is the line '@pagelab-trace text 1')");
		return -1;
	}
	memcpy(t->buf, head, got);
	t->len = got;
	t->raw_off = got;
	if (got < 4)
		t->eof = 1;
	return 0;
}

/* Does the file name promise zstd (".zst", any case)? */
static int tin_named_zst(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && !strcasecmp(path + n - 4, ".zst");
}

int tin_open_path(struct tin *t, const char *path, char *err, size_t errlen)
{
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->name = path;
	if (!strcmp(path, "-")) {
		t->fd = 0;
	} else {
		t->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (t->fd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		t->own_fd = 1;
	}
	if (fstat(t->fd, &st) == 0 && S_ISREG(st.st_mode)) {
		t->seekable = 1;
		t->raw_size = (uint64_t)st.st_size;
	} else if (t->own_fd && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		tin_close(t);
		return -1;
	}
	if (tin_setup(t) < 0) {
		snprintf(err, errlen, "%s: %s", path, t->err);
		tin_close(t);
		return -1;
	}
	if (!t->z && tin_named_zst(path)) {
		snprintf(err, errlen, "%s: offset 0: not zstd (no zstd frame magic "
			 "28 b5 2f fd; rename the file if it is not compressed)", path);
		tin_close(t);
		return -1;
	}
	return 0;
}

int tin_open_mem(struct tin *t, const void *buf, size_t len, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->fd = -1;
	t->mem = buf;
	t->memlen = len;
	t->raw_size = len;
	return tin_setup(t);
}

void tin_close(struct tin *t)
{
	if (t->z) {
		ZSTD_freeDStream(t->z->ds);
		free(t->z->in);
		free(t->z);
	}
	if (t->own_fd && t->fd >= 0)
		close(t->fd);
	free(t->buf);
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}

/* Decompress into buf[len, cap). */
static int zfill(struct tin *t)
{
	struct zstd_state *z = t->z;

	for (;;) {
		ZSTD_outBuffer out = { t->buf, t->cap, t->len };
		ZSTD_inBuffer in;
		size_t ret;

		if (z->in_pos == z->in_len && !z->raw_eof) {
			long k = raw_read(t, z->in, z->in_cap);
			if (k < 0)
				return -1;
			z->in_pos = 0;
			z->in_len = (size_t)k;
			if (k == 0)
				z->raw_eof = 1;
		}
		if (z->in_pos == z->in_len && z->raw_eof) {
			if (z->last_ret != 0) {
				snprintf(t->err, sizeof(t->err),
					 "zstd: truncated compressed stream "
					 "(compressed offset %llu)",
					 (unsigned long long)t->raw_off);
				return -1;
			}
			t->eof = 1;
			return 0;
		}
		in.src = z->in;
		in.size = z->in_len;
		in.pos = z->in_pos;
		ret = ZSTD_decompressStream(z->ds, &out, &in);
		t->raw_off += in.pos - z->in_pos;
		z->in_pos = in.pos;
		if (ZSTD_isError(ret)) {
			snprintf(t->err, sizeof(t->err),
				 "zstd: %s (compressed offset %llu)",
				 ZSTD_getErrorName(ret),
				 (unsigned long long)t->raw_off);
			return -1;
		}
		z->last_ret = ret;
		if (out.pos > t->len) {
			t->len = out.pos;
			return 0;
		}
		if (out.pos == out.size)
			return 0;
	}
}

long tin_need(struct tin *t, size_t n)
{
	if (t->len - t->pos >= n)
		return (long)(t->len - t->pos);
	if (t->pos) {
		memmove(t->buf, t->buf + t->pos, t->len - t->pos);
		t->base += t->pos;
		t->len -= t->pos;
		t->pos = 0;
	}
	if (n > t->cap) {
		size_t cap = t->cap;
		unsigned char *nb;
		while (cap < n)
			cap *= 2;
		nb = realloc(t->buf, cap);
		if (!nb) {
			snprintf(t->err, sizeof(t->err), "out of memory");
			return -1;
		}
		t->buf = nb;
		t->cap = cap;
	}
	while (t->len < n && !t->eof) {
		if (t->z) {
			if (zfill(t) < 0)
				return -1;
		} else {
			long k = raw_read(t, t->buf + t->len, t->cap - t->len);
			if (k < 0)
				return -1;
			if (k == 0)
				t->eof = 1;
			t->len += (size_t)k;
			t->raw_off += (uint64_t)k;
		}
	}
	return (long)(t->len - t->pos);
}

int tin_getline(struct tin *t, size_t maxline, const char **s, size_t *len,
		uint64_t *off)
{
	for (;;) {
		size_t avail = t->len - t->pos;
		const unsigned char *p = t->buf + t->pos;
		const unsigned char *nl = memchr(p, '\n', avail);

		if (nl || (t->eof && avail)) {
			size_t l = nl ? (size_t)(nl - p) : avail;
			*off = tin_offset(t);
			if (l > maxline)
				return -2;
			*s = (const char *)p;
			*len = l;
			t->pos += nl ? l + 1 : l;
			return 1;
		}
		if (t->eof)
			return 0;
		if (avail > maxline) {
			*off = tin_offset(t);
			return -2;
		}
		if (tin_need(t, avail + 1) < 0)
			return -1;
	}
}

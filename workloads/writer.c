/*
 * workloads/writer.c — what every trace writer shares: the output file
 * (common/outfile.h: a temporary file next to PATH that becomes PATH only on
 * commit, so a reader never sees half a trace; a device or FIFO written in
 * place), buffered output, the event counts that
 * go into the header, and checks that an event is well-formed before it is
 * written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "workloads/trace_impl.h"

#define OUT_CAP (1u << 20)
#define VMASEEN_MAX_BYTES (1u << 21)	/* track VMA ids below 2^24 */

int trace_writer_fail(struct trace_writer *w, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!w->failed)
		snprintf(w->err, sizeof(w->err), "%s: %s", w->path, why);
	w->failed = 1;
	return -1;
}

/* zstd output: a streaming context and its output buffer. */
struct zstd_cstate {
	ZSTD_CStream *cs;
	unsigned char *buf;
	size_t cap;
};

static int write_all(struct trace_writer *w, const unsigned char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = write(w->fd, p + done, n - done);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return trace_writer_fail(w, "write: %s", strerror(errno));
		}
		done += (size_t)k;
	}
	return 0;
}

/* Compress [p, p+n) (end: finish the frame) and write what comes out. */
static int zwrite(struct trace_writer *w, const void *p, size_t n, int end)
{
	ZSTD_inBuffer in = { p, n, 0 };

	for (;;) {
		ZSTD_outBuffer out = { w->z->buf, w->z->cap, 0 };
		size_t left = ZSTD_compressStream2(w->z->cs, &out, &in,
						   end ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(left))
			return trace_writer_fail(w, "zstd: %s", ZSTD_getErrorName(left));
		if (write_all(w, w->z->buf, out.pos) < 0)
			return -1;
		if (end ? left == 0 : in.pos == in.size)
			return 0;
	}
}

int trace_writer_flush(struct trace_writer *w)
{
	if (w->z ? zwrite(w, w->out, w->outlen, 0) < 0 :
		   write_all(w, w->out, w->outlen) < 0)
		return -1;
	w->off += w->outlen;
	w->outlen = 0;
	return 0;
}

static int zstd_start(struct trace_writer *w)
{
	w->z = calloc(1, sizeof(*w->z));
	if (!w->z)
		return -1;
	w->z->cs = ZSTD_createCStream();
	w->z->cap = ZSTD_CStreamOutSize();
	w->z->buf = malloc(w->z->cap);
	if (!w->z->cs || !w->z->buf ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->z->cs, ZSTD_c_compressionLevel, 3)))
		return -1;
	return 0;
}

static void zstd_free(struct trace_writer *w)
{
	if (!w->z)
		return;
	ZSTD_freeCStream(w->z->cs);
	free(w->z->buf);
	free(w->z);
	w->z = NULL;
}

static int ends_in_zst(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && !strcmp(path + n - 4, ".zst");
}

int trace_writer_put(struct trace_writer *w, const void *p, size_t n)
{
	const unsigned char *src = p;

	while (w->outlen + n > w->outcap) {
		size_t k = w->outcap - w->outlen;
		memcpy(w->out + w->outlen, src, k);
		w->outlen += k;
		src += k;
		n -= k;
		if (trace_writer_flush(w) < 0)
			return -1;
	}
	memcpy(w->out + w->outlen, src, n);
	w->outlen += n;
	return 0;
}

int trace_writer_count(struct trace_writer *w, const struct event *ev)
{
	switch (ev->type) {
	case EV_ACCESS:
		if (ev->write > 1)
			return trace_writer_fail(w, "event %llu: access with write=%u",
						 (unsigned long long)w->h.nevents,
						 ev->write);
		w->h.naccesses++;
		w->h.nwrites += ev->write;
		break;
	case EV_MMAP: {
		uint32_t v = ev->vma;
		if (ev->npages == 0)
			return trace_writer_fail(w, "event %llu: mmap of 0 pages",
						 (unsigned long long)w->h.nevents);
		if (ev->page + ev->npages < ev->page)
			return trace_writer_fail(w, "event %llu: mmap range overflows",
						 (unsigned long long)w->h.nevents);
		if (v / 8 >= VMASEEN_MAX_BYTES) {
			w->vma_overflow = 1;
		} else if (!w->vma_overflow) {
			if (v / 8 >= w->vmaseen_bytes) {
				size_t nb = w->vmaseen_bytes ? w->vmaseen_bytes : 64;
				uint8_t *p;
				while (nb <= v / 8)
					nb *= 2;
				p = realloc(w->vmaseen, nb);
				if (!p)
					return trace_writer_fail(w, "out of memory");
				memset(p + w->vmaseen_bytes, 0, nb - w->vmaseen_bytes);
				w->vmaseen = p;
				w->vmaseen_bytes = nb;
			}
			if (!(w->vmaseen[v / 8] & (1u << (v % 8)))) {
				w->vmaseen[v / 8] |= (uint8_t)(1u << (v % 8));
				w->h.nvmas++;
			}
		}
		break;
	}
	case EV_WRITEOUT:
		if (ev->flags & ~(EV_STORE | EV_MARKSTORED))
			return trace_writer_fail(w, "event %llu: writeout flags 0x%x",
						 (unsigned long long)w->h.nevents,
						 ev->flags);
		break;
	case EV_UNMAP:
	case EV_DISCARD:
	case EV_INVALIDATE:
		break;
	default:
		return trace_writer_fail(w, "event %llu: unknown event type %u",
					 (unsigned long long)w->h.nevents, ev->type);
	}
	w->h.nevents++;
	return 0;
}

const char *const trace_writer_formats[] = {
	"native", "text", "oracle", "csv", NULL,
};

struct trace_writer *trace_writer_open(const char *path, const char *format,
				       const struct trace_header *h, char *err,
				       size_t errlen)
{
	struct trace_writer *w;
	int rc;

	static const struct {
		const char *name;
		int (*init)(struct trace_writer *);
	} writers[] = {
		{ "native", native_writer_init },
		{ "text", text_writer_init },
		{ "oracle", oracle_writer_init },
		{ "csv", csv_writer_init },
	};
	int (*init)(struct trace_writer *) = NULL;

	if (!format)
		format = "native";
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (!strcmp(format, writers[i].name)) {
			init = writers[i].init;
			format = writers[i].name;
		}
	if (!init) {
		snprintf(err, errlen, "%s: cannot write format '%s' (native, text, "
			 "oracle or csv)", path, format);
		return NULL;
	}
	if (strlen(path) >= 500) {
		snprintf(err, errlen, "%s: path too long", path);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	w->out = malloc(OUT_CAP);
	w->outcap = OUT_CAP;
	if (!w->out) {
		free(w);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->h.page_size = h && h->page_size ? h->page_size : 4096;
	if (h)
		snprintf(w->h.generator, sizeof(w->h.generator), "%s", h->generator);
	w->h.npages = h ? h->npages : 0;
	w->h.format = format;
	if (outfile_open(&w->of, path, err, errlen)) {
		free(w->out);
		free(w);
		return NULL;
	}
	w->fd = w->of.fd;
	w->streamed = w->of.streamed;
	if (ends_in_zst(path) && zstd_start(w) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		trace_writer_close(w, 0);
		return NULL;
	}
	rc = init(w);
	if (rc < 0) {
		snprintf(err, errlen, "%s", w->err);
		trace_writer_close(w, 0);
		return NULL;
	}
	return w;
}

int trace_write(struct trace_writer *w, const struct event *ev, size_t n)
{
	if (w->failed)
		return -1;
	return w->ops->write(w, ev, n);
}

uint64_t trace_writer_dropped(const struct trace_writer *w)
{
	return w->dropped;
}

const char *trace_writer_error(const struct trace_writer *w)
{
	return w->err[0] ? w->err : "no error";
}

int trace_writer_close_err(struct trace_writer *w, int commit, char *err,
			   size_t errlen)
{
	int rc = 0;

	if (!w)
		return 0;
	if (commit && (w->failed || w->ops->finish(w) < 0 ||
		       (w->z && zwrite(w, NULL, 0, 1) < 0)))
		rc = -1;
	if (commit && rc == 0) {
		if (outfile_commit(&w->of, w->err, sizeof(w->err)) < 0)
			rc = -1;
	} else {
		outfile_abort(&w->of);
	}
	if (rc < 0 && err)
		snprintf(err, errlen, "%s", w->err);
	if (w->ops && w->ops->free)
		w->ops->free(w);
	zstd_free(w);
	free(w->vmaseen);
	free(w->out);
	free(w);
	return rc;
}

int trace_writer_close(struct trace_writer *w, int commit)
{
	return trace_writer_close_err(w, commit, NULL, 0);
}

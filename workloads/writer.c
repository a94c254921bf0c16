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

int trace_writer_flush(struct trace_writer *w)
{
	size_t done = 0;

	while (done < w->outlen) {
		ssize_t k = write(w->fd, w->out + done, w->outlen - done);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return trace_writer_fail(w, "write: %s", strerror(errno));
		}
		done += (size_t)k;
	}
	w->off += w->outlen;
	w->outlen = 0;
	return 0;
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

struct trace_writer *trace_writer_open(const char *path, const char *format,
				       const struct trace_header *h, char *err,
				       size_t errlen)
{
	struct trace_writer *w;
	int rc;

	if (!format)
		format = "native";
	if (strcmp(format, "native") && strcmp(format, "text")) {
		snprintf(err, errlen, "%s: cannot write format '%s' (native or text)",
			 path, format);
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
	w->h.format = !strcmp(format, "native") ? "native" : "text";
	if (outfile_open(&w->of, path, err, errlen)) {
		free(w->out);
		free(w);
		return NULL;
	}
	w->fd = w->of.fd;
	w->streamed = w->of.streamed;
	rc = !strcmp(format, "native") ? native_writer_init(w) : text_writer_init(w);
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
	if (commit && (w->failed || w->ops->finish(w) < 0))
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
	free(w->vmaseen);
	free(w->out);
	free(w);
	return rc;
}

int trace_writer_close(struct trace_writer *w, int commit)
{
	return trace_writer_close_err(w, commit, NULL, 0);
}

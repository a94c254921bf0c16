/*
 * workloads/txt.c — libCacheSim's plain-text traces ("txt"): one key per
 * line, nothing else.
 *
 *     42932745
 *     42932746
 *
 * A key is a decimal or 0x-hex unsigned 64-bit number; leading and
 * trailing blanks and "\r" are ignored, blank lines skipped.  Every
 * request is a read of unit size.  A key-only trace (keyonly.h): one
 * EV_MMAP of VMA 0 (npages = the line count when the input can be read
 * twice), then one access per line to the key renumbered densely.
 */
#include <stdio.h>
#include <stdlib.h>

#include "workloads/keyonly.h"

#define TXT_MAXLINE 4096

struct txt_reader {
	struct trace_reader r;
	struct tin t;
	struct keyonly k;
	uint64_t line;
};

static long txt_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct txt_reader *x = container_of(r, struct txt_reader, r);
	long k = keyonly_begin(&x->k, r, ev, max);

	if (k < 0)
		return -1;
	while ((size_t)k < max) {
		const char *s, *e;
		size_t len;
		uint64_t off, key;
		int rc = tin_getline(&x->t, TXT_MAXLINE, &s, &len, &off);

		if (rc == -1)
			return trace_fail_tin(r, &x->t);
		if (rc == -2)
			return trace_fail(r, off, "line %llu: line too long",
					  (unsigned long long)x->line + 1);
		if (rc == 0)
			break;
		x->line++;
		e = s + len;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (s == e)
			continue;
		if (trace_parse_u64(s, e, UINT64_MAX, &key) < 0)
			return trace_fail(r, off, "line %llu: bad key '%.*s' (one "
					  "unsigned number per line)",
					  (unsigned long long)x->line,
					  (int)(e - s > 32 ? 32 : e - s), s);
		if (keyonly_key(&x->k, r, off, key, 0, &ev[k]) < 0)
			return -1;
		k++;
	}
	return k;
}

static void txt_close(struct trace_reader *r)
{
	struct txt_reader *x = container_of(r, struct txt_reader, r);
	keyonly_free(&x->k);
	tin_close(&x->t);
	free(x);
}

static const struct trace_reader_ops txt_ops = {
	.read = txt_read,
	.close = txt_close,
};

struct trace_reader *txt_open(struct tin *t, const char *path,
			      const struct trace_opts *o, char *err,
			      size_t errlen)
{
	struct txt_reader *x = calloc(1, sizeof(*x));
	uint64_t bytes, lines;

	if (!x) {
		snprintf(err, errlen, "%s: out of memory", path);
		tin_close(t);
		return NULL;
	}
	x->t = *t;
	trace_base_init(&x->r, &txt_ops, path, "txt");
	if (keyonly_init(&x->k, o, 0, path, err, errlen) < 0) {
		tin_close(&x->t);
		free(x);
		return NULL;
	}
	x->k.unit = 0;	/* keys, not blocks: --block-unit does not apply */
	if (trace_prescan(&x->t, path, &bytes, &lines) < 0)
		lines = UINT64_MAX;
	keyonly_set_bound(&x->k, &x->r, lines);
	return &x->r;
}

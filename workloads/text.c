/*
 * workloads/text.c — the text trace format: one event per line, for
 * hand-written cases and for reading traces with ordinary tools.
 *
 *     @pagelab-trace text 1          optional, first: the format version
 *     @page_size 4096                header directives, before any event
 *     @generator zipf pages=...
 *     mmap VMA FILE PGOFF NPAGES     # comments anywhere after '#'
 *     r VMA PAGE                     read  (also "read")
 *     w VMA PAGE                     write (also "write")
 *     unmap VMA
 *     writeout FILE [FLAGS]          FLAGS: store,markstored (default),
 *                                    store, markstored, none or 0..3
 *     discard FILE
 *     invalidate FILE PGOFF
 *
 * Numbers are decimal or 0x hex.  workloads/FORMAT.md is the reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/trace_impl.h"

#define TEXT_MAXLINE 4096

struct text_reader {
	struct trace_reader r;
	struct tin t;
	uint64_t line;
	int seen_event;
};

/* Next line (without '\n'): 1 with *s, *len, *off set; 0 at the end; -1. */
static int text_getline(struct text_reader *x, const char **s, size_t *len,
			uint64_t *off)
{
	int rc = tin_getline(&x->t, TEXT_MAXLINE, s, len, off);

	if (rc == -1)
		return (int)trace_fail_tin(&x->r, &x->t);
	if (rc == -2)
		return (int)trace_fail(&x->r, *off, "line %llu: line too long",
				       (unsigned long long)x->line + 1);
	x->line += (uint64_t)rc;
	return rc;
}

/* Split a line into up to 6 whitespace-separated tokens; a '#' ends it. */
static int tokenize(const char *s, size_t len, const char **tok, size_t *tl,
		    int max)
{
	const char *e = s + len;
	int n = 0;

	while (s < e) {
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s == e || *s == '#')
			break;
		if (n == max)
			return max + 1;
		tok[n] = s;
		while (s < e && *s != ' ' && *s != '\t' && *s != '\r' && *s != '#')
			s++;
		tl[n] = (size_t)(s - tok[n]);
		n++;
	}
	return n;
}

static int tok_is(const char *t, size_t l, const char *word)
{
	return strlen(word) == l && !memcmp(t, word, l);
}

static int parse_flags(const char *t, size_t l, uint8_t *flags)
{
	uint64_t v;

	if (tok_is(t, l, "store,markstored") || tok_is(t, l, "markstored,store"))
		*flags = EV_STORE | EV_MARKSTORED;
	else if (tok_is(t, l, "store"))
		*flags = EV_STORE;
	else if (tok_is(t, l, "markstored"))
		*flags = EV_MARKSTORED;
	else if (tok_is(t, l, "none"))
		*flags = 0;
	else if (trace_parse_u64(t, t + l, 3, &v) == 0)
		*flags = (uint8_t)v;
	else
		return -1;
	return 0;
}

/* Parse one event line; 1 an event, 0 blank, -1 error (message set). */
static int text_parse(struct text_reader *x, const char *s, size_t len,
		      uint64_t off, struct event *ev)
{
	const char *tok[7];
	size_t tl[7];
	uint64_t v[4];
	int nt = tokenize(s, len, tok, tl, 6), want;
	unsigned long long line = (unsigned long long)x->line;

	if (nt == 0)
		return 0;
	memset(ev, 0, sizeof(*ev));
	if (tok_is(tok[0], tl[0], "r") || tok_is(tok[0], tl[0], "read") ||
	    tok_is(tok[0], tl[0], "w") || tok_is(tok[0], tl[0], "write")) {
		ev->type = EV_ACCESS;
		ev->write = tok[0][0] == 'w';
		want = 2;
	} else if (tok_is(tok[0], tl[0], "mmap")) {
		ev->type = EV_MMAP;
		want = 4;
	} else if (tok_is(tok[0], tl[0], "unmap")) {
		ev->type = EV_UNMAP;
		want = 1;
	} else if (tok_is(tok[0], tl[0], "writeout")) {
		ev->type = EV_WRITEOUT;
		want = 1;
	} else if (tok_is(tok[0], tl[0], "discard")) {
		ev->type = EV_DISCARD;
		want = 1;
	} else if (tok_is(tok[0], tl[0], "invalidate")) {
		ev->type = EV_INVALIDATE;
		want = 2;
	} else if (tok[0][0] == '@') {
		return (int)trace_fail(&x->r, off, "line %llu: header directive "
				       "after the first event", line);
	} else {
		return (int)trace_fail(&x->r, off, "line %llu: unknown event '%.*s'",
				       line, (int)(tl[0] > 32 ? 32 : tl[0]), tok[0]);
	}
	if (ev->type == EV_WRITEOUT && (nt == 2 || nt == 3)) {
		if (nt == 3 && parse_flags(tok[2], tl[2], &ev->flags) < 0)
			return (int)trace_fail(&x->r, off, "line %llu: bad writeout "
					       "flags '%.*s'", line,
					       (int)(tl[2] > 32 ? 32 : tl[2]), tok[2]);
		if (nt == 2)
			ev->flags = EV_STORE | EV_MARKSTORED;
		nt = 2;
	}
	if (nt != want + 1)
		return (int)trace_fail(&x->r, off, "line %llu: '%.*s' takes %d "
				       "number%s, %d given", line, (int)tl[0], tok[0],
				       want, want > 1 ? "s" : "", nt - 1);
	for (int i = 0; i < want; i++) {
		/* ids (the first operand, and mmap's file) are 32-bit */
		uint64_t max = (i == 0 || (ev->type == EV_MMAP && i == 1)) ?
			       UINT32_MAX : UINT64_MAX;
		if (trace_parse_u64(tok[i + 1], tok[i + 1] + tl[i + 1], max,
				    &v[i]) < 0)
			return (int)trace_fail(&x->r, off, "line %llu: bad number "
					       "'%.*s'", line,
					       (int)(tl[i + 1] > 32 ? 32 : tl[i + 1]),
					       tok[i + 1]);
	}
	switch (ev->type) {
	case EV_ACCESS:
		ev->vma = (uint32_t)v[0];
		ev->page = v[1];
		break;
	case EV_MMAP:
		ev->vma = (uint32_t)v[0];
		ev->file = (uint32_t)v[1];
		ev->page = v[2];
		ev->npages = v[3];
		if (ev->npages == 0 || ev->page + ev->npages < ev->page)
			return (int)trace_fail(&x->r, off, "line %llu: bad mmap "
					       "range", line);
		break;
	case EV_UNMAP:
		ev->vma = (uint32_t)v[0];
		break;
	case EV_INVALIDATE:
		ev->file = (uint32_t)v[0];
		ev->page = v[1];
		break;
	default:
		ev->file = (uint32_t)v[0];
		break;
	}
	return 1;
}

static long text_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct text_reader *x = container_of(r, struct text_reader, r);
	size_t k = 0;

	while (k < max) {
		const char *s;
		size_t len;
		uint64_t off;
		int rc = text_getline(x, &s, &len, &off);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		rc = text_parse(x, s, len, off, &ev[k]);
		if (rc < 0)
			return -1;
		k += (size_t)rc;
	}
	return (long)k;
}

static void text_close(struct trace_reader *r)
{
	struct text_reader *x = container_of(r, struct text_reader, r);
	tin_close(&x->t);
	free(x);
}

static const struct trace_reader_ops text_reader_ops = {
	.read = text_read,
	.close = text_close,
};

/* Read the leading directives; leave the first event line unread. */
static int text_directives(struct text_reader *x, char *err, size_t errlen)
{
	for (;;) {
		const char *s;
		size_t len, l0;
		uint64_t off;
		size_t save_pos;
		uint64_t save_line = x->line;
		const char *tok[7];
		size_t tl[7];
		int nt, rc;

		if (tin_need(&x->t, TEXT_MAXLINE + 2) < 0) {
			trace_fail_tin(&x->r, &x->t);
			goto fail;
		}
		save_pos = x->t.pos;
		rc = text_getline(x, &s, &len, &off);
		if (rc < 0)
			goto fail;
		if (rc == 0)
			return 0;
		nt = tokenize(s, len, tok, tl, 2);
		if (nt == 0)
			continue;
		if (tok[0][0] != '@') {
			x->t.pos = save_pos;
			x->line = save_line;
			return 0;
		}
		l0 = tl[0];
		if (tok_is(tok[0], l0, "@pagelab-trace")) {
			uint64_t ver;
			const char *e = s + len, *q;
			/* "@pagelab-trace text VERSION" */
			if (nt < 2 || !tok_is(tok[1], tl[1], "text")) {
				trace_fail(&x->r, off, "line %llu: bad magic line",
					   (unsigned long long)x->line);
				goto fail;
			}
			q = tok[1] + tl[1];
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
			{
				const char *qe = q;
				while (qe < e && *qe != ' ' && *qe != '\t' &&
				       *qe != '\r' && *qe != '#')
					qe++;
				if (trace_parse_u64(q, qe, UINT32_MAX, &ver) < 0) {
					trace_fail(&x->r, off, "line %llu: bad version",
						   (unsigned long long)x->line);
					goto fail;
				}
				if (ver != 1) {
					trace_fail(&x->r, off, "line %llu: unknown "
						   "version %llu (this pagelab reads "
						   "version 1)",
						   (unsigned long long)x->line,
						   (unsigned long long)ver);
					goto fail;
				}
			}
		} else if (tok_is(tok[0], l0, "@page_size")) {
			uint64_t ps;
			if (nt < 2 || trace_parse_u64(tok[1], tok[1] + tl[1],
						      UINT32_MAX, &ps) < 0 ||
			    !trace_page_size_valid(ps)) {
				trace_fail(&x->r, off, "line %llu: bad page size",
					   (unsigned long long)x->line);
				goto fail;
			}
			x->r.h.page_size = (uint32_t)ps;
		} else if (tok_is(tok[0], l0, "@generator")) {
			const char *g = tok[0] + l0, *e = s + len;
			size_t gl;
			while (g < e && (*g == ' ' || *g == '\t'))
				g++;
			while (e > g && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '\t'))
				e--;
			gl = (size_t)(e - g);
			if (gl > 255)
				gl = 255;
			memcpy(x->r.h.generator, g, gl);
			x->r.h.generator[gl] = '\0';
		} else {
			trace_fail(&x->r, off, "line %llu: unknown directive '%.*s'",
				   (unsigned long long)x->line,
				   (int)(l0 > 32 ? 32 : l0), tok[0]);
			goto fail;
		}
	}
fail:
	snprintf(err, errlen, "%s", x->r.err);
	return -1;
}

struct trace_reader *text_open(struct tin *t, const char *path,
			       const struct trace_opts *o, char *err,
			       size_t errlen)
{
	struct text_reader *x = calloc(1, sizeof(*x));

	(void)o;
	if (!x) {
		snprintf(err, errlen, "%s: out of memory", path);
		tin_close(t);
		return NULL;
	}
	x->t = *t;
	trace_base_init(&x->r, &text_reader_ops, path, "text");
	if (text_directives(x, err, errlen) < 0) {
		tin_close(&x->t);
		free(x);
		return NULL;
	}
	x->r.state = 0;
	return &x->r;
}

/* ---- writer ---------------------------------------------------------- */

static char *utoa(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static const char *flag_names[4] = {
	"none", "store", "markstored", "store,markstored",
};

int trace_event_format(const struct event *ev, char *buf, size_t len)
{
	char tmp[128], *p = tmp;
	size_t n;

	switch (ev->type) {
	case EV_ACCESS:
		*p++ = ev->write ? 'w' : 'r';
		*p++ = ' ';
		p = utoa(p, ev->vma);
		*p++ = ' ';
		p = utoa(p, ev->page);
		break;
	case EV_MMAP:
		memcpy(p, "mmap ", 5);
		p = utoa(p + 5, ev->vma);
		*p++ = ' ';
		p = utoa(p, ev->file);
		*p++ = ' ';
		p = utoa(p, ev->page);
		*p++ = ' ';
		p = utoa(p, ev->npages);
		break;
	case EV_UNMAP:
		memcpy(p, "unmap ", 6);
		p = utoa(p + 6, ev->vma);
		break;
	case EV_WRITEOUT:
		memcpy(p, "writeout ", 9);
		p = utoa(p + 9, ev->file);
		*p++ = ' ';
		n = strlen(flag_names[ev->flags & 3]);
		memcpy(p, flag_names[ev->flags & 3], n);
		p += n;
		break;
	case EV_DISCARD:
		memcpy(p, "discard ", 8);
		p = utoa(p + 8, ev->file);
		break;
	case EV_INVALIDATE:
		memcpy(p, "invalidate ", 11);
		p = utoa(p + 11, ev->file);
		*p++ = ' ';
		p = utoa(p, ev->page);
		break;
	default:
		p += sprintf(p, "? type %u", ev->type);
		break;
	}
	n = (size_t)(p - tmp);
	if (len) {
		size_t c = n < len - 1 ? n : len - 1;
		memcpy(buf, tmp, c);
		buf[c] = '\0';
	}
	return (int)n;
}

static int text_write(struct trace_writer *w, const struct event *ev, size_t n)
{
	char line[130];

	for (size_t i = 0; i < n; i++) {
		int l;
		if (trace_writer_count(w, &ev[i]) < 0)
			return -1;
		l = trace_event_format(&ev[i], line, sizeof(line));
		line[l] = '\n';
		if (trace_writer_put(w, line, (size_t)l + 1) < 0)
			return -1;
	}
	return 0;
}

static int text_finish(struct trace_writer *w)
{
	return trace_writer_flush(w);
}

static const struct trace_writer_ops text_writer_ops = {
	.write = text_write,
	.finish = text_finish,
	.free = NULL,
};

int text_writer_init(struct trace_writer *w)
{
	char h[400];
	int n;

	w->ops = &text_writer_ops;
	n = snprintf(h, sizeof(h), "@pagelab-trace text 1\n@page_size %u\n",
		     w->h.page_size);
	if (w->h.generator[0])
		n += snprintf(h + n, sizeof(h) - (size_t)n, "@generator %s\n",
			      w->h.generator);
	return trace_writer_put(w, h, (size_t)n);
}

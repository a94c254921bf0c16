/*
 * workloads/trace.c — opening a trace: pick the format (forced, or by
 * detect.c), hand the input stream to that format's reader; the generic
 * trace_read()/trace_close() wrappers; the one-line error messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/gen.h"
#include "workloads/trace_impl.h"

typedef struct trace_reader *(*open_fn)(struct tin *, const char *,
					const struct trace_opts *, char *,
					size_t);

/* The readers, by format name (trace_formats lists the same names). */
static const struct {
	const char *name;
	open_fn open;
} readers[] = {
	{ "native", native_open },
	{ "text", text_open },
	{ "oracle", oracle_open },
	{ "csv", csv_open },
	{ "lackey", lackey_open },
	{ "txt", txt_open },
	{ "vscsi", vscsi_open },
	{ "twr", twr_open },
	{ "twrNS", twrns_open },
};

const char *const trace_formats[] = {
	"native", "text", "oracle", "csv", "lackey", "txt", "vscsi", "twr",
	"twrNS", NULL,
};
_Static_assert(sizeof(trace_formats) / sizeof(trace_formats[0]) ==
	       sizeof(readers) / sizeof(readers[0]) + 1,
	       "trace_formats names every reader");

/* "native, text, ..." into buf. */
static const char *format_list(char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; trace_formats[i] && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
				       trace_formats[i]);
	return buf;
}

void trace_base_init(struct trace_reader *r, const struct trace_reader_ops *ops,
		     const char *path, const char *format)
{
	r->ops = ops;
	r->state = 0;
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->h.page_size = 4096;
	r->h.format = format;
	r->err[0] = '\0';
}

long trace_fail(struct trace_reader *r, uint64_t off, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* quoted trace bytes may hold control characters: one clean line */
	for (char *p = why; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	snprintf(r->err, sizeof(r->err), "%s: offset %llu: %s", r->path,
		 (unsigned long long)off, why);
	r->state = -1;
	return -1;
}

long trace_fail_tin(struct trace_reader *r, const struct tin *t)
{
	return trace_fail(r, tin_offset(t) + (t->len - t->pos), "%s%s", t->err,
			  t->z ? " (offset in the decompressed stream)" : "");
}

static open_fn format_opener(const char *f)
{
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (!strcmp(f, readers[i].name))
			return readers[i].open;
	return NULL;
}

static struct trace_reader *open_tin(struct tin *t, const char *path,
				     const struct trace_opts *o, char *err,
				     size_t errlen)
{
	static const struct trace_opts defaults;
	const char *f;
	open_fn fn;
	struct trace_reader *r;
	int compressed = t->z != NULL;
	char names[128];

	if (!o)
		o = &defaults;
	if (o->format && *o->format) {
		fn = format_opener(o->format);
		if (!fn) {
			snprintf(err, errlen, "%s: unknown format '%s' (known: %s)",
				 path, o->format, format_list(names, sizeof(names)));
			tin_close(t);
			return NULL;
		}
	} else {
		if (tin_need(t, 4096) < 0) {
			snprintf(err, errlen, "%s: offset %llu: %s", path,
				 (unsigned long long)(t->base + t->len), t->err);
			tin_close(t);
			return NULL;
		}
		f = trace_detect(t, path);
		if (!f) {
			snprintf(err, errlen,
				 "%s: offset 0: unknown format (not one of %s; "
				 "force one with --in-format)", path,
				 format_list(names, sizeof(names)));
			tin_close(t);
			return NULL;
		}
		fn = format_opener(f);
	}
	r = fn(t, path, o, err, errlen);
	if (r)
		r->h.compressed = compressed;
	return r;
}

struct trace_reader *trace_open(const char *path, const struct trace_opts *o,
				char *err, size_t errlen)
{
	struct tin *t;
	struct trace_reader *r;

	if (!strncmp(path, "gen:", 4))
		return gen_open(path + 4, err, errlen);
	t = malloc(sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (tin_open_path(t, path, err, errlen) < 0) {
		free(t);
		return NULL;
	}
	r = open_tin(t, path, o, err, errlen);
	free(t);	/* the reader copied it */
	return r;
}

struct trace_reader *trace_open_mem(const void *buf, size_t len,
				    const char *name,
				    const struct trace_opts *o, char *err,
				    size_t errlen)
{
	struct tin t;
	struct trace_reader *r;

	if (tin_open_mem(&t, buf, len, name) < 0) {
		snprintf(err, errlen, "%s: %s", name, t.err);
		tin_close(&t);
		return NULL;
	}
	r = open_tin(&t, name, o, err, errlen);
	return r;
}

const struct trace_header *trace_header(const struct trace_reader *r)
{
	return &r->h;
}

long trace_read(struct trace_reader *r, struct event *ev, size_t max)
{
	long n;

	if (r->state)
		return r->state > 0 ? 0 : -1;
	if (max == 0)
		return 0;
	n = r->ops->read(r, ev, max);
	if (n == 0)
		r->state = 1;
	else if (n < 0)
		r->state = -1;
	return n;
}

const char *trace_error(const struct trace_reader *r)
{
	return r->err[0] ? r->err : "no error";
}

void trace_close(struct trace_reader *r)
{
	if (r)
		r->ops->close(r);
}

int trace_parse_u64(const char *s, const char *e, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10;

	if (s >= e)
		return -1;
	if (e - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; s < e; s++) {
		unsigned d;
		char c = *s;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / (unsigned)base)
			return -1;
		v = v * (unsigned)base + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int trace_prescan(struct tin *src, const char *path, uint64_t *bytes,
		  uint64_t *lines)
{
	struct tin t;
	char err[256];
	int last_nl = 1, rc = 0;

	*bytes = *lines = 0;
	if (src->fd < 0) {
		if (tin_open_mem(&t, src->mem, src->memlen, path) < 0) {
			tin_close(&t);
			return -1;
		}
	} else if (!src->seekable || !strcmp(path, "-")) {
		return -1;
	} else if (tin_open_path(&t, path, err, sizeof(err)) < 0) {
		return -1;
	}
	for (;;) {
		long n = tin_need(&t, 1);
		const unsigned char *p, *e;
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		p = t.buf + t.pos;
		e = t.buf + t.len;
		while ((p = memchr(p, '\n', (size_t)(e - p)))) {
			++*lines;
			p++;
		}
		last_nl = t.buf[t.len - 1] == '\n';
		*bytes += (uint64_t)n;
		t.pos = t.len;
	}
	tin_close(&t);
	if (!last_nl)
		++*lines;
	return rc;
}

/*
 * workloads/csv.c — key-only traces as csv (libCacheSim's csv reader and
 * most block/KV trace dumps).
 *
 * The column spec (trace_opts.csv, `--csv SPEC`) is a comma-separated list:
 *
 *     key=N        1-based column of the key (default: a header column named
 *                  obj_id, key, lbn, lba, block, id or obj; else column 1)
 *     op=N         1-based column of the operation (default: a header column
 *                  named op, operation, type, rw or cmd; else none: reads)
 *     header=0|1   the first line is a header (default: yes when its key
 *                  field is not a number)
 *     sep=C        separator: one character, or comma, tab, space, semicolon
 *                  ("sep=," works too; default ',')
 *     write=A|B    op values that mean a write, case-insensitive (default
 *                  w|write|wr|set|put|add|replace|update|2a|8a|aa: the SCSI
 *                  WRITE opcodes in hex as block traces print them); any
 *                  other op is a read
 *     hashkeys=1   keys that are not numbers are hashed (64-bit FNV-1a)
 *                  instead of rejected
 *
 * Keys are decimal or 0x-hex unsigned numbers, renumbered densely in
 * first-seen order (common/u64map.h).  Fields may be wrapped in double
 * quotes (no separators inside them).  Blank lines are skipped.  Like every
 * key-only trace: one EV_MMAP of VMA 0 first (npages = the line count when
 * the input can be read twice), then one access per line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/u64map.h"
#include "workloads/trace_impl.h"

#define CSV_MAXLINE 65536
#define MAXWRITE 16

struct csv_spec {
	int key, op;		/* 0-based; -1 = unset / none */
	int header;		/* -1 auto */
	char sep;
	int hashkeys;
	int nwrite;
	char write[MAXWRITE][16];
};

struct csv_reader {
	struct trace_reader r;
	struct tin t;
	struct u64map km;
	struct csv_spec sp;
	uint64_t bound, line;
	int mmap_done;
};

static const char *const default_writes[] = {
	"w", "write", "wr", "set", "put", "add", "replace", "update", "2a",
	"8a", "aa", NULL,
};
static const char *const key_names[] = {
	"obj_id", "key", "lbn", "lba", "block", "id", "obj", NULL,
};
static const char *const op_names[] = {
	"op", "operation", "type", "rw", "cmd", NULL,
};

static int spec_parse(const char *s, struct csv_spec *sp, char *err, size_t errlen)
{
	sp->key = sp->op = -1;
	sp->header = -1;
	sp->sep = ',';
	sp->hashkeys = 0;
	sp->nwrite = 0;
	for (int i = 0; default_writes[i]; i++)
		snprintf(sp->write[sp->nwrite++], sizeof(sp->write[0]), "%s",
			 default_writes[i]);
	while (s && *s) {
		const char *e = strchr(s, ','), *eq;
		size_t kl;
		char val[128];

		if (!strncmp(s, "sep=,", 5) && (s[5] == ',' || s[5] == '\0'))
			e = s + 5;
		if (!e)
			e = s + strlen(s);
		eq = memchr(s, '=', (size_t)(e - s));
		if (!eq || (size_t)(e - eq - 1) >= sizeof(val)) {
			snprintf(err, errlen, "csv spec: '%.*s' is not KEY=VALUE",
				 (int)(e - s), s);
			return -1;
		}
		kl = (size_t)(eq - s);
		memcpy(val, eq + 1, (size_t)(e - eq - 1));
		val[e - eq - 1] = '\0';
		if ((kl == 3 && !strncmp(s, "key", 3)) || (kl == 2 && !strncmp(s, "op", 2))) {
			char *end;
			long c = strtol(val, &end, 10);
			if (*end || c < (kl == 2 ? 0 : 1) || c > 1000) {
				snprintf(err, errlen, "csv spec: bad column '%s' for %.*s "
					 "(1-based%s)", val, (int)kl, s,
					 kl == 2 ? ", 0 = none" : "");
				return -1;
			}
			if (kl == 3)
				sp->key = (int)c - 1;
			else
				sp->op = c ? (int)c - 1 : -2;
		} else if (kl == 6 && !strncmp(s, "header", 6)) {
			if (strcmp(val, "0") && strcmp(val, "1")) {
				snprintf(err, errlen, "csv spec: header=%s (0 or 1)", val);
				return -1;
			}
			sp->header = val[0] - '0';
		} else if (kl == 3 && !strncmp(s, "sep", 3)) {
			if (!strcmp(val, "comma") || !strcmp(val, ","))
				sp->sep = ',';
			else if (!strcmp(val, "tab") || !strcmp(val, "\t"))
				sp->sep = '\t';
			else if (!strcmp(val, "space") || !strcmp(val, " "))
				sp->sep = ' ';
			else if (!strcmp(val, "semicolon") || !strcmp(val, ";"))
				sp->sep = ';';
			else if (strlen(val) == 1 && val[0] != '"' && val[0] != '\n')
				sp->sep = val[0];
			else {
				snprintf(err, errlen, "csv spec: bad separator '%s'", val);
				return -1;
			}
		} else if (kl == 5 && !strncmp(s, "write", 5)) {
			char *save = NULL;
			sp->nwrite = 0;
			for (char *w = strtok_r(val, "|", &save); w;
			     w = strtok_r(NULL, "|", &save)) {
				if (sp->nwrite == MAXWRITE || strlen(w) >= sizeof(sp->write[0])) {
					snprintf(err, errlen, "csv spec: too many or too "
						 "long write values");
					return -1;
				}
				snprintf(sp->write[sp->nwrite++], sizeof(sp->write[0]), "%s", w);
			}
		} else if (kl == 8 && !strncmp(s, "hashkeys", 8)) {
			if (strcmp(val, "0") && strcmp(val, "1")) {
				snprintf(err, errlen, "csv spec: hashkeys=%s (0 or 1)", val);
				return -1;
			}
			sp->hashkeys = val[0] - '0';
		} else {
			snprintf(err, errlen, "csv spec: unknown key '%.*s' (valid: key, "
				 "op, header, sep, write, hashkeys)", (int)kl, s);
			return -1;
		}
		s = *e ? e + 1 : e;
	}
	return 0;
}

/* Field col of the line [s, s+len): start and length, quotes stripped. */
static int csv_field(const char *s, size_t len, char sep, int col,
		     const char **f, size_t *fl)
{
	const char *e = s + len, *p = s;

	for (int c = 0; c < col; c++) {
		p = memchr(p, sep, (size_t)(e - p));
		if (!p)
			return -1;
		p++;
	}
	{
		const char *q = memchr(p, sep, (size_t)(e - p));
		const char *fe = q ? q : e;
		while (p < fe && (*p == ' ' || *p == '\t') && sep != ' ' && sep != '\t')
			p++;
		while (fe > p && (fe[-1] == '\r' || ((fe[-1] == ' ' || fe[-1] == '\t') &&
						    sep != ' ' && sep != '\t')))
			fe--;
		if (fe - p >= 2 && *p == '"' && fe[-1] == '"') {
			p++;
			fe--;
		}
		*f = p;
		*fl = (size_t)(fe - p);
	}
	return 0;
}

static int name_in(const char *f, size_t fl, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == fl && !strncasecmp(f, names[i], fl))
			return 1;
	return 0;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static long csv_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct csv_reader *c = container_of(r, struct csv_reader, r);
	size_t k = 0;

	if (!c->mmap_done) {
		ev[k++] = (struct event){ .type = EV_MMAP, .npages = c->bound };
		c->mmap_done = 1;
	}
	while (k < max) {
		const char *s, *f;
		size_t len, fl;
		uint64_t off, key, id;
		int rc = tin_getline(&c->t, CSV_MAXLINE, &s, &len, &off);
		int write = 0;

		if (rc == -1)
			return trace_fail_tin(r, &c->t);
		if (rc == -2)
			return trace_fail(r, off, "line %llu: line too long",
					  (unsigned long long)c->line + 1);
		if (rc == 0)
			break;
		c->line++;
		while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		if (len == 0)
			continue;
		if (csv_field(s, len, c->sp.sep, c->sp.key, &f, &fl) < 0)
			return trace_fail(r, off, "line %llu: no column %d (the key)",
					  (unsigned long long)c->line, c->sp.key + 1);
		if (trace_parse_u64(f, f + fl, UINT64_MAX, &key) < 0) {
			if (!c->sp.hashkeys || fl == 0)
				return trace_fail(r, off, "line %llu: bad key '%.*s' "
						  "(not a number; hashkeys=1 hashes it)",
						  (unsigned long long)c->line,
						  (int)(fl > 32 ? 32 : fl), f);
			key = fnv1a(f, fl);
		}
		if (c->sp.op >= 0) {
			if (csv_field(s, len, c->sp.sep, c->sp.op, &f, &fl) < 0)
				return trace_fail(r, off, "line %llu: no column %d "
						  "(the op)", (unsigned long long)c->line,
						  c->sp.op + 1);
			for (int i = 0; i < c->sp.nwrite; i++)
				if (strlen(c->sp.write[i]) == fl &&
				    !strncasecmp(f, c->sp.write[i], fl))
					write = 1;
		}
		id = u64map_id(&c->km, key);
		if (id == UINT64_MAX)
			return trace_fail(r, off, "out of memory");
		if (id >= c->bound)
			return trace_fail(r, off, "more distinct keys than the %llu "
					  "announced", (unsigned long long)c->bound);
		ev[k++] = (struct event){ .type = EV_ACCESS, .write = (uint8_t)write,
					  .page = id };
	}
	return (long)k;
}

static void csv_close(struct trace_reader *r)
{
	struct csv_reader *c = container_of(r, struct csv_reader, r);
	u64map_free(&c->km);
	tin_close(&c->t);
	free(c);
}

static const struct trace_reader_ops csv_ops = {
	.read = csv_read,
	.close = csv_close,
};

/* Look at the first non-blank line: header or not, named columns. */
static int csv_first_line(struct csv_reader *c, char *err, size_t errlen)
{
	struct tin *t = &c->t;
	const char *s, *f;
	size_t len, fl;
	uint64_t off, v;
	uint64_t save;
	int rc, header;

	for (;;) {
		save = tin_offset(t);
		rc = tin_getline(t, CSV_MAXLINE, &s, &len, &off);
		if (rc == -1) {
			snprintf(err, errlen, "%s: offset %llu: %s", c->r.path,
				 (unsigned long long)off, t->err);
			return -1;
		}
		if (rc == -2) {
			snprintf(err, errlen, "%s: offset %llu: line 1: line too long",
				 c->r.path, (unsigned long long)off);
			return -1;
		}
		if (rc == 0)
			return 0;
		while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		if (len)
			break;
		c->line++;
	}
	header = c->sp.header;
	if (header < 0) {
		int kc = c->sp.key >= 0 ? c->sp.key : 0;
		header = csv_field(s, len, c->sp.sep, kc, &f, &fl) < 0 ||
			 trace_parse_u64(f, f + fl, UINT64_MAX, &v) < 0;
		if (header && c->sp.hashkeys && c->sp.key >= 0) {
			/* a hashed-key trace has no way to tell; assume data */
			header = 0;
		}
	}
	if (header) {
		for (int col = 0; csv_field(s, len, c->sp.sep, col, &f, &fl) == 0; col++) {
			if (c->sp.key < 0 && name_in(f, fl, key_names))
				c->sp.key = col;
			if (c->sp.op == -1 && name_in(f, fl, op_names))
				c->sp.op = col;
			if (col > 1000)
				break;
		}
		c->line++;
	} else {
		t->pos = (size_t)(save - t->base);	/* data: read it again */
	}
	if (c->sp.key < 0)
		c->sp.key = 0;
	return 0;
}

struct trace_reader *csv_open(struct tin *t, const char *path,
			      const struct trace_opts *o, char *err,
			      size_t errlen)
{
	struct csv_reader *c = calloc(1, sizeof(*c));
	uint64_t bytes, lines;

	if (!c || u64map_init(&c->km, 0) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(c);
		tin_close(t);
		return NULL;
	}
	c->t = *t;
	trace_base_init(&c->r, &csv_ops, path, "csv");
	if (spec_parse(o ? o->csv : NULL, &c->sp, err, errlen) < 0)
		goto fail;
	/* the first line must be in the window for the header check */
	if (tin_need(&c->t, CSV_MAXLINE + 2) < 0) {
		snprintf(err, errlen, "%s: offset 0: %s", path, c->t.err);
		goto fail;
	}
	if (csv_first_line(c, err, errlen) < 0)
		goto fail;
	if (c->sp.op == -2)
		c->sp.op = -1;
	if (trace_prescan(&c->t, path, &bytes, &lines) == 0)
		c->bound = lines ? lines : 1;
	else
		c->bound = TRACE_NPAGES_UNBOUNDED;
	c->r.h.nvmas = 1;
	return &c->r;
fail:
	u64map_free(&c->km);
	tin_close(&c->t);
	free(c);
	return NULL;
}

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
 *     size=N       1-based column of the request size in bytes (default: a
 *                  header column named size, obj_size, len, length or
 *                  bytes; else none)
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
 * Fields follow RFC 4180 (one line per record): a field in double quotes
 * may hold the separator, and "" in it is one quote.  A first line that is
 * data (no header) with several columns needs key=N: the reader refuses to
 * guess and lists the columns (a timestamp column would otherwise become
 * the key).  Keys are decimal or 0x-hex unsigned numbers, renumbered
 * densely in first-seen order.  Blank lines are skipped.  Like every
 * key-only trace (keyonly.h): one EV_MMAP of VMA 0 first (npages = the
 * line count when the input can be read twice), then one access per line
 * — or, when the key column is named lbn or lba (512-byte sectors) and
 * there is a size column, one access per page the request touches (the
 * block unit: --block-unit; given explicitly it splits any keyed csv with
 * a size column).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "workloads/keyonly.h"

#define CSV_MAXLINE 65536
#define MAXWRITE 16
#define CSV_MAXCOL 1001		/* columns are 1..1000 */

struct csv_spec {
	int key, op, size;	/* 0-based; -1 = unset; op, size: -2 = none */
	int header;		/* -1 auto */
	char sep;
	int hashkeys;
	int nwrite;
	char write[MAXWRITE][16];
};

struct csv_fld {
	const char *s;
	size_t len;
};

struct csv_reader {
	struct trace_reader r;
	struct tin t;
	struct keyonly k;
	struct csv_spec sp;
	int maxcol;		/* fields to split: 1 + the highest column used */
	int sectors;		/* the key column is named lbn or lba */
	uint64_t line;
	struct csv_fld fld[CSV_MAXCOL];
	char scratch[CSV_MAXLINE];	/* unquoted fields */
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
static const char *const size_names[] = {
	"size", "obj_size", "len", "length", "bytes", NULL,
};
/* key column names that mean a block address in 512-byte sectors */
static const char *const sector_names[] = {
	"lbn", "lba", NULL,
};

static int spec_parse(const char *s, struct csv_spec *sp, char *err, size_t errlen)
{
	sp->key = sp->op = sp->size = -1;
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
		if ((kl == 3 && !strncmp(s, "key", 3)) || (kl == 2 && !strncmp(s, "op", 2)) ||
		    (kl == 4 && !strncmp(s, "size", 4))) {
			char *end;
			long c = strtol(val, &end, 10);
			if (*end || c < (kl == 3 ? 1 : 0) || c > 1000) {
				snprintf(err, errlen, "csv spec: bad column '%s' for %.*s "
					 "(1-based%s)", val, (int)kl, s,
					 kl != 3 ? ", 0 = none" : "");
				return -1;
			}
			if (kl == 3)
				sp->key = (int)c - 1;
			else if (kl == 2)
				sp->op = c ? (int)c - 1 : -2;
			else
				sp->size = c ? (int)c - 1 : -2;
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
				 "op, size, header, sep, write, hashkeys)", (int)kl, s);
			return -1;
		}
		s = *e ? e + 1 : e;
	}
	return 0;
}

/*
 * Split the line [s, s+len) into fields by RFC 4180's rules: a field is
 * either unquoted text up to the next separator, or a double-quoted string
 * in which separators are ordinary characters and "" is one quote
 * (unquoted into scratch).  Blanks around a field are dropped (unless they
 * are the separator).  Fills at most maxf fields; returns the number of
 * fields on the line (it may be more than maxf), or -1 - column (0-based)
 * of a malformed field with *why set.
 */
static int csv_split(const char *s, size_t len, char sep, struct csv_fld *fl,
		     int maxf, char *scratch, const char **why)
{
	const char *e = s + len, *p = s;
	int nf = 0;
	int blank_sep = sep == ' ' || sep == '\t';

	for (;;) {
		const char *fs, *fe;

		if (!blank_sep)
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
		if (p < e && *p == '"') {
			char *o = scratch;
			p++;
			fs = scratch;
			for (;;) {
				const char *q = memchr(p, '"', (size_t)(e - p));
				if (!q) {
					*why = "unterminated quoted field";
					return -1 - nf;
				}
				memcpy(o, p, (size_t)(q - p));
				o += q - p;
				p = q + 1;
				if (p < e && *p == '"') {	/* "" */
					*o++ = '"';
					p++;
					continue;
				}
				break;
			}
			fe = o;
			scratch = o;
			if (!blank_sep)
				while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
					p++;
			if (p < e && *p != sep) {
				*why = "text after the closing quote";
				return -1 - nf;
			}
		} else {
			const char *q = memchr(p, sep, (size_t)(e - p));
			fs = p;
			fe = q ? q : e;
			p = fe;
			while (fe > fs && (fe[-1] == '\r' || (!blank_sep &&
				(fe[-1] == ' ' || fe[-1] == '\t'))))
				fe--;
		}
		if (nf < maxf) {
			fl[nf].s = fs;
			fl[nf].len = (size_t)(fe - fs);
		}
		nf++;
		if (p >= e)
			return nf;
		p++;	/* the separator */
	}
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

/* The key, op and size of one data line; 0, or -1 after trace_fail(). */
static int csv_parse(struct csv_reader *c, const char *s, size_t len,
		     uint64_t off, uint64_t *key, int *write, uint64_t *size)
{
	struct trace_reader *r = &c->r;
	const struct csv_spec *sp = &c->sp;
	const char *why = NULL;
	int nf = csv_split(s, len, sp->sep, c->fld, c->maxcol, c->scratch, &why);
	const struct csv_fld *f;

	if (nf < 0)
		return (int)trace_fail(r, off, "line %llu: column %d: %s",
				       (unsigned long long)c->line, -nf, why);
	if (nf <= sp->key)
		return (int)trace_fail(r, off, "line %llu: no column %d (the key)",
				       (unsigned long long)c->line, sp->key + 1);
	f = &c->fld[sp->key];
	if (trace_parse_u64(f->s, f->s + f->len, UINT64_MAX, key) < 0) {
		if (!sp->hashkeys || f->len == 0)
			return (int)trace_fail(r, off, "line %llu: bad key '%.*s' "
					       "(not a number; hashkeys=1 hashes it)",
					       (unsigned long long)c->line,
					       (int)(f->len > 32 ? 32 : f->len), f->s);
		*key = fnv1a(f->s, f->len);
	}
	*write = 0;
	if (sp->op >= 0) {
		if (nf <= sp->op)
			return (int)trace_fail(r, off, "line %llu: no column %d "
					       "(the op)", (unsigned long long)c->line,
					       sp->op + 1);
		f = &c->fld[sp->op];
		for (int i = 0; i < sp->nwrite; i++)
			if (strlen(sp->write[i]) == f->len &&
			    !strncasecmp(f->s, sp->write[i], f->len))
				*write = 1;
	}
	*size = 0;
	if (sp->size >= 0) {
		if (nf <= sp->size)
			return (int)trace_fail(r, off, "line %llu: no column %d "
					       "(the size)", (unsigned long long)c->line,
					       sp->size + 1);
		f = &c->fld[sp->size];
		if (trace_parse_u64(f->s, f->s + f->len, UINT64_MAX, size) < 0)
			return (int)trace_fail(r, off, "line %llu: bad size '%.*s'",
					       (unsigned long long)c->line,
					       (int)(f->len > 32 ? 32 : f->len), f->s);
	}
	return 0;
}

static long csv_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct csv_reader *c = container_of(r, struct csv_reader, r);
	long k = keyonly_begin(&c->k, r, ev, max);

	if (k < 0)
		return -1;
	while ((size_t)k < max) {
		const char *s;
		size_t len;
		uint64_t off, key, size;
		int write = 0, rc = tin_getline(&c->t, CSV_MAXLINE, &s, &len, &off);
		long n;

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
		if (csv_parse(c, s, len, off, &key, &write, &size) < 0)
			return -1;
		n = keyonly_block(&c->k, r, off, key, size, write, ev + k,
				  max - (size_t)k);
		if (n < 0)
			return -1;
		k += n;
	}
	return k;
}

static void csv_close(struct trace_reader *r)
{
	struct csv_reader *c = container_of(r, struct csv_reader, r);
	keyonly_free(&c->k);
	tin_close(&c->t);
	free(c);
}

static const struct trace_reader_ops csv_ops = {
	.read = csv_read,
	.close = csv_close,
};

/* "1=a 2=b ..." of a line's first fields, for the headerless message. */
static void columns_seen(const struct csv_reader *c, int nf, char *buf,
			 size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < nf && i < c->maxcol && at + 1 < len; i++) {
		const struct csv_fld *f = &c->fld[i];
		at += (size_t)snprintf(buf + at, len - at, "%s%d=%.*s", i ? " " : "",
				       i + 1, (int)(f->len > 20 ? 20 : f->len), f->s);
	}
	if (nf > c->maxcol && at + 1 < len)
		snprintf(buf + at, len - at, " ...");
}

/*
 * Look at the first non-blank line: header or not, named columns.  A
 * headerless line of several columns with no key= in the spec is refused:
 * which column is the key cannot be guessed (a timestamp would be taken).
 */
static int csv_first_line(struct csv_reader *c, const char *spec_text,
			  char *err, size_t errlen)
{
	struct tin *t = &c->t;
	const char *s, *why = NULL;
	size_t len;
	uint64_t off, v;
	uint64_t save;
	int rc, header, nf;

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
	nf = csv_split(s, len, c->sp.sep, c->fld, CSV_MAXCOL, c->scratch, &why);
	if (nf < 0) {
		snprintf(err, errlen, "%s: offset %llu: line %llu: column %d: %s",
			 c->r.path, (unsigned long long)off,
			 (unsigned long long)c->line + 1, -nf, why);
		return -1;
	}
	header = c->sp.header;
	if (header < 0) {
		int kc = c->sp.key >= 0 ? c->sp.key : 0;
		header = nf <= kc ||
			 trace_parse_u64(c->fld[kc].s, c->fld[kc].s + c->fld[kc].len,
					 UINT64_MAX, &v) < 0;
		if (header && c->sp.hashkeys && c->sp.key >= 0) {
			/* a hashed-key trace has no way to tell; assume data */
			header = 0;
		}
	}
	if (header) {
		for (int col = 0; col < nf && col < CSV_MAXCOL; col++) {
			const struct csv_fld *f = &c->fld[col];
			if (c->sp.key < 0 && name_in(f->s, f->len, key_names))
				c->sp.key = col;
			if (c->sp.op == -1 && name_in(f->s, f->len, op_names))
				c->sp.op = col;
			if (c->sp.size == -1 && name_in(f->s, f->len, size_names))
				c->sp.size = col;
		}
		if (c->sp.key >= 0 && c->sp.key < nf &&
		    name_in(c->fld[c->sp.key].s, c->fld[c->sp.key].len, sector_names))
			c->sectors = 1;
		c->line++;
	} else {
		if (c->sp.key < 0 && nf > 1) {
			char cols[256];
			c->maxcol = CSV_MAXCOL;
			columns_seen(c, nf < 8 ? nf : 8, cols, sizeof(cols));
			snprintf(err, errlen, "%s: offset %llu: a csv without a "
				 "header and %d columns (%s): which is the key? say "
				 "--csv key=N%s%s", c->r.path, (unsigned long long)off,
				 nf, cols, spec_text && *spec_text ? "," : "",
				 spec_text ? spec_text : "");
			return -1;
		}
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

	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
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
	if (csv_first_line(c, o ? o->csv : NULL, err, errlen) < 0)
		goto fail;
	if (c->sp.op == -2)
		c->sp.op = -1;
	if (c->sp.size == -2)
		c->sp.size = -1;
	c->maxcol = c->sp.key;
	if (c->sp.op > c->maxcol)
		c->maxcol = c->sp.op;
	if (c->sp.size > c->maxcol)
		c->maxcol = c->sp.size;
	c->maxcol++;
	/* block addresses with sizes split into pages by default */
	if (keyonly_init(&c->k, o, c->sectors && c->sp.size >= 0 ?
			 KEYONLY_SECTOR_BYTES : 0, path, err, errlen) < 0)
		goto fail;
	if (c->sp.size < 0)
		c->k.unit = 0;	/* no sizes: one key per request */
	if (trace_prescan(&c->t, path, &bytes, &lines) < 0)
		lines = UINT64_MAX;
	keyonly_set_bound(&c->k, &c->r, lines);
	return &c->r;
fail:
	tin_close(&c->t);
	free(c);
	return NULL;
}

/*
 * workloads/lackey.c — memory traces from valgrind's lackey tool
 * (`valgrind --tool=lackey --trace-mem=yes PROG`).
 *
 * Lackey prints one line per access:
 *
 *     I  0401a4e0,3        instruction fetch (column 0)
 *      L 1ffefffd48,8      data load
 *      S 1ffefffd40,8      data store
 *      M 0402c2f0,4        data modify (load then store)
 *
 * hex address, decimal size; lines starting "==" are valgrind's own
 * messages and are skipped.  Each access becomes one EV_ACCESS per page it
 * touches (page = address / page size): L a read, S a write, M a read then
 * a write of each page, I a read only when instruction fetches are asked
 * for (trace_opts.lackey_instr).  Sizes above one page are rejected (an
 * access then touches at most two pages, which bounds the page count).
 * Pages are renumbered densely in first-seen order like every key-only
 * trace: one EV_MMAP of VMA 0 first (npages = twice the line count when the
 * input can be read twice).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/u64map.h"
#include "workloads/trace_impl.h"

#define LACKEY_MAXLINE 256

struct lackey_reader {
	struct trace_reader r;
	struct tin t;
	struct u64map km;
	uint64_t bound, line;
	uint32_t page_size;
	int instr, mmap_done;
	/* an access in progress: pages cur..last; M emits read then write */
	uint64_t cur, last, off;
	int kind;		/* 0 none, 'L', 'S', 'M', 'I' */
	int mphase;		/* M: 0 the read next, 1 the write next */
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse " K addr,size": 1 an access, 0 a line to skip, -1 malformed. */
static int parse_line(const char *s, size_t len, int *kind, uint64_t *addr,
		      uint64_t *size)
{
	const char *e = s + len, *p = s;
	uint64_t a = 0, z;
	int nd = 0;

	while (e > p && (e[-1] == '\r' || e[-1] == ' '))
		e--;
	if (e == p)
		return 0;
	if (e - p >= 2 && p[0] == '=' && p[1] == '=')
		return 0;
	while (p < e && *p == ' ')
		p++;
	if (p == e || !strchr("ILSM", *p) || *p == '\0')
		return -1;
	*kind = *p++;
	if (p == e || *p != ' ')
		return -1;
	while (p < e && *p == ' ')
		p++;
	for (; p < e && hexval(*p) >= 0; p++, nd++) {
		if (nd >= 16)
			return -1;
		a = a << 4 | (uint64_t)hexval(*p);
	}
	if (nd == 0 || p == e || *p != ',')
		return -1;
	p++;
	if (trace_parse_u64(p, e, UINT32_MAX, &z) < 0)
		return -1;
	*addr = a;
	*size = z ? z : 1;
	return 1;
}

/* Emit the next event of the access in progress. */
static int emit(struct lackey_reader *l, struct event *ev)
{
	uint64_t id = u64map_id(&l->km, l->cur);
	int write;

	if (id == UINT64_MAX)
		return (int)trace_fail(&l->r, l->off, "out of memory");
	if (id >= l->bound)
		return (int)trace_fail(&l->r, l->off, "more distinct pages than "
				       "the %llu announced",
				       (unsigned long long)l->bound);
	if (l->kind == 'M') {
		write = l->mphase;
		l->mphase ^= 1;
	} else {
		write = l->kind == 'S';
	}
	*ev = (struct event){ .type = EV_ACCESS, .write = (uint8_t)write, .page = id };
	if (l->kind != 'M' || l->mphase == 0) {
		if (l->cur == l->last)
			l->kind = 0;
		else
			l->cur++;
	}
	return 1;
}

static long lackey_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct lackey_reader *l = container_of(r, struct lackey_reader, r);
	size_t k = 0;

	if (!l->mmap_done) {
		ev[k++] = (struct event){ .type = EV_MMAP, .npages = l->bound };
		l->mmap_done = 1;
	}
	while (k < max) {
		const char *s;
		size_t len;
		uint64_t addr, size;
		int rc, kind;

		if (l->kind) {
			if (emit(l, &ev[k]) < 0)
				return -1;
			k++;
			continue;
		}
		rc = tin_getline(&l->t, LACKEY_MAXLINE, &s, &len, &l->off);
		if (rc == -1)
			return trace_fail_tin(r, &l->t);
		if (rc == -2)
			return trace_fail(r, l->off, "line %llu: line too long",
					  (unsigned long long)l->line + 1);
		if (rc == 0)
			break;
		l->line++;
		rc = parse_line(s, len, &kind, &addr, &size);
		if (rc < 0)
			return trace_fail(r, l->off, "line %llu: not a lackey access "
					  "line (\" L addr,size\")",
					  (unsigned long long)l->line);
		if (rc == 0 || (kind == 'I' && !l->instr))
			continue;
		if (size > l->page_size)
			return trace_fail(r, l->off, "line %llu: access of %llu bytes "
					  "is larger than a page (%u)",
					  (unsigned long long)l->line,
					  (unsigned long long)size, l->page_size);
		l->cur = addr / l->page_size;
		l->last = (addr + (size - 1)) / l->page_size;
		if (addr + (size - 1) < addr)
			l->last = UINT64_MAX / l->page_size;
		l->kind = kind;
		l->mphase = 0;
	}
	return (long)k;
}

static void lackey_close(struct trace_reader *r)
{
	struct lackey_reader *l = container_of(r, struct lackey_reader, r);
	u64map_free(&l->km);
	tin_close(&l->t);
	free(l);
}

static const struct trace_reader_ops lackey_ops = {
	.read = lackey_read,
	.close = lackey_close,
};

struct trace_reader *lackey_open(struct tin *t, const char *path,
				 const struct trace_opts *o, char *err,
				 size_t errlen)
{
	struct lackey_reader *l = calloc(1, sizeof(*l));
	uint64_t bytes, lines;

	if (!l || u64map_init(&l->km, 0) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(l);
		tin_close(t);
		return NULL;
	}
	l->t = *t;
	trace_base_init(&l->r, &lackey_ops, path, "lackey");
	l->page_size = o && o->page_size ? o->page_size : 4096;
	l->instr = o ? o->lackey_instr : 0;
	l->r.h.page_size = l->page_size;
	if (trace_prescan(&l->t, path, &bytes, &lines) == 0)
		l->bound = lines ? 2 * lines : 1;
	else
		l->bound = TRACE_NPAGES_UNBOUNDED;
	l->r.h.nvmas = 1;
	return &l->r;
}

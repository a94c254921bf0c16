/*
 * workloads/export.c — writing traces for cache simulators: libCacheSim's
 * oracleGeneral and a csv pagelab and libCacheSim both read; and the
 * choice of an output format from a file name (the names detect.c knows:
 * .txt text, .csv, .oracleGeneral[.bin], else native — .trace included —
 * and a format pagelab only reads is refused).
 *
 * Both are key-only: each access becomes one request for the page key
 * (file << 40 | file page, the key the policies see), so a trace of many
 * mappings keeps which accesses hit the same file page.  What a key-only
 * format cannot hold is left out and counted (trace_writer_dropped()): the
 * mmap/unmap structure, writeout, discard and invalidate events, and —
 * for oracleGeneral, which has no operation field — the write flag.
 *
 * oracleGeneral (24-byte LE records {u32 clock_time; u64 obj_id; u32
 * obj_size; i64 next_access_vtime}) needs each request's next use: the
 * writer keeps every key (8 bytes per access, plus the dense renumbering
 * of common/u64map.h) and writes the records at the end, after one backward pass
 * (clock_time = the request index, obj_size = the page size, -1 = never
 * again).  csv streams: a header "time,obj_id,obj_size,op", then
 * "INDEX,KEY,PAGE_SIZE,read|write" per access.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/u64map.h"
#include "workloads/trace_impl.h"

#define EXPORT_MAX_VMAS (1u << 23)

struct export_writer {
	struct trace_writer_ops ops;	/* first: w->ops points here */
	int oracle;			/* else csv */
	/* vma id -> (file, pgoff) of its mapping, for the page keys */
	struct { uint32_t file; uint64_t pgoff; } *vma;
	uint32_t nvma;
	uint64_t *keys;			/* oracle: every access's key */
	size_t nkeys, cap;
};

static struct export_writer *xw_of(struct trace_writer *w)
{
	return (struct export_writer *)(void *)w->ops;
}

/* The page key of an access, or -1 after trace_writer_fail(). */
static int access_key(struct trace_writer *w, struct export_writer *x,
		      const struct event *ev, uint64_t *key)
{
	uint64_t pg;

	if (ev->vma >= x->nvma || x->vma[ev->vma].file == UINT32_MAX)
		return trace_writer_fail(w, "event %llu: access to vma %u, which "
					 "is not mapped",
					 (unsigned long long)w->h.nevents - 1,
					 ev->vma);
	pg = x->vma[ev->vma].pgoff + ev->page;
	if (pg >> 40 || x->vma[ev->vma].file >> 24)
		return trace_writer_fail(w, "event %llu: file %u page %llu does "
					 "not fit a page key (files < 2^24, "
					 "pages < 2^40)",
					 (unsigned long long)w->h.nevents - 1,
					 x->vma[ev->vma].file,
					 (unsigned long long)pg);
	*key = ((uint64_t)x->vma[ev->vma].file << 40) | pg;
	return 0;
}

static int note_mmap(struct trace_writer *w, struct export_writer *x,
		     const struct event *ev)
{
	if (ev->vma >= EXPORT_MAX_VMAS)
		return trace_writer_fail(w, "event %llu: vma id %u (below 2^23 "
					 "please)", (unsigned long long)w->h.nevents - 1,
					 ev->vma);
	if (ev->vma >= x->nvma) {
		uint32_t n = x->nvma ? x->nvma : 16;
		void *p;
		while (n <= ev->vma)
			n *= 2;
		p = realloc(x->vma, n * sizeof(*x->vma));
		if (!p)
			return trace_writer_fail(w, "out of memory");
		x->vma = p;
		for (uint32_t i = x->nvma; i < n; i++)
			x->vma[i].file = UINT32_MAX;
		x->nvma = n;
	}
	x->vma[ev->vma].file = ev->file;
	x->vma[ev->vma].pgoff = ev->page;
	return 0;
}

static int export_write(struct trace_writer *w, const struct event *ev,
			size_t n)
{
	struct export_writer *x = xw_of(w);

	for (size_t i = 0; i < n; i++) {
		uint64_t key = 0;
		if (trace_writer_count(w, &ev[i]) < 0)
			return -1;
		if (ev[i].type == EV_MMAP) {
			if (note_mmap(w, x, &ev[i]) < 0)
				return -1;
			continue;
		}
		if (ev[i].type == EV_UNMAP) {
			if (ev[i].vma < x->nvma)
				x->vma[ev[i].vma].file = UINT32_MAX;
			continue;
		}
		if (ev[i].type != EV_ACCESS) {
			w->dropped++;
			continue;
		}
		if (access_key(w, x, &ev[i], &key) < 0)
			return -1;
		if (x->oracle) {
			if (x->nkeys == x->cap) {
				size_t cap = x->cap ? x->cap * 2 : 65536;
				uint64_t *p = realloc(x->keys, cap * sizeof(*p));
				if (!p)
					return trace_writer_fail(w, "out of memory");
				x->keys = p;
				x->cap = cap;
			}
			x->keys[x->nkeys++] = key;
			w->dropped += ev[i].write;
		} else {
			char line[96];
			int l = snprintf(line, sizeof(line), "%llu,%llu,%u,%s\n",
					 (unsigned long long)w->h.naccesses - 1,
					 (unsigned long long)key, w->h.page_size,
					 ev[i].write ? "write" : "read");
			if (trace_writer_put(w, line, (size_t)l) < 0)
				return -1;
		}
	}
	return 0;
}

/* oracleGeneral: the next use of every request, then the records. */
static int oracle_finish(struct trace_writer *w, struct export_writer *x)
{
	struct u64map km;
	uint64_t *next_of, *ids;
	int rc = 0;

	if (u64map_init(&km, 0) < 0)
		return trace_writer_fail(w, "out of memory");
	ids = malloc((x->nkeys ? x->nkeys : 1) * sizeof(*ids));
	if (!ids) {
		u64map_free(&km);
		return trace_writer_fail(w, "out of memory");
	}
	for (size_t i = 0; i < x->nkeys; i++) {
		ids[i] = u64map_id(&km, x->keys[i]);
		if (ids[i] == UINT64_MAX) {
			rc = trace_writer_fail(w, "out of memory");
			goto out;
		}
	}
	/* backward: ids[i] becomes the index of the next request to the same
	 * key (UINT64_MAX: none) */
	next_of = malloc((km.n ? km.n : 1) * sizeof(*next_of));
	if (!next_of) {
		rc = trace_writer_fail(w, "out of memory");
		goto out;
	}
	memset(next_of, 0xff, (km.n ? km.n : 1) * sizeof(*next_of));
	for (size_t i = x->nkeys; i-- > 0;) {
		uint64_t id = ids[i];
		ids[i] = next_of[id];
		next_of[id] = i;
	}
	free(next_of);
	for (size_t i = 0; i < x->nkeys && rc == 0; i++) {
		unsigned char rec[24];
		uint32_t t = (uint32_t)i, size = w->h.page_size;
		int64_t nx = ids[i] == UINT64_MAX ? -1 : (int64_t)ids[i];
		memcpy(rec, &t, 4);
		memcpy(rec + 4, &x->keys[i], 8);
		memcpy(rec + 12, &size, 4);
		memcpy(rec + 16, &nx, 8);
		rc = trace_writer_put(w, rec, sizeof(rec));
	}
out:
	free(ids);
	u64map_free(&km);
	return rc;
}

static int export_finish(struct trace_writer *w)
{
	struct export_writer *x = xw_of(w);

	if (x->oracle && oracle_finish(w, x) < 0)
		return -1;
	return trace_writer_flush(w);
}

static void export_free(struct trace_writer *w)
{
	struct export_writer *x = xw_of(w);

	free(x->vma);
	free(x->keys);
	free(x);
	w->ops = NULL;
}

static int export_init(struct trace_writer *w, int oracle)
{
	struct export_writer *x = calloc(1, sizeof(*x));

	if (!x)
		return trace_writer_fail(w, "out of memory");
	x->ops = (struct trace_writer_ops){ .write = export_write,
					    .finish = export_finish,
					    .free = export_free };
	x->oracle = oracle;
	w->ops = &x->ops;
	if (oracle)
		return 0;
	return trace_writer_put(w, "time,obj_id,obj_size,op\n", 24);
}

int oracle_writer_init(struct trace_writer *w)
{
	return export_init(w, 1);
}

int csv_writer_init(struct trace_writer *w)
{
	return export_init(w, 0);
}

const char *trace_writer_format_for(const char *path, char *err, size_t errlen)
{
	const char *f = trace_format_by_name(path);
	size_t n = strlen(path);

	if (f && !strcmp(f, "text"))	/* .txt text; .trace stays native */
		return (n >= 4 && !strcasecmp(path + n - 4, ".txt")) ||
		       (n >= 8 && !strcasecmp(path + n - 8, ".txt.zst")) ?
		       "text" : "native";
	if (!f || !strcmp(f, "native") || !strcmp(f, "csv") ||
	    !strcmp(f, "oracle"))
		return f ? f : "native";
	snprintf(err, errlen, "%s: cannot write that format (pagelab writes "
		 "native, text, oracle, csv); name the file otherwise or say "
		 "--out-format", path);
	return NULL;
}

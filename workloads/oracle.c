/*
 * workloads/oracle.c — libCacheSim's oracleGeneral binary traces.
 *
 * Each request is a 24-byte little-endian record
 *     u32 clock_time; u64 obj_id; u32 obj_size; i64 next_access_vtime;
 * (next_access_vtime: the index of the next request to obj_id, -1 if
 * none).  A key-only trace: one EV_MMAP of VMA 0 (npages = the record
 * count, file size / 24 — of the decompressed stream for .zst, found
 * by decompressing it once more — when the size can be known), then one read access per
 * record to the obj_id renumbered densely in first-seen order
 * (common/u64map.h).
 * Sizes and times are not used: pages have unit size.  A record whose
 * next_access_vtime is neither -1 (or INT64_MAX) nor later than the record
 * itself is reported as corrupt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/u64map.h"
#include "workloads/trace_impl.h"

#define REC 24
/* Each record starts loading the map slot of the record this many ahead,
 * so that the cache misses of a large key set overlap (u64map.h). */
#define ORACLE_PREFETCH 16

struct oracle_reader {
	struct trace_reader r;
	struct tin t;
	struct u64map km;
	uint64_t index;		/* records read */
	uint64_t bound;
	int mmap_done;
};

static long oracle_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct oracle_reader *o = container_of(r, struct oracle_reader, r);
	struct tin *t = &o->t;
	size_t k = 0;

	if (!o->mmap_done) {
		ev[k++] = (struct event){ .type = EV_MMAP, .npages = o->bound };
		o->mmap_done = 1;
	}
	while (k < max) {
		long avail = tin_need(t, REC);
		const unsigned char *p;
		size_t nrec;

		if (avail < 0)
			return trace_fail_tin(r, t);
		if (avail == 0)
			break;
		if (avail < REC)
			return trace_fail(r, tin_offset(t), "truncated: partial "
					  "record (%ld of %d bytes)", avail, REC);
		nrec = (size_t)avail / REC;
		if (nrec > max - k)
			nrec = max - k;
		p = t->buf + t->pos;
		for (size_t i = 0; i < nrec; i++, p += REC) {
			uint64_t key, id;
			int64_t next;
			if (i + ORACLE_PREFETCH < nrec) {
				memcpy(&key, p + ORACLE_PREFETCH * REC + 4, 8);
				u64map_prefetch(&o->km, key);
			}
			memcpy(&key, p + 4, 8);
			memcpy(&next, p + 16, 8);
			if (next != -1 && next != INT64_MAX &&
			    next <= (int64_t)o->index) {
				t->pos = (size_t)(p - t->buf);
				return trace_fail(r, tin_offset(t), "corrupt record "
						  "%llu: next_access_vtime %lld is "
						  "not after it",
						  (unsigned long long)o->index,
						  (long long)next);
			}
			id = u64map_id(&o->km, key);
			if (id == UINT64_MAX)
				return trace_fail(r, tin_offset(t), "out of memory");
			if (id >= o->bound)
				return trace_fail(r, tin_offset(t), "more distinct "
						  "keys than the %llu announced",
						  (unsigned long long)o->bound);
			ev[k++] = (struct event){ .type = EV_ACCESS, .page = id };
			o->index++;
		}
		t->pos += nrec * REC;
	}
	return (long)k;
}

static void oracle_close(struct trace_reader *r)
{
	struct oracle_reader *o = container_of(r, struct oracle_reader, r);
	u64map_free(&o->km);
	tin_close(&o->t);
	free(o);
}

static const struct trace_reader_ops oracle_ops = {
	.read = oracle_read,
	.close = oracle_close,
};

struct trace_reader *oracle_open(struct tin *t, const char *path,
				 const struct trace_opts *opts, char *err,
				 size_t errlen)
{
	struct oracle_reader *o = calloc(1, sizeof(*o));

	(void)opts;
	if (!o || u64map_init(&o->km, 0) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(o);
		tin_close(t);
		return NULL;
	}
	o->t = *t;
	trace_base_init(&o->r, &oracle_ops, path, "oracle");
	uint64_t bytes = o->t.raw_size, lines;
	if (!o->t.z && (o->t.seekable || o->t.fd < 0) && strcmp(path, "-"))
		bytes = o->t.raw_size;
	else if (trace_prescan(&o->t, path, &bytes, &lines) < 0)
		bytes = UINT64_MAX;
	if (bytes != UINT64_MAX) {
		o->bound = bytes / REC;
		o->r.h.naccesses = o->bound;
		o->r.h.nevents = o->bound + 1;
		if (o->bound == 0)
			o->bound = 1;	/* an EV_MMAP needs a page */
	} else {
		o->bound = TRACE_NPAGES_UNBOUNDED;
	}
	o->r.h.nvmas = 1;
	return &o->r;
}

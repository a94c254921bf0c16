/*
 * workloads/oracle.c — libCacheSim's oracleGeneral binary traces.
 *
 * Each request is a 24-byte little-endian record
 *     u32 clock_time; u64 obj_id; u32 obj_size; i64 next_access_vtime;
 * (next_access_vtime: the index of the next request to obj_id, -1 if
 * none).  A key-only trace (keyonly.h): one EV_MMAP of VMA 0 (npages = the
 * record count, file size / 24 — of the decompressed stream for .zst, found
 * by decompressing it once more — when the size can be known), then one
 * read access per record to the obj_id renumbered densely in first-seen
 * order.
 * Sizes and times are not used: pages have unit size.  A record whose
 * next_access_vtime is neither -1 (or INT64_MAX) nor later than the record
 * itself is reported as corrupt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/keyonly.h"

#define REC 24
/* Each record starts loading the map slot of the record this many ahead,
 * so that the cache misses of a large key set overlap (u64map.h). */
#define ORACLE_PREFETCH 16

struct oracle_reader {
	struct trace_reader r;
	struct tin t;
	struct keyonly k;
	uint64_t index;		/* records read */
};

static long oracle_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct oracle_reader *o = container_of(r, struct oracle_reader, r);
	struct tin *t = &o->t;
	long b = keyonly_begin(&o->k, r, ev, max);
	size_t k;

	if (b < 0)
		return -1;
	k = (size_t)b;
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
			uint64_t key;
			int64_t next;
			if (i + ORACLE_PREFETCH < nrec) {
				memcpy(&key, p + ORACLE_PREFETCH * REC + 4, 8);
				u64map_prefetch(&o->k.km, key);
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
			if (keyonly_key(&o->k, r, tin_offset(t) + i * REC, key, 0,
					&ev[k++]) < 0)
				return -1;
			o->index++;
		}
		t->pos += nrec * REC;
	}
	return (long)k;
}

static void oracle_close(struct trace_reader *r)
{
	struct oracle_reader *o = container_of(r, struct oracle_reader, r);
	keyonly_free(&o->k);
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
	uint64_t bytes;

	if (!o) {
		snprintf(err, errlen, "%s: out of memory", path);
		tin_close(t);
		return NULL;
	}
	o->t = *t;
	trace_base_init(&o->r, &oracle_ops, path, "oracle");
	if (keyonly_init(&o->k, opts, 0, path, err, errlen) < 0) {
		tin_close(&o->t);
		free(o);
		return NULL;
	}
	o->k.unit = 0;	/* keys, not blocks: --block-unit does not apply */
	bytes = keyonly_stream_bytes(&o->t, path);
	keyonly_set_bound(&o->k, &o->r, bytes == UINT64_MAX ? bytes : bytes / REC);
	if (bytes != UINT64_MAX) {	/* one access per record */
		o->r.h.naccesses = bytes / REC;
		o->r.h.nevents = bytes / REC + 1;
	}
	return &o->r;
}

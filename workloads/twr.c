/*
 * workloads/twr.c — Twitter's key-value cache traces in libCacheSim's
 * binary forms "twr" and "twrNS" (Yang et al., "A large scale analysis of
 * hundreds of in-memory cache clusters at Twitter", OSDI 2020).
 *
 * Fixed-size little-endian records:
 *
 *     twr,   20 bytes: u32 time; u64 key; u32 kv_size; u32 op_ttl;
 *     twrNS, 22 bytes: the same, then u16 namespace;
 *
 * kv_size holds the key size in its top 10 bits and the value size in the
 * low 22; op_ttl the operation in its top 8 bits and the TTL in the low 24.
 * The operations (libCacheSim's numbering): get 1, gets 2 and read 12 are
 * reads; set 3, add 4, cas 5, replace 6, append 7, prepend 8, incr 10,
 * decr 11, write 13 and update 14 are writes; delete 9 drops the key
 * (EV_INVALIDATE of its page, nothing if the key was never seen); any
 * other value is reported as a corrupt record.  Keys are unit size and
 * renumbered densely (keyonly.h); as in libCacheSim the key is the object
 * id alone (the namespace of twrNS is not part of it).  Sizes, times and
 * TTLs are not used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/keyonly.h"

#define TWR_OP_DELETE 9

struct twr_reader {
	struct trace_reader r;
	struct tin t;
	struct keyonly k;
	unsigned rec;		/* 20 (twr) or 22 (twrNS) */
	uint64_t index;		/* records read */
};

/* 1 read, 2 write, 3 delete, 0 not an operation. */
static int twr_kind(unsigned op)
{
	switch (op) {
	case 1: case 2: case 12:
		return 1;
	case 3: case 4: case 5: case 6: case 7: case 8: case 10: case 11:
	case 13: case 14:
		return 2;
	case TWR_OP_DELETE:
		return 3;
	}
	return 0;
}

static long twr_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct twr_reader *w = container_of(r, struct twr_reader, r);
	struct tin *t = &w->t;
	long k = keyonly_begin(&w->k, r, ev, max);

	if (k < 0)
		return -1;
	while ((size_t)k < max) {
		long rc;
		const unsigned char *p = keyonly_record(t, r, w->rec, &rc);
		uint64_t key;
		uint32_t op_ttl;
		int kind;

		if (!p) {
			if (rc < 0)
				return -1;
			break;
		}
		memcpy(&key, p + 4, 8);
		memcpy(&op_ttl, p + 16, 4);
		kind = twr_kind(op_ttl >> 24);
		if (!kind)
			return trace_fail(r, tin_offset(t), "corrupt record %llu: "
					  "unknown operation %u",
					  (unsigned long long)w->index, op_ttl >> 24);
		if (kind == 3) {
			r->h.nrequests++;
			k += keyonly_delete(&w->k, key, &ev[k]);
		} else {
			if (keyonly_key(&w->k, r, tin_offset(t), key, kind == 2,
					&ev[k]) < 0)
				return -1;
			k++;
		}
		t->pos += w->rec;
		w->index++;
	}
	return k;
}

static void twr_close(struct trace_reader *r)
{
	struct twr_reader *w = container_of(r, struct twr_reader, r);
	keyonly_free(&w->k);
	tin_close(&w->t);
	free(w);
}

static const struct trace_reader_ops twr_ops = {
	.read = twr_read,
	.close = twr_close,
};

static struct trace_reader *open_rec(struct tin *t, const char *path,
				     const struct trace_opts *o, unsigned rec,
				     const char *format, char *err, size_t errlen)
{
	struct twr_reader *w = calloc(1, sizeof(*w));
	uint64_t bytes;

	if (!w) {
		snprintf(err, errlen, "%s: out of memory", path);
		tin_close(t);
		return NULL;
	}
	w->t = *t;
	w->rec = rec;
	trace_base_init(&w->r, &twr_ops, path, format);
	if (keyonly_init(&w->k, o, 0, path, err, errlen) < 0) {
		tin_close(&w->t);
		free(w);
		return NULL;
	}
	w->k.unit = 0;	/* keys, not blocks: --block-unit does not apply */
	bytes = keyonly_stream_bytes(&w->t, path);
	keyonly_set_bound(&w->k, &w->r, bytes == UINT64_MAX ? bytes : bytes / rec);
	return &w->r;
}

struct trace_reader *twr_open(struct tin *t, const char *path,
			      const struct trace_opts *o, char *err,
			      size_t errlen)
{
	return open_rec(t, path, o, 20, "twr", err, errlen);
}

struct trace_reader *twrns_open(struct tin *t, const char *path,
				const struct trace_opts *o, char *err,
				size_t errlen)
{
	return open_rec(t, path, o, 22, "twrNS", err, errlen);
}

/*
 * workloads/keyonly.c — the key-only trace layer (keyonly.h): the one
 * EV_MMAP, dense renumbering of keys, and block requests split into the
 * pages they touch.
 */
#include <stdio.h>
#include <string.h>

#include "workloads/keyonly.h"

int keyonly_init(struct keyonly *k, const struct trace_opts *o,
		 uint32_t default_unit, const char *path, char *err,
		 size_t errlen)
{
	*k = (struct keyonly){ .page_size = 4096, .unit = default_unit };
	if (o && o->page_size)
		k->page_size = o->page_size;
	if (o && o->block_unit_set)
		k->unit = o->block_unit;
	if (u64map_init(&k->km, 0) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

uint64_t keyonly_stream_bytes(struct tin *t, const char *path)
{
	uint64_t bytes, lines;

	if (!t->z && (t->seekable || t->fd < 0) && strcmp(path, "-"))
		return t->raw_size;
	if (trace_prescan(t, path, &bytes, &lines) < 0)
		return UINT64_MAX;
	return bytes;
}

int keyonly_fail(struct keyonly *k, struct trace_reader *r, uint64_t off,
		 uint64_t id)
{
	if (id == UINT64_MAX)
		return (int)trace_fail(r, off, "out of memory");
	return (int)trace_fail(r, off, "more distinct keys than the %llu "
			       "announced", (unsigned long long)k->bound);
}

const unsigned char *keyonly_record(struct tin *t, struct trace_reader *r,
				    size_t rec, long *rc)
{
	long avail = tin_need(t, rec);

	*rc = 0;
	if (avail < 0)
		*rc = trace_fail_tin(r, t);
	else if (avail > 0 && (size_t)avail < rec)
		*rc = trace_fail(r, tin_offset(t), "truncated: partial record "
				 "(%ld of %zu bytes)", avail, rec);
	return avail > 0 && *rc == 0 ? t->buf + t->pos : NULL;
}

void keyonly_free(struct keyonly *k)
{
	u64map_free(&k->km);
}

void keyonly_set_bound(struct keyonly *k, struct trace_reader *r, uint64_t nrec)
{
	r->h.nvmas = 1;
	if (nrec == UINT64_MAX || k->unit) {
		k->bound = TRACE_NPAGES_UNBOUNDED;
		return;
	}
	k->bound = nrec ? nrec : 1;	/* an EV_MMAP needs a page */
}

/* Hand out queued pages of a split request into ev[0, max). */
static long drain(struct keyonly *k, struct trace_reader *r, struct event *ev,
		  size_t max)
{
	size_t n = 0;

	while (n < max && k->next < k->end) {
		if (keyonly_put(k, r, k->req_off, k->next, k->write, &ev[n]) < 0)
			return -1;
		k->next++;
		n++;
	}
	return (long)n;
}

long keyonly_begin(struct keyonly *k, struct trace_reader *r,
		   struct event *ev, size_t max)
{
	long n;

	if (k->mmap_done)
		return drain(k, r, ev, max);
	ev[0] = (struct event){ .type = EV_MMAP, .npages = k->bound };
	k->mmap_done = 1;
	n = drain(k, r, ev + 1, max - 1);
	return n < 0 ? -1 : n + 1;
}

long keyonly_block(struct keyonly *k, struct trace_reader *r, uint64_t off,
		   uint64_t offset, uint64_t size, int write, struct event *ev,
		   size_t max)
{
	uint64_t start;

	if (!k->unit || !size) {
		if (keyonly_key(k, r, off, offset, write, ev) < 0)
			return -1;
		return 1;
	}
	if (offset > UINT64_MAX / k->unit ||
	    offset * k->unit > UINT64_MAX - (size - 1))
		return trace_fail(r, off, "request at block %llu of %llu bytes "
				  "ends beyond 2^64 bytes",
				  (unsigned long long)offset,
				  (unsigned long long)size);
	r->h.nrequests++;
	start = offset * k->unit;
	k->next = start / k->page_size;
	k->end = (start + (size - 1)) / k->page_size + 1;
	k->req_off = off;
	k->write = (uint8_t)write;
	return drain(k, r, ev, max);
}

int keyonly_delete(struct keyonly *k, uint64_t key, struct event *ev)
{
	const uint64_t *id = u64map_find(&k->km, key);

	if (!id)
		return 0;
	*ev = (struct event){ .type = EV_INVALIDATE, .page = *id };
	return 1;
}

/*
 * workloads/keyonly.h — what the readers of key-only traces share (txt,
 * csv, vscsi, twr/twrNS); not for use outside workloads/.
 *
 * A key-only trace (a cache or block trace) names objects by sparse 64-bit
 * keys.  It becomes one implicit VMA: first one EV_MMAP {vma 0, file 0,
 * pgoff 0, npages = bound}, then EV_ACCESS events whose page is the key
 * renumbered densely in first-seen order (common/u64map.h), as in
 * workloads/FORMAT.md "Key-only traces".
 *
 * Block traces (vscsi, csv with an lbn and a size column) name a request
 * by (offset in units of `unit` bytes, size in bytes).  With unit > 0 the
 * request becomes one access to every page it touches, in address order
 * (key = byte address / page_size); with unit = 0 (or no size) it is one
 * access to the key `offset` (libCacheSim's unit-size view).  A request
 * may yield more events than the caller's batch holds: the rest waits in
 * the struct and keyonly_drain() hands it out first on the next call.
 */
#ifndef PAGELAB_WORKLOADS_KEYONLY_H
#define PAGELAB_WORKLOADS_KEYONLY_H

#include <stddef.h>
#include <stdint.h>

#include "common/u64map.h"
#include "workloads/trace_impl.h"

/* The block unit of a format that splits requests (vscsi's LBN sectors). */
#define KEYONLY_SECTOR_BYTES 512u

struct keyonly {
	struct u64map km;
	uint64_t bound;		/* the EV_MMAP's npages: an upper bound on keys */
	int mmap_done;
	uint32_t page_size;	/* bytes per page (splitting) */
	uint32_t unit;		/* bytes per offset unit; 0 = one key per request */
	/* the pages of a request not handed out yet: [next, end) */
	uint64_t next, end;
	uint64_t req_off;	/* stream offset of that request, for messages */
	uint8_t write;
};

/*
 * Set k up for reader r: the block unit from o (block_unit_set: that value,
 * else default_unit), the page size from o (default 4096).  0, or -1 with
 * "PATH: out of memory" in err.
 */
int keyonly_init(struct keyonly *k, const struct trace_opts *o,
		 uint32_t default_unit, const char *path, char *err,
		 size_t errlen);
void keyonly_free(struct keyonly *k);

/* The size of the (decompressed) stream in t, for fixed-size records:
 * the file size, or one more decompressing pass; UINT64_MAX if it cannot
 * be known (a pipe). */
uint64_t keyonly_stream_bytes(struct tin *t, const char *path);

/* The next fixed-size record of rec bytes in t: a pointer to it (t->pos
 * not moved), or NULL with *rc 0 at the clean end or -1 after trace_fail()
 * (an input error, or a partial record: "truncated"). */
const unsigned char *keyonly_record(struct tin *t, struct trace_reader *r,
				    size_t rec, long *rc);

/* The bound for a trace of at most nrec requests (UINT64_MAX: unknown).
 * Split requests may touch several pages each, so a splitting trace
 * announces TRACE_NPAGES_UNBOUNDED.  Sets r's nvmas (1). */
void keyonly_set_bound(struct keyonly *k, struct trace_reader *r, uint64_t nrec);

/*
 * Start a batch: the EV_MMAP first, then what is left of a split request.
 * Returns the number of events put at ev (<= max), or -1 after trace_fail().
 */
long keyonly_begin(struct keyonly *k, struct trace_reader *r,
		   struct event *ev, size_t max);

/* The failure of keyonly_put() for id: trace_fail() and -1. */
int keyonly_fail(struct keyonly *k, struct trace_reader *r, uint64_t off,
		 uint64_t id);

/* The access to key, no request counted (the pages of a split request). */
static inline int keyonly_put(struct keyonly *k, struct trace_reader *r,
			      uint64_t off, uint64_t key, int write,
			      struct event *ev)
{
	uint64_t id = u64map_id(&k->km, key);

	if (__builtin_expect(id >= k->bound, 0))	/* or UINT64_MAX: no memory */
		return keyonly_fail(k, r, off, id);
	*ev = (struct event){ .type = EV_ACCESS, .write = (uint8_t)write,
			      .page = id };
	return 0;
}

/* One request for key at stream offset off: 0 with *ev filled, or -1
 * after trace_fail() (out of memory, more keys than announced).  Called
 * once per record of the key-only readers: inline. */
static inline int keyonly_key(struct keyonly *k, struct trace_reader *r,
			      uint64_t off, uint64_t key, int write,
			      struct event *ev)
{
	r->h.nrequests++;
	return keyonly_put(k, r, off, key, write, ev);
}

/*
 * One block request (offset in units, size in bytes) at stream offset off.
 * Unit 0 or size 0: one access to key `offset`.  Else the pages it touches
 * are queued and as many as fit in ev[0, max) are put there.  Returns the
 * events put (>= 1 when max >= 1) or -1 after trace_fail() (the byte
 * address overflows 64 bits).
 */
long keyonly_block(struct keyonly *k, struct trace_reader *r, uint64_t off,
		   uint64_t offset, uint64_t size, int write, struct event *ev,
		   size_t max);

/* Delete key (twr): an EV_INVALIDATE of its page if the key was seen,
 * else nothing.  Returns the events put (0 or 1). */
int keyonly_delete(struct keyonly *k, uint64_t key, struct event *ev);

#endif

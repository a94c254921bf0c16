/*
 * policies/reclaim/nonres.h — a preallocated table of non-resident entries
 * (ghosts) for reclaim policies that keep ghosts on their own lists: LIRS's
 * non-resident HIR blocks (on stack S), CLOCK-Pro's test pages (on the
 * clock).  The FIFO-only ghosts of ARC, 2Q and S3-FIFO use ghost.h's rings.
 *
 * All memory is allocated once, at the policy's create(): a pool of `cap`
 * entries and a chained hash index (key -> entry) with a power-of-two
 * bucket count >= 2 cap, 4 bytes a bucket: small enough to stay in cache
 * (a bucketed index like ghost.h's, 32 bytes per entry, measured worse
 * here, where the pool itself is read on every ghost operation anyway).
 * Hooks then only take entries from the free list and give them back, so
 * nothing is allocated per access (policies/reclaim.h).  The policy bounds how many entries it uses (a multiple of
 * npages stated in its header); running out of the pool is a bug in the
 * policy (BUG_ON).
 *
 * An entry carries one list node for the policy's own list.  Because the
 * pool is one array, nonres_owns() tells in O(1) whether a list node found
 * on a mixed list (LIRS's stack S, CLOCK-Pro's clock) is a ghost's link or a
 * resident page's struct rpage link.
 *
 * Optionally (LIRS's ghosts in eviction order) the table keeps a FIFO of
 * entries: a ring of entry numbers with lazy deletion, as in ghost.h.  An
 * entry on it holds its position (fpos); freeing the entry only clears
 * that, and the dead position is passed over when it becomes the oldest.
 * So a ghost leaving from the middle writes no neighbour.  The ring has
 * 2 * cap positions and is compacted when full, O(1) amortized.
 *
 * Cost: 32 bytes of entry plus 8 to 16 of index per entry of cap, and 8
 * of ring with the FIFO.
 *
 * Memory: nonres_init() takes the pool, the index and the ring from the
 * policy's memory source; nonres_destroy() gives them back.
 *
 * Context: nonres_init()/nonres_destroy() in create()/destroy() only; the
 * rest may run in any hook (no allocation, no stdio).
 */
#ifndef PAGELAB_POLICIES_RECLAIM_NONRES_H
#define PAGELAB_POLICIES_RECLAIM_NONRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bug.h"
#include "common/list.h"
#include "common/mem.h"

#define NONRES_NOPOS UINT32_MAX	/* fpos of an entry not on the FIFO */

struct nonres {
	struct list_head link;	/* the policy's list (S, clock) */
	uint64_t key;
	uint32_t hnext;		/* hash chain / free list: index + 1, 0 ends */
	uint32_t fpos;		/* its FIFO position, or NONRES_NOPOS */
};

struct nonres_table {
	struct nonres *pool;
	uint32_t *buckets;	/* index + 1 of the chain's first entry, 0: empty */
	size_t mask;		/* buckets - 1 */
	size_t cap;		/* pool entries */
	size_t count;		/* entries in use */
	uint32_t free_head;	/* index + 1 of the first free entry, 0: none */
	/* the FIFO (ring == NULL: none): positions rtail .. rtail + rspan - 1
	 * (mod rsize) hold entry numbers, rlive of them still queued */
	uint32_t *ring;
	uint32_t rsize, rtail, rspan, rlive;
};

static inline void nonres_destroy(struct nonres_table *t,
				  const struct mem_source *mem)
{
	mem_free_array(mem, t->pool, t->cap, sizeof(*t->pool), 0);
	mem_free_array(mem, t->buckets, t->mask + 1, sizeof(*t->buckets), 0);
	mem_free_array(mem, t->ring, t->rsize, sizeof(*t->ring), 0);
	t->pool = NULL;
	t->buckets = NULL;
	t->ring = NULL;
}

/* Allocate room for cap entries from mem, with a FIFO if fifo; 0, or -1
 * when out of memory. */
static inline int nonres_init(struct nonres_table *t, size_t cap, bool fifo,
			      const struct mem_source *mem)
{
	size_t nb = 1;

	if (cap < 1)
		cap = 1;
	if (cap >= (1u << 30))
		return -1;
	while (nb < 2 * cap)	/* load <= 1/2: a miss mostly reads no entry */
		nb <<= 1;
	t->pool = mem_alloc_array(mem, cap, sizeof(*t->pool), 0);
	t->buckets = mem_alloc_array(mem, nb, sizeof(*t->buckets), 0);
	t->ring = fifo ? mem_alloc_array(mem, 2 * cap, sizeof(*t->ring), 0) : NULL;
	t->mask = nb - 1;
	t->cap = cap;
	t->rsize = fifo ? (uint32_t)(2 * cap) : 0;
	if (!t->pool || !t->buckets || (fifo && !t->ring)) {
		nonres_destroy(t, mem);
		return -1;
	}
	t->count = 0;
	for (size_t i = 0; i < cap; i++) {
		t->pool[i].hnext = i + 1 < cap ? (uint32_t)(i + 2) : 0;
		t->pool[i].fpos = NONRES_NOPOS;
		list_init(&t->pool[i].link);
	}
	t->free_head = 1;
	t->rtail = t->rspan = t->rlive = 0;
	return 0;
}

static inline size_t nonres_bucket(const struct nonres_table *t, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	return (size_t)(h ^ (h >> 29)) & t->mask;
}

/* Start fetching key's bucket: a hint, for a lookup soon after. */
static inline void nonres_prefetch(const struct nonres_table *t, uint64_t key)
{
	__builtin_prefetch(&t->buckets[nonres_bucket(t, key)]);
}

static inline struct nonres *nonres_find(const struct nonres_table *t,
					 uint64_t key)
{
	uint32_t i = t->buckets[nonres_bucket(t, key)];

	while (i) {
		struct nonres *e = &t->pool[i - 1];
		if (e->key == key)
			return e;
		i = e->hnext;
	}
	return NULL;
}

static inline bool nonres_full(const struct nonres_table *t)
{
	return t->count == t->cap;
}

/* Take a free entry for key (not present) and index it. */
static inline struct nonres *nonres_alloc(struct nonres_table *t, uint64_t key)
{
	uint32_t i = t->free_head;
	struct nonres *e;
	size_t b;

	BUG_ON(i == 0);
	e = &t->pool[i - 1];
	t->free_head = e->hnext;
	b = nonres_bucket(t, key);
	e->key = key;
	e->fpos = NONRES_NOPOS;
	e->hnext = t->buckets[b];
	t->buckets[b] = i;
	t->count++;
	return e;
}

/* Unindex e, take it off the FIFO and return it to the free list; the
 * caller unlinked it from its list. */
static inline void nonres_free(struct nonres_table *t, struct nonres *e)
{
	uint32_t idx = (uint32_t)(e - t->pool) + 1;
	uint32_t *pp = &t->buckets[nonres_bucket(t, e->key)];

	while (*pp != idx) {
		BUG_ON(*pp == 0);
		pp = &t->pool[*pp - 1].hnext;
	}
	*pp = e->hnext;
	if (e->fpos != NONRES_NOPOS) {
		e->fpos = NONRES_NOPOS;		/* its position goes dead */
		t->rlive--;
	}
	e->hnext = t->free_head;
	t->free_head = idx;
	t->count--;
}

/* Move the FIFO's queued positions down to its tail, in order (the push
 * that finds the ring full does it). */
static inline void nonres_fifo_compact(struct nonres_table *t)
{
	uint32_t w = 0;

	for (uint32_t k = 0; k < t->rspan; k++) {
		uint32_t p = (t->rtail + k) % t->rsize, to;
		struct nonres *e = &t->pool[t->ring[p]];

		if (e->fpos != p)
			continue;
		to = (t->rtail + w++) % t->rsize;
		t->ring[to] = t->ring[p];
		e->fpos = to;
	}
	BUG_ON(w != t->rlive);
	t->rspan = w;
}

/* Queue e (in use, not queued) at the FIFO's head. */
static inline void nonres_fifo_push(struct nonres_table *t, struct nonres *e)
{
	uint32_t p;

	BUG_ON(!t->ring || e->fpos != NONRES_NOPOS);
	if (t->rspan == t->rsize)
		nonres_fifo_compact(t);
	p = t->rtail + t->rspan;
	if (p >= t->rsize)
		p -= t->rsize;
	t->ring[p] = (uint32_t)(e - t->pool);
	e->fpos = p;
	t->rspan++;
	t->rlive++;
}

/* The oldest queued entry (it stays queued), or NULL.  Dead positions
 * before it are passed for good; the entry after it is prefetched. */
static inline struct nonres *nonres_fifo_oldest(struct nonres_table *t)
{
	while (t->rlive) {
		uint32_t next = t->rtail + 1 == t->rsize ? 0 : t->rtail + 1;
		struct nonres *e = &t->pool[t->ring[t->rtail]];

		if (t->rspan > 1)
			__builtin_prefetch(&t->pool[t->ring[next]]);
		if (e->fpos == t->rtail)
			return e;
		t->rtail = next;
		t->rspan--;
	}
	return NULL;
}

/* True if node is the `link` member of an entry of t's pool. */
static inline bool nonres_owns(const struct nonres_table *t,
			       const struct list_head *node)
{
	uintptr_t p = (uintptr_t)node, lo = (uintptr_t)t->pool;

	return p >= lo && p < lo + t->cap * sizeof(*t->pool);
}

static inline size_t nonres_bytes(const struct nonres_table *t)
{
	return t->cap * sizeof(*t->pool) + (t->mask + 1) * sizeof(*t->buckets) +
	       (size_t)t->rsize * sizeof(*t->ring);
}

#endif

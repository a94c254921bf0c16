/*
 * policies/reclaim/nonres.h — a preallocated table of non-resident entries
 * (ghosts) for reclaim policies that remember keys after eviction: LIRS's
 * non-resident HIR blocks, S3-FIFO's ghost FIFO, CLOCK-Pro's test pages.
 *
 * All memory is allocated once, at the policy's create(): a pool of `cap`
 * entries and a chained hash index (key -> entry) with a power-of-two
 * bucket count >= 2 cap.  Hooks then only take entries from the free list and
 * give them back, so nothing is allocated per access (policies/reclaim.h).
 * The policy bounds how many entries it uses (a multiple of npages stated in
 * its header); running out of the pool is a bug in the policy (BUG_ON).
 *
 * An entry carries two list nodes for the policy's own lists.  Because the
 * pool is one array, nonres_owns() tells in O(1) whether a list node found
 * on a mixed list (LIRS's stack S, CLOCK-Pro's clock) is a ghost's link or a
 * resident page's struct rpage link.
 *
 * Context: nonres_init()/nonres_destroy() in create()/destroy() only; the
 * rest may run in any hook (no malloc, no stdio).
 */
#ifndef PAGELAB_POLICIES_RECLAIM_NONRES_H
#define PAGELAB_POLICIES_RECLAIM_NONRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/bug.h"
#include "common/list.h"

struct nonres {
	struct list_head link;	/* the policy's main list (S, ghost FIFO, clock) */
	struct list_head link2;	/* a second list (LIRS's non-resident order) */
	uint64_t key;
	uint32_t hnext;		/* hash chain / free list: index + 1, 0 ends */
	uint32_t pflags;	/* policy-private bits */
};

struct nonres_table {
	struct nonres *pool;
	uint32_t *buckets;	/* index + 1 of the chain's first entry, 0: empty */
	size_t cap;		/* pool entries */
	size_t count;		/* entries in use */
	size_t mask;		/* buckets - 1 */
	uint32_t free_head;	/* index + 1 of the first free entry */
};

/* Allocate room for cap entries; 0, or -1 when out of memory. */
static inline int nonres_init(struct nonres_table *t, size_t cap)
{
	size_t nb = 1;

	if (cap < 1)
		cap = 1;
	if (cap >= UINT32_MAX)
		return -1;
	while (nb < 2 * cap)	/* load <= 1/2: a miss mostly reads no entry */
		nb <<= 1;
	t->pool = calloc(cap, sizeof(*t->pool));
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (!t->pool || !t->buckets) {
		free(t->pool);
		free(t->buckets);
		t->pool = NULL;
		t->buckets = NULL;
		return -1;
	}
	t->cap = cap;
	t->count = 0;
	t->mask = nb - 1;
	for (size_t i = 0; i < cap; i++) {
		t->pool[i].hnext = i + 1 < cap ? (uint32_t)(i + 2) : 0;
		list_init(&t->pool[i].link);
		list_init(&t->pool[i].link2);
	}
	t->free_head = 1;
	return 0;
}

static inline void nonres_destroy(struct nonres_table *t)
{
	free(t->pool);
	free(t->buckets);
	t->pool = NULL;
	t->buckets = NULL;
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

/* Start fetching what freeing the oldest entry of list (kept newest-first
 * through `link`) will touch: its bucket and its list neighbour.  Call it
 * just after the previous oldest left, when the new one is in the cache. */
static inline void nonres_prefetch_oldest(const struct nonres_table *t,
					  const struct list_head *list)
{
	const struct nonres *e;

	if (list->prev == list)
		return;
	e = container_of(list->prev, const struct nonres, link);
	nonres_prefetch(t, e->key);
	__builtin_prefetch(e->link.prev, 1);
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
	e->pflags = 0;
	e->hnext = t->buckets[b];
	t->buckets[b] = i;
	t->count++;
	return e;
}

/* Unindex e and return it to the free list; the caller unlinked its lists. */
static inline void nonres_free(struct nonres_table *t, struct nonres *e)
{
	uint32_t idx = (uint32_t)(e - t->pool) + 1;
	uint32_t *pp = &t->buckets[nonres_bucket(t, e->key)];

	while (*pp != idx) {
		BUG_ON(*pp == 0);
		pp = &t->pool[*pp - 1].hnext;
	}
	*pp = e->hnext;
	e->hnext = t->free_head;
	t->free_head = idx;
	t->count--;
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
	return t->cap * sizeof(*t->pool) + (t->mask + 1) * sizeof(*t->buckets);
}

#endif

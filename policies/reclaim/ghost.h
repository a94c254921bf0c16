/*
 * policies/reclaim/ghost.h — bounded ghost (non-resident history) tables
 * for the reclaim policies that remember evicted keys (ARC's B1/B2, 2Q's
 * A1out, ...).
 *
 * A ghost table is a pool of `cap` entries, all allocated at create() time
 * (ghost_init), plus a chained hash on the key for O(1) expected lookup.
 * Each live entry sits on exactly one of the policy's own lists through its
 * `link` (the policy keeps the order: LRU, FIFO) and carries a small `tag`
 * saying which list.  Nothing is allocated after ghost_init(): a policy that
 * wants a new ghost while the pool is full must first drop one (its oldest),
 * which is how every policy bounds its history to a multiple of RAM.
 * Ghost entries are policy metadata, never RAM pages: ghost_bytes() is what
 * they cost and metadata_bytes() reports it.
 *
 * Context: ghost_find/add/del run inside reclaim hooks (engine lock held,
 * maybe the SIGSEGV handler): no malloc, no stdio.
 */
#ifndef PAGELAB_POLICIES_RECLAIM_GHOST_H
#define PAGELAB_POLICIES_RECLAIM_GHOST_H

#include <stddef.h>
#include <stdint.h>

#include "common/list.h"

struct ghost {
	struct list_head link;	/* on the policy's list `tag` */
	uint64_t key;
	uint32_t hnext;		/* next index in the hash chain, or GHOST_NIL */
	uint32_t tag;		/* which of the policy's lists */
};

#define GHOST_NIL UINT32_MAX

struct ghost_table {
	struct ghost *e;	/* cap entries */
	uint32_t *bucket;	/* heads of the hash chains, nbuckets of them */
	uint32_t cap, used;
	uint32_t bmask;		/* nbuckets - 1 (a power of two >= 2 * cap) */
	uint32_t free_head;	/* chain of free entries through hnext */
};

/* Allocate a table of cap entries (cap >= 1).  0, or -1 when out of memory.
 * Called from create() only. */
int ghost_init(struct ghost_table *g, size_t cap);
void ghost_fini(struct ghost_table *g);

/* The entry for key, or NULL. */
struct ghost *ghost_find(const struct ghost_table *g, uint64_t key);

/* A new entry for key (not present) with the given tag; the caller links
 * it on its list.  The pool must not be full (BUG otherwise). */
struct ghost *ghost_add(struct ghost_table *g, uint64_t key, uint32_t tag);

/* Unlink e from its list and from the hash, and free it. */
void ghost_del(struct ghost_table *g, struct ghost *e);

static inline int ghost_full(const struct ghost_table *g)
{
	return g->used == g->cap;
}

/* Bytes allocated by the table (all preallocated at ghost_init). */
static inline size_t ghost_bytes(const struct ghost_table *g)
{
	return (size_t)g->cap * sizeof(struct ghost) +
	       ((size_t)g->bmask + 1) * sizeof(uint32_t);
}

/* The oldest entry of a list kept newest-first, or NULL when empty. */
static inline struct ghost *ghost_oldest(struct list_head *list)
{
	return list_empty(list) ? NULL
				: (struct ghost *)(void *)list_last(list);
}

#endif

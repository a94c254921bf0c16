/*
 * policies/reclaim/ghost.h — bounded ghost (non-resident history) tables
 * for the reclaim policies that remember evicted keys (ARC's B1/B2, 2Q's
 * A1out, ...).
 *
 * A ghost table is a pool of `cap` entries, all allocated at create() time
 * (ghost_init), plus an open-addressing hash (linear probing, load <= 1/2,
 * backward-shift deletion, Knuth vol. 3 Algorithm 6.4R) from key to entry:
 * O(1) expected.  A slot is 8 bytes: 32 bits of the key's hash (which
 * also give its home slot) and the entry index, so a lookup of an absent
 * key — what every miss does — reads one or two adjacent slots and no
 * entry, and the hash stays small enough to live in cache.
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

#include "common/bug.h"
#include "common/list.h"

struct ghost {
	struct list_head link;	/* on the policy's list `tag` */
	uint64_t key;
	uint32_t next_free;	/* free entries: the next one, or GHOST_NIL */
	uint32_t tag;		/* which of the policy's lists */
};

#define GHOST_NIL UINT32_MAX
#define GHOST_FREE UINT32_MAX	/* tag of a free entry */

struct ghost_slot {
	uint32_t fp;		/* the key's 32-bit hash; home slot = fp & smask */
	uint32_t idx;		/* entry index, GHOST_NIL: empty slot */
};

struct ghost_table {
	struct ghost *e;	/* cap entries */
	struct ghost_slot *slot;	/* the hash, smask + 1 slots */
	uint32_t cap, used;
	uint32_t smask;		/* nslots - 1 (a power of two >= 2 * cap) */
	uint32_t free_head;	/* free entries through next_free */
};

/* 32 well-mixed bits of the key (its low bits pick the home slot). */
static inline uint32_t ghost_fp(uint64_t key)
{
	key ^= key >> 31;
	key *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(key >> 32);
}

/* Start fetching the home slot of key: a hint, for a lookup soon after.
 * Misses are memory-latency bound; issuing the independent loads of a
 * victim() together lets them overlap. */
static inline void ghost_prefetch(const struct ghost_table *g, uint64_t key)
{
	__builtin_prefetch(&g->slot[ghost_fp(key) & g->smask]);
}

/* Start fetching what dropping the oldest entry of list (kept newest-first)
 * will touch: its key's slot and its list neighbour.  Call it just after
 * the previous oldest left, when the new one is in the cache. */
static inline void ghost_prefetch_oldest(const struct ghost_table *g,
					 const struct list_head *list)
{
	const struct ghost *e;

	if (list->prev == list)
		return;
	e = container_of(list->prev, const struct ghost, link);
	ghost_prefetch(g, e->key);
	__builtin_prefetch(e->link.prev, 1);
}

/* Allocate a table of cap entries (cap >= 1).  0, or -1 when out of memory.
 * Called from create() only. */
int ghost_init(struct ghost_table *g, size_t cap);
void ghost_fini(struct ghost_table *g);

/* The entry for key, or NULL. */
struct ghost *ghost_find(const struct ghost_table *g, uint64_t key);

/* A new entry for key (not present) with the given tag; the caller links
 * it on its list.  The pool must not be full (BUG otherwise). */
struct ghost *ghost_add(struct ghost_table *g, uint64_t key, uint32_t tag);

/* Unlink e from its list and from the hash, and free it (tag GHOST_FREE,
 * so a policy holding a pointer to e can tell). */
void ghost_del(struct ghost_table *g, struct ghost *e);

static inline int ghost_full(const struct ghost_table *g)
{
	return g->used == g->cap;
}

/* Bytes allocated by the table (all preallocated at ghost_init). */
static inline size_t ghost_bytes(const struct ghost_table *g)
{
	return (size_t)g->cap * sizeof(struct ghost) +
	       ((size_t)g->smask + 1) * sizeof(struct ghost_slot);
}

/* The oldest entry of a list kept newest-first, or NULL when empty. */
static inline struct ghost *ghost_oldest(struct list_head *list)
{
	return list_empty(list) ? NULL
				: container_of(list_last(list), struct ghost, link);
}

#endif

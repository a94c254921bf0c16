/*
 * policies/reclaim/rlist.h — small helpers the list-based reclaim policies
 * share: from a list of struct rpage (linked through rpage.link, newest at
 * the head), the oldest page the caller may evict.
 */
#ifndef PAGELAB_POLICIES_RECLAIM_RLIST_H
#define PAGELAB_POLICIES_RECLAIM_RLIST_H

#include "common/args.h"
#include "common/bug.h"
#include "policies/reclaim.h"

static inline struct rpage *rlist_page(struct list_head *l)
{
	return container_of(l, struct rpage, link);
}

/* The page at the tail of list h (its oldest), or NULL when h is empty:
 * what the hint ops name as the likely victim. */
static inline const struct rpage *rlist_oldest(const struct list_head *h)
{
	return list_empty(h) ? NULL : container_of(h->prev, const struct rpage, link);
}

/*
 * The evictable page nearest the tail of list h, or NULL.  Unevictable
 * pages are passed over and keep their place; the cost is one step per
 * unevictable page passed.
 */
static inline struct rpage *rlist_oldest_evictable(struct list_head *h)
{
	for (struct list_head *l = h->prev; l != h; l = l->prev)
		if (rpage_evictable(rlist_page(l)))
			return rlist_page(l);
	return NULL;
}

/*
 * Prefetch the page after the current oldest of list h: the next victim's
 * unlink will write it.  Evicted pages are cold (touched long ago), so a
 * victim() costs about one memory latency for that neighbour; fetching it
 * one eviction ahead hides most of it.  A hint only.
 */
static inline void rlist_prefetch_oldest(const struct list_head *h)
{
	__builtin_prefetch(h->prev->prev, 1);
}

/* Check the argument string of a policy that takes no parameters. */
static inline int rlist_no_args(const char *name, const char *args, char *err,
				size_t errlen)
{
	return args_parse(name, args, NULL, 0, err, errlen);
}

/*
 * A policy that is one queue of pages (lru, fifo, clock, sieve) embeds
 * struct rqueue first; the shared create/destroy/remove below serve it.
 */
struct rqueue {
	struct reclaim base;
	struct list_head list;	/* newest (or most recently used) at the head */
	size_t size;		/* bytes of the instance */
};

static inline struct rqueue *rqueue_of(struct reclaim *r)
{
	return container_of(r, struct rqueue, base);
}

/* Allocate a zeroed instance of size bytes (>= sizeof(struct rqueue)) of a
 * policy that takes no parameters, from p->mem; NULL and a message in err
 * on error.  rqueue_destroy() frees such an instance (size kept in it). */
struct reclaim *rqueue_create(const char *name, size_t size, const char *args,
			      const struct reclaim_params *p, char *err,
			      size_t errlen);
void rqueue_destroy(struct reclaim *r);
/* Link pg at the head of the queue. */
void rqueue_insert(struct reclaim *r, struct rpage *pg,
		   const struct reclaim_ctx *ctx);
/* Detach and return the evictable page nearest the tail, or NULL. */
struct rpage *rqueue_victim_oldest(struct reclaim *r,
				   const struct reclaim_ctx *ctx);
/* reclaim_ops.hint for rqueue_victim_oldest: the oldest page, or NULL. */
const struct rpage *rqueue_hint_oldest(const struct reclaim *r, uint64_t key);
/* A hit or fault hook for policies that ignore it (fifo, random). */
void rqueue_ignore(struct reclaim *r, struct rpage *pg,
		   const struct reclaim_ctx *ctx);
/* Unlink pg from the queue (remove hook of policies with no other state). */
void rqueue_remove(struct reclaim *r, struct rpage *pg);
/* The instance of a plain rqueue plus one node per resident page. */
size_t rqueue_metadata_bytes(const struct reclaim *r);

/*
 * A queue with a hand (clock, sieve): the hand walks from the tail toward
 * the head (through ->prev) and wraps to the tail past the head; NULL
 * means "at the tail".  rhand_victim() walks from the hand: unevictable
 * pages are passed untouched, a page with RHAND_REF set has it cleared and
 * stays in place, the first other page is detached and returned, the hand
 * left at its neighbour toward the head.  O(1) amortized: a page's bit is
 * cleared once per set, and each page is passed at most twice a call.
 */
#define RHAND_REF 0x1u	/* rpage.pflags: referenced / visited */

struct rhand {
	struct rqueue q;
	struct list_head *hand;	/* next page to examine; NULL: the tail */
};

static inline struct rhand *rhand_of(struct reclaim *r)
{
	return container_of(rqueue_of(r), struct rhand, q);
}

struct rpage *rhand_victim(struct reclaim *r, const struct reclaim_ctx *ctx);
/* reclaim_ops.hint for rhand_victim: the page it would take if it is
 * within a few steps of the hand, else NULL. */
const struct rpage *rhand_hint(const struct reclaim *r, uint64_t key);
/* remove hook: forget pg, moving the hand off it first. */
void rhand_remove(struct reclaim *r, struct rpage *pg);
/* hit/fault hook: set RHAND_REF. */
void rhand_ref(struct reclaim *r, struct rpage *pg,
	       const struct reclaim_ctx *ctx);
size_t rhand_metadata_bytes(const struct reclaim *r);

#endif

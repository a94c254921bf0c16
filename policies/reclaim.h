/*
 * policies/reclaim.h — the reclaim (page replacement) policy.
 *
 * One reclaim instance per RAM: it sees every resident page of every file
 * and, when the engine needs a free page, names a victim.  The simulator and
 * the real virtmem call it in exactly the same order for the same trace
 * (docs/ENGINE.md), which is why their fault counts can agree exactly.
 *
 * The policy works on an intrusive node, struct rpage, embedded in the
 * engine's own page struct: nothing is allocated per access.  History that
 * outlives residency (ghost entries of ARC, LIRS, 2Q, S3-FIFO, CLOCK-Pro) is
 * kept by the policy in memory it preallocates at create(), bounded by a
 * multiple of the RAM size that the policy's header states; ghosts are not
 * charged against RAM, and metadata_bytes() counts them.
 *
 * What the policy is told (observation, docs/ENGINE.md):
 *   insert  a page became resident (a load fault brought it in);
 *   hit     an access that did not fault — delivered only under `full`
 *           observation, so under `faults` a policy sees no hits at all;
 *   fault   a fault on a page that was already resident (map, dirty or ref
 *           fault);
 *   remove  a resident page leaves for a reason other than eviction
 *           (invalidate, discard, file close);
 *   victim  pick the next page to evict and detach it.
 *
 * Unevictable pages (dirty, loading, pinned) keep their place in the
 * policy's order; the caller marks them with RPAGE_UNEVICTABLE and victim()
 * passes over them without changing their state (a CLOCK hand passing a
 * pinned page neither clears its bit nor moves it).  When nothing is
 * evictable victim() returns NULL.
 *
 * Memory: create() takes what the policy needs from the memory source in
 * reclaim_params (ghost tables are bounded by a multiple of npages, so
 * they are allocated whole there); destroy() gives it back.  The other
 * ops never allocate (docs/ENGINE.md "Memory").
 *
 * Context: every op runs with the engine's lock held; in the real virtmem,
 * possibly inside the SIGSEGV handler.  So: no allocation, no stdio, no
 * locks except in create() and destroy().
 */
#ifndef PAGELAB_POLICIES_RECLAIM_H
#define PAGELAB_POLICIES_RECLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/list.h"
#include "common/mem.h"

/* rpage.flags: set and cleared by the engine, read by policies. */
#define RPAGE_UNEVICTABLE 0x1u

/*
 * The per-page node.  The engine sets key before insert() and flags at any
 * time; every other field belongs to the policy between insert() and the
 * page's departure (victim() or remove()).
 */
struct rpage {
	struct list_head link;	/* policy's main queue */
	struct list_head link2;	/* a second queue (LIRS's Q, ...) */
	uint64_t key;		/* stable identity: RPAGE_KEY(file, pgoff) */
	uint64_t pdata;		/* policy-private word */
	uint32_t pflags;	/* policy-private bits */
	uint32_t flags;		/* RPAGE_* from the engine */
};

/* Keys identify a page across its residencies (ghosts remember keys). */
#define RPAGE_KEY(file, pgoff) (((uint64_t)(file) << 40) | (uint64_t)(pgoff))

static inline bool rpage_evictable(const struct rpage *pg)
{
	return !(pg->flags & RPAGE_UNEVICTABLE);
}

/* What a policy is created with. */
struct reclaim_params {
	size_t npages;		/* RAM capacity in pages (sizes ghost lists, ARC's c) */
	uint64_t seed;		/* for randomized policies */
	const struct mem_source *mem;	/* every byte the policy holds */
};

#define RECLAIM_KEY_NONE UINT64_MAX

/*
 * What the engine knows about the access an op serves, passed to exactly
 * the ops that read it (insert, hit, fault, victim).  reclaim_ctx_none
 * knows nothing.
 */
struct reclaim_ctx {
	/*
	 * insert, hit, fault: the time of the next access to the page, in
	 * accesses counted from 0 (UINT64_MAX: never again).  Only the
	 * simulator knows it, and only for a policy that asks
	 * (RECLAIM_NEEDS_FUTURE: OPT); otherwise UINT64_MAX.
	 */
	uint64_t next_use;
	/*
	 * victim: the key of the page whose load fault needs the room
	 * (every victim() call of that fault names the same key), or
	 * RECLAIM_KEY_NONE when the engine does not say.  Read by policies
	 * whose papers decide the victim knowing the missing page: ARC
	 * (REPLACE asks whether it is in ghost list B2) and 2Q ("x in
	 * A1out" is tested before reclaimfor).  Without it they still work,
	 * deciding a few evictions differently (their headers say how).
	 */
	uint64_t miss_key;
};

extern const struct reclaim_ctx reclaim_ctx_none;

struct reclaim_ops;

/* Base of every policy instance; a policy embeds it as its first member. */
struct reclaim {
	const struct reclaim_ops *ops;
	size_t npages;		/* from reclaim_params */
	size_t nresident;	/* pages inserted and not yet gone; kept by the wrappers */
	const struct mem_source *mem;	/* from reclaim_params */
};

/* reclaim_ops.flags */
#define RECLAIM_NEEDS_FUTURE 0x1u	/* OPT: simulator only, `full` observation only */

struct reclaim_ops {
	const char *name;	/* --reclaim NAME */
	const char *help;	/* one line for --list */
	unsigned flags;		/* RECLAIM_* */
	/* "key=default (meaning), ..." for --list, or NULL when none. */
	void (*describe_args)(char *buf, size_t buflen);
	/* Bad args: NULL and a one-line message in err (listing valid
	 * parameters); never exits.  Allocates through p->mem only. */
	struct reclaim *(*create)(const char *args, const struct reclaim_params *p,
				  char *err, size_t errlen);
	/* Give back everything, the instance included, to r->mem. */
	void (*destroy)(struct reclaim *r);
	/* Page pg (key set, not tracked) became resident (ctx->next_use). */
	void (*insert)(struct reclaim *r, struct rpage *pg,
		       const struct reclaim_ctx *ctx);
	/* Tracked page pg was accessed without a fault (`full` observation;
	 * ctx->next_use). */
	void (*hit)(struct reclaim *r, struct rpage *pg,
		    const struct reclaim_ctx *ctx);
	/* Tracked page pg took a map, dirty or ref fault (ctx->next_use). */
	void (*fault)(struct reclaim *r, struct rpage *pg,
		      const struct reclaim_ctx *ctx);
	/* Choose the next evictable page, detach it (it is no longer tracked;
	 * the policy may remember its key as a ghost) and return it; NULL when
	 * no tracked page is evictable.  ctx->miss_key: the key the room is
	 * for. */
	struct rpage *(*victim)(struct reclaim *r, const struct reclaim_ctx *ctx);
	/* Tracked page pg leaves without eviction (invalidate, discard,
	 * close): forget it, record no ghost. */
	void (*remove)(struct reclaim *r, struct rpage *pg);
	/* Bytes of policy memory now: the instance, queues, ghosts — and
	 * sizeof(struct rpage) per resident page. */
	size_t (*metadata_bytes)(const struct reclaim *r);
	/*
	 * Optional (NULL: none), simulator only: the real engine never calls
	 * it.  A hint, for speed alone.  With key != RECLAIM_KEY_NONE, a load
	 * fault on key is coming a few events from now: start loading (CPU
	 * prefetch) what insert() and victim() will read for it, such as its
	 * ghost slot, and what evicting the likely victim will write.
	 * Returns the page victim() would most likely pick if called now, or
	 * NULL when the policy cannot tell in O(1) from lines it has just
	 * touched; the simulator prefetches what evicting that page touches
	 * on its side (page-table word, pagemap slot).  It may start memory
	 * loads and read the policy's state; it changes nothing a decision
	 * reads (tests/t_reclaim_contract.c runs every policy with and
	 * without hints and compares the victims), never allocates, and may
	 * be wrong: hits before the next victim() can change the victim,
	 * which costs a useless prefetch, never a different decision.  Any
	 * context.  (random, opt and s3fifo name no victim: doing so reads
	 * cold lines, and measured it did not pay.)
	 */
	const struct rpage *(*hint)(const struct reclaim *r, uint64_t key);
};

/* NULL-terminated, in the order --list shows them. */
extern const struct reclaim_ops *const reclaim_registry[];

/* Create from a spec "NAME[:K=V[:K=V]]" with p (p->mem required); NULL
 * and a message on error. */
struct reclaim *reclaim_create(const char *spec, const struct reclaim_params *p,
			       char *err, size_t errlen);

static inline void reclaim_insert(struct reclaim *r, struct rpage *pg,
				  const struct reclaim_ctx *ctx)
{
	r->nresident++;
	r->ops->insert(r, pg, ctx);
}
static inline void reclaim_hit(struct reclaim *r, struct rpage *pg,
			       const struct reclaim_ctx *ctx)
{
	r->ops->hit(r, pg, ctx);
}
static inline void reclaim_fault(struct reclaim *r, struct rpage *pg,
				 const struct reclaim_ctx *ctx)
{
	r->ops->fault(r, pg, ctx);
}
static inline struct rpage *reclaim_victim(struct reclaim *r,
					   const struct reclaim_ctx *ctx)
{
	struct rpage *pg = r->ops->victim(r, ctx);
	if (pg)
		r->nresident--;
	return pg;
}
static inline void reclaim_remove(struct reclaim *r, struct rpage *pg)
{
	r->nresident--;
	r->ops->remove(r, pg);
}
static inline const struct rpage *reclaim_hint(const struct reclaim *r,
					       uint64_t key)
{
	return r->ops->hint ? r->ops->hint(r, key) : NULL;
}
static inline void reclaim_destroy(struct reclaim *r)
{
	if (r)
		r->ops->destroy(r);
}

#endif

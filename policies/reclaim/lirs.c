/*
 * policies/reclaim/lirs.c — LIRS: Low Inter-reference Recency Set.
 *
 * Jiang & Zhang: "LIRS: an efficient low inter-reference recency set
 * replacement policy to improve buffer cache performance", SIGMETRICS'02.
 * The idea: rank pages by the recency of their previous reference (IRR), not
 * their last one.  Pages with a small IRR are LIR and hold most of RAM; the
 * rest (1 % by default) holds resident HIR pages, the eviction candidates.
 *
 *   stack S (recency order, top = most recent):
 *     LIR pages, resident HIR pages and non-resident HIR entries (ghosts)
 *     whose recency is below the bottom LIR page's; "stack pruning" keeps
 *     a LIR page at the bottom by dropping HIR entries from it.
 *   queue Q: every resident HIR page, the front is the next victim.
 *
 *   access to a LIR page        -> to S's top (prune if it was the bottom)
 *   access to a HIR page in S   -> LIR, to S's top; S's bottom LIR page
 *                                  becomes resident HIR at Q's end; prune
 *   access to a HIR page not in S -> stays HIR: to S's top and Q's end
 *   miss, key is a ghost in S   -> like the HIR-in-S case (victim() has
 *                                  already evicted Q's front)
 *   miss, key unknown           -> LIR while fewer than the LIR share are
 *                                  LIR (cold start), else resident HIR at
 *                                  S's top and Q's end
 *   victim()                    -> Q's front leaves; if it is in S it stays
 *                                  there as a ghost
 *
 * Parameters: hir (resident HIR share of RAM, default 0.01, at least one
 * page), stack (bound on S's entries, resident and not, as a multiple of
 * RAM, default 2).
 *
 * History: when S exceeds stack * npages entries, the ghost that has been
 * non-resident longest (evicted earliest; a FIFO of ghosts kept beside S) is
 * dropped from S.  So at most stack * npages ghosts exist; they are
 * preallocated at create() (policies/reclaim/nonres.h), hold no page, are
 * not charged against RAM, and metadata_bytes() counts them.
 *
 * Variant: the paper's algorithm with the stack bound and ghost choice of
 * libCacheSim's LIRS (S <= 2 npages entries, earliest-evicted ghost
 * dropped first), HIR share max(1, 0.01 npages), and cold-start admission
 * as LIR until the LIR set is full.  This reproduces the README's LIRS row
 * to all four decimals (0.8315 / 0.7518 / 0.5729); the bound matters:
 * stack=1 gives 0.8387 / 0.7940 / 0.6068, stack=3 0.8312 / 0.7647 / 0.5735.
 *
 * Unevictable pages keep their place: victim() takes the first evictable
 * page from Q's front; if Q has none it evicts the evictable LIR page
 * nearest S's bottom (without a ghost; the next misses refill the LIR set
 * as in the cold start).  Hooks are O(1), pruning and the S bound amortized
 * (each entry is dropped at most once per time it was pushed).
 *
 * Under `faults` observation no hits arrive: LIR pages never rise in S, so
 * S orders pages by their last fault; a page becomes LIR only by faulting
 * again while its ghost is still in S (a re-fault distance below the LIR
 * set's), and the oldest-faulted LIR page is demoted in exchange.
 *
 * Context: hooks run under the engine's lock, possibly in the SIGSEGV
 * handler: no allocation, no stdio (create/destroy excepted).
 */
#include "policies/reclaim.h"

#include <stdio.h>

#include "common/args.h"
#include "common/bug.h"
#include "policies/reclaim/nonres.h"

#define LIRS_LIR 0x1u		/* pflags: page is LIR */

struct lirs {
	struct reclaim base;
	struct list_head s;	/* stack S: rpage.link / nonres.link, top first */
	struct list_head q;	/* queue Q: rpage.link2, front first */
	struct nonres_table ghosts;
	size_t lir_limit;	/* LIR pages wanted: npages - HIR share */
	size_t nlir;		/* LIR pages */
	size_t s_len;		/* entries on S */
	size_t s_max;		/* bound on s_len */
};

static inline struct lirs *to_lirs(struct reclaim *r)
{
	return container_of(r, struct lirs, base);
}

#define LIRS_DEF_HIR   0.01
#define LIRS_DEF_STACK 2.0

static void lirs_specs(struct arg_spec *specs, double *hir, double *stack)
{
	specs[0] = (struct arg_spec){ "hir", ARG_DOUBLE, hir, 0.0, 1.0, NULL,
				      "resident HIR share of RAM" };
	specs[1] = (struct arg_spec){ "stack", ARG_DOUBLE, stack, 1.0, 16.0, NULL,
				      "bound on stack S entries, multiple of RAM" };
}

static void lirs_describe_args(char *buf, size_t buflen)
{
	double hir = LIRS_DEF_HIR, stack = LIRS_DEF_STACK;
	struct arg_spec specs[2];

	lirs_specs(specs, &hir, &stack);
	args_describe(specs, 2, buf, buflen);
}

static struct reclaim *lirs_create(const char *args,
				   const struct reclaim_params *p, char *err,
				   size_t errlen)
{
	double hir = LIRS_DEF_HIR, stack = LIRS_DEF_STACK;
	struct arg_spec specs[2];
	size_t hir_pages;
	struct lirs *l;

	lirs_specs(specs, &hir, &stack);
	if (args_parse("reclaim lirs", args, specs, 2, err, errlen))
		return NULL;
	l = mem_alloc(p->mem, sizeof(*l), 0);
	if (!l) {
		snprintf(err, errlen, "reclaim lirs: out of memory");
		return NULL;
	}
	hir_pages = (size_t)(hir * (double)p->npages);
	if (hir_pages < 1)
		hir_pages = 1;
	if (hir_pages > p->npages)
		hir_pages = p->npages;
	l->lir_limit = p->npages - hir_pages;
	l->s_max = (size_t)(stack * (double)p->npages);
	if (l->s_max < p->npages)
		l->s_max = p->npages;
	list_init(&l->s);
	list_init(&l->q);
	/* its FIFO: the ghosts, earliest evicted first */
	if (nonres_init(&l->ghosts, l->s_max + 1, true, p->mem)) {
		mem_free(p->mem, l, sizeof(*l), 0);
		snprintf(err, errlen, "reclaim lirs: out of memory for %zu ghosts",
			 (size_t)(stack * (double)p->npages));
		return NULL;
	}
	return &l->base;
}

static void lirs_destroy(struct reclaim *r)
{
	struct lirs *l = to_lirs(r);

	nonres_destroy(&l->ghosts, r->mem);
	mem_free(r->mem, l, sizeof(*l), 0);
}

static inline bool lirs_is_ghost(const struct lirs *l, const struct list_head *n)
{
	return nonres_owns(&l->ghosts, n);
}

static void lirs_drop_ghost(struct lirs *l, struct nonres *g)
{
	list_del(&g->link);
	nonres_free(&l->ghosts, g);	/* and off the FIFO */
	l->s_len--;
}

/* Stack pruning: drop HIR entries from S's bottom until a LIR page is there. */
static void lirs_prune(struct lirs *l)
{
	while (!list_empty(&l->s)) {
		struct list_head *n = list_last(&l->s);
		struct rpage *pg;

		if (lirs_is_ghost(l, n)) {
			lirs_drop_ghost(l, container_of(n, struct nonres, link));
			continue;
		}
		pg = container_of(n, struct rpage, link);
		if (pg->pflags & LIRS_LIR)
			return;
		list_del(&pg->link);	/* resident HIR: stays on Q */
		l->s_len--;
	}
}

/* S's bottom LIR page becomes resident HIR at Q's end. */
static void lirs_demote_bottom(struct lirs *l)
{
	struct list_head *n = list_last(&l->s);
	struct rpage *pg;

	BUG_ON(n == &l->s || lirs_is_ghost(l, n));
	pg = container_of(n, struct rpage, link);
	BUG_ON(!(pg->pflags & LIRS_LIR));
	pg->pflags &= ~LIRS_LIR;
	l->nlir--;
	list_del(&pg->link);
	l->s_len--;
	list_add_tail(&pg->link2, &l->q);
	lirs_prune(l);
}

/* Keep S within s_max entries by dropping the earliest-evicted ghosts. */
static void lirs_bound_stack(struct lirs *l)
{
	struct nonres *g;

	while (l->s_len > l->s_max && (g = nonres_fifo_oldest(&l->ghosts)))
		lirs_drop_ghost(l, g);
}

/* pg (at S's top already, off Q) becomes LIR; demote if LIR is over-full. */
static void lirs_make_lir(struct lirs *l, struct rpage *pg)
{
	pg->pflags |= LIRS_LIR;
	l->nlir++;
	if (l->nlir > l->lir_limit)
		lirs_demote_bottom(l);
}

/* Called in insert(): page pg (not tracked) becomes resident. */
static void lirs_insert(struct reclaim *r, struct rpage *pg,
			const struct reclaim_ctx *ctx)
{
	struct lirs *l = to_lirs(r);
	struct nonres *g = nonres_find(&l->ghosts, pg->key);

	(void)ctx;
	pg->pflags = 0;
	list_init(&pg->link2);
	list_add(&pg->link, &l->s);
	l->s_len++;
	if (g) {
		/* A non-resident HIR entry in S: its IRR beats the bottom LIR. */
		lirs_drop_ghost(l, g);
		if (l->lir_limit) {
			lirs_make_lir(l, pg);
			return;
		}
	} else if (l->nlir < l->lir_limit) {
		pg->pflags = LIRS_LIR;
		l->nlir++;
		lirs_bound_stack(l);
		return;
	}
	list_add_tail(&pg->link2, &l->q);
	lirs_bound_stack(l);
}

/* Called in hit() and fault(): an access to resident page pg. */
static void lirs_hit(struct reclaim *r, struct rpage *pg,
		     const struct reclaim_ctx *ctx)
{
	struct lirs *l = to_lirs(r);

	(void)ctx;
	if (pg->pflags & LIRS_LIR) {
		bool bottom = list_last(&l->s) == &pg->link;

		list_move(&pg->link, &l->s);
		if (bottom)
			lirs_prune(l);
		return;
	}
	if (list_linked(&pg->link)) {
		list_move(&pg->link, &l->s);
		if (l->lir_limit) {
			list_del(&pg->link2);
			lirs_make_lir(l, pg);
		} else {
			list_move_tail(&pg->link2, &l->q);
		}
		return;
	}
	list_add(&pg->link, &l->s);
	l->s_len++;
	list_move_tail(&pg->link2, &l->q);
	lirs_bound_stack(l);
}

/* Called in victim(): the next page to evict, detached; NULL if none. */
static struct rpage *lirs_victim(struct reclaim *r,
				 const struct reclaim_ctx *ctx)
{
	struct lirs *l = to_lirs(r);
	struct list_head *n;
	struct rpage *pg;

	(void)ctx;
	list_for_each(n, &l->q) {
		pg = container_of(n, struct rpage, link2);
		if (!rpage_evictable(pg))
			continue;
		list_del(&pg->link2);
		if (list_linked(&pg->link)) {
			struct nonres *g = nonres_alloc(&l->ghosts, pg->key);

			list_add(&g->link, &pg->link);	/* takes pg's place */
			list_del(&pg->link);
			nonres_fifo_push(&l->ghosts, g);
		}
		return pg;
	}
	/* No evictable resident HIR page: the lowest evictable LIR page. */
	for (n = list_last(&l->s); n != &l->s; n = n->prev) {
		if (lirs_is_ghost(l, n))
			continue;
		pg = container_of(n, struct rpage, link);
		if (!(pg->pflags & LIRS_LIR) || !rpage_evictable(pg))
			continue;
		bool bottom = list_last(&l->s) == n;
		list_del(&pg->link);
		l->s_len--;
		l->nlir--;
		if (bottom)
			lirs_prune(l);
		return pg;
	}
	return NULL;
}

/* Called in remove(): pg leaves without a ghost. */
static void lirs_remove(struct reclaim *r, struct rpage *pg)
{
	struct lirs *l = to_lirs(r);

	if (pg->pflags & LIRS_LIR) {
		bool bottom = list_last(&l->s) == &pg->link;

		list_del(&pg->link);
		l->s_len--;
		l->nlir--;
		if (bottom)
			lirs_prune(l);
		return;
	}
	list_del(&pg->link2);
	if (list_linked(&pg->link)) {
		list_del(&pg->link);
		l->s_len--;
	}
}

static size_t lirs_metadata_bytes(const struct reclaim *r)
{
	const struct lirs *l = container_of(r, const struct lirs, base);

	return sizeof(*l) + nonres_bytes(&l->ghosts) +
	       r->nresident * sizeof(struct rpage);
}

/*
 * The hint: for a coming load fault on key, the bucket its insert() looks
 * up among the ghosts, and what evicting the likely victim, Q's front,
 * writes: its ghost's bucket and its neighbours on S (the front itself was
 * written by the last eviction: it is in the cache).  The likely victim is
 * the first evictable resident HIR page in Q (a few looked at).
 */
static const struct rpage *lirs_hint(const struct reclaim *r, uint64_t key)
{
	const struct lirs *l = container_of(r, const struct lirs, base);
	const struct list_head *n = l->q.next;

	if (key != RECLAIM_KEY_NONE) {
		nonres_prefetch(&l->ghosts, key);
		if (n != &l->q) {
			const struct rpage *pg = container_of(n, const struct rpage,
							      link2);

			nonres_prefetch(&l->ghosts, pg->key);
			__builtin_prefetch(pg->link.prev, 1);
			__builtin_prefetch(pg->link.next, 1);
		}
	}
	for (int steps = 0; n != &l->q && steps < 4; steps++, n = n->next) {
		const struct rpage *pg = container_of(n, struct rpage, link2);

		if (rpage_evictable(pg))
			return pg;
	}
	return NULL;
}

const struct reclaim_ops reclaim_lirs = {
	.name = "lirs",
	.help = "LIRS (Jiang & Zhang, SIGMETRICS'02): LIR/HIR by reuse distance",
	.describe_args = lirs_describe_args,
	.create = lirs_create,
	.destroy = lirs_destroy,
	.insert = lirs_insert,
	.hit = lirs_hit,
	.fault = lirs_hit,
	.victim = lirs_victim,
	.remove = lirs_remove,
	.metadata_bytes = lirs_metadata_bytes,
	.hint = lirs_hint,
};

/*
 * policies/reclaim/random.c — evict a page chosen uniformly at random.
 *
 * The random-replacement baseline of Belady (IBM Systems Journal 1966).
 * The resident pages sit in an array (insertion appends, departure moves
 * the last element into the hole: "swap-remove"), each page's index kept in
 * rpage.pdata, so every hook is O(1).  victim() draws i uniformly in
 * [0, n) from a xoshiro256** stream seeded by reclaim_params.seed; if
 * slot i holds an unevictable page it takes the next slot, i+1, i+2, ...
 * wrapping around, the first evictable one (NULL after n slots).  Same
 * seed and same calls, same victims.
 *
 * Parameters: none (the seed comes from reclaim_params).  No ghosts; the
 * array holds npages pointers, allocated at create().
 *
 * Hits and faults are ignored, so every observation mode gives the same
 * decisions.
 */
#include <stdio.h>

#include "common/rng.h"
#include "policies/reclaim/rlist.h"

struct rrandom {
	struct reclaim base;
	struct rng rng;
	size_t n, cap;
	struct rpage **slot;	/* cap entries, n in use */
};

static struct reclaim *random_create(const char *args, const struct reclaim_params *p,
				     char *err, size_t errlen)
{
	struct rrandom *rr;

	if (rlist_no_args("random", args, err, errlen))
		return NULL;
	rr = mem_alloc(p->mem, sizeof(*rr), 0);
	if (rr)
		rr->slot = mem_alloc_array(p->mem, p->npages, sizeof(*rr->slot), 0);
	if (!rr || !rr->slot) {
		mem_free(p->mem, rr, sizeof(*rr), 0);
		snprintf(err, errlen, "random: out of memory for %zu pages",
			 p->npages);
		return NULL;
	}
	rr->cap = p->npages;
	rng_seed(&rr->rng, p->seed);
	return &rr->base;
}

static void random_destroy(struct reclaim *r)
{
	struct rrandom *rr = (struct rrandom *)r;

	mem_free_array(r->mem, rr->slot, rr->cap, sizeof(*rr->slot), 0);
	mem_free(r->mem, rr, sizeof(*rr), 0);
}

static void random_insert(struct reclaim *r, struct rpage *pg,
			  const struct reclaim_ctx *ctx)
{
	struct rrandom *rr = (struct rrandom *)r;

	(void)ctx;
	BUG_ON(rr->n >= rr->cap);	/* the engine never exceeds npages */
	pg->pdata = rr->n;
	rr->slot[rr->n++] = pg;
}

static void random_detach(struct rrandom *rr, struct rpage *pg)
{
	size_t i = pg->pdata;

	BUG_ON(i >= rr->n || rr->slot[i] != pg);
	rr->slot[i] = rr->slot[--rr->n];
	rr->slot[i]->pdata = i;
}

/*
 * The next victim is a page no other hook touched lately, so its node is
 * cold: draw the next index now from a copy of the stream (the state itself
 * is left alone, so decisions do not change), guessing that RAM is full
 * again by then (n + 1 pages, the steady state of a load fault), and
 * start loading that page.  A hint only; a wrong guess costs a prefetch.
 */
static void random_prefetch_next(const struct rrandom *rr)
{
	struct rng peek = rr->rng;
	size_t n = rr->n < rr->cap ? rr->n + 1 : rr->n;
	size_t i;

	if (n == 0)
		return;
	for (int ahead = 0; ahead < 2; ahead++) {
		i = rng_below(&peek, n);
		if (i < rr->n)
			__builtin_prefetch(rr->slot[i], 1);
	}
}

static struct rpage *random_victim(struct reclaim *r,
				   const struct reclaim_ctx *ctx)
{
	struct rrandom *rr = (struct rrandom *)r;
	size_t i;

	(void)ctx;
	if (rr->n == 0)
		return NULL;
	i = rng_below(&rr->rng, rr->n);
	for (size_t k = 0; k < rr->n; k++) {
		struct rpage *pg = rr->slot[i];

		if (rpage_evictable(pg)) {
			random_detach(rr, pg);
			random_prefetch_next(rr);
			return pg;
		}
		if (++i == rr->n)
			i = 0;
	}
	return NULL;
}

static void random_remove(struct reclaim *r, struct rpage *pg)
{
	random_detach((struct rrandom *)r, pg);
}

static size_t random_metadata_bytes(const struct reclaim *r)
{
	const struct rrandom *rr = (const struct rrandom *)r;

	return sizeof(*rr) + rr->cap * sizeof(*rr->slot) +
	       r->nresident * sizeof(struct rpage);
}

const struct reclaim_ops reclaim_random = {
	.name = "random",
	.help = "uniformly random victim (seeded; hits and faults ignored)",
	.create = random_create,
	.destroy = random_destroy,
	.insert = random_insert,
	.hit = rqueue_ignore,
	.fault = rqueue_ignore,
	.victim = random_victim,
	.remove = random_remove,
	.metadata_bytes = random_metadata_bytes,
};

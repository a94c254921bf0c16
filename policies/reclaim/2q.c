/*
 * policies/reclaim/2q.c — 2Q, full version.
 *
 * Johnson & Shasha, "2Q: A Low Overhead High Performance Buffer Management
 * Replacement Algorithm", VLDB 1994, the "full version" of section 2.2:
 *
 *      A1in  FIFO of pages seen once (resident), at most Kin of them
 *            before reclaim takes from it;
 *      A1out FIFO of keys evicted from A1in (ghosts), at most Kout;
 *      Am    LRU of pages re-referenced after leaving A1in (resident).
 *
 *   access x:  in Am: move to Am's head.  in A1in: nothing (correlated
 *              references).  in A1out: reclaimfor(x), x to Am's head.
 *              else: reclaimfor(x), x to A1in's head.
 *   reclaimfor: with no free slot, if |A1in| > Kin evict A1in's tail to
 *              A1out's head (dropping A1out's tail beyond Kout), else
 *              evict Am's tail (no ghost: it has not been used a while).
 *
 * victim() is reclaimfor; insert() the placement.  The paper's defaults
 * (and this policy's): Kin = 25 % and Kout = 50 % of RAM, rounded down.
 * The paper tests "x in A1out" before reclaimfor(x), whose ghost trimming
 * could otherwise drop x itself: victim() therefore looks up the key the
 * engine names (reclaim_ctx.miss_key) and takes it off A1out first, and
 * insert() promotes it.  When the engine does not name it, insert() looks
 * the key up after the eviction (a key trimmed meanwhile counts as new;
 * on the shared trace this costs 6 misses at 489 pages).
 * Unevictable pages keep their place; reclaimfor takes the oldest evictable
 * page of the queue it chose, or of the other queue when that has none.
 *
 * Parameters: kin=0.25 (A1in share of RAM), kout=0.5 (A1out ghosts per
 * page of RAM), e.g. `2q:kin=0.25:kout=0.5`.
 * Ghosts: a preallocated table of Kout + 1 keys on one FIFO list (ghost.h:
 * about 40 bytes per key of Kout + 1), never more; not charged against
 * RAM, counted by metadata_bytes().
 *
 * Fault on a resident page: a use, like a hit.  Under `faults` observation
 * Am hits are invisible, so Am is FIFO by the time pages were promoted
 * (reloaded while in A1out) or last faulted; A1in is FIFO anyway.  2Q
 * keeps its power there: its promotion signal is a reload of a remembered
 * key, which is a fault (on the shared trace its `faults` miss ratios
 * equal its `full` ones at 489, 4897 and 14692 pages: Am is never short
 * enough to be evicted from).
 */
#include <stdio.h>

#include "common/args.h"
#include "policies/reclaim/ghost.h"
#include "policies/reclaim/rlist.h"

enum { TWOQ_A1IN = 1, TWOQ_AM = 2 };	/* rpage.pflags */

struct twoq {
	struct reclaim base;
	struct list_head q[3];	/* q[TWOQ_A1IN], q[TWOQ_AM]; newest at the head */
	size_t nq[3];
	size_t kin, kout;
	struct ghost_table gt;	/* A1out: its one list */
	/* the load fault being served: its key, looked up by victim(), and
	 * whether it was in A1out (then already taken off) */
	uint64_t checked_key;
	bool promote;
};

static double twoq_kin = 0.25, twoq_kout = 0.5;

static void twoq_specs(struct arg_spec specs[2], double *kin, double *kout)
{
	specs[0] = (struct arg_spec){ "kin", ARG_DOUBLE, kin, 0.0, 1.0, NULL,
				      "A1in share of RAM" };
	specs[1] = (struct arg_spec){ "kout", ARG_DOUBLE, kout, 0.0, 8.0, NULL,
				      "A1out ghosts per page of RAM" };
}

static void twoq_describe_args(char *buf, size_t buflen)
{
	double kin = twoq_kin, kout = twoq_kout;
	struct arg_spec specs[2];

	twoq_specs(specs, &kin, &kout);
	args_describe(specs, 2, buf, buflen);
}

static struct reclaim *twoq_create(const char *args, const struct reclaim_params *p,
				   char *err, size_t errlen)
{
	double kin = twoq_kin, kout = twoq_kout;
	struct arg_spec specs[2];
	struct twoq *t;

	twoq_specs(specs, &kin, &kout);
	if (args_parse("2q", args, specs, 2, err, errlen))
		return NULL;
	t = mem_alloc(p->mem, sizeof(*t), 0);
	if (!t)
		goto nomem;
	t->kin = (size_t)(kin * (double)p->npages);
	t->kout = (size_t)(kout * (double)p->npages);
	if (ghost_init(&t->gt, t->kout + 1, 1, p->mem)) {
		mem_free(p->mem, t, sizeof(*t), 0);
		goto nomem;
	}
	list_init(&t->q[TWOQ_A1IN]);
	list_init(&t->q[TWOQ_AM]);
	t->checked_key = RECLAIM_KEY_NONE;
	return &t->base;
nomem:
	snprintf(err, errlen, "2q: out of memory for %zu pages", p->npages);
	return NULL;
}

static void twoq_destroy(struct reclaim *r)
{
	struct twoq *t = (struct twoq *)r;

	ghost_fini(&t->gt, r->mem);
	mem_free(r->mem, t, sizeof(*t), 0);
}

static void twoq_insert(struct reclaim *r, struct rpage *pg,
			const struct reclaim_ctx *ctx)
{
	struct twoq *t = (struct twoq *)r;
	bool promote = t->promote;

	(void)ctx;
	if (pg->key != t->checked_key || pg->key == RECLAIM_KEY_NONE) {
		uint32_t ref = ghost_find(&t->gt, pg->key);
		if (ref != GHOST_NONE)
			ghost_del(&t->gt, ref);
		promote = ref != GHOST_NONE;
	}
	t->checked_key = RECLAIM_KEY_NONE;
	pg->pflags = promote ? TWOQ_AM : TWOQ_A1IN;
	list_add(&pg->link, &t->q[pg->pflags]);
	t->nq[pg->pflags]++;
}

static void twoq_hit(struct reclaim *r, struct rpage *pg,
		     const struct reclaim_ctx *ctx)
{
	struct twoq *t = (struct twoq *)r;

	(void)ctx;
	if (pg->pflags == TWOQ_AM)
		list_move(&pg->link, &t->q[TWOQ_AM]);
}

static struct rpage *twoq_victim(struct reclaim *r,
				 const struct reclaim_ctx *ctx)
{
	struct twoq *t = (struct twoq *)r;
	uint64_t key = ctx->miss_key;
	struct rpage *pg = NULL;

	/* independent loads, started together: the queue tails and (below)
	 * the missing key's slot; each ghost drop prefetches the next */
	__builtin_prefetch(t->q[TWOQ_A1IN].prev);
	__builtin_prefetch(t->q[TWOQ_AM].prev);
	if (key != RECLAIM_KEY_NONE && key != t->checked_key) {
		/* "if x in A1out", before reclaimfor trims A1out */
		uint32_t ref = ghost_find(&t->gt, key);
		if (ref != GHOST_NONE)
			ghost_del(&t->gt, ref);
		t->checked_key = key;
		t->promote = ref != GHOST_NONE;
	}
	if (t->nq[TWOQ_A1IN] > t->kin)
		pg = rlist_oldest_evictable(&t->q[TWOQ_A1IN]);
	if (!pg)
		pg = rlist_oldest_evictable(&t->q[TWOQ_AM]);
	if (!pg)
		pg = rlist_oldest_evictable(&t->q[TWOQ_A1IN]);
	if (!pg)
		return NULL;
	list_del(&pg->link);
	t->nq[pg->pflags]--;
	rlist_prefetch_oldest(&t->q[pg->pflags]);
	if (pg->pflags == TWOQ_A1IN && t->kout > 0) {
		ghost_prefetch(&t->gt, pg->key);	/* for ghost_add */
		if (ghost_len(&t->gt, 0) >= t->kout) {
			ghost_drop_oldest(&t->gt, 0);
			ghost_prefetch_oldest(&t->gt, 0);
		}
		ghost_add(&t->gt, 0, pg->key);
	}
	return pg;
}

static void twoq_remove(struct reclaim *r, struct rpage *pg)
{
	struct twoq *t = (struct twoq *)r;

	list_del(&pg->link);
	t->nq[pg->pflags]--;
}

static size_t twoq_metadata_bytes(const struct reclaim *r)
{
	const struct twoq *t = (const struct twoq *)r;

	return sizeof(*t) + ghost_bytes(&t->gt) + r->nresident * sizeof(struct rpage);
}

/*
 * The hint: for a coming load fault on key, the slot its insert() looks up
 * among the ghosts, and where the likely victim, A1in's oldest page, will
 * be remembered; the likely victim is the tail reclaimfor would take now.
 */
static const struct rpage *twoq_hint(const struct reclaim *r, uint64_t key)
{
	const struct twoq *t = (const struct twoq *)r;
	int from = t->nq[TWOQ_A1IN] > t->kin ? TWOQ_A1IN : TWOQ_AM;
	const struct rpage *pg;

	if (key != RECLAIM_KEY_NONE) {
		ghost_prefetch(&t->gt, key);
		if (t->nq[TWOQ_A1IN] > t->kin)
			ghost_prefetch(&t->gt, container_of(t->q[TWOQ_A1IN].prev,
							    const struct rpage,
							    link)->key);
	}
	pg = rlist_oldest(&t->q[from]);
	return pg ? pg : rlist_oldest(&t->q[from == TWOQ_AM ? TWOQ_A1IN : TWOQ_AM]);
}

const struct reclaim_ops reclaim_2q = {
	.name = "2q",
	.help = "2Q full version (Johnson & Shasha, VLDB'94): A1in FIFO, A1out "
		"ghosts, Am LRU",
	.describe_args = twoq_describe_args,
	.create = twoq_create,
	.destroy = twoq_destroy,
	.insert = twoq_insert,
	.hit = twoq_hit,
	.fault = twoq_hit,
	.victim = twoq_victim,
	.remove = twoq_remove,
	.metadata_bytes = twoq_metadata_bytes,
	.hint = twoq_hint,
};

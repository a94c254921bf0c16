/*
 * policies/reclaim/arc.c — ARC, the Adaptive Replacement Cache.
 *
 * Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache",
 * USENIX FAST 2003, Fig. 4.  With c = npages:
 *
 *      T1: resident, seen once recently     B1: ghosts evicted from T1
 *      T2: resident, seen at least twice    B2: ghosts evicted from T2
 *
 *      B1 <- [LRU  T1  MRU] <- new       |T1|+|B1| <= c
 *      B2 <- [LRU  T2  MRU] <- hits      |T1|+|T2|+|B1|+|B2| <= 2c
 *
 * A hit moves the page to the MRU end of T2.  A miss on a key remembered
 * in B1 grows the target p for T1 by max(1, |B2|/|B1|), one in B2 shrinks
 * it by max(1, |B1|/|B2|) (reals, as in the reference simulators); the page
 * comes back into T2.  REPLACE evicts the LRU page of T1 (to B1) when
 * |T1| > p, or |T1| = p and the missing key was in B2, else the LRU page of
 * T2 (to B2).  A key seen nowhere goes to T1 after case IV of the paper
 * trims B1/B2 to keep the bounds above (and, when |T1| = c, evicts T1's LRU
 * page without remembering it).
 *
 * The split into victim() then insert(): REPLACE needs to know the missing
 * key (is it in B1 or B2?) before the page is inserted.  The engine names it
 * in the victim() calls of a load fault (reclaim_ctx.miss_key); the first
 * such call adapts p and runs cases II-IV, later calls of the same fault
 * (batch reclaim) run REPLACE only, and insert() completes the case.  When
 * the engine does not say (RECLAIM_KEY_NONE), victim() runs case IV and
 * insert() adapts p afterwards: a slightly different order, which the
 * reference test measures at a few misses in 10,000 (none on the shared
 * trace).
 *
 * Unevictable pages keep their place; REPLACE takes the oldest evictable
 * page of the list it chose, or of the other list when that has none.
 *
 * Parameters: none (the paper's ARC has none besides c).
 * Ghosts: a preallocated table of c + 1 keys on two FIFO lists, B1 and B2
 * (ghost.h: a ghost only ever enters at the head and leaves from the tail
 * or on a hit, so the paper's LRU lists are FIFOs); the paper's bounds
 * keep |B1|+|B2| <= c while RAM is full, and the table never grows (after
 * remove() broke the bounds, a new ghost displaces the oldest one of its
 * list).  Ghosts are policy metadata, not charged against RAM;
 * metadata_bytes() counts the table (about 48 bytes per page of RAM: 32
 * of index, 8 of ring per list) plus the pages' nodes.
 *
 * Fault on a resident page: a use, like a hit (T1 -> T2).  Under `faults`
 * observation only map/dirty faults move pages to T2.  With load faults
 * alone ARC is exactly FIFO: T1 fills to c, case IV then drops T1's LRU
 * page *without* a ghost, so B1/B2 stay empty and p never moves (on the
 * shared trace the `faults` miss ratios equal FIFO's at all sizes).  What
 * map/dirty faults promote to T2 brings ghosts, and adaptation, back.
 */
#include <stdio.h>

#include "policies/reclaim/ghost.h"
#include "policies/reclaim/rlist.h"

enum { ARC_T1 = 1, ARC_T2 = 2 };	/* rpage.pflags and ghost tags */

struct arc {
	struct reclaim base;
	struct list_head t[3];	/* t[ARC_T1], t[ARC_T2]; MRU at the head */
	size_t nt[3], nb[3];	/* |T1|, |T2|; |B1|, |B2| */
	double p;		/* target size of T1 */
	size_t c;
	struct ghost_table gt;	/* list ARC_Tx - 1 is Bx */
	/* the load fault being served: its key, its ghost list (0: none),
	 * and whether cases II-IV already ran for it */
	uint64_t miss_key;
	uint32_t miss_ghost;
	uint32_t miss_ref;	/* its ghost's slot, saves insert() a lookup */
	bool miss_done;
};

static struct reclaim *arc_create(const char *args, const struct reclaim_params *p,
				  char *err, size_t errlen)
{
	struct arc *a;

	if (rlist_no_args("arc", args, err, errlen))
		return NULL;
	a = mem_alloc(p->mem, sizeof(*a), 0);
	if (!a || ghost_init(&a->gt, p->npages + 1, 2, p->mem)) {
		mem_free(p->mem, a, sizeof(*a), 0);
		snprintf(err, errlen, "arc: out of memory for %zu pages", p->npages);
		return NULL;
	}
	for (int i = 0; i < 3; i++)
		list_init(&a->t[i]);
	a->c = p->npages;
	a->miss_key = RECLAIM_KEY_NONE;
	return &a->base;
}

static void arc_destroy(struct reclaim *r)
{
	struct arc *a = (struct arc *)r;

	ghost_fini(&a->gt, r->mem);
	mem_free(r->mem, a, sizeof(*a), 0);
}

/* The ghost list (ARC_T1: B1, ARC_T2: B2) of the ghost in slot ref. */
static uint32_t arc_ghost_list(const struct arc *a, uint32_t ref)
{
	return ARC_T1 + ghost_ref_list(&a->gt, ref);
}

static void arc_drop_ghost(struct arc *a, uint32_t ref)
{
	a->nb[arc_ghost_list(a, ref)]--;
	ghost_del(&a->gt, ref);
}

static void arc_drop_oldest(struct arc *a, uint32_t list)
{
	if (ghost_drop_oldest(&a->gt, list - 1)) {
		a->nb[list]--;
		ghost_prefetch_oldest(&a->gt, list - 1);
	}
}

static void arc_remember(struct arc *a, uint64_t key, uint32_t list)
{
	if (ghost_full(&a->gt))	/* only after removes broke the paper's bounds */
		arc_drop_oldest(a, a->nb[list] ? list : 3 - list);
	ghost_add(&a->gt, list - 1, key);
	a->nb[list]++;
}

/* Detach pg from T1/T2. */
static void arc_unlink(struct arc *a, struct rpage *pg)
{
	a->nt[pg->pflags]--;
	list_del(&pg->link);
}

/* Evict the oldest evictable page of list `from` (or of the other list
 * when it has none), remembering it in the matching ghost list if asked. */
static struct rpage *arc_evict_from(struct arc *a, uint32_t from, bool ghost)
{
	struct rpage *pg = rlist_oldest_evictable(&a->t[from]);

	if (!pg)
		pg = rlist_oldest_evictable(&a->t[3 - from]);
	if (!pg)
		return NULL;
	arc_unlink(a, pg);
	rlist_prefetch_oldest(&a->t[pg->pflags]);
	if (ghost) {
		ghost_prefetch(&a->gt, pg->key);	/* for ghost_add */
		arc_remember(a, pg->key, pg->pflags);
	}
	return pg;
}

static struct rpage *arc_replace(struct arc *a, bool in_b2)
{
	double t1 = (double)a->nt[ARC_T1];
	bool from_t1 = a->nt[ARC_T1] > 0 && (t1 > a->p || (in_b2 && t1 == a->p));

	return arc_evict_from(a, from_t1 ? ARC_T1 : ARC_T2, true);
}

/* Adapt p for a miss on a key remembered in ghost list `list`. */
static void arc_adapt(struct arc *a, uint32_t list)
{
	double b1 = (double)a->nb[ARC_T1], b2 = (double)a->nb[ARC_T2];

	if (list == ARC_T1) {
		a->p += b1 >= b2 ? 1.0 : b2 / b1;
		if (a->p > (double)a->c)
			a->p = (double)a->c;
	} else {
		a->p -= b2 >= b1 ? 1.0 : b1 / b2;
		if (a->p < 0)
			a->p = 0;
	}
}

/* Cases II-IV up to the eviction, for the miss on key (first victim()). */
static struct rpage *arc_miss_evict(struct arc *a, uint64_t key)
{
	uint32_t ref = key == RECLAIM_KEY_NONE ? GHOST_NONE : ghost_find(&a->gt, key);
	size_t l1, all;

	a->miss_key = key;
	a->miss_done = true;
	a->miss_ghost = ref != GHOST_NONE ? arc_ghost_list(a, ref) : 0;
	a->miss_ref = ref;
	if (ref != GHOST_NONE) {			/* cases II, III */
		arc_adapt(a, a->miss_ghost);
		return arc_replace(a, a->miss_ghost == ARC_T2);
	}
	l1 = a->nt[ARC_T1] + a->nb[ARC_T1];		/* case IV */
	all = l1 + a->nt[ARC_T2] + a->nb[ARC_T2];
	if (l1 >= a->c) {
		if (a->nt[ARC_T1] < a->c) {
			arc_drop_oldest(a, ARC_T1);
			return arc_replace(a, false);
		}
		return arc_evict_from(a, ARC_T1, false);
	}
	if (all >= 2 * a->c)
		arc_drop_oldest(a, ARC_T2);
	return arc_replace(a, false);
}

static struct rpage *arc_victim(struct reclaim *r, const struct reclaim_ctx *ctx)
{
	struct arc *a = (struct arc *)r;
	uint64_t key = ctx->miss_key;

	/* the loads below are independent: start them together */
	if (key != RECLAIM_KEY_NONE)
		ghost_prefetch(&a->gt, key);
	__builtin_prefetch(a->t[ARC_T1].prev);
	__builtin_prefetch(a->t[ARC_T2].prev);
	if (key == RECLAIM_KEY_NONE || !a->miss_done || a->miss_key != key)
		return arc_miss_evict(a, key);
	return arc_replace(a, a->miss_ghost == ARC_T2);	/* batch: more room */
}

static void arc_insert(struct reclaim *r, struct rpage *pg,
		       const struct reclaim_ctx *ctx)
{
	struct arc *a = (struct arc *)r;
	bool served = a->miss_done && a->miss_key == pg->key &&
		      pg->key != RECLAIM_KEY_NONE;
	uint32_t ref;

	(void)ctx;
	/* served: victim() looked the key up, and evictions only add the
	 * victims' keys (never this one) and move no slot; its ghost may
	 * have been dropped since (the slot no longer holds the key) */
	if (!served)
		ref = ghost_find(&a->gt, pg->key);
	else if (a->miss_ref != GHOST_NONE &&
		 ghost_ref_holds(&a->gt, a->miss_ref, pg->key))
		ref = a->miss_ref;
	else
		ref = GHOST_NONE;
	a->miss_done = false;
	if (ref != GHOST_NONE) {
		if (!served)
			arc_adapt(a, arc_ghost_list(a, ref));
		arc_drop_ghost(a, ref);
		pg->pflags = ARC_T2;
	} else {
		if (!served) {
			/* case IV without eviction: keep the bounds */
			if (a->nt[ARC_T1] + a->nb[ARC_T1] >= a->c)
				arc_drop_oldest(a, ARC_T1);
			if (a->nt[ARC_T1] + a->nt[ARC_T2] + a->nb[ARC_T1] +
			    a->nb[ARC_T2] >= 2 * a->c)
				arc_drop_oldest(a, ARC_T2);
		}
		pg->pflags = ARC_T1;
	}
	list_add(&pg->link, &a->t[pg->pflags]);
	a->nt[pg->pflags]++;
}

static void arc_hit(struct reclaim *r, struct rpage *pg,
		    const struct reclaim_ctx *ctx)
{
	struct arc *a = (struct arc *)r;

	(void)ctx;
	arc_unlink(a, pg);
	pg->pflags = ARC_T2;
	list_add(&pg->link, &a->t[ARC_T2]);
	a->nt[ARC_T2]++;
}

static void arc_remove(struct reclaim *r, struct rpage *pg)
{
	arc_unlink((struct arc *)r, pg);
}

static size_t arc_metadata_bytes(const struct reclaim *r)
{
	const struct arc *a = (const struct arc *)r;

	return sizeof(*a) + ghost_bytes(&a->gt) + r->nresident * sizeof(struct rpage);
}

/*
 * The hint: for a coming load fault on key, the slot its insert() looks up
 * among the ghosts, and where the likely victim, T1's or T2's LRU page,
 * will be remembered (both pages were prefetched by the last evictions);
 * the likely victim is the tail REPLACE would take with p as it is now (a
 * ghost hit on the coming miss may move p first).
 */
static const struct rpage *arc_hint(const struct reclaim *r, uint64_t key)
{
	const struct arc *a = (const struct arc *)r;
	uint32_t from = a->nt[ARC_T1] > 0 && (double)a->nt[ARC_T1] > a->p ?
			ARC_T1 : ARC_T2;
	const struct rpage *pg;

	if (key != RECLAIM_KEY_NONE) {
		ghost_prefetch(&a->gt, key);
		for (int i = ARC_T1; i <= ARC_T2; i++)
			if (a->t[i].prev != &a->t[i])
				ghost_prefetch(&a->gt, container_of(a->t[i].prev,
								    const struct rpage,
								    link)->key);
	}
	pg = rlist_oldest(&a->t[from]);
	return pg ? pg : rlist_oldest(&a->t[3 - from]);
}

const struct reclaim_ops reclaim_arc = {
	.name = "arc",
	.help = "ARC (Megiddo & Modha, FAST'03): T1/T2, ghosts B1/B2, adaptive target p",
	.create = arc_create,
	.destroy = arc_destroy,
	.insert = arc_insert,
	.hit = arc_hit,
	.fault = arc_hit,
	.victim = arc_victim,
	.remove = arc_remove,
	.metadata_bytes = arc_metadata_bytes,
	.hint = arc_hint,
};

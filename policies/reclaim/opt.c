/*
 * policies/reclaim/opt.c — OPT: Belady's optimal replacement (MIN).
 *
 * Belady, "A study of replacement algorithms for a virtual-storage
 * computer", IBM Systems Journal 5(2), 1966: evict the page whose next use
 * lies farthest in the future (never again counts as infinitely far).  No
 * policy can have fewer misses on a given trace, so OPT is the floor every
 * miss-ratio plot shows.
 *
 * It needs the future: RECLAIM_NEEDS_FUTURE.  The simulator passes the
 * time of the page's next access to insert(), hit() and fault()
 * (reclaim_ctx.next_use, UINT64_MAX: never again) — to fault() too, since
 * under `full` observation a map or dirty fault is an access as well; OPT
 * keeps the resident pages in a
 * 4-ary max-heap on that time (rpage.pdata = heap index), so insert, hit,
 * fault and remove are O(log n).  victim() takes the heap top; unevictable
 * pages met on top are set aside and pushed back afterwards (O(log n) per
 * unevictable page passed); their keys do not change.
 *
 * Parameters: none.  No ghosts; the heap (16 bytes per page of RAM) and a
 * stash of the same size are allocated at create().
 *
 * Fault on a resident page: an access, like a hit (reads next_use).  OPT is
 * defined for `full` observation only: under `faults` the policy is never
 * told of hits, so next_use would go stale and OPT would not be optimal —
 * the simulator refuses that combination, and the real engine has no
 * future at all.
 */
#include <stdio.h>

#include "policies/reclaim/rlist.h"

struct opt_ent {
	uint64_t next;		/* next use time */
	struct rpage *pg;
};

struct opt {
	struct reclaim base;
	size_t n, cap;
	struct opt_ent *heap;	/* max-heap on next */
	struct opt_ent *stash;	/* unevictable tops set aside by victim() */
};

static struct reclaim *opt_create(const char *args, const struct reclaim_params *p,
				  char *err, size_t errlen)
{
	struct opt *o;

	if (rlist_no_args("opt", args, err, errlen))
		return NULL;
	o = mem_alloc(p->mem, sizeof(*o), 0);
	if (o) {
		o->heap = mem_alloc_array(p->mem, p->npages, sizeof(*o->heap), 0);
		o->stash = mem_alloc_array(p->mem, p->npages, sizeof(*o->stash), 0);
	}
	if (!o || !o->heap || !o->stash) {
		if (o) {
			mem_free_array(p->mem, o->heap, p->npages, sizeof(*o->heap), 0);
			mem_free_array(p->mem, o->stash, p->npages, sizeof(*o->stash), 0);
		}
		mem_free(p->mem, o, sizeof(*o), 0);
		snprintf(err, errlen, "opt: out of memory for %zu pages", p->npages);
		return NULL;
	}
	o->cap = p->npages;
	return &o->base;
}

static void opt_destroy(struct reclaim *r)
{
	struct opt *o = (struct opt *)r;

	mem_free_array(r->mem, o->heap, o->cap, sizeof(*o->heap), 0);
	mem_free_array(r->mem, o->stash, o->cap, sizeof(*o->stash), 0);
	mem_free(r->mem, o, sizeof(*o), 0);
}

static void opt_set(struct opt *o, size_t i, struct opt_ent e)
{
	o->heap[i] = e;
	e.pg->pdata = i;
}

/* Move the entry at i up or down to its place.  The heap is 4-ary
 * (children of i: 4i+1 .. 4i+4): half the levels of a binary heap, and
 * each level moved writes a page's pdata, a cache miss of its own. */
static void opt_fix(struct opt *o, size_t i)
{
	struct opt_ent e = o->heap[i];

	while (i > 0 && o->heap[(i - 1) / 4].next < e.next) {
		opt_set(o, i, o->heap[(i - 1) / 4]);
		i = (i - 1) / 4;
	}
	for (;;) {
		size_t c = 4 * i + 1, end = c + 4;

		if (c >= o->n)
			break;
		if (end > o->n)
			end = o->n;
		for (size_t k = c + 1; k < end; k++)
			if (o->heap[k].next > o->heap[c].next)
				c = k;
		if (o->heap[c].next <= e.next)
			break;
		opt_set(o, i, o->heap[c]);
		i = c;
	}
	opt_set(o, i, e);
}

static void opt_push(struct opt *o, struct opt_ent e)
{
	BUG_ON(o->n >= o->cap);	/* the engine never exceeds npages */
	o->heap[o->n++] = e;
	opt_fix(o, o->n - 1);
}

static void opt_delete(struct opt *o, size_t i)
{
	BUG_ON(i >= o->n);
	o->n--;
	if (i < o->n) {
		opt_set(o, i, o->heap[o->n]);
		opt_fix(o, i);
	}
}

static void opt_insert(struct reclaim *r, struct rpage *pg,
		       const struct reclaim_ctx *ctx)
{
	opt_push((struct opt *)r, (struct opt_ent){ ctx->next_use, pg });
}

static void opt_access(struct reclaim *r, struct rpage *pg,
		       const struct reclaim_ctx *ctx)
{
	struct opt *o = (struct opt *)r;
	size_t i = pg->pdata;

	BUG_ON(i >= o->n || o->heap[i].pg != pg);
	o->heap[i].next = ctx->next_use;
	opt_fix(o, i);
}

static struct rpage *opt_victim(struct reclaim *r, const struct reclaim_ctx *ctx)
{
	struct opt *o = (struct opt *)r;
	struct rpage *pg = NULL;
	size_t nstash = 0;

	(void)ctx;
	while (o->n > 0) {
		struct opt_ent top = o->heap[0];

		opt_delete(o, 0);
		if (rpage_evictable(top.pg)) {
			pg = top.pg;
			break;
		}
		o->stash[nstash++] = top;
	}
	while (nstash > 0)
		opt_push(o, o->stash[--nstash]);
	return pg;
}

static void opt_remove(struct reclaim *r, struct rpage *pg)
{
	opt_delete((struct opt *)r, pg->pdata);
}

static size_t opt_metadata_bytes(const struct reclaim *r)
{
	const struct opt *o = (const struct opt *)r;

	return sizeof(*o) + 2 * o->cap * sizeof(struct opt_ent) +
	       r->nresident * sizeof(struct rpage);
}

const struct reclaim_ops reclaim_opt = {
	.name = "opt",
	.help = "Belady's OPT/MIN: evict the page used farthest in the future "
		"(simulator, full observation)",
	.flags = RECLAIM_NEEDS_FUTURE,
	.create = opt_create,
	.destroy = opt_destroy,
	.insert = opt_insert,
	.hit = opt_access,
	.fault = opt_access,
	.victim = opt_victim,
	.remove = opt_remove,
	.metadata_bytes = opt_metadata_bytes,
};

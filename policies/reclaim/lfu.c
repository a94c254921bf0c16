/*
 * policies/reclaim/lfu.c — LFU: evict the least frequently used page,
 * the least recently used among equals.
 *
 * In-cache LFU (a page's count starts at 1 when it becomes resident and is
 * forgotten when it leaves), with the O(1) structure of Shah, Mitra &
 * Matani, "An O(1) algorithm for implementing the LFU cache eviction
 * scheme" (2010): a list of frequency buckets in ascending frequency, each
 * holding its pages most recently used first:
 *
 *      [f=1: e d] -> [f=2: c] -> [f=5: b a]        victim: d (then e, c, ...)
 *
 * A use moves the page from bucket f to the head of bucket f+1 (created
 * next to f if missing; f freed when empty).  The victim is the oldest
 * evictable page of the lowest bucket — a page enters a bucket at its last
 * use, so within a bucket the tail is the least recently used.
 * Unevictable pages keep their bucket and place and are passed over.
 *
 * Parameters: none.  No ghosts; the bucket pool (one per page of RAM plus
 * one) is allocated at create(), and rpage.pdata points to the page's
 * bucket.
 *
 * Fault on a resident page: a use, like a hit.  Under `faults` observation
 * the count is the number of map/dirty faults since the load: with load
 * faults alone every page has count 1 and LFU is LRU by load time, i.e.
 * FIFO.
 */
#include <stdio.h>

#include "policies/reclaim/rlist.h"

struct lfu_bucket {
	struct list_head link;	/* on lfu.buckets, ascending freq; free list */
	struct list_head pages;	/* most recently used at the head */
	uint64_t freq;
};

struct lfu {
	struct reclaim base;
	struct list_head buckets;
	struct list_head free;
	struct lfu_bucket *pool;
	size_t npool;
};

static struct reclaim *lfu_create(const char *args, const struct reclaim_params *p,
				  char *err, size_t errlen)
{
	struct lfu *f;

	if (rlist_no_args("lfu", args, err, errlen))
		return NULL;
	f = mem_alloc(p->mem, sizeof(*f), 0);
	if (f)
		f->pool = mem_alloc_array(p->mem, p->npages + 1, sizeof(*f->pool), 0);
	if (!f || !f->pool) {
		mem_free(p->mem, f, sizeof(*f), 0);
		snprintf(err, errlen, "lfu: out of memory for %zu pages", p->npages);
		return NULL;
	}
	f->npool = p->npages + 1;
	list_init(&f->buckets);
	list_init(&f->free);
	for (size_t i = 0; i < f->npool; i++)
		list_add_tail(&f->pool[i].link, &f->free);
	return &f->base;
}

static void lfu_destroy(struct reclaim *r)
{
	struct lfu *f = (struct lfu *)r;

	mem_free_array(r->mem, f->pool, f->npool, sizeof(*f->pool), 0);
	mem_free(r->mem, f, sizeof(*f), 0);
}

static struct lfu_bucket *lfu_bucket_of(const struct rpage *pg)
{
	return (struct lfu_bucket *)(uintptr_t)pg->pdata;
}

/* The bucket of frequency freq right after `after` (a bucket or the list
 * head), created when missing. */
static struct lfu_bucket *lfu_bucket_after(struct lfu *f, struct list_head *after,
					   uint64_t freq)
{
	struct lfu_bucket *b;

	if (after->next != &f->buckets) {
		b = container_of(after->next, struct lfu_bucket, link);
		if (b->freq == freq)
			return b;
	}
	BUG_ON(list_empty(&f->free));	/* npages + 1 buckets always suffice */
	b = container_of(list_first(&f->free), struct lfu_bucket, link);
	list_del(&b->link);
	list_add(&b->link, after);
	list_init(&b->pages);
	b->freq = freq;
	return b;
}

/* Unlink pg from its bucket, freeing the bucket when it empties. */
static void lfu_unlink(struct lfu *f, struct rpage *pg)
{
	struct lfu_bucket *b = lfu_bucket_of(pg);

	list_del(&pg->link);
	if (list_empty(&b->pages))
		list_move(&b->link, &f->free);
}

static void lfu_insert(struct reclaim *r, struct rpage *pg,
		       const struct reclaim_ctx *ctx)
{
	struct lfu *f = (struct lfu *)r;
	struct lfu_bucket *b = lfu_bucket_after(f, &f->buckets, 1);

	(void)ctx;
	pg->pdata = (uintptr_t)b;
	list_add(&pg->link, &b->pages);
}

static void lfu_hit(struct reclaim *r, struct rpage *pg,
		    const struct reclaim_ctx *ctx)
{
	struct lfu *f = (struct lfu *)r;
	struct lfu_bucket *b = lfu_bucket_of(pg);
	struct lfu_bucket *nb = lfu_bucket_after(f, &b->link, b->freq + 1);

	(void)ctx;
	lfu_unlink(f, pg);
	pg->pdata = (uintptr_t)nb;
	list_add(&pg->link, &nb->pages);
}

static struct rpage *lfu_victim(struct reclaim *r,
				const struct reclaim_ctx *ctx)
{
	struct lfu *f = (struct lfu *)r;
	struct list_head *l;

	(void)ctx;
	list_for_each(l, &f->buckets) {
		struct lfu_bucket *b = container_of(l, struct lfu_bucket, link);
		struct rpage *pg = rlist_oldest_evictable(&b->pages);

		if (pg) {
			lfu_unlink(f, pg);
			return pg;
		}
	}
	return NULL;
}

/* The hint: the oldest page of the lowest-frequency bucket (victim()'s
 * pick when it is evictable); nothing to prefetch for a coming key. */
static const struct rpage *lfu_hint(const struct reclaim *r, uint64_t key)
{
	const struct lfu *f = (const struct lfu *)r;
	const struct lfu_bucket *b;

	(void)key;
	if (list_empty(&f->buckets))
		return NULL;
	b = container_of(f->buckets.next, struct lfu_bucket, link);
	return rlist_oldest(&b->pages);
}

static void lfu_remove(struct reclaim *r, struct rpage *pg)
{
	lfu_unlink((struct lfu *)r, pg);
}

static size_t lfu_metadata_bytes(const struct reclaim *r)
{
	const struct lfu *f = (const struct lfu *)r;

	return sizeof(*f) + f->npool * sizeof(*f->pool) +
	       r->nresident * sizeof(struct rpage);
}

const struct reclaim_ops reclaim_lfu = {
	.name = "lfu",
	.help = "LFU, O(1) frequency buckets, ties broken by recency (LRU)",
	.create = lfu_create,
	.destroy = lfu_destroy,
	.insert = lfu_insert,
	.hit = lfu_hit,
	.fault = lfu_hit,
	.victim = lfu_victim,
	.hint = lfu_hint,
	.remove = lfu_remove,
	.metadata_bytes = lfu_metadata_bytes,
};

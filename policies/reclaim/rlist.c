/* policies/reclaim/rlist.c — shared pieces of the queue policies (rlist.h). */
#include "policies/reclaim/rlist.h"

#include <stdio.h>

struct reclaim *rqueue_create(const char *name, size_t size, const char *args,
			      const struct reclaim_params *p, char *err,
			      size_t errlen)
{
	struct rqueue *q;

	BUG_ON(size < sizeof(struct rqueue));
	if (rlist_no_args(name, args, err, errlen))
		return NULL;
	q = mem_alloc(p->mem, size, 0);
	if (!q) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	list_init(&q->list);
	q->size = size;
	return &q->base;
}

void rqueue_destroy(struct reclaim *r)
{
	mem_free(r->mem, rqueue_of(r), rqueue_of(r)->size, 0);
}

void rqueue_insert(struct reclaim *r, struct rpage *pg,
		   const struct reclaim_ctx *ctx)
{
	(void)ctx;
	list_add(&pg->link, &rqueue_of(r)->list);
}

struct rpage *rqueue_victim_oldest(struct reclaim *r,
				   const struct reclaim_ctx *ctx)
{
	(void)ctx;
	struct rpage *pg = rlist_oldest_evictable(&rqueue_of(r)->list);

	if (pg) {
		list_del(&pg->link);
		rlist_prefetch_oldest(&rqueue_of(r)->list);
	}
	return pg;
}

const struct rpage *rqueue_hint_oldest(const struct reclaim *r, uint64_t key)
{
	(void)key;
	return rlist_oldest(&container_of(r, const struct rqueue, base)->list);
}

void rqueue_ignore(struct reclaim *r, struct rpage *pg,
		   const struct reclaim_ctx *ctx)
{
	(void)r;
	(void)pg;
	(void)ctx;
}

void rqueue_remove(struct reclaim *r, struct rpage *pg)
{
	(void)r;
	list_del(&pg->link);
}

size_t rqueue_metadata_bytes(const struct reclaim *r)
{
	return sizeof(struct rqueue) + r->nresident * sizeof(struct rpage);
}

/* The node after l in the hand's direction (toward the head), NULL past it. */
static struct list_head *rhand_next(struct rhand *s, struct list_head *l)
{
	return l->prev == &s->q.list ? NULL : l->prev;
}

/* The first evictable page without RHAND_REF within a few steps of the
 * hand: what rhand_victim() will return if no hit comes first. */
const struct rpage *rhand_hint(const struct reclaim *r, uint64_t key)
{
	struct rhand *s = rhand_of((struct reclaim *)r);
	struct list_head *h = &s->q.list;
	struct list_head *l = s->hand ? s->hand : h->prev;

	(void)key;
	for (int steps = 0; l != h && steps < 4; steps++) {
		const struct rpage *pg = rlist_page(l);
		struct list_head *next = rhand_next(s, l);

		if (rpage_evictable(pg) && !(pg->pflags & RHAND_REF))
			return pg;
		l = next ? next : h->prev;
	}
	return NULL;
}

struct rpage *rhand_victim(struct reclaim *r, const struct reclaim_ctx *ctx)
{
	struct rhand *s = rhand_of(r);
	struct list_head *h = &s->q.list;
	struct list_head *l = s->hand ? s->hand : h->prev;

	(void)ctx;
	/* one round clears every bit, the next finds a clear one */
	for (size_t steps = 2 * r->nresident + 1; l != h && steps > 0; steps--) {
		struct rpage *pg = rlist_page(l);
		struct list_head *next = rhand_next(s, l);

		if (rpage_evictable(pg) && !(pg->pflags & RHAND_REF)) {
			s->hand = next;
			list_del(l);
			if (next)	/* the walk's next page, one step ahead */
				__builtin_prefetch(next->prev, 1);
			return pg;
		}
		if (rpage_evictable(pg))
			pg->pflags &= ~RHAND_REF;
		l = next ? next : h->prev;
	}
	return NULL;
}

void rhand_remove(struct reclaim *r, struct rpage *pg)
{
	struct rhand *s = rhand_of(r);

	if (s->hand == &pg->link)
		s->hand = rhand_next(s, &pg->link);
	list_del(&pg->link);
}

void rhand_ref(struct reclaim *r, struct rpage *pg,
	       const struct reclaim_ctx *ctx)
{
	(void)r;
	(void)ctx;
	pg->pflags |= RHAND_REF;
}

size_t rhand_metadata_bytes(const struct reclaim *r)
{
	return sizeof(struct rhand) + r->nresident * sizeof(struct rpage);
}

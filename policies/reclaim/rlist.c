/* policies/reclaim/rlist.c — shared pieces of the queue policies (rlist.h). */
#include "policies/reclaim/rlist.h"

#include <stdio.h>
#include <stdlib.h>

struct reclaim *rqueue_create(const char *name, size_t size, const char *args,
			      char *err, size_t errlen)
{
	struct rqueue *q;

	BUG_ON(size < sizeof(struct rqueue));
	if (rlist_no_args(name, args, err, errlen))
		return NULL;
	q = calloc(1, size);
	if (!q) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	list_init(&q->list);
	return &q->base;
}

void rqueue_destroy(struct reclaim *r)
{
	free(rqueue_of(r));
}

void rqueue_insert(struct reclaim *r, struct rpage *pg)
{
	list_add(&pg->link, &rqueue_of(r)->list);
}

struct rpage *rqueue_victim_oldest(struct reclaim *r)
{
	struct rpage *pg = rlist_oldest_evictable(&rqueue_of(r)->list);

	if (pg)
		list_del(&pg->link);
	return pg;
}

void rqueue_ignore(struct reclaim *r, struct rpage *pg)
{
	(void)r;
	(void)pg;
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

/*
 * policies/reclaim/lru.c — LRU: evict the least recently used page.
 *
 * The classic stack algorithm (Mattson et al., "Evaluation techniques for
 * storage hierarchies", IBM Systems Journal 1970): one list, most recently
 * used at the head; insert, hit and fault move the page to the head; the
 * victim is the page nearest the tail that is evictable.  Unevictable pages
 * keep their place and are passed over (cost: one step per page passed).
 *
 * Parameters: none.  No ghosts; metadata is the instance plus the intrusive
 * node of each resident page.
 *
 * Fault on a resident page: a use, like a hit.  Under `faults` observation
 * (no hits) it is least-recently-*faulted*: the order of loads and map/dirty
 * faults, which is what a fault-driven virtual memory manager can see.
 */
#include "policies/reclaim/rlist.h"

static struct reclaim *lru_create(const char *args, const struct reclaim_params *p,
				  char *err, size_t errlen)
{
	return rqueue_create("lru", sizeof(struct rqueue), args, p, err, errlen);
}

static void lru_touch(struct reclaim *r, struct rpage *pg,
		      const struct reclaim_ctx *ctx)
{
	(void)ctx;
	list_move(&pg->link, &rqueue_of(r)->list);
}

const struct reclaim_ops reclaim_lru = {
	.name = "lru",
	.help = "least recently used (one list, hits and faults move to the head)",
	.create = lru_create,
	.destroy = rqueue_destroy,
	.insert = rqueue_insert,
	.hit = lru_touch,
	.fault = lru_touch,
	.victim = rqueue_victim_oldest,
	.hint = rqueue_hint_oldest,
	.remove = rqueue_remove,
	.metadata_bytes = rqueue_metadata_bytes,
};

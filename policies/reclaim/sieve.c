/*
 * policies/reclaim/sieve.c — SIEVE.
 *
 * Zhang, Yang, Yue, Vigfusson & Rashmi, "SIEVE is Simpler than LRU: an
 * Efficient Turn-Key Eviction Algorithm for Web Caches", USENIX NSDI 2024.
 * One FIFO queue, newest at the head, one visited bit per page, and a hand
 * that remembers where the last eviction stopped:
 *
 *      head [new ...  hand -> ...  old] tail      hand moves toward head
 *
 * Insert at the head with the bit clear; a hit sets the bit (nothing
 * moves).  victim(): from the hand (the tail when there is none) toward
 * the head, a set bit is cleared and the page *stays in place*; the first
 * page with a clear bit is evicted and the hand stops at its neighbour
 * toward the head; past the head the hand wraps to the tail.  Unlike
 * CLOCK, survivors are not reinserted, so new pages are examined early
 * and old popular pages keep their place behind the hand.
 * Unevictable pages are passed over untouched (bit and place kept).
 *
 * Parameters: none.  No ghosts; the bit is pflags bit 0.
 *
 * Fault on a resident page: a use, like a hit (sets the bit).  Under
 * `faults` observation the bit sets only on map/dirty faults; with load
 * faults alone SIEVE is FIFO.
 *
 * Cost: O(1) amortized (each step past a page clears a bit a hit set),
 * plus one step per unevictable page passed.
 */
#include "policies/reclaim/rlist.h"

#define SIEVE_VISITED 0x1u

struct sieve {
	struct rqueue q;
	struct list_head *hand;	/* next page to examine; NULL: the tail */
};

static struct reclaim *sieve_create(const char *args, const struct reclaim_params *p,
				    char *err, size_t errlen)
{
	(void)p;
	return rqueue_create("sieve", sizeof(struct sieve), args, err, errlen);
}

static void sieve_insert(struct reclaim *r, struct rpage *pg)
{
	pg->pflags = 0;
	rqueue_insert(r, pg);
}

static void sieve_hit(struct reclaim *r, struct rpage *pg)
{
	(void)r;
	pg->pflags |= SIEVE_VISITED;
}

/* The page before l toward the head, as a hand (NULL past the head). */
static struct list_head *sieve_next(struct sieve *s, struct list_head *l)
{
	return l->prev == &s->q.list ? NULL : l->prev;
}

static struct rpage *sieve_victim(struct reclaim *r)
{
	struct sieve *s = (struct sieve *)r;
	struct list_head *h = &s->q.list;
	struct list_head *l = s->hand ? s->hand : h->prev;

	/* two rounds clear every bit; a third finds nothing new */
	for (size_t steps = 2 * r->nresident + 1; l != h && steps > 0; steps--) {
		struct rpage *pg = rlist_page(l);

		if (!rpage_evictable(pg)) {
			l = sieve_next(s, l) ? l->prev : h->prev;
			continue;
		}
		if (pg->pflags & SIEVE_VISITED) {
			pg->pflags &= ~SIEVE_VISITED;
			l = sieve_next(s, l) ? l->prev : h->prev;
			continue;
		}
		s->hand = sieve_next(s, l);
		list_del(l);
		return pg;
	}
	return NULL;
}

static void sieve_remove(struct reclaim *r, struct rpage *pg)
{
	struct sieve *s = (struct sieve *)r;

	if (s->hand == &pg->link)
		s->hand = sieve_next(s, &pg->link);
	list_del(&pg->link);
}

static size_t sieve_metadata_bytes(const struct reclaim *r)
{
	return sizeof(struct sieve) + r->nresident * sizeof(struct rpage);
}

const struct reclaim_ops reclaim_sieve = {
	.name = "sieve",
	.help = "SIEVE (Zhang et al., NSDI'24): FIFO, visited bit, a hand that "
		"leaves survivors in place",
	.create = sieve_create,
	.destroy = rqueue_destroy,
	.insert = sieve_insert,
	.hit = sieve_hit,
	.fault = sieve_hit,
	.victim = sieve_victim,
	.remove = sieve_remove,
	.metadata_bytes = sieve_metadata_bytes,
};

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
 * CLOCK, new pages enter at the head, not behind the hand, so they are
 * examined soon while old popular pages keep their place behind it.
 * Unevictable pages are passed over untouched (bit and place kept).
 * The walk is shared with clock.c (rhand_victim in rlist.c).
 *
 * Parameters: none.  No ghosts; the bit is pflags bit 0.
 *
 * Fault on a resident page: a use, like a hit (sets the bit).  Under
 * `faults` observation the bit sets only on map/dirty faults; with load
 * faults alone SIEVE is FIFO.
 *
 * Cost: O(1) amortized (each step past a page clears a bit a hit set, or
 * passes an unevictable page once per round).
 */
#include "policies/reclaim/rlist.h"

static struct reclaim *sieve_create(const char *args, const struct reclaim_params *p,
				    char *err, size_t errlen)
{
	return rqueue_create("sieve", sizeof(struct rhand), args, p, err, errlen);
}

static void sieve_insert(struct reclaim *r, struct rpage *pg,
			 const struct reclaim_ctx *ctx)
{
	pg->pflags = 0;
	rqueue_insert(r, pg, ctx);
}

const struct reclaim_ops reclaim_sieve = {
	.name = "sieve",
	.help = "SIEVE (Zhang et al., NSDI'24): FIFO, visited bit, a hand that "
		"leaves survivors in place",
	.create = sieve_create,
	.destroy = rqueue_destroy,
	.insert = sieve_insert,
	.hit = rhand_ref,
	.fault = rhand_ref,
	.victim = rhand_victim,
	.hint = rhand_hint,
	.remove = rhand_remove,
	.metadata_bytes = rhand_metadata_bytes,
};

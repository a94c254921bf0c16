/*
 * policies/reclaim/clock.c — CLOCK with one reference bit (second chance,
 * FIFO with reinsertion).
 *
 * Corbató, "A paging experiment with the Multics system" (1968); the
 * FIFO-reinsertion reading is "second chance" (Tanenbaum, Modern Operating
 * Systems).  The pages form a circle in load order with a hand at the
 * oldest.  A new page enters with its bit clear just behind the hand
 * (the newest position); a hit sets the bit.  victim(): at the hand, a set
 * bit is cleared and the hand moves on — the page now sits at the newest
 * position, which is FIFO-reinsertion's "move it to the head" without
 * moving anything; a clear bit is the victim and the hand moves to the next
 * page.  An unevictable page is passed untouched: its bit stays and it
 * keeps its place in the circle (the hand goes past it, as the hardware
 * clock's would).
 *
 *      circle, hand walking toward the newer pages:
 *         ... [x new] hand-> [a old] [b*] [c] ...   a: clear -> victim
 *                                                   b*: set -> clear, pass
 *
 * Implementation: the queue with a hand of rlist.h (shared with SIEVE); a
 * new page goes in right after the hand's current page in walking order,
 * i.e. where the walk will reach it last.  Without unevictable pages the
 * decisions are exactly FIFO-reinsertion's (the golden test checks the
 * shared trace's CLOCK row).
 *
 * Parameters: none.  No ghosts.  The bit is pflags bit 0.
 *
 * Fault on a resident page: a reference, like a hit (sets the bit).  Under
 * `faults` observation the bit is set only by map/dirty faults; with load
 * faults alone it never sets and CLOCK is FIFO.
 *
 * Cost: O(1) amortized: each step clears a bit a hit set or passes an
 * unevictable page (at most once per revolution).
 */
#include "policies/reclaim/rlist.h"

static struct reclaim *clock_create(const char *args, const struct reclaim_params *p,
				    char *err, size_t errlen)
{
	return rqueue_create("clock", sizeof(struct rhand), args, p, err, errlen);
}

static void clock_insert(struct reclaim *r, struct rpage *pg,
			 const struct reclaim_ctx *ctx)
{
	struct rhand *s = rhand_of(r);

	(void)ctx;
	pg->pflags = 0;
	/* the walk goes through ->prev: hand->next is reached last */
	list_add(&pg->link, s->hand ? s->hand : &s->q.list);
}

const struct reclaim_ops reclaim_clock = {
	.name = "clock",
	.help = "CLOCK, one reference bit (FIFO with reinsertion of referenced pages)",
	.create = clock_create,
	.destroy = rqueue_destroy,
	.insert = clock_insert,
	.hit = rhand_ref,
	.fault = rhand_ref,
	.victim = rhand_victim,
	.hint = rhand_hint,
	.remove = rhand_remove,
	.metadata_bytes = rhand_metadata_bytes,
};

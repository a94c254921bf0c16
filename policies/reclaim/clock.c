/*
 * policies/reclaim/clock.c — CLOCK with one reference bit, as FIFO with
 * reinsertion (second chance).
 *
 * Corbató, "A paging experiment with the Multics system" (1968); the
 * one-bit list form is "second chance" (Tanenbaum, Modern Operating
 * Systems).  One queue, newest at the head.  A new page enters with its
 * bit clear; a hit sets it.  The victim search looks at the tail: a set
 * bit is cleared and the page moves to the head (it got its second
 * chance); a clear bit means evict.  Moving to the head is the hand
 * passing the page, so this is the textbook clock with the hand at the
 * tail.  An unevictable page is passed over untouched: its bit stays and
 * it keeps its place, so the next search meets it again.
 *
 *      head (new) [c]<-[b*]<-[a] tail      a: bit clear -> victim
 *                                          b*: bit set -> clear, to head
 *
 * Parameters: none.  No ghosts.  The bit is the RPAGE-private pflags bit 0.
 *
 * Fault on a resident page: a reference, like a hit (sets the bit).  Under
 * `faults` observation the bit is set only by map/dirty faults; with only
 * load faults it never sets and CLOCK is FIFO.
 *
 * Cost: O(1) amortized (each pass clears a bit that a hit set), plus one
 * step per unevictable page passed.
 */
#include "policies/reclaim/rlist.h"

#define CLOCK_REF 0x1u

static struct reclaim *clock_create(const char *args, const struct reclaim_params *p,
				    char *err, size_t errlen)
{
	(void)p;
	return rqueue_create("clock", sizeof(struct rqueue), args, err, errlen);
}

static void clock_insert(struct reclaim *r, struct rpage *pg)
{
	pg->pflags = 0;
	rqueue_insert(r, pg);
}

static void clock_ref(struct reclaim *r, struct rpage *pg)
{
	(void)r;
	pg->pflags |= CLOCK_REF;
}

static struct rpage *clock_victim(struct reclaim *r)
{
	struct list_head *h = &rqueue_of(r)->list;
	struct list_head *l = h->prev;

	/*
	 * Pages moved to the head lie between the walk and the list head, so
	 * they are met again, bit clear, before the walk ends: it either
	 * evicts or has found every page unevictable.
	 */
	while (l != h) {
		struct rpage *pg = rlist_page(l);
		struct list_head *prev = l->prev;

		if (!rpage_evictable(pg)) {
			l = prev;
			continue;
		}
		if (pg->pflags & CLOCK_REF) {
			pg->pflags &= ~CLOCK_REF;
			list_move(l, h);
			/* the page was the head already: meet it again now */
			l = prev == h ? l : prev;
			continue;
		}
		list_del(l);
		return pg;
	}
	return NULL;
}

const struct reclaim_ops reclaim_clock = {
	.name = "clock",
	.help = "CLOCK, one reference bit (FIFO with reinsertion of referenced pages)",
	.create = clock_create,
	.destroy = rqueue_destroy,
	.insert = clock_insert,
	.hit = clock_ref,
	.fault = clock_ref,
	.victim = clock_victim,
	.remove = rqueue_remove,
	.metadata_bytes = rqueue_metadata_bytes,
};

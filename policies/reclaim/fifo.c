/*
 * policies/reclaim/fifo.c — FIFO: evict the page that became resident
 * first.
 *
 * Belady's baseline (Belady, "A study of replacement algorithms for a
 * virtual-storage computer", IBM Systems Journal 1966): one list in load
 * order, newest at the head; hits and faults change nothing; the victim is
 * the evictable page nearest the tail (unevictable pages keep their place
 * and are passed over).
 *
 * Parameters: none.  No ghosts; metadata is the instance plus the intrusive
 * node of each resident page.
 *
 * Fault on a resident page: ignored, like a hit.  FIFO never looks at hits,
 * so `full`, `faults` and `sampled:N` observation give identical decisions.
 */
#include "policies/reclaim/rlist.h"

static struct reclaim *fifo_create(const char *args, const struct reclaim_params *p,
				  char *err, size_t errlen)
{
	return rqueue_create("fifo", sizeof(struct rqueue), args, p, err, errlen);
}

const struct reclaim_ops reclaim_fifo = {
	.name = "fifo",
	.help = "first in, first out (load order; hits and faults ignored)",
	.create = fifo_create,
	.destroy = rqueue_destroy,
	.insert = rqueue_insert,
	.hit = rqueue_ignore,
	.fault = rqueue_ignore,
	.victim = rqueue_victim_oldest,
	.hint = rqueue_hint_oldest,
	.remove = rqueue_remove,
	.metadata_bytes = rqueue_metadata_bytes,
};

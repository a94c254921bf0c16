/* policies/reclaim/ghost.c — bounded ghost tables (see ghost.h). */
#include "policies/reclaim/ghost.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/bug.h"

/*
 * The index is read at random, once per lookup: from 2 MiB up it is
 * aligned to 2 MiB and advised to transparent huge pages (sparing a TLB
 * miss per lookup where the kernel has them).  free() releases either.
 */
#define GHOST_HUGE_BYTES ((size_t)2 << 20)

static void *ghost_alloc(size_t bytes)
{
	void *p;

	if (bytes < GHOST_HUGE_BYTES)
		return aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	bytes = (bytes + GHOST_HUGE_BYTES - 1) & ~(GHOST_HUGE_BYTES - 1);
	p = aligned_alloc(GHOST_HUGE_BYTES, bytes);
#ifdef MADV_HUGEPAGE
	if (p)
		(void)madvise(p, bytes, MADV_HUGEPAGE);	/* advice only */
#endif
	return p;
}

int ghost_index_init(struct ghost_index *x, size_t cap)
{
	/* 2 / GHOST_BSLOTS buckets per entry: load <= 1/2 */
	size_t nb = (2 * (cap ? cap : 1) + GHOST_BSLOTS - 1) / GHOST_BSLOTS;

	_Static_assert(sizeof(struct ghost_bucket) == 64, "a bucket is a line");
	_Static_assert(GHOST_BSLOTS <= 4, "four 16-bit tags");

	x->b = NULL;
	if (cap >= (1u << 28))
		return -1;
	x->b = ghost_alloc(nb * sizeof(*x->b));
	if (!x->b)
		return -1;
	memset(x->b, 0, nb * sizeof(*x->b));
	x->nb = (uint32_t)nb;
	x->used = 0;
	return 0;
}

void ghost_index_fini(struct ghost_index *x)
{
	free(x->b);
	x->b = NULL;
}

int ghost_init(struct ghost_table *g, size_t cap, unsigned nfifo)
{
	size_t size = 2 * cap;

	BUG_ON(cap == 0 || nfifo == 0 || nfifo > GHOST_FIFOS);
	memset(g, 0, sizeof(*g));
	if (cap >= (1u << 28) || ghost_index_init(&g->x, cap))
		return -1;
	g->ring = ghost_alloc(nfifo * size * sizeof(*g->ring));
	if (!g->ring) {
		ghost_index_fini(&g->x);
		return -1;
	}
	g->cap = (uint32_t)cap;
	g->nfifo = nfifo;
	for (unsigned i = 0; i < nfifo; i++) {
		g->f[i].base = (uint32_t)(i * size);
		g->f[i].size = (uint32_t)size;
	}
	return 0;
}

void ghost_fini(struct ghost_table *g)
{
	ghost_index_fini(&g->x);
	free(g->ring);
	g->ring = NULL;
}

/*
 * Move f's live positions down to the ring's tail, in order, rewriting
 * their index values; dead positions vanish.  At most cap positions are
 * live and the ring has 2 * cap, so this runs once per >= cap additions.
 */
void ghost_compact(struct ghost_table *g, struct ghost_fifo *f)
{
	uint32_t w = 0;

	for (uint32_t k = 0; k < f->span; k++) {
		uint32_t off = f->tail + k, ref, to;

		if (off >= f->size)
			off -= f->size;
		ref = ghost_pos_ref(g, f->base + off);
		if (ref == GHOST_NONE)
			continue;
		off = f->tail + w++;
		if (off >= f->size)
			off -= f->size;
		to = f->base + off;
		g->ring[to] = ref;
		g->x.b[ref >> 3].val[ref & 7] = to;
	}
	BUG_ON(w != f->live);
	f->span = w;
}

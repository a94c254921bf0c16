/* policies/reclaim/ghost.c — bounded ghost tables (see ghost.h). */
#include "policies/reclaim/ghost.h"

#include <string.h>

#include "common/bug.h"

/* The index and the rings are read at random, once per lookup: large
 * blocks (huge pages from 2 MiB up, where the source has them). */
#define GHOST_MEM (MEM_LINE | MEM_LARGE)

int ghost_index_init(struct ghost_index *x, size_t cap,
		     const struct mem_source *mem)
{
	/* 2 / GHOST_BSLOTS buckets per entry: load <= 1/2 */
	size_t nb = (2 * (cap ? cap : 1) + GHOST_BSLOTS - 1) / GHOST_BSLOTS;

	_Static_assert(sizeof(struct ghost_bucket) == 64, "a bucket is a line");
	_Static_assert(GHOST_BSLOTS <= 4, "four 16-bit tags");

	x->b = NULL;
	if (cap >= (1u << 28))
		return -1;
	x->b = mem_alloc_array(mem, nb, sizeof(*x->b), GHOST_MEM);
	if (!x->b)
		return -1;
	x->nb = (uint32_t)nb;
	x->used = 0;
	return 0;
}

void ghost_index_fini(struct ghost_index *x, const struct mem_source *mem)
{
	mem_free(mem, x->b, ghost_index_bytes(x), GHOST_MEM);
	x->b = NULL;
}

int ghost_init(struct ghost_table *g, size_t cap, unsigned nfifo,
	       const struct mem_source *mem)
{
	size_t size = 2 * cap;

	BUG_ON(cap == 0 || nfifo == 0 || nfifo > GHOST_FIFOS);
	memset(g, 0, sizeof(*g));
	if (cap >= (1u << 28) || ghost_index_init(&g->x, cap, mem))
		return -1;
	g->ring = mem_alloc_array(mem, nfifo * size, sizeof(*g->ring), GHOST_MEM);
	if (!g->ring) {
		ghost_index_fini(&g->x, mem);
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

void ghost_fini(struct ghost_table *g, const struct mem_source *mem)
{
	mem_free_array(mem, g->ring, (size_t)g->nfifo * 2 * g->cap,
		       sizeof(*g->ring), GHOST_MEM);
	ghost_index_fini(&g->x, mem);
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

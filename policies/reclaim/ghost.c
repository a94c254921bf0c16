/* policies/reclaim/ghost.c — bounded ghost tables (see ghost.h). */
#include "policies/reclaim/ghost.h"

#include <stdlib.h>
#include <sys/mman.h>

#include "common/bug.h"

/*
 * The table is read at random, once per lookup: from 2 MiB up it is
 * aligned to 2 MiB and advised to transparent huge pages (sparing a TLB
 * miss per lookup where the kernel has them).  free() releases either.
 */
#define GHOST_HUGE_BYTES ((size_t)2 << 20)

static void *ghost_alloc(size_t bytes)
{
	void *p;

	if (bytes < GHOST_HUGE_BYTES)
		return malloc(bytes);
	bytes = (bytes + GHOST_HUGE_BYTES - 1) & ~(GHOST_HUGE_BYTES - 1);
	p = aligned_alloc(GHOST_HUGE_BYTES, bytes);
#ifdef MADV_HUGEPAGE
	if (p)
		(void)madvise(p, bytes, MADV_HUGEPAGE);	/* advice only */
#endif
	return p;
}

int ghost_init(struct ghost_table *g, size_t cap)
{
	size_t ns = 2;

	BUG_ON(cap == 0 || cap >= GHOST_NIL / 4);
	while (ns < 2 * cap)
		ns *= 2;
	g->e = ghost_alloc(cap * sizeof(*g->e));
	g->slot = ghost_alloc(ns * sizeof(*g->slot));
	if (!g->e || !g->slot) {
		free(g->e);
		free(g->slot);
		g->e = NULL;
		g->slot = NULL;
		return -1;
	}
	g->cap = (uint32_t)cap;
	g->used = 0;
	g->smask = (uint32_t)(ns - 1);
	for (size_t i = 0; i < ns; i++)
		g->slot[i].idx = GHOST_NIL;
	for (size_t i = 0; i < cap; i++) {
		g->e[i].next_free = i + 1 < cap ? (uint32_t)(i + 1) : GHOST_NIL;
		g->e[i].tag = GHOST_FREE;
	}
	g->free_head = 0;
	return 0;
}

void ghost_fini(struct ghost_table *g)
{
	free(g->e);
	free(g->slot);
	g->e = NULL;
	g->slot = NULL;
}

/* The slot holding key, or the empty slot where the probe ended. */
static uint32_t ghost_probe(const struct ghost_table *g, uint64_t key)
{
	uint32_t fp = ghost_fp(key), i = fp & g->smask;

	while (g->slot[i].idx != GHOST_NIL &&
	       (g->slot[i].fp != fp || g->e[g->slot[i].idx].key != key))
		i = (i + 1) & g->smask;
	return i;
}

struct ghost *ghost_find(const struct ghost_table *g, uint64_t key)
{
	uint32_t i = ghost_probe(g, key);

	return g->slot[i].idx == GHOST_NIL ? NULL : &g->e[g->slot[i].idx];
}

struct ghost *ghost_add(struct ghost_table *g, uint64_t key, uint32_t tag)
{
	uint32_t idx = g->free_head, s = ghost_probe(g, key);
	struct ghost *e;

	BUG_ON(idx == GHOST_NIL || g->slot[s].idx != GHOST_NIL);
	e = &g->e[idx];
	g->free_head = e->next_free;
	e->key = key;
	e->tag = tag;
	list_init(&e->link);
	g->slot[s].fp = ghost_fp(key);
	g->slot[s].idx = idx;
	g->used++;
	return e;
}

void ghost_del(struct ghost_table *g, struct ghost *e)
{
	uint32_t i = ghost_probe(g, e->key), j = i;

	BUG_ON(g->slot[i].idx != (uint32_t)(e - g->e));
	/* backward shift: pull later entries of the run into the hole
	 * unless their home lies cyclically in (hole, their slot] */
	for (;;) {
		uint32_t home;

		j = (j + 1) & g->smask;
		if (g->slot[j].idx == GHOST_NIL)
			break;
		home = g->slot[j].fp & g->smask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		g->slot[i] = g->slot[j];
		i = j;
	}
	g->slot[i].idx = GHOST_NIL;
	list_del(&e->link);
	e->tag = GHOST_FREE;
	e->next_free = g->free_head;
	g->free_head = (uint32_t)(e - g->e);
	g->used--;
}

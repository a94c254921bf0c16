/* policies/reclaim/ghost.c — bounded ghost tables (see ghost.h). */
#include "policies/reclaim/ghost.h"

#include <stdlib.h>

#include "common/bug.h"

static inline uint32_t ghost_hash(const struct ghost_table *g, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & g->bmask;
}

int ghost_init(struct ghost_table *g, size_t cap)
{
	size_t nb = 2;

	BUG_ON(cap == 0 || cap >= GHOST_NIL / 4);
	while (nb < 2 * cap)
		nb *= 2;
	g->e = malloc(cap * sizeof(*g->e));
	g->bucket = malloc(nb * sizeof(*g->bucket));
	if (!g->e || !g->bucket) {
		free(g->e);
		free(g->bucket);
		g->e = NULL;
		g->bucket = NULL;
		return -1;
	}
	g->cap = (uint32_t)cap;
	g->used = 0;
	g->bmask = (uint32_t)(nb - 1);
	for (size_t i = 0; i < nb; i++)
		g->bucket[i] = GHOST_NIL;
	for (size_t i = 0; i < cap; i++)
		g->e[i].hnext = i + 1 < cap ? (uint32_t)(i + 1) : GHOST_NIL;
	g->free_head = 0;
	return 0;
}

void ghost_fini(struct ghost_table *g)
{
	free(g->e);
	free(g->bucket);
	g->e = NULL;
	g->bucket = NULL;
}

struct ghost *ghost_find(const struct ghost_table *g, uint64_t key)
{
	uint32_t i = g->bucket[ghost_hash(g, key)];

	while (i != GHOST_NIL) {
		if (g->e[i].key == key)
			return &g->e[i];
		i = g->e[i].hnext;
	}
	return NULL;
}

struct ghost *ghost_add(struct ghost_table *g, uint64_t key, uint32_t tag)
{
	uint32_t i = g->free_head, h = ghost_hash(g, key);
	struct ghost *e;

	BUG_ON(i == GHOST_NIL);
	e = &g->e[i];
	g->free_head = e->hnext;
	e->key = key;
	e->tag = tag;
	e->hnext = g->bucket[h];
	g->bucket[h] = i;
	list_init(&e->link);
	g->used++;
	return e;
}

void ghost_del(struct ghost_table *g, struct ghost *e)
{
	uint32_t i = (uint32_t)(e - g->e);
	uint32_t *pp = &g->bucket[ghost_hash(g, e->key)];

	while (*pp != i) {
		BUG_ON(*pp == GHOST_NIL);
		pp = &g->e[*pp].hnext;
	}
	*pp = e->hnext;
	list_del(&e->link);
	e->hnext = g->free_head;
	g->free_head = i;
	g->used--;
}

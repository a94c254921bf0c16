/*
 * sim/keymap.h — a hash table from page keys to 64-bit values (open
 * addressing, linear probing, backward-shift deletion), for the simulator's
 * pre-pass and the stack-distance analyses.  Not on the replay hot path.
 */
#ifndef PAGELAB_SIM_KEYMAP_H
#define PAGELAB_SIM_KEYMAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_EMPTY UINT64_MAX	/* never a page key: file ids are < 2^24 */

struct keymap {
	uint64_t *keys, *vals;
	size_t cap, n;		/* cap a power of two */
};

static inline size_t key_hash(uint64_t k, size_t cap)
{
	k ^= k >> 31;
	k *= 0x9e3779b97f4a7c15ull;
	k ^= k >> 29;
	return (size_t)k & (cap - 1);
}

static inline int keymap_init(struct keymap *m, size_t cap)
{
	m->cap = cap;
	m->n = 0;
	m->keys = malloc(cap * sizeof(*m->keys));
	m->vals = malloc(cap * sizeof(*m->vals));
	if (!m->keys || !m->vals)
		return -1;
	memset(m->keys, 0xff, cap * sizeof(*m->keys));
	return 0;
}

static inline void keymap_free(struct keymap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = m->vals = NULL;
}

/* The value slot of k, or NULL. */
static inline uint64_t *keymap_find(const struct keymap *m, uint64_t k)
{
	size_t h = key_hash(k, m->cap);

	while (m->keys[h] != KEY_EMPTY) {
		if (m->keys[h] == k)
			return &m->vals[h];
		h = (h + 1) & (m->cap - 1);
	}
	return NULL;
}

/* The value slot of k, inserted with value init if absent (*isnew set);
 * NULL when out of memory. */
static inline uint64_t *keymap_slot(struct keymap *m, uint64_t k, uint64_t init,
				    int *isnew)
{
	size_t h;

	if (2 * (m->n + 1) > m->cap) {
		struct keymap g;

		if (keymap_init(&g, 2 * m->cap)) {
			keymap_free(&g);
			return NULL;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (m->keys[i] == KEY_EMPTY)
				continue;
			h = key_hash(m->keys[i], g.cap);
			while (g.keys[h] != KEY_EMPTY)
				h = (h + 1) & (g.cap - 1);
			g.keys[h] = m->keys[i];
			g.vals[h] = m->vals[i];
		}
		g.n = m->n;
		keymap_free(m);
		*m = g;
	}
	h = key_hash(k, m->cap);
	while (m->keys[h] != KEY_EMPTY && m->keys[h] != k)
		h = (h + 1) & (m->cap - 1);
	*isnew = m->keys[h] == KEY_EMPTY;
	if (*isnew) {
		m->keys[h] = k;
		m->vals[h] = init;
		m->n++;
	}
	return &m->vals[h];
}

/* Remove k if present (backward-shift: no tombstones). */
static inline void keymap_del(struct keymap *m, uint64_t k)
{
	size_t mask = m->cap - 1, i = key_hash(k, m->cap), j;

	while (m->keys[i] != k) {
		if (m->keys[i] == KEY_EMPTY)
			return;
		i = (i + 1) & mask;
	}
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (m->keys[j] == KEY_EMPTY)
			break;
		home = key_hash(m->keys[j], m->cap);
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((i < j) ? (home <= i || home > j) : (home <= i && home > j)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->keys[i] = KEY_EMPTY;
	m->n--;
}

#endif

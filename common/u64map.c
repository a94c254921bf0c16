/* common/u64map.c — the u64 -> u64 hash map: creation, growth, deletion
 * (design: common/u64map.h). */
#include "common/u64map.h"

#include <stdlib.h>

#define U64MAP_MIN_SLOTS 16

/* The capacity that holds n keys at load <= 1/2. */
static size_t slots_for(uint64_t n)
{
	size_t cap = U64MAP_MIN_SLOTS;

	while (cap / 2 < n)
		cap *= 2;
	return cap;
}

int u64map_init(struct u64map *m, size_t nkeys)
{
	size_t cap = slots_for(nkeys);

	*m = (struct u64map){ .mask = cap - 1 };
	m->slots = calloc(cap, sizeof(*m->slots));
	return m->slots ? 0 : -1;
}

void u64map_free(struct u64map *m)
{
	free(m->slots);
	m->slots = NULL;
}

int u64map_grow(struct u64map *m, uint64_t n)
{
	size_t cap = slots_for(n), old = m->mask + 1;
	struct u64map_slot *s = m->slots;

	if (cap <= old)
		return 0;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = s;
		return -1;
	}
	m->mask = cap - 1;
	for (size_t i = 0; i < old; i++)
		if (s[i].key)
			*u64map_probe(m, s[i].key) = s[i];
	free(s);
	return 0;
}

bool u64map_del(struct u64map *m, uint64_t key)
{
	struct u64map_slot *hole;
	size_t i, j;

	if (key == 0) {
		if (!m->has_zero)
			return false;
		m->has_zero = false;
		m->n--;
		return true;
	}
	hole = u64map_probe(m, key);
	if (!hole->key)
		return false;
	/* Backward shift: move each later key of the run into the hole unless
	 * its home lies cyclically in (hole, its slot]. */
	i = (size_t)(hole - m->slots);
	for (j = (i + 1) & m->mask; m->slots[j].key; j = (j + 1) & m->mask) {
		size_t home = u64map_home(m, m->slots[j].key);

		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].key = 0;
	m->n--;
	return true;
}

void u64map_each(struct u64map *m,
		 void (*fn)(void *arg, uint64_t key, uint64_t *val), void *arg)
{
	if (m->has_zero)
		fn(arg, 0, &m->zero_val);
	for (size_t i = 0; i <= m->mask; i++)
		if (m->slots[i].key)
			fn(arg, m->slots[i].key, &m->slots[i].val);
}

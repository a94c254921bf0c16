/* workloads/keymap.c — dense key renumbering (see keymap.h). */
#include <stdlib.h>

#include "workloads/keymap.h"

static inline size_t slot_of(uint64_t key, size_t mask)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & mask;
}

int keymap_init(struct keymap *m)
{
	m->mask = 1023;
	m->n = 0;
	m->slots = calloc(m->mask + 1, sizeof(*m->slots));
	return m->slots ? 0 : -1;
}

void keymap_free(struct keymap *m)
{
	free(m->slots);
	m->slots = NULL;
}

static int grow(struct keymap *m)
{
	size_t ncap = (m->mask + 1) * 2, nmask = ncap - 1;
	struct keymap_slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t i = 0; i <= m->mask; i++) {
		struct keymap_slot *s = &m->slots[i];
		size_t j;
		if (!s->id1)
			continue;
		for (j = slot_of(s->key, nmask); ns[j].id1; j = (j + 1) & nmask)
			;
		ns[j] = *s;
	}
	free(m->slots);
	m->slots = ns;
	m->mask = nmask;
	return 0;
}

uint64_t keymap_id(struct keymap *m, uint64_t key)
{
	size_t i;

	for (i = slot_of(key, m->mask); m->slots[i].id1; i = (i + 1) & m->mask)
		if (m->slots[i].key == key)
			return m->slots[i].id1 - 1;
	if ((m->n + 1) * 2 > m->mask + 1) {
		if (grow(m) < 0)
			return UINT64_MAX;
		for (i = slot_of(key, m->mask); m->slots[i].id1;
		     i = (i + 1) & m->mask)
			;
	}
	m->slots[i].key = key;
	m->slots[i].id1 = ++m->n;
	return m->n - 1;
}

uint64_t keymap_find(const struct keymap *m, uint64_t key)
{
	for (size_t i = slot_of(key, m->mask); m->slots[i].id1;
	     i = (i + 1) & m->mask)
		if (m->slots[i].key == key)
			return m->slots[i].id1 - 1;
	return UINT64_MAX;
}

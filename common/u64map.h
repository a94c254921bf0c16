/*
 * common/u64map.h — the one hash map from 64-bit keys to 64-bit values.
 *
 * Used wherever pagelab needs "this key -> a number" outside a policy's own
 * design: the dense renumbering of key-only traces (u64map_id: the oracle,
 * csv and lackey readers), the simulator's pre-pass (distinct pages, next
 * use) and the stack-distance tree (key -> its latest time slot).
 *
 * Open addressing with linear probing (Knuth, TAOCP vol. 3, 6.4, algorithm
 * L) and backward-shift deletion (algorithm R: no tombstones, so probe
 * lengths never degrade).  The layout is chosen for lookups that miss the
 * cache, as the renumbering of a million-key trace does on every access:
 *
 *   slots[cap]   16 bytes {key, val}, cap a power of two, at most half
 *                full: a lookup reads one slot, rarely two, and the key
 *                and its value share a cache line;
 *   home(key)    fmix(key) & (cap - 1), fmix a multiply between two
 *                xor-shifts, so every bit of the key reaches the low bits
 *                (page keys differ in their low bits, csv keys hashed from
 *                strings anywhere);
 *   key 0        marks an empty slot (calloc'd memory is an empty table);
 *                the key 0 itself is kept beside the slots.
 *
 * A slot's address depends only on the key, so a caller that knows the
 * keys ahead (a reader holding a block of records) can u64map_prefetch()
 * them a few records before it looks them up: the misses then overlap
 * instead of queueing one behind another.
 *
 * Memory: 32 to 64 bytes per key (16 per slot, load 1/4 to 1/2).  All
 * operations run in ordinary thread context (they may call calloc/free);
 * none is thread-safe.
 */
#ifndef PAGELAB_COMMON_U64MAP_H
#define PAGELAB_COMMON_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map_slot {
	uint64_t key;		/* 0: empty */
	uint64_t val;
};

struct u64map {
	struct u64map_slot *slots;
	size_t mask;		/* capacity - 1 */
	uint64_t n;		/* keys held, key 0 included */
	bool has_zero;		/* key 0 is held, its value in zero_val */
	uint64_t zero_val;
};

/* An empty map with room for about nkeys keys before it grows.
 * 0, or -1 when out of memory (then u64map_free() is still safe). */
int u64map_init(struct u64map *m, size_t nkeys);
void u64map_free(struct u64map *m);

/* Grow so that the slots hold n keys at load <= 1/2.  0, or -1 when out of
 * memory (the map is unchanged). */
int u64map_grow(struct u64map *m, uint64_t n);

static inline size_t u64map_home(const struct u64map *m, uint64_t key)
{
	key ^= key >> 32;
	key *= 0xd6e8feb86659fd93ull;
	key ^= key >> 32;
	return (size_t)key & m->mask;
}

/* Start loading key's slot (a hint: nothing else happens).  always_inline:
 * gcc 12 finds a function whose only statement is a prefetch free of side
 * effects and deletes calls to it that it does not inline. */
static inline __attribute__((always_inline)) void u64map_prefetch(const struct u64map *m, uint64_t key)
{
	__builtin_prefetch(&m->slots[u64map_home(m, key)]);
}

/* The slot key would take (probing stops there): holding key, or empty. */
static inline struct u64map_slot *u64map_probe(const struct u64map *m,
					       uint64_t key)
{
	size_t i = u64map_home(m, key);

	while (m->slots[i].key != key && m->slots[i].key != 0)
		i = (i + 1) & m->mask;
	return &m->slots[i];
}

/* The value of key, or NULL if key is absent.  The pointer is valid until
 * the next insertion or deletion. */
static inline uint64_t *u64map_find(struct u64map *m, uint64_t key)
{
	struct u64map_slot *s;

	if (key == 0)
		return m->has_zero ? &m->zero_val : NULL;
	s = u64map_probe(m, key);
	return s->key ? &s->val : NULL;
}

/* The value of key, inserted with value init if absent (then *isnew is
 * true).  NULL when out of memory.  Valid until the next insertion or
 * deletion. */
static inline uint64_t *u64map_insert(struct u64map *m, uint64_t key,
				      uint64_t init, bool *isnew)
{
	struct u64map_slot *s;

	*isnew = false;
	if (key == 0) {
		if (!m->has_zero) {
			m->has_zero = *isnew = true;
			m->zero_val = init;
			m->n++;
		}
		return &m->zero_val;
	}
	s = u64map_probe(m, key);
	if (s->key)
		return &s->val;
	if (2 * (m->n + 1) > m->mask + 1) {
		if (u64map_grow(m, m->n + 1) < 0)
			return NULL;
		s = u64map_probe(m, key);
	}
	*isnew = true;
	s->key = key;
	s->val = init;
	m->n++;
	return &s->val;
}

/*
 * Dense renumbering: the number of distinct keys inserted before key's
 * first sight (0, 1, 2, ... in first-seen order), the same ever after.
 * UINT64_MAX when out of memory.  Do not mix with deletions.
 */
static inline uint64_t u64map_id(struct u64map *m, uint64_t key)
{
	bool isnew;
	uint64_t *v = u64map_insert(m, key, m->n, &isnew);

	return v ? *v : UINT64_MAX;
}

/* Remove key; false if it was absent. */
bool u64map_del(struct u64map *m, uint64_t key);

/* Call fn(arg, key, &value) for every key, in no particular order; fn may
 * change the value, not insert or delete. */
void u64map_each(struct u64map *m,
		 void (*fn)(void *arg, uint64_t key, uint64_t *val), void *arg);

#endif

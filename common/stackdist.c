/* common/stackdist.c — exact LRU stack distances over a compacting Fenwick
 * tree (design: common/stackdist.h). */
#include "common/stackdist.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/bug.h"
#include "common/u64map.h"

#define STACKDIST_MIN_SLOTS 1024	/* a multiple of 64 (one bitmap word) */

struct stackdist {
	struct u64map map;	/* key -> its latest slot */
	uint32_t *fen;		/* Fenwick tree over the slots: fen[1..cap] */
	uint64_t *latest;	/* bit per slot: the latest slot of a held key */
	size_t cap, now;	/* slots; the next slot to take */
};

struct stackdist *stackdist_create(void)
{
	struct stackdist *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cap = STACKDIST_MIN_SLOTS;
	s->fen = calloc(s->cap + 1, sizeof(*s->fen));
	s->latest = calloc(s->cap / 64, sizeof(*s->latest));
	if (u64map_init(&s->map, s->cap / 2) < 0 || !s->fen || !s->latest) {
		stackdist_destroy(s);
		return NULL;
	}
	return s;
}

void stackdist_destroy(struct stackdist *s)
{
	if (!s)
		return;
	u64map_free(&s->map);
	free(s->fen);
	free(s->latest);
	free(s);
}

static inline void fen_add(struct stackdist *s, size_t slot, int32_t d)
{
	for (size_t i = slot + 1; i <= s->cap; i += i & -i)
		s->fen[i] += (uint32_t)d;
}

/* The latest slots in [0, slot]. */
static inline uint64_t fen_prefix(const struct stackdist *s, size_t slot)
{
	uint64_t sum = 0;

	for (size_t i = slot + 1; i > 0; i -= i & -i)
		sum += s->fen[i];
	return sum;
}

static inline void latest_set(struct stackdist *s, size_t slot, bool on)
{
	uint64_t bit = 1ull << (slot % 64);

	if (on)
		s->latest[slot / 64] |= bit;
	else
		s->latest[slot / 64] &= ~bit;
}

/* Compaction moves each key's latest slot to its rank among the latest
 * slots: rank[w] counts the latest slots in the bitmap words before w. */
struct renumber {
	const struct stackdist *s;
	const uint32_t *rank;
};

static void renumber_one(void *arg, uint64_t key, uint64_t *slot)
{
	const struct renumber *r = arg;
	uint64_t below = r->s->latest[*slot / 64] & ((1ull << (*slot % 64)) - 1);

	(void)key;
	*slot = r->rank[*slot / 64] + (uint64_t)__builtin_popcountll(below);
}

/* The slots are all taken: renumber the latest slots 0..n-1 in time order,
 * doubling the slots while more than half of them stay taken.  0, or -1
 * when out of memory (nothing changed). */
static int compact(struct stackdist *s)
{
	size_t n = s->map.n, cap = s->cap, words = s->cap / 64, acc = 0;
	struct renumber r = { s, NULL };
	uint32_t *rank;

	if (2 * n > cap) {
		uint32_t *fen;
		uint64_t *latest;

		if (2 * cap > UINT32_MAX)	/* the tree counts in 32 bits */
			return -1;
		cap *= 2;
		fen = realloc(s->fen, (cap + 1) * sizeof(*fen));
		if (!fen)
			return -1;
		s->fen = fen;
		latest = realloc(s->latest, cap / 64 * sizeof(*latest));
		if (!latest)
			return -1;
		s->latest = latest;
	}
	/* the tree is rebuilt below: its words hold the ranks meanwhile */
	rank = s->fen;
	for (size_t w = 0; w < words; w++) {
		rank[w] = (uint32_t)acc;
		acc += (size_t)__builtin_popcountll(s->latest[w]);
	}
	BUG_ON(acc != n);
	r.rank = rank;
	u64map_each(&s->map, renumber_one, &r);

	s->cap = cap;
	s->now = n;
	memset(s->latest, 0, cap / 64 * sizeof(*s->latest));
	for (size_t i = 0; i < n; i++)
		latest_set(s, i, true);
	/* fen[i] covers slots (i - lowbit(i), i], 1-based: ones at 1..n */
	for (size_t i = 1; i <= cap; i++) {
		size_t lo = i - (i & -i);
		s->fen[i] = (uint32_t)((i < n ? i : n) - (lo < n ? lo : n));
	}
	return 0;
}

uint64_t stackdist_access(struct stackdist *s, uint64_t key)
{
	uint64_t *slot, dist = 0;
	bool isnew;

	if (s->now == s->cap && compact(s) < 0)
		return STACKDIST_OOM;
	slot = u64map_insert(&s->map, key, s->now, &isnew);
	if (!slot)
		return STACKDIST_OOM;
	if (!isnew) {
		/* 1 + the held keys whose latest slot is after key's */
		dist = s->map.n - fen_prefix(s, *slot) + 1;
		fen_add(s, *slot, -1);
		latest_set(s, *slot, false);
		*slot = s->now;
	}
	fen_add(s, s->now, 1);
	latest_set(s, s->now, true);
	s->now++;
	return dist;
}

void stackdist_forget(struct stackdist *s, uint64_t key)
{
	uint64_t *slot = u64map_find(&s->map, key);

	if (!slot)
		return;
	fen_add(s, *slot, -1);
	latest_set(s, *slot, false);
	u64map_del(&s->map, key);
}

uint64_t stackdist_nkeys(const struct stackdist *s)
{
	return s->map.n;
}

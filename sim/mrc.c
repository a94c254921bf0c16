/* sim/mrc.c — exact LRU miss-ratio curves and SHARDS (design: sim/mrc.h). */
#include "sim/mrc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bug.h"
#include "sim/keymap.h"

#define SHARDS_P (1ull << 32)

struct mrc {
	/* stack distances */
	struct keymap map;	/* key -> time slot of its latest access */
	uint32_t *fen;		/* Fenwick tree, 1-based, cap entries */
	uint64_t *slot_key;	/* key at a slot, KEY_EMPTY if none */
	size_t cap, now, live;
	/* histogram */
	int shards;
	uint64_t *hist;		/* exact: hist[d], d >= 1 */
	double *whist;		/* SHARDS: weight at scaled distance */
	size_t hcap;
	double cold, wtotal;	/* SHARDS */
	uint64_t ucold;		/* exact */
	uint64_t naccesses, nsampled;
	/* SHARDS */
	uint64_t threshold, smax;
	uint64_t *heap;		/* fixed-size: max-heap of the sampled keys' hashes */
	uint64_t *heap_key;	/* the key beside each hash */
	size_t nheap, heap_cap;
};

static inline uint64_t shards_hash(uint64_t key)
{
	key += 0x9e3779b97f4a7c15ull;
	key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ull;
	key = (key ^ (key >> 27)) * 0x94d049bb133111ebull;
	key ^= key >> 31;
	return key & (SHARDS_P - 1);
}

struct mrc *mrc_create(double rate, uint64_t smax, char *err, size_t errlen)
{
	struct mrc *m = calloc(1, sizeof(*m));

	if (!(rate > 0 && rate <= 1) && !smax) {
		snprintf(err, errlen, "SHARDS rate %g is not in (0, 1]", rate);
		free(m);
		return NULL;
	}
	if (!m || keymap_init(&m->map, 1024))
		goto oom;
	m->cap = 1024;
	m->fen = calloc(m->cap + 1, sizeof(*m->fen));
	m->slot_key = malloc(m->cap * sizeof(*m->slot_key));
	if (!m->fen || !m->slot_key)
		goto oom;
	m->shards = smax || rate < 1;
	m->smax = smax;
	m->threshold = smax ? SHARDS_P : (uint64_t)(rate * (double)SHARDS_P);
	if (m->shards && m->threshold == 0)
		m->threshold = 1;
	return m;
oom:
	snprintf(err, errlen, "out of memory");
	mrc_destroy(m);
	return NULL;
}

void mrc_destroy(struct mrc *m)
{
	if (!m)
		return;
	keymap_free(&m->map);
	free(m->fen);
	free(m->slot_key);
	free(m->hist);
	free(m->whist);
	free(m->heap);
	free(m->heap_key);
	free(m);
}

static inline void fen_add(struct mrc *m, size_t i, int32_t d)
{
	for (i++; i <= m->cap; i += i & -i)
		m->fen[i] += (uint32_t)d;
}

/* Ones at slots [0, i]. */
static inline uint64_t fen_prefix(const struct mrc *m, size_t i)
{
	uint64_t s = 0;

	for (i++; i > 0; i -= i & -i)
		s += m->fen[i];
	return s;
}

/* Renumber the live slots 0..live-1 (in time order); grow when half full. */
static int compact(struct mrc *m)
{
	size_t j = 0;

	for (size_t i = 0; i < m->now; i++) {
		uint64_t k = m->slot_key[i];
		if (k == KEY_EMPTY)
			continue;
		*keymap_find(&m->map, k) = j;
		m->slot_key[j++] = k;
	}
	BUG_ON(j != m->live);
	if (2 * m->live > m->cap) {
		size_t cap = 2 * m->cap;
		uint32_t *f = realloc(m->fen, (cap + 1) * sizeof(*f));
		uint64_t *sk;

		if (!f)
			return -1;
		m->fen = f;
		sk = realloc(m->slot_key, cap * sizeof(*sk));
		if (!sk)
			return -1;
		m->slot_key = sk;
		m->cap = cap;
	}
	m->now = j;
	memset(m->fen, 0, (m->cap + 1) * sizeof(*m->fen));
	for (size_t i = 1; i <= j; i++)
		m->fen[i] = 1;
	for (size_t i = 1; i <= m->cap; i++) {
		size_t p = i + (i & -i);
		if (p <= m->cap)
			m->fen[p] += m->fen[i];
	}
	return 0;
}

static int grow_hist(struct mrc *m, size_t need)
{
	size_t cap = m->hcap ? m->hcap : 1024;

	while (cap <= need)
		cap *= 2;
	if (m->shards) {
		double *h = realloc(m->whist, cap * sizeof(*h));
		if (!h)
			return -1;
		memset(h + m->hcap, 0, (cap - m->hcap) * sizeof(*h));
		m->whist = h;
	} else {
		uint64_t *h = realloc(m->hist, cap * sizeof(*h));
		if (!h)
			return -1;
		memset(h + m->hcap, 0, (cap - m->hcap) * sizeof(*h));
		m->hist = h;
	}
	m->hcap = cap;
	return 0;
}

/* Forget key (fixed-size SHARDS eviction). */
static void sd_forget(struct mrc *m, uint64_t key)
{
	uint64_t *slot = keymap_find(&m->map, key);

	if (!slot)
		return;
	fen_add(m, *slot, -1);
	m->slot_key[*slot] = KEY_EMPTY;
	keymap_del(&m->map, key);
	m->live--;
}

/* Stack distance of key's access (0: first access), and record it. */
static int sd_access(struct mrc *m, uint64_t key, uint64_t *dist)
{
	int isnew;
	uint64_t *slot;

	if (m->now == m->cap && compact(m))
		return -1;
	slot = keymap_slot(&m->map, key, 0, &isnew);
	if (!slot)
		return -1;
	if (isnew) {
		*dist = 0;
		m->live++;
	} else {
		*dist = m->live - fen_prefix(m, *slot) + 1;
		fen_add(m, *slot, -1);
		m->slot_key[*slot] = KEY_EMPTY;
	}
	*slot = m->now;
	m->slot_key[m->now] = key;
	fen_add(m, m->now, 1);
	m->now++;
	return 0;
}

static void heap_swap(struct mrc *m, size_t a, size_t b)
{
	uint64_t t = m->heap[a], k = m->heap_key[a];

	m->heap[a] = m->heap[b];
	m->heap_key[a] = m->heap_key[b];
	m->heap[b] = t;
	m->heap_key[b] = k;
}

static int heap_push(struct mrc *m, uint64_t h, uint64_t key)
{
	size_t i;

	if (m->nheap == m->heap_cap) {
		size_t cap = m->heap_cap ? 2 * m->heap_cap : 16;
		uint64_t *a = realloc(m->heap, cap * sizeof(*a));
		uint64_t *b;
		if (!a)
			return -1;
		m->heap = a;
		b = realloc(m->heap_key, cap * sizeof(*b));
		if (!b)
			return -1;
		m->heap_key = b;
		m->heap_cap = cap;
	}
	i = m->nheap++;
	m->heap[i] = h;
	m->heap_key[i] = key;
	while (i > 0 && m->heap[(i - 1) / 2] < m->heap[i]) {
		heap_swap(m, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static void heap_pop(struct mrc *m)
{
	size_t i = 0;

	m->nheap--;
	m->heap[0] = m->heap[m->nheap];
	m->heap_key[0] = m->heap_key[m->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, big = i;
		if (l < m->nheap && m->heap[l] > m->heap[big])
			big = l;
		if (r < m->nheap && m->heap[r] > m->heap[big])
			big = r;
		if (big == i)
			break;
		heap_swap(m, i, big);
		i = big;
	}
}

int mrc_access(struct mrc *m, uint64_t key)
{
	uint64_t d, h = 0;

	m->naccesses++;
	if (m->shards) {
		h = shards_hash(key);
		if (h >= m->threshold)
			return 0;
		m->nsampled++;
	}
	if (sd_access(m, key, &d))
		return -1;
	if (!m->shards) {
		if (!d) {
			m->ucold++;
			return 0;
		}
		if (d >= m->hcap && grow_hist(m, d))
			return -1;
		m->hist[d]++;
		return 0;
	}
	if (!d) {
		m->cold += 1;
		if (m->smax) {
			if (heap_push(m, h, key))
				return -1;
			while (m->live > m->smax) {
				/* Lower T to the largest hash; evict all keys at it. */
				double old_rate = (double)m->threshold / (double)SHARDS_P;
				double scale;
				m->threshold = m->heap[0];
				while (m->nheap && m->heap[0] >= m->threshold) {
					sd_forget(m, m->heap_key[0]);
					heap_pop(m);
				}
				scale = ((double)m->threshold / (double)SHARDS_P) / old_rate;
				for (size_t i = 0; i < m->hcap; i++)
					m->whist[i] *= scale;
				m->cold *= scale;
			}
		}
		return 0;
	}
	{
		double rate = (double)m->threshold / (double)SHARDS_P;
		double sdist = ceil((double)d / rate);
		size_t b = sdist > 1e12 ? (size_t)1e12 : (size_t)sdist;

		if (b >= m->hcap && grow_hist(m, b))
			return -1;
		m->whist[b] += 1;
	}
	return 0;
}

uint64_t mrc_naccesses(const struct mrc *m)
{
	return m->naccesses;
}

uint64_t mrc_ndistinct(const struct mrc *m)
{
	return m->shards ? m->live : m->map.n;
}

double mrc_rate(const struct mrc *m)
{
	return m->shards ? (double)m->threshold / (double)SHARDS_P : 1.0;
}

uint64_t *mrc_misses(const struct mrc *m, uint64_t maxsize)
{
	uint64_t *mis = malloc((maxsize + 1) * sizeof(*mis));
	uint64_t tail = 0;

	if (!mis || m->shards) {
		free(mis);
		return NULL;
	}
	/* misses(c) = cold + #{d > c} */
	for (size_t d = m->hcap; d-- > maxsize + 1;)
		tail += m->hist[d];
	for (uint64_t c = maxsize + 1; c-- > 0;) {
		mis[c] = m->ucold + tail;
		if (c < m->hcap)
			tail += m->hist[c];
	}
	return mis;
}

double *mrc_curve(const struct mrc *m, uint64_t maxsize)
{
	double *r = malloc((maxsize + 1) * sizeof(*r));
	double tail = 0, total, first_adj = 0;

	if (!r)
		return NULL;
	if (!m->shards) {
		uint64_t *mis = mrc_misses(m, maxsize);
		if (!mis) {
			free(r);
			return NULL;
		}
		for (uint64_t c = 0; c <= maxsize; c++)
			r[c] = m->naccesses ? (double)mis[c] / (double)m->naccesses : 0;
		free(mis);
		return r;
	}
	total = m->cold;
	for (size_t i = 0; i < m->hcap; i++)
		total += m->whist[i];
	if (!m->smax) {
		/* SHARDS_adj: expected sampled references minus actual, into
		 * the first bucket (a hit at every size). */
		first_adj = (double)m->naccesses * mrc_rate(m) - (double)m->nsampled;
		total += first_adj;
	}
	for (size_t d = m->hcap; d-- > maxsize + 1;)
		tail += m->whist[d];
	for (uint64_t c = maxsize + 1; c-- > 0;) {
		double mis = m->cold + tail;
		r[c] = total > 0 ? mis / total : 0;
		if (r[c] < 0)
			r[c] = 0;
		if (r[c] > 1)
			r[c] = 1;
		if (c < m->hcap)
			tail += m->whist[c];
	}
	/* c = 0: everything misses. */
	r[0] = 1;
	return r;
}

/* sim/mrc.c — exact LRU miss-ratio curves and SHARDS (design: sim/mrc.h). */
#include "sim/mrc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/stackdist.h"

#define SHARDS_P (1ull << 32)

struct mrc {
	struct stackdist *sd;	/* stack distances of the (sampled) keys */
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
	if (!m || !(m->sd = stackdist_create()))
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
	stackdist_destroy(m->sd);
	free(m->hist);
	free(m->whist);
	free(m->heap);
	free(m->heap_key);
	free(m);
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
	d = stackdist_access(m->sd, key);
	if (d == STACKDIST_OOM)
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
			while (stackdist_nkeys(m->sd) > m->smax) {
				/* Lower T to the largest hash; evict all keys at it. */
				double old_rate = (double)m->threshold / (double)SHARDS_P;
				double scale;
				m->threshold = m->heap[0];
				while (m->nheap && m->heap[0] >= m->threshold) {
					stackdist_forget(m->sd, m->heap_key[0]);
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
		/* no distance exceeds the accesses seen so far */
		size_t b = sdist > (double)m->naccesses ? (size_t)m->naccesses :
							  (size_t)sdist;

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
	return stackdist_nkeys(m->sd);
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

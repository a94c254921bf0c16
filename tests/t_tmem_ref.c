/*
 * tests/t_tmem_ref.c — the tmem tier against a deliberately naive
 * reference model of pools, written here with one array and linear scans
 * so that it is obviously the definition of policies/tmem.h:
 *
 *   put    drop the handle's entry; stored size = 8 for a page of equal
 *          words, else what the store's compress writes (0: refused); if
 *          it does not fit, an ephemeral put is refused, a persistent one
 *          drops ephemeral entries in put order when that is enough, else
 *          is refused;
 *   get    the entry's page, which leaves if its pool is ephemeral;
 *   flush  drop the entry, or every entry of the object.
 *
 * Seeded random streams of put / get / flush_page / flush_object over two
 * pools of each kind, a few objects and indexes and pages of every kind
 * (zero, same-filled, compressible at several ratios, random), for each
 * store: every return code, every page a get returns, and the counters
 * (pages, bytes, peak, evictions, refusals) must agree after every step.
 * A second tier runs the same stream the simulator's way (tmem_put_size
 * with each page's stored size, gets without bytes) and must agree too.
 */
#include <errno.h>
#include <string.h>

#include "common/bug.h"
#include "common/rng.h"
#include "policies/tmem.h"
#include "tests/testhelp.h"
#include "workloads/synth.h"

#define PB 4096
#define NOPS 20000
#define NCONTENT 48
#define MODEL_MAX 4096

struct entry {
	int pool;
	uint64_t obj, index;
	int content;
	size_t bytes;
	uint64_t seq;		/* put order */
};

struct model {
	struct entry e[MODEL_MAX];
	size_t n;
	size_t cap, bytes, peak;
	uint64_t seq, evictions, refused;
	bool persistent[4];
};

static unsigned char contents[NCONTENT][PB];
static size_t content_bytes[NCONTENT];

static void make_contents(struct tmem_store *s)
{
	static unsigned char dst[PB];

	for (int c = 0; c < NCONTENT; c++) {
		uint64_t *w = (uint64_t *)(void *)contents[c];
		bool same = true;

		if (c % 8 == 0) {
			memset(contents[c], 0, PB);
		} else if (c % 8 == 1) {
			for (size_t i = 0; i < PB / 8; i++)
				w[i] = 0x0101010101010101ull * (uint64_t)c;
		} else {
			const double ratios[] = { 0.7, 1.3, 2, 3, 5, 12 };
			struct synth_params p = { ratios[c % 6], (uint64_t)c };

			synth_page(&p, 0, (uint64_t)c, 0, contents[c], PB);
		}
		for (size_t i = 1; i < PB / 8; i++)
			same &= w[i] == w[0];
		content_bytes[c] = same ? 8 : s->ops->compress(s, contents[c],
							       dst, PB);
	}
}

static long model_find(const struct model *m, int pool, uint64_t obj,
		       uint64_t index)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].pool == pool && m->e[i].obj == obj &&
		    m->e[i].index == index)
			return (long)i;
	return -1;
}

static void model_drop(struct model *m, size_t i)
{
	m->bytes -= m->e[i].bytes;
	m->e[i] = m->e[--m->n];
}

static int model_put(struct model *m, int pool, uint64_t obj, uint64_t index,
		     int content)
{
	long i = model_find(m, pool, obj, index);
	size_t bytes = content_bytes[content];

	if (i >= 0)
		model_drop(m, (size_t)i);
	if (!bytes) {
		m->refused++;
		return -E2BIG;
	}
	if (m->bytes + bytes > m->cap) {
		size_t eph = 0;

		for (size_t j = 0; j < m->n; j++)
			if (!m->persistent[m->e[j].pool])
				eph += m->e[j].bytes;
		if (!m->persistent[pool] || m->bytes - eph + bytes > m->cap) {
			m->refused++;
			return -ENOSPC;
		}
		while (m->bytes + bytes > m->cap) {
			size_t old = SIZE_MAX;

			for (size_t j = 0; j < m->n; j++)
				if (!m->persistent[m->e[j].pool] &&
				    (old == SIZE_MAX || m->e[j].seq < m->e[old].seq))
					old = j;
			model_drop(m, old);
			m->evictions++;
		}
	}
	BUG_ON(m->n == MODEL_MAX);
	m->e[m->n++] = (struct entry){ pool, obj, index, content, bytes,
				       ++m->seq };
	m->bytes += bytes;
	if (m->bytes > m->peak)
		m->peak = m->bytes;
	return 0;
}

static void run(const char *spec, size_t cap_pages, uint64_t seed)
{
	static unsigned char out[PB];
	static struct model m;
	char err[256];
	struct tmem_store *s = tmem_store_create(spec, PB, NULL, err,
						 sizeof(err));
	struct tmem *t, *ts;	/* with bytes; sizes only */
	struct rng r;
	int pools[4];
	unsigned long bad = 0;

	BUG_ON(!s);
	make_contents(s);
	t = tmem_create(cap_pages * PB, s, err, sizeof(err));
	s = tmem_store_create(spec, PB, NULL, err, sizeof(err));
	ts = s ? tmem_create(cap_pages * PB, s, err, sizeof(err)) : NULL;
	BUG_ON(!t || !ts);
	memset(&m, 0, sizeof(m));
	m.cap = cap_pages * PB;
	for (int i = 0; i < 4; i++) {
		m.persistent[i] = i & 1;
		pools[i] = tmem_new_pool(t, i & 1 ? TMEM_PERSISTENT :
					 TMEM_EPHEMERAL);
		BUG_ON(pools[i] != i);
		BUG_ON(tmem_new_pool(ts, i & 1 ? TMEM_PERSISTENT :
				     TMEM_EPHEMERAL) != i);
	}
	rng_seed(&r, seed);
	for (int op = 0; op < NOPS && bad < 5; op++) {
		int pool = (int)rng_below(&r, 4);
		uint64_t obj = rng_below(&r, 3);
		uint64_t index = rng_below(&r, 12) << (rng_below(&r, 4) * 9);
		uint64_t k = rng_below(&r, 100);
		int want, got, got_s;

		if (k < 45) {
			int c = (int)rng_below(&r, NCONTENT);

			want = model_put(&m, pool, obj, index, c);
			got = tmem_put(t, pool, obj, index, contents[c]);
			got_s = tmem_put_size(ts, pool, obj, index,
					      content_bytes[c]);
		} else if (k < 90) {
			long i = model_find(&m, pool, obj, index);

			want = i < 0 ? -ENOENT : 0;
			got = tmem_get(t, pool, obj, index, out);
			got_s = tmem_get(ts, pool, obj, index, NULL);
			if (!got && i >= 0 && memcmp(out, contents[m.e[i].content], PB)) {
				bad++;
				CHECK_MSG(0, "%s op %d: get returned the wrong page", spec, op);
			}
			if (i >= 0 && !m.persistent[pool])
				model_drop(&m, (size_t)i);
		} else if (k < 97) {
			long i = model_find(&m, pool, obj, index);

			want = i >= 0;
			if (i >= 0)
				model_drop(&m, (size_t)i);
			got = tmem_flush_page(t, pool, obj, index);
			got_s = tmem_flush_page(ts, pool, obj, index);
		} else {
			want = 0;
			for (size_t i = m.n; i-- > 0;)
				if (m.e[i].pool == pool && m.e[i].obj == obj) {
					model_drop(&m, i);
					want++;
				}
			got = (int)tmem_flush_object(t, pool, obj);
			got_s = (int)tmem_flush_object(ts, pool, obj);
		}
		if (got_s != got ||
		    memcmp(tmem_stats(ts), tmem_stats(t), sizeof(struct tmem_stats))) {
			bad++;
			CHECK_MSG(0, "%s op %d: the sizes-only tier differs (rc %d, %d)",
				  spec, op, got_s, got);
		}
		if (got != want || tmem_stats(t)->pages != m.n ||
		    tmem_stats(t)->bytes != m.bytes ||
		    tmem_stats(t)->bytes_peak != m.peak ||
		    tmem_stats(t)->evictions != m.evictions ||
		    tmem_stats(t)->put_refused != m.refused) {
			bad++;
			CHECK_MSG(0, "%s op %d (kind %d): rc %d want %d, pages %llu/%zu, "
				  "bytes %llu/%zu", spec, op, (int)k, got, want,
				  (unsigned long long)tmem_stats(t)->pages, m.n,
				  (unsigned long long)tmem_stats(t)->bytes, m.bytes);
		}
	}
	CHECK_MSG(bad == 0, "%s seed %llu", spec, (unsigned long long)seed);
	/* the streams reached every interesting state */
	CHECK_MSG(m.evictions > 10 && m.refused > 10 && m.peak > m.cap - PB,
		  "%s: evictions %llu refused %llu peak %zu", spec,
		  (unsigned long long)m.evictions,
		  (unsigned long long)m.refused, m.peak);
	tmem_destroy(t);
	tmem_destroy(ts);
}

int main(void)
{
	const char *stores[] = { "copy", "lz4", "zstd" };

	T_BEGIN("tmem_ref");
	for (size_t s = 0; s < ARRAY_SIZE(stores); s++)
		for (uint64_t seed = 1; seed <= 3; seed++)
			run(stores[s], 6 + 3 * seed, seed);
	return T_END();
}

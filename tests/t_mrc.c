/*
 * tests/t_mrc.c — miss-ratio curves (sim/mrc.h).
 *
 *  - the exact curve's miss count at every size equals a per-size LRU
 *    simulation (the simulator engine under `full` observation) on seeded
 *    zipf and loop streams, and on the committed CloudPhysics trace
 *    (tests/data/) at sizes spread over its range;
 *  - misses never grow with size; size 0 misses everything; the largest
 *    size misses only first accesses;
 *  - SHARDS, fixed rate and fixed size, stays close to the exact curve on
 *    a stream large enough for sampling to work (mean absolute error).
 */
#include <math.h>
#include <string.h>

#include "common/rng.h"
#include "sim/mrc.h"
#include "sim/sim.h"
#include "tests/testhelp.h"
#include "tests/zipf.h"
#include "workloads/trace.h"

/* LRU misses of keys at RAM size c through the simulator. */
static uint64_t lru_sim(const uint32_t *keys, size_t n, uint32_t nkeys, uint64_t c)
{
	struct sim_config cfg = {
		.reclaim = "lru", .pagemap = "hash", .alloc = "bitmap", .ram_pages = c,
		.observe = { OBSERVE_FULL, 0 }, .page_size = 4096,
	};
	char err[256];
	struct sim *s = sim_create(&cfg, err, sizeof(err));
	struct event ev = { .type = EV_MMAP, .npages = nkeys };
	struct counters cnt;

	BUG_ON(!s);
	BUG_ON(sim_apply(s, &ev, 1, 0, err, sizeof(err)));
	for (size_t i = 0; i < n; i++) {
		ev = (struct event){ .type = EV_ACCESS, .page = keys[i] };
		BUG_ON(sim_apply(s, &ev, 1, i + 1, err, sizeof(err)));
	}
	sim_counters(s, &cnt);
	sim_destroy(s);
	return cnt.faults;
}

static void check_exact(const uint32_t *keys, size_t n, uint32_t nkeys,
			const char *what)
{
	char err[256];
	struct mrc *m = mrc_create(1.0, 0, err, sizeof(err));
	uint64_t d, *mis;
	uint64_t step;

	{
		int ok = 1;
		for (size_t i = 0; i < n; i++)
			ok &= mrc_access(m, keys[i]) == 0;
		CHECK(ok);
	}
	d = mrc_ndistinct(m);
	mis = mrc_misses(m, d);
	CHECK_EQ(mrc_naccesses(m), n);
	CHECK_EQ(mis[0], n);
	{
		int monotone = 1;
		for (uint64_t c = 1; c <= d; c++)
			monotone &= mis[c] <= mis[c - 1];
		CHECK_MSG(monotone, "%s: misses grow with size somewhere", what);
	}
	CHECK_EQ(mis[d], d);	/* only first accesses miss */
	step = d > 40 ? d / 40 : 1;
	for (uint64_t c = 1; c <= d; c += step) {
		uint64_t want = lru_sim(keys, n, nkeys, c);
		CHECK_MSG(mis[c] == want, "%s size %llu: mrc %llu, LRU sim %llu", what,
			  (unsigned long long)c, (unsigned long long)mis[c],
			  (unsigned long long)want);
	}
	free(mis);
	mrc_destroy(m);
}

/* Mean absolute error of a SHARDS curve against the exact one. */
static double shards_mae(const uint32_t *keys, size_t n, double rate, uint64_t smax)
{
	char err[256];
	struct mrc *ex = mrc_create(1.0, 0, err, sizeof(err));
	struct mrc *sh = mrc_create(rate, smax, err, sizeof(err));
	double *a, *b, mae = 0;
	uint64_t d;

	for (size_t i = 0; i < n; i++) {
		mrc_access(ex, keys[i]);
		mrc_access(sh, keys[i]);
	}
	d = mrc_ndistinct(ex);
	a = mrc_curve(ex, d);
	b = mrc_curve(sh, d);
	for (uint64_t c = 1; c <= d; c++)
		mae += fabs(a[c] - b[c]);
	if (smax)
		CHECK(mrc_ndistinct(sh) <= smax);
	free(a);
	free(b);
	mrc_destroy(ex);
	mrc_destroy(sh);
	return mae / (double)d;
}

int main(void)
{
	const size_t n = 20000;
	uint32_t *keys;
	struct rng r;
	char buf[512], err[512];

	T_BEGIN("mrc");
	keys = zipf_keys(n, 3000, 0.8, 5);
	check_exact(keys, n, 3000, "zipf");
	free(keys);
	keys = malloc(n * sizeof(*keys));
	rng_seed(&r, 11);
	for (size_t i = 0; i < n; i++)	/* loops of two lengths and noise */
		keys[i] = rng_below(&r, 5) == 0 ? (uint32_t)rng_below(&r, 2000) :
			  (i / 3000) % 2 ? (uint32_t)(i % 400) : (uint32_t)(i % 900);
	check_exact(keys, n, 2000, "loops");
	free(keys);

	/* The real trace, its keys from the trace reader. */
	{
		const char *path = t_data(T_CLOUDPHYSICS, buf, sizeof(buf));
		struct trace_reader *tr = trace_open(path, NULL, err, sizeof(err));
		struct event ev[1024];
		uint32_t *k = malloc(200000 * sizeof(*k)), nk = 0;
		size_t m = 0;
		long got;

		REQUIRE_MSG(tr != NULL, "%s", err);
		while ((got = trace_read(tr, ev, 1024)) > 0)
			for (long i = 0; i < got; i++)
				if (ev[i].type == EV_ACCESS && m < 200000) {
					k[m++] = (uint32_t)ev[i].page;
					if (ev[i].page >= nk)
						nk = (uint32_t)ev[i].page + 1;
				}
		REQUIRE_MSG(got == 0, "%s", trace_error(tr));
		trace_close(tr);
		check_exact(k, m, nk, "cloudPhysics");
		free(k);
	}

	/* SHARDS on a stream big enough to sample. */
	keys = zipf_keys(400000, 100000, 0.9, 2);
	{
		double e1 = shards_mae(keys, 400000, 0.1, 0);
		double e2 = shards_mae(keys, 400000, 1.0, 8000);
		CHECK_MSG(e1 < 0.02, "fixed-rate SHARDS MAE %.4f", e1);
		CHECK_MSG(e2 < 0.02, "fixed-size SHARDS MAE %.4f", e2);
	}
	free(keys);
	{
		struct mrc *bad = mrc_create(0, 0, err, sizeof(err));
		CHECK(bad == NULL && strstr(err, "rate"));
		bad = mrc_create(1.5, 0, err, sizeof(err));
		CHECK(bad == NULL);
	}
	return T_END();
}

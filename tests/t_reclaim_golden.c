/*
 * tests/t_reclaim_golden.c — golden miss ratios on the CloudPhysics trace
 * tests/data/cloudPhysicsIO.oracleGeneral.bin.zst (113,872 requests),
 * unit-size pages, `full` observation, at 489, 4897 and 14692 pages: the
 * table of tests/data/README.md.  Policies that two independent
 * simulators agree on must equal it to its 4 decimals (tolerance 0.00005);
 * variants that may differ in details get the tolerance their row states.
 * Then OPT <= every other registered policy on every test trace (the real
 * one and two synthetic ones).
 *
 * A new golden row is one line of golden_rows.
 */
#include <string.h>

#include "common/bug.h"
#include "policies/reclaim.h"
#include "tests/reclaim_harness.h"
#include "tests/testhelp.h"
#include "tests/zipf.h"

#define EXACT 0.00005

struct golden_row {
	const char *spec;
	size_t npages;
	double ratio;	/* README table */
	double tol;
};

static const struct golden_row golden_rows[] = {
	{ "lru", 489, 0.8380, EXACT },
	{ "lru", 4897, 0.8049, EXACT },
	{ "lru", 14692, 0.6608, EXACT },
	{ "fifo", 489, 0.8476, EXACT },
	{ "fifo", 4897, 0.8054, EXACT },
	{ "fifo", 14692, 0.6400, EXACT },
	{ "clock", 489, 0.8372, EXACT },
	{ "clock", 4897, 0.8044, EXACT },
	{ "clock", 14692, 0.6704, EXACT },
	{ "arc", 489, 0.8275, EXACT },
	{ "arc", 4897, 0.7728, EXACT },
	{ "arc", 14692, 0.6002, EXACT },
	{ "sieve", 489, 0.8292, EXACT },
	{ "sieve", 4897, 0.7907, EXACT },
	{ "sieve", 14692, 0.6328, EXACT },
	{ "opt", 489, 0.7927, EXACT },
	{ "opt", 4897, 0.6290, EXACT },
	{ "opt", 14692, 0.5019, EXACT },
	/* 2Q: the README promises only 0.01 for its variant; the paper's order
	 * (A1out tested before reclaimfor, see 2q.c) meets the row exactly */
	{ "2q", 489, 0.8305, EXACT },
	{ "2q", 4897, 0.7742, EXACT },
	{ "2q", 14692, 0.6339, EXACT },
	/* lirs and s3fifo: the README allows 0.01; these variants (see their
	 * files) reproduce its rows to all 4 decimals. */
	{ "lirs", 489, 0.8315, EXACT },
	{ "lirs", 4897, 0.7518, EXACT },
	{ "lirs", 14692, 0.5729, EXACT },
	{ "s3fifo", 489, 0.8304, EXACT },
	{ "s3fifo", 4897, 0.7525, EXACT },
	{ "s3fifo", 14692, 0.6280, EXACT },
	/* clock-pro has no README row: pagelab's own figures, kept as a
	 * regression guard (change only with a deliberate change of variant). */
	{ "clock-pro", 489, 0.8314, EXACT },
	{ "clock-pro", 4897, 0.7431, EXACT },
	{ "clock-pro", 14692, 0.6132, EXACT },
};

static const size_t golden_sizes[] = { 489, 4897, 14692 };

/* OPT <= every other policy on one trace at the golden sizes; a synthetic
 * trace uses sizes scaled to its key count.  (OPT's own figures are held
 * to the README's table above, not to a run of itself.) */
static void opt_bounds(const char *what, const uint32_t *keys, size_t n,
		       uint32_t nkeys, const size_t *sizes, size_t nsizes)
{
	uint64_t *next = harness_next_use(keys, n, nkeys);
	const char *opt = NULL;

	for (size_t i = 0; reclaim_registry[i]; i++)
		if (reclaim_registry[i]->flags & RECLAIM_NEEDS_FUTURE)
			opt = reclaim_registry[i]->name;
	REQUIRE_MSG(opt, "no RECLAIM_NEEDS_FUTURE policy registered");
	for (size_t s = 0; s < nsizes; s++) {
		uint64_t best = harness_run(opt, keys, n, nkeys, sizes[s], 1, next);

		for (size_t i = 0; reclaim_registry[i]; i++) {
			const char *name = reclaim_registry[i]->name;
			uint64_t m;

			if (reclaim_registry[i]->flags & RECLAIM_NEEDS_FUTURE)
				continue;
			m = harness_run(name, keys, n, nkeys, sizes[s], 1, next);
			CHECK_MSG(best <= m, "%s at %zu pages: OPT %llu misses > "
				  "%s %llu", what, sizes[s],
				  (unsigned long long)best, name,
				  (unsigned long long)m);
		}
	}
	free(next);
}

int main(void)
{
	char path[4096];
	size_t n;
	uint32_t nkeys, *keys;
	uint64_t *next;

	T_BEGIN("reclaim_golden");
	keys = harness_load_oracle(t_data(T_CLOUDPHYSICS, path, sizeof(path)),
				   &n, &nkeys);
	REQUIRE(keys != NULL);
	REQUIRE_EQ(n, 113872);
	next = harness_next_use(keys, n, nkeys);
	for (size_t i = 0; i < ARRAY_SIZE(golden_rows); i++) {
		const struct golden_row *g = &golden_rows[i];
		uint64_t m = harness_run(g->spec, keys, n, nkeys, g->npages, 1, next);
		double ratio = (double)m / (double)n;

		printf("golden %-8s %6zu pages: %.4f (README %.4f)\n", g->spec,
		       g->npages, ratio, g->ratio);
		CHECK_MSG(m != UINT64_MAX && __builtin_fabs(ratio - g->ratio) <= g->tol,
			  "%s at %zu pages: miss ratio %.5f, expected %.4f +- %g",
			  g->spec, g->npages, ratio, g->ratio, g->tol);
	}
	free(next);
	opt_bounds("cloudPhysicsIO", keys, n, nkeys, golden_sizes,
		   ARRAY_SIZE(golden_sizes));
	free(keys);

	for (int t = 0; t < 2; t++) {
		static const size_t sizes[] = { 20, 200, 1000 };
		const uint32_t nk = 5000;
		size_t len = 60000;
		uint32_t *sk = zipf_keys(len, nk, t ? 0.0 : 0.9, 77 + t);
		opt_bounds(t ? "uniform" : "zipf0.9", sk, len, nk, sizes,
			   ARRAY_SIZE(sizes));
		free(sk);
	}
	return T_END();
}

/*
 * tests/t_reclaim_scan.c — scan resistance.
 *
 * A hot set of HOT pages (30 % of RAM) is read round-robin; into that
 * stream a one-pass scan (many times RAM, every key new) is interleaved,
 * SCAN_PER_HOT = 3 scan accesses after every hot one.  The reuse distance
 * of a hot page is then HOT * (1 + SCAN_PER_HOT) = 1.2 RAM distinct pages,
 * so LRU loses every hot hit; a scan-resistant policy keeps the hot set
 * and loses only what its transition costs.  (The sizes matter for 2Q: it
 * promotes a page only when it is reused within its A1in + A1out window,
 * here 1.25 RAM of misses; a hot set reused more rarely than that is
 * lost by 2Q too.)
 *
 * For every row the hot hits during the scan are compared with the hot
 * hits of the same hot stream without a scan (the best possible):
 * KEEPS rows must keep at least 90 % of them, LOSES rows (the LRU
 * baseline that shows the scan hurts) fewer than 10 %.  The numbers are
 * printed.  A new policy is one row.
 */
#include <string.h>

#include "common/bug.h"
#include "policies/reclaim.h"
#include "tests/reclaim_harness.h"
#include "tests/testhelp.h"

#define RAM 1000
#define HOT (3 * RAM / 10)
#define HOT_ROUNDS 40		/* hot accesses = HOT * HOT_ROUNDS */
#define WARM_ROUNDS 4		/* hot-only rounds before the scan starts */
#define SCAN_PER_HOT 3

enum expect { KEEPS, LOSES };

struct scan_row {
	const char *spec;
	enum expect expect;
};

static const struct scan_row scan_rows[] = {
	{ "lru", LOSES },
	{ "arc", KEEPS },
	{ "2q", KEEPS },
};

/*
 * Replay warm-up + measured phase; return the hits on hot accesses in the
 * measured phase.  With scan = false the measured phase has no scan.
 */
static uint64_t hot_hits(const char *spec, bool scan)
{
	size_t nhot = (size_t)HOT * HOT_ROUNDS;
	size_t n = (size_t)HOT * WARM_ROUNDS + nhot * (scan ? 1 + SCAN_PER_HOT : 1);
	uint32_t nkeys = HOT + (uint32_t)(nhot * SCAN_PER_HOT);
	uint32_t *keys = malloc(n * sizeof(*keys));
	uint32_t *warm_keys = malloc(n * sizeof(*keys));
	uint32_t next_scan = HOT;
	size_t j = 0, measured_from;
	uint64_t all, warm_only;

	BUG_ON(!keys || !warm_keys);
	for (size_t i = 0; i < (size_t)HOT * WARM_ROUNDS; i++)
		keys[j++] = (uint32_t)(i % HOT);
	measured_from = j;
	for (size_t i = 0; i < nhot; i++) {
		keys[j++] = (uint32_t)(i % HOT);
		for (int s = 0; scan && s < SCAN_PER_HOT; s++)
			keys[j++] = next_scan++;
	}
	BUG_ON(j != n);
	/*
	 * hits in the measured phase = misses(prefix) - misses(all) + its
	 * length; every scan access is a miss (each key is new), so the hot
	 * hits are what is left.
	 */
	memcpy(warm_keys, keys, measured_from * sizeof(*keys));
	all = harness_run(spec, keys, n, nkeys, RAM, 1, NULL);
	warm_only = harness_run(spec, warm_keys, measured_from, nkeys, RAM, 1, NULL);
	free(keys);
	free(warm_keys);
	BUG_ON(all == UINT64_MAX || warm_only == UINT64_MAX);
	/* misses of the measured phase, scan misses are all of the scan */
	uint64_t miss = all - warm_only - (scan ? nhot * SCAN_PER_HOT : 0);
	return nhot - miss;
}

int main(void)
{
	T_BEGIN("reclaim_scan");
	for (size_t i = 0; i < ARRAY_SIZE(scan_rows); i++) {
		const struct scan_row *row = &scan_rows[i];
		uint64_t base = hot_hits(row->spec, false);
		uint64_t with = hot_hits(row->spec, true);
		double kept = base ? (double)with / (double)base : 0;

		printf("scan %-10s hot hits: %llu without scan, %llu with "
		       "(%.1f %% kept)\n", row->spec, (unsigned long long)base,
		       (unsigned long long)with, 100 * kept);
		CHECK_EQ(base, (uint64_t)HOT * HOT_ROUNDS);
		if (row->expect == KEEPS)
			CHECK_MSG(kept >= 0.90, "%s keeps only %.1f %% of the hot hits",
				  row->spec, 100 * kept);
		else
			CHECK_MSG(kept < 0.10, "%s keeps %.1f %% of the hot hits",
				  row->spec, 100 * kept);
	}
	return T_END();
}

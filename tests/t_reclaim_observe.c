/*
 * tests/t_reclaim_observe.c — what each policy becomes when hits are
 * invisible (`faults` observation of a key-only trace: the policy sees
 * only victim() and insert()), as its header states.  Each row names the
 * policy whose miss counts it must then equal on seeded traces (zipf,
 * uniform, zipf with scans) at several sizes and on the CloudPhysics trace
 * of tests/data/, and for contrast checks that under `full` observation it
 * differs somewhere.
 * A new policy is one row.
 */
#include <string.h>

#include "policies/reclaim.h"
#include "tests/reclaim_harness.h"
#include "tests/testhelp.h"
#include "tests/zipf.h"

struct observe_row {
	const char *spec;
	const char *becomes;	/* its equal without hits */
};

static const struct observe_row observe_rows[] = {
	{ "lru", "fifo" },	/* recency = load order */
	{ "clock", "fifo" },	/* the bit never sets */
	{ "sieve", "fifo" },	/* the visited bit never sets */
	{ "lfu", "fifo" },	/* every count is 1, ties by load order */
	{ "arc", "fifo" },	/* T1 holds c, case IV keeps no ghosts */
};

static const size_t sizes[] = { 16, 100, 400, 1500 };

int main(void)
{
	char path[4096];
	size_t n_real = 0;
	uint32_t nk_real = 0, *real;

	T_BEGIN("reclaim_observe");
	real = harness_load_oracle(t_data(T_CLOUDPHYSICS, path, sizeof(path)),
				   &n_real, &nk_real);
	REQUIRE(real != NULL);
	for (size_t i = 0; i < ARRAY_SIZE(observe_rows); i++) {
		const struct observe_row *row = &observe_rows[i];
		int differs_full = 0;

		for (int t = 0; t < 4; t++) {
			const uint32_t nk = 5000;
			size_t n = 40000;
			uint32_t *keys;

			if (t == 3) {
				keys = real;
				n = n_real;
			} else {
				keys = zipf_keys(n, nk, t == 1 ? 0.0 : 0.9, 9 + t);
				for (size_t j = 0; t == 2 && j < n; j++)
					if ((j / 3000) % 4 == 3)
						keys[j] = (uint32_t)(nk / 2 + j % (nk / 2));
			}
			for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
				uint32_t nkeys = t == 3 ? nk_real : nk;
				size_t c = t == 3 ? sizes[s] * 10 : sizes[s];
				uint64_t a = harness_run_obs(row->spec, keys, n, nkeys,
							     c, 1, NULL, false);
				uint64_t b = harness_run_obs(row->becomes, keys, n,
							     nkeys, c, 1, NULL, false);
				CHECK_MSG(a == b, "%s without hits: %llu misses, %s "
					  "%llu (trace %d, %zu pages)", row->spec,
					  (unsigned long long)a, row->becomes,
					  (unsigned long long)b, t, c);
				differs_full |= harness_run(row->spec, keys, n, nkeys,
							    c, 1, NULL) != b;
			}
			if (t != 3)
				free(keys);
		}
		CHECK_MSG(differs_full, "%s equals %s even with hits", row->spec,
			  row->becomes);
	}
	free(real);
	return T_END();
}

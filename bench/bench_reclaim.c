/*
 * bench/bench_reclaim.c — accesses per second of every registered reclaim
 * policy.
 *
 * A 10 M-access Zipf(0.9) key stream over 1 M keys (tests/zipf.h,
 * rejection-inversion, seeded) is generated in memory, then replayed
 * through each policy as a plain cache with RAM = 10 % of the keys, by the
 * tight loop of tests/reclaim_harness.h (`full` observation: every access
 * is a hit() or a victim()+insert()).  The time is the thread's CPU
 * time and includes creating the policy and its page array (a few ms).  Each policy runs RUNS times; the
 * median is printed with the miss ratio:
 *
 *     policy  Maccesses/s  (min..max)  miss_ratio
 *
 * Usage: bench_reclaim [ACCESSES [KEYS [RAM_PAGES [RUNS [POLICY,...]]]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policies/reclaim.h"
#include "tests/reclaim_harness.h"
#include "tests/zipf.h"
#include "bench/benchhelp.h"

/* CPU time of this thread: the machine is shared, so wall time would
 * measure the neighbours too. */
static size_t arg_or(int argc, char **argv, int i, size_t def)
{
	char *end;
	unsigned long long v;

	if (argc <= i)
		return def;
	v = strtoull(argv[i], &end, 0);
	if (*end || v == 0) {
		fprintf(stderr, "bench_reclaim: bad number '%s'\n", argv[i]);
		exit(2);
	}
	return (size_t)v;
}

int main(int argc, char **argv)
{
	size_t n = arg_or(argc, argv, 1, 10000000);
	uint32_t nkeys = (uint32_t)arg_or(argc, argv, 2, 1000000);
	size_t ram = arg_or(argc, argv, 3, nkeys / 10);
	size_t runs = arg_or(argc, argv, 4, 3);
	uint32_t *keys = zipf_keys(n, nkeys, 0.9, 42);
	uint64_t *next = harness_next_use(keys, n, nkeys);
	double *rate = malloc(runs * sizeof(*rate));

	if (!rate)
		return 1;
	printf("# %zu accesses, zipf(0.9) over %u keys, RAM %zu pages, "
	       "median of %zu runs\n", n, nkeys, ram, runs);
	printf("%-10s %12s %22s %10s\n", "policy", "Macc/s", "(min..max)",
	       "miss_ratio");
	for (size_t i = 0; reclaim_registry[i]; i++) {
		const char *name = reclaim_registry[i]->name;
		uint64_t misses = 0;
		char want[256], me[64];

		snprintf(want, sizeof(want), ",%s,", argc > 5 ? argv[5] : "");
		snprintf(me, sizeof(me), ",%s,", name);
		if (argc > 5 && !strstr(want, me))
			continue;

		for (size_t k = 0; k < runs; k++) {
			double t0 = bench_cpu_s();
			misses = harness_run(name, keys, n, nkeys, ram, 1, next);
			rate[k] = (double)n / (bench_cpu_s() - t0) / 1e6;
			if (misses == UINT64_MAX)
				return 1;
		}
		qsort(rate, runs, sizeof(*rate), bench_cmp_double);
		printf("%-10s %12.1f %10.1f..%-10.1f %10.4f\n", name,
		       rate[runs / 2], rate[0], rate[runs - 1],
		       (double)misses / (double)n);
		fflush(stdout);
	}
	free(rate);
	free(next);
	free(keys);
	return 0;
}

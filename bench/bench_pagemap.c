/*
 * bench/bench_pagemap.c — pagemap microbenchmark: ns per set, get and del,
 * and memory bytes per key, for every registered pagemap policy.
 *
 *   bench_pagemap [-n NKEYS] [-r REPS] [-s SEED]
 *
 * Key patterns:
 *   seq       keys 0..n-1, set and looked up in increasing order (a file
 *             read front to back);
 *   rand      n distinct keys drawn from [0, 4n), set in random order and
 *             looked up in another order (dense but scattered access);
 *   sparse64  n/256 uniformly random 64-bit keys, random order (the worst
 *             case for a radix tree: about one node per level per key).
 *
 * Each run builds a fresh map (set), looks every key up (get), then deletes
 * every key in the get order (del) down to the empty map.  Times are the
 * thread's CPU time; each figure is the median of REPS runs (default 5).
 * Calls go through the ops table (pagemap_get() and friends), as in the
 * simulator.  A benchmark, not a test: it checks nothing but that every get
 * and del finds its key, and prints one row per policy and pattern.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/rng.h"
#include "policies/pagemap.h"
#include "bench/benchhelp.h"

#define V(x) ((void *)(uintptr_t)(x))

enum { PAT_SEQ, PAT_RAND, PAT_SPARSE, PAT_N };
static const char *const pattern_name[] = { "seq", "rand", "sparse64" };

/* Distinct keys for a pattern, in set order (set_keys) and get order. */
static size_t make_keys(int pat, size_t n, struct rng *r, uint64_t *set_keys,
			uint64_t *get_keys)
{
	size_t m = 0;

	switch (pat) {
	case PAT_SEQ:
		for (size_t i = 0; i < n; i++)
			set_keys[m++] = i;
		break;
	case PAT_RAND: {
		/* a random n-subset of [0, 4n): mark, then collect */
		unsigned char *used = calloc(4 * n, 1);
		if (!used)
			return 0;
		while (m < n) {
			uint64_t k = rng_below(r, 4 * n);
			if (!used[k]) {
				used[k] = 1;
				set_keys[m++] = k;
			}
		}
		free(used);
		break;
	}
	case PAT_SPARSE:
		while (m < n / 256)
			set_keys[m++] = rng_next(r);	/* repeats: ~n^2/2^65 */
		break;
	}
	/* seq: the same order; otherwise another order, i * P mod m for a
	 * prime P that does not divide m: a permutation of the set order */
	for (size_t i = 0; i < m; i++)
		get_keys[i] = pat == PAT_SEQ || m % 1000003 == 0 ? set_keys[i] :
			      set_keys[(size_t)(((unsigned __int128)i * 1000003) % m)];
	return m;
}

int main(int argc, char **argv)
{
	size_t n = 1u << 20, reps = 5;
	uint64_t seed = 1;
	uint64_t *set_keys, *get_keys;
	double *set_ns, *get_ns, *del_ns, *bpk;
	struct rng r;
	char err[256];

	for (int i = 1; i < argc; i += 2) {
		char *end;
		unsigned long long v;

		if (i + 1 >= argc || argv[i][0] != '-' || argv[i][2]) {
			fprintf(stderr, "usage: bench_pagemap [-n NKEYS] [-r REPS] [-s SEED]\n");
			return 2;
		}
		errno = 0;
		v = strtoull(argv[i + 1], &end, 0);
		if (errno || *end || argv[i + 1][0] == '-' ||
		    (argv[i][1] != 's' && v == 0)) {
			fprintf(stderr, "bench_pagemap: bad value '%s' for %s\n",
				argv[i + 1], argv[i]);
			return 2;
		}
		switch (argv[i][1]) {
		case 'n': n = v; break;
		case 'r': reps = v; break;
		case 's': seed = v; break;
		default:
			fprintf(stderr, "bench_pagemap: unknown option %s\n", argv[i]);
			return 2;
		}
	}

	set_keys = malloc(n * sizeof(*set_keys));
	get_keys = malloc(n * sizeof(*get_keys));
	set_ns = malloc(reps * sizeof(*set_ns));
	get_ns = malloc(reps * sizeof(*get_ns));
	del_ns = malloc(reps * sizeof(*del_ns));
	bpk = malloc(reps * sizeof(*bpk));
	if (!set_keys || !get_keys || !set_ns || !get_ns || !del_ns || !bpk) {
		fprintf(stderr, "bench_pagemap: out of memory for %zu keys\n", n);
		return 1;
	}

	printf("# pagemap: n=%zu keys (sparse64: n/256), median of %zu runs\n",
	       n, reps);
	printf("%-8s %-9s %9s %10s %10s %10s %14s\n", "policy", "keys",
	       "nkeys", "set_ns", "get_ns", "del_ns", "bytes_per_key");
	for (size_t p = 0; pagemap_registry[p]; p++) {
		const struct pagemap_ops *ops = pagemap_registry[p];

		for (int pat = 0; pat < PAT_N; pat++) {
			size_t m;
			size_t missed = 0;

			rng_seed(&r, seed + (uint64_t)pat);
			m = make_keys(pat, n, &r, set_keys, get_keys);
			if (m == 0) {
				fprintf(stderr, "bench_pagemap: no keys for %s\n",
					pattern_name[pat]);
				return 1;
			}
			for (size_t rep = 0; rep < reps; rep++) {
				struct pagemap *pm = pagemap_create(ops->name,
					&(const struct pagemap_params){ .mem = &mem_default },
					err, sizeof(err));
				double t0, t1, t2, t3, t4;

				if (!pm) {
					fprintf(stderr, "bench_pagemap: %s\n", err);
					return 1;
				}
				t0 = bench_cpu_s();
				for (size_t i = 0; i < m; i++)
					if (pagemap_set(pm, set_keys[i],
							V(set_keys[i] | 1))) {
						fprintf(stderr, "bench_pagemap: %s: "
							"set failed\n", ops->name);
						return 1;
					}
				t1 = bench_cpu_s();
				for (size_t i = 0; i < m; i++)
					missed += pagemap_get(pm, get_keys[i]) !=
						  V(get_keys[i] | 1);
				t2 = bench_cpu_s();
				bpk[rep] = (double)ops->mem_bytes(pm) /
					   (double)pm->count;
				t3 = bench_cpu_s();
				for (size_t i = 0; i < m; i++)
					missed += pagemap_del(pm, get_keys[i]) !=
						  V(get_keys[i] | 1);
				t4 = bench_cpu_s();
				missed += pm->count;
				set_ns[rep] = (t1 - t0) * 1e9 / (double)m;
				get_ns[rep] = (t2 - t1) * 1e9 / (double)m;
				del_ns[rep] = (t4 - t3) * 1e9 / (double)m;
				pagemap_destroy(pm);
			}
			if (missed) {
				fprintf(stderr, "bench_pagemap: %s %s: %zu gets "
					"or dels missed\n", ops->name,
					pattern_name[pat], missed);
				return 1;
			}
			printf("%-8s %-9s %9zu %10.1f %10.1f %10.1f %14.1f\n",
			       ops->name, pattern_name[pat], m,
			       bench_median(set_ns, reps),
			       bench_median(get_ns, reps),
			       bench_median(del_ns, reps), bench_median(bpk, reps));
			fflush(stdout);
		}
	}
	free(set_keys);
	free(get_keys);
	free(set_ns);
	free(get_ns);
	free(del_ns);
	free(bpk);
	return 0;
}

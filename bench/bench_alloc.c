/*
 * bench/bench_alloc.c — allocator policy microbenchmark: ns/op through the
 * alloc_ops interface (the way the engines call it).
 *
 *  1. alloc+free pairs at low and high fragmentation, per policy and fit:
 *     a steady state of LIVE blocks of 1..32 units in a 2^22-unit arena,
 *     built by allocating 2*LIVE blocks and freeing every other one; each
 *     op frees a random live block and allocates a new one (no hint).
 *     low: LIVE = 64; high: LIVE = 50000 (about 50000 holes).
 *  2. the engines' path: an arena over [0, 2^40) pages, quantum 1, one
 *     page at a time with hint = pgoff: sequential pgoffs (a file read in
 *     order), a random permutation of [0, n) (a file faulted in random
 *     order) and random pgoffs in [0, 2^30) (sparse); alloc and free timed
 *     separately (free in allocation order); heap bytes per allocated page
 *     from mallinfo2().
 *  3. the engines' steady state (the simulator's fault path): n/10 pages
 *     of a file of n resident, in batches of 1000 the oldest freed (one
 *     eviction each) and as many new non-resident pgoffs allocated with
 *     hint = pgoff (one load fault each), skewed towards low pgoffs;
 *     ns per alloc and per free, fill not timed.
 *
 * Each figure is the median of REPS runs.  Single-threaded; times are the
 * thread's CPU time, so that time spent descheduled on a shared machine
 * does not count.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rng.h"
#include "policies/alloc.h"
#include "bench/benchhelp.h"

#define REPS 5

static const char *const specs[] = {
	"vmem:fit=instant", "vmem:fit=best", "vmem:fit=next",
	"bitmap:fit=first", "bitmap:fit=best", "first-fit", NULL,
};

struct blk {
	uint64_t addr, size;
};

static struct alloc *mk(const char *spec, uint64_t size)
{
	char err[256];
	struct alloc *a = alloc_create(spec, &(const struct alloc_params){
					       .base = 0, .size = size, .quantum = 1,
					       .mem = &mem_default },
				       err, sizeof(err));

	if (!a) {
		fprintf(stderr, "bench_alloc: %s\n", err);
		exit(1);
	}
	return a;
}

/* One steady-state run: ns per free+alloc pair, and segments per alloc. */
static int frag_run(const char *spec, size_t live, uint64_t seed, double *ns,
		    double *segs)
{
	struct alloc *a = mk(spec, 1ull << 22);
	struct blk *b = malloc(2 * live * sizeof(*b));
	struct alloc_stats s0, s1;
	struct rng rng;
	double t0, t1;
	uint64_t ops = 0;

	rng_seed(&rng, seed);
	for (size_t i = 0; i < 2 * live; i++) {
		b[i].size = 1 + rng_below(&rng, 32);
		if (alloc_alloc(a, b[i].size, ALLOC_NOHINT, &b[i].addr))
			return -1;
	}
	for (size_t i = 0; i < live; i++) {
		alloc_free(a, b[2 * i + 1].addr, b[2 * i + 1].size);
		b[i] = b[2 * i];
	}
	a->ops->stats(a, &s0);
	t0 = (bench_cpu_s() * 1e9);
	do {
		for (int k = 0; k < 64; k++, ops++) {
			size_t i = rng_below(&rng, live);
			alloc_free(a, b[i].addr, b[i].size);
			b[i].size = 1 + rng_below(&rng, 32);
			if (alloc_alloc(a, b[i].size, ALLOC_NOHINT, &b[i].addr))
				return -1;
		}
		t1 = (bench_cpu_s() * 1e9);
	} while (t1 - t0 < 30e6);
	a->ops->stats(a, &s1);
	*ns = (t1 - t0) / (double)ops;
	*segs = (double)(s1.segments - s0.segments) / (double)ops;
	free(b);
	alloc_destroy(a);
	return 0;
}

static void bench_frag(void)
{
	static const size_t lives[] = { 64, 50000 };
	static const char *const names[] = { "low", "high" };

	printf("# free+alloc pairs, sizes 1..32 units, 2^22-unit arena, median of %d\n",
	       REPS);
	printf("%-18s %-5s %12s %14s\n", "policy", "frag", "ns/op", "segments/op");
	for (size_t p = 0; specs[p]; p++) {
		for (size_t f = 0; f < 2; f++) {
			double ns[REPS], sg[REPS];
			for (int r = 0; r < REPS; r++) {
				if (frag_run(specs[p], lives[f], 1 + (uint64_t)r,
					     &ns[r], &sg[r])) {
					printf("%-18s %-5s failed\n", specs[p], names[f]);
					return;
				}
			}
			printf("%-18s %-5s %12.1f %14.1f\n", specs[p], names[f],
			       bench_median(ns, REPS), bench_median(sg, REPS));
			fflush(stdout);
		}
	}
}

/* The engine path: n single pages with hint = pgoff. */
enum hints { SEQ, PERM, SPARSE };

static int engine_run(const char *spec, enum hints mode, size_t n, double *alloc_ns,
		      double *free_ns, double *hit, double *bytes_per_page)
{
	uint64_t *pg = malloc(n * sizeof(*pg)), *addr = malloc(n * sizeof(*addr));
	struct rng rng;
	struct mallinfo2 m0, m1;
	struct alloc *a;
	size_t hits = 0;
	double t0, t1, t2;

	rng_seed(&rng, 42);
	for (size_t i = 0; i < n; i++)
		pg[i] = mode == SPARSE ? rng_below(&rng, 1ull << 30) : i;
	for (size_t i = n - 1; mode == PERM && i > 0; i--) {
		size_t j = rng_below(&rng, i + 1);
		uint64_t t = pg[i];
		pg[i] = pg[j];
		pg[j] = t;
	}
	m0 = mallinfo2();
	a = mk(spec, 1ull << 40);
	t0 = (bench_cpu_s() * 1e9);
	for (size_t i = 0; i < n; i++) {
		if (alloc_alloc(a, 1, pg[i], &addr[i]))
			return -1;
		hits += addr[i] == pg[i];
	}
	t1 = (bench_cpu_s() * 1e9);
	m1 = mallinfo2();
	for (size_t i = 0; i < n; i++)
		alloc_free(a, addr[i], 1);
	t2 = (bench_cpu_s() * 1e9);
	alloc_destroy(a);
	*alloc_ns = (t1 - t0) / (double)n;
	*free_ns = (t2 - t1) / (double)n;
	*hit = (double)hits / (double)n;
	*bytes_per_page = ((double)m1.uordblks - (double)m0.uordblks) / (double)n;
	free(pg);
	free(addr);
	return 0;
}

/* The steady state: resident pages in a FIFO ring, batches of frees
 * (oldest first) and allocs timed apart.  ns per op. */
static int steady_run(const char *spec, size_t n, uint64_t seed,
		      double *alloc_ns, double *free_ns)
{
	const size_t res = n / 10, batch = 1000, rounds = n / 2 / batch;
	uint64_t *ring = malloc(res * sizeof(*ring)), *pgoff = malloc(res * sizeof(*pgoff));
	unsigned char *in = calloc(n, 1);
	struct alloc *a = mk(spec, 1ull << 40);
	size_t head = 0;
	double ta = 0, tf = 0, t0;
	struct rng rng;

	rng_seed(&rng, seed);
	for (size_t i = 0; i < res + rounds * batch; i++) {
		size_t slot = i % res;
		uint64_t p;

		if (i >= res && slot % batch == 0) {
			/* free the batch about to be replaced, then allocate it */
			t0 = bench_cpu_s();
			for (size_t k = 0; k < batch; k++) {
				alloc_free(a, ring[slot + k], 1);
				in[pgoff[slot + k]] = 0;
			}
			tf += bench_cpu_s() - t0;
			for (size_t k = 0; k < batch; k++) {
				do
					p = rng_below(&rng, rng_below(&rng, n) + 1);
				while (in[p]);
				in[p] = 1;
				pgoff[slot + k] = p;
			}
			t0 = bench_cpu_s();
			for (size_t k = 0; k < batch; k++)
				if (alloc_alloc(a, 1, pgoff[slot + k], &ring[slot + k]))
					return -1;
			ta += bench_cpu_s() - t0;
			i += batch - 1;
			continue;
		}
		do
			p = rng_below(&rng, rng_below(&rng, n) + 1);
		while (in[p]);
		in[p] = 1;
		pgoff[slot] = p;
		if (alloc_alloc(a, 1, p, &ring[slot]))
			return -1;
		head++;
	}
	*alloc_ns = ta * 1e9 / (double)(rounds * batch);
	*free_ns = tf * 1e9 / (double)(rounds * batch);
	alloc_destroy(a);
	free(ring);
	free(pgoff);
	free(in);
	return head == res ? 0 : -1;
}

static void bench_steady(void)
{
	const size_t n = 1000000;

	printf("\n# engine steady state: %zu of %zu pages resident, batches of 1000 "
	       "frees and allocs(1, hint = pgoff), median of %d\n", n / 10, n, REPS);
	printf("%-18s %10s %10s\n", "policy", "alloc ns", "free ns");
	for (size_t p = 0; specs[p]; p++) {
		double an[REPS], fn[REPS];
		for (int r = 0; r < REPS; r++) {
			if (steady_run(specs[p], n, 7 + (uint64_t)r, &an[r], &fn[r])) {
				printf("%-18s failed\n", specs[p]);
				return;
			}
		}
		printf("%-18s %10.1f %10.1f\n", specs[p], bench_median(an, REPS),
		       bench_median(fn, REPS));
		fflush(stdout);
	}
}

static void bench_engine(void)
{
	const size_t n = 200000;

	printf("\n# engine path: [0, 2^40) pages, quantum 1, alloc(1, hint = pgoff), "
	       "%zu pages, median of %d\n", n, REPS);
	printf("%-18s %-6s %10s %10s %8s %12s\n", "policy", "hints", "alloc ns",
	       "free ns", "hint hit", "heap B/page");
	for (size_t p = 0; specs[p]; p++) {
		for (int mode = SEQ; mode <= SPARSE; mode++) {
			double an[REPS], fn[REPS], hit[REPS], bpp[REPS];
			for (int r = 0; r < REPS; r++) {
				if (engine_run(specs[p], mode, n, &an[r], &fn[r],
					       &hit[r], &bpp[r])) {
					printf("%-18s failed\n", specs[p]);
					return;
				}
			}
			printf("%-18s %-6s %10.1f %10.1f %8.3f %12.1f\n", specs[p],
			       mode == SEQ ? "seq" : mode == PERM ? "perm" : "sparse",
			       bench_median(an, REPS),
			       bench_median(fn, REPS), bench_median(hit, REPS),
			       bench_median(bpp, REPS));
			fflush(stdout);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: %s (no arguments)\n", argv[0]);
		return 2;
	}
	bench_frag();
	bench_engine();
	bench_steady();
	return 0;
}

/*
 * bench/bench_sim.c — simulator speed and memory.
 *
 * The target: a 10 M-access zipf(0.9) trace over 1 M pages, RAM at
 * 10 % of its distinct pages (as `--ram 10%`), `full` observation, LRU,
 * radix pagemap: >= 30 M accesses/s on one core, trace decoding included; <= 64 bytes of
 * simulator state per distinct page beside the policy's own metadata.
 *
 * The trace is generated once into a native file
 * (/tmp/pagelab-bench-zipf-PAGES-ACCESSES.trace, reused while its
 * generator line matches), or --trace names one (any format, read as it
 * is, never written), and every run reads it back through the ordinary
 * reader, in 1024-event batches, like `pagelab sim`.  Times are the thread's CPU time, so that a
 * machine shared with other jobs does not count their time slices as ours
 * (cache interference still does).  Prints accesses/s (median of 3 runs) for
 * every registered reclaim policy with both pagemaps and the engines'
 * default allocator (vmem), then LRU with each allocator, and the memory
 * per distinct page.  OPT's next-use pre-pass is not timed (it is printed).
 *
 *   bench_sim [--accesses N] [--pages N] [--runs N] [--trace PATH]
 *             [--reclaim NAME] [--pagemap NAME] [--alloc NAME]
 *
 * The last three restrict the table to one policy, pagemap or allocator
 * (then every allocator is tried with the chosen ones; for profiling one
 * configuration under callgrind).
 *
 * Where the time goes (callgrind, lru/radix/vmem, 38 % of accesses are
 * load faults): about 320 instructions per access — decoding 30 (BMI2
 * build; 40 portable) and the checksum 7; the simulator's loop with its
 * look-ahead about 55 per access and each load fault about 270 of its own
 * (the victim's unmapping and VMA-count update, the new page's, the
 * counters) plus about 250 in the policies (radix set/del/2 prefetches
 * 110, vmem alloc/free/2 prefetches 90, LRU victim/insert/peek 30, the
 * indirect calls).  The misses are mostly hidden: the look-ahead resolves
 * an access 32 events early and prefetches its page-table word, then 16
 * early its page (coming hit) or its pagemap and allocator slots (coming
 * load), and reclaim.peek names the next victim one fault early so that
 * its page-table word and slots are on their way too: on the 2-core VM
 * this was written on, the 320 instructions took about 35 ns, and figures
 * varied with the host's other tenants by +-10 % from run to run, so
 * compare against a baseline measured in the same run.  The "policy
 * alone" line is the ceiling the policy leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policies/alloc.h"
#include "policies/pagemap.h"
#include "policies/reclaim.h"
#include "sim/sim.h"
#include "tests/reclaim_harness.h"
#include "workloads/gen.h"
#include "workloads/trace.h"
#include "bench/benchhelp.h"

#define BATCH 1024
#define BENCH_ALLOC "vmem"	/* the engines' default (cli/simopts.c, real/virtmem.c) */

/* Write the generated trace to path unless a native file made by the same
 * generator with the same parameters is there. */
static int ensure_trace(const char *path, const char *spec,
			unsigned long long pages, unsigned long long accesses)
{
	char err[512], tok[4][64];
	struct trace_reader *r = trace_open(path, NULL, err, sizeof(err));
	struct trace_reader *g;
	struct trace_writer *w;
	struct event ev[BATCH];
	long n;

	snprintf(tok[0], sizeof(tok[0]), "zipf ");
	snprintf(tok[1], sizeof(tok[1]), " pages=%llu ", pages);
	snprintf(tok[2], sizeof(tok[2]), " accesses=%llu ", accesses);
	snprintf(tok[3], sizeof(tok[3]), " alpha=0.9");
	if (r) {
		const struct trace_header *h = trace_header(r);
		int same = !strcmp(h->format, "native");
		for (int i = 0; i < 4; i++)
			same = same && strstr(h->generator, tok[i]) != NULL;
		trace_close(r);
		if (same)
			return 0;
	}
	g = trace_open(spec, NULL, err, sizeof(err));
	if (!g) {
		fprintf(stderr, "bench_sim: %s\n", err);
		return -1;
	}
	w = trace_writer_open(path, "native", trace_header(g), err, sizeof(err));
	if (!w) {
		fprintf(stderr, "bench_sim: %s\n", err);
		trace_close(g);
		return -1;
	}
	while ((n = trace_read(g, ev, BATCH)) > 0)
		if (trace_write(w, ev, (size_t)n)) {
			fprintf(stderr, "bench_sim: %s\n", trace_writer_error(w));
			trace_writer_close(w, 0);
			trace_close(g);
			return -1;
		}
	trace_close(g);
	if (n < 0 || trace_writer_close_err(w, 1, err, sizeof(err))) {
		fprintf(stderr, "bench_sim: %s\n", n < 0 ? "generator failed" : err);
		return -1;
	}
	return 0;
}

struct run {
	double secs;
	struct counters c;
	struct sim_mem mem;
};

static __attribute__((noinline)) int run_once(const char *path, const struct sim_config *cfg, struct run *out)
{
	char err[512];
	struct event ev[BATCH];
	struct trace_reader *r;
	struct sim *s;
	uint64_t idx = 0;
	double t0;
	long n;

	s = sim_create(cfg, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "bench_sim: %s\n", err);
		return -1;
	}
	t0 = bench_cpu_s();
	r = trace_open(path, NULL, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "bench_sim: %s\n", err);
		sim_destroy(s);
		return -1;
	}
	while ((n = trace_read(r, ev, BATCH)) > 0) {
		if (sim_apply(s, ev, (size_t)n, idx, err, sizeof(err))) {
			fprintf(stderr, "bench_sim: %s\n", err);
			break;
		}
		idx += (uint64_t)n;
	}
	out->secs = bench_cpu_s() - t0;
	trace_close(r);
	sim_counters(s, &out->c);
	sim_mem(s, &out->mem);
	sim_destroy(s);
	return n == 0 ? 0 : -1;
}

/* Decoding alone: the floor under every figure. */
static double decode_rate(const char *path)
{
	char err[512];
	struct event ev[BATCH];
	struct trace_reader *r = trace_open(path, NULL, err, sizeof(err));
	uint64_t nacc = 0;
	double t0 = bench_cpu_s();
	long n;

	if (!r)
		return 0;
	while ((n = trace_read(r, ev, BATCH)) > 0)
		for (long i = 0; i < n; i++)
			nacc += ev[i].type == EV_ACCESS;
	trace_close(r);
	return (double)nacc / (bench_cpu_s() - t0);
}

/* The LRU policy alone on the same keys, in tests/reclaim_harness.h's
 * flat-array cache loop (no decoding, no pagemap, no page tables): the
 * policy's own ceiling, to read the simulator's figures against. */
static void harness_rate(const char *path, uint64_t ram, int runs)
{
	char err[512];
	struct event ev[BATCH];
	struct trace_reader *r = trace_open(path, NULL, err, sizeof(err));
	size_t n = 0, cap = 1 << 20;
	uint32_t *keys = malloc(cap * sizeof(*keys)), nkeys = 0;
	double rate[99];
	long got;

	if (!r || !keys)
		return;
	while ((got = trace_read(r, ev, BATCH)) > 0)
		for (long i = 0; i < got; i++) {
			if (ev[i].type != EV_ACCESS || ev[i].page >= UINT32_MAX)
				continue;
			if (n == cap) {
				uint32_t *k = realloc(keys, 2 * cap * sizeof(*k));
				if (!k)
					goto out;
				keys = k;
				cap *= 2;
			}
			keys[n++] = (uint32_t)ev[i].page;
			if (ev[i].page >= nkeys)
				nkeys = (uint32_t)ev[i].page + 1;
		}
	for (int k = 0; k < runs; k++) {
		double t0 = bench_cpu_s();
		harness_run("lru", keys, n, nkeys, ram, 1, NULL);
		rate[k] = (double)n / (bench_cpu_s() - t0);
	}
	qsort(rate, (size_t)runs, sizeof(rate[0]), bench_cmp_double);
	printf("bench_sim: the lru policy alone (reclaim harness, keys in memory): %.1f M accesses/s\n",
	       rate[runs / 2] / 1e6);
out:
	free(keys);
	trace_close(r);
}

int main(int argc, char **argv)
{
	unsigned long long accesses = 10000000, pages = 1000000;
	int runs = 3;
	const char *path = NULL, *only_reclaim = NULL, *only_pagemap = NULL;
	const char *only_alloc = NULL;
	char spec[256], err[512], defpath[256];
	uint64_t *next_use = NULL, nnext = 0, ndistinct = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--accesses"))
			accesses = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--pages"))
			pages = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--trace"))
			path = argv[i + 1];
		else if (!strcmp(argv[i], "--reclaim"))
			only_reclaim = argv[i + 1];
		else if (!strcmp(argv[i], "--pagemap"))
			only_pagemap = argv[i + 1];
		else if (!strcmp(argv[i], "--alloc"))
			only_alloc = argv[i + 1];
	}
	if (runs < 1 || runs > 99 || !accesses || !pages) {
		fprintf(stderr, "usage: bench_sim [--accesses N] [--pages N] [--runs N] [--trace PATH]\n"
				"                 [--reclaim NAME] [--pagemap NAME] [--alloc NAME]\n");
		return 2;
	}
	snprintf(spec, sizeof(spec), "gen:zipf:pages=%llu:accesses=%llu:alpha=0.9:seed=1",
		 pages, accesses);
	if (!path) {
		snprintf(defpath, sizeof(defpath), "/tmp/pagelab-bench-zipf-%llu-%llu.trace",
			 pages, accesses);
		path = defpath;
		if (ensure_trace(path, spec, pages, accesses))
			return 1;
	}

	/* The pre-pass: distinct pages, next use for OPT (not timed below). */
	{
		struct sim_scan *sc = sim_scan_create(1, err, sizeof(err));
		struct trace_reader *r = trace_open(path, NULL, err, sizeof(err));
		struct event ev[BATCH];
		uint64_t idx = 0;
		double t0 = bench_cpu_s();
		long n;

		if (!sc || !r)
			return 1;
		while ((n = trace_read(r, ev, BATCH)) > 0) {
			if (sim_scan_apply(sc, ev, (size_t)n, idx, err, sizeof(err)))
				return 1;
			idx += (uint64_t)n;
		}
		if (sim_scan_finish(sc, &ndistinct, &nnext, &next_use, err, sizeof(err)))
			return 1;
		trace_close(r);
		sim_scan_destroy(sc);
		printf("bench_sim: %s: %llu accesses, %llu distinct pages; next-use pre-pass %.2f s\n",
		       path == defpath ? spec + 4 : path, (unsigned long long)nnext, (unsigned long long)ndistinct,
		       bench_cpu_s() - t0);
	}
	printf("bench_sim: decoding alone: %.1f M accesses/s\n", decode_rate(path) / 1e6);
	if (!only_reclaim && !only_pagemap && !only_alloc)
		harness_rate(path, ndistinct / 10, runs);
	printf("bench_sim: RAM %llu pages (10%% of the distinct pages), observe full, CPU time, median of %d runs\n",
	       (unsigned long long)(ndistinct / 10), runs);
	printf("%-10s %-8s %-7s %9s %8s %9s %12s\n", "reclaim", "pagemap", "alloc",
	       "M acc/s", "miss", "sim B/pg", "pagemap B/pg");

	/* Every policy with both pagemaps and the default allocator; then the
	 * target's configuration with each allocator. */
	for (size_t p = 0;; p++) {
		int extra = !reclaim_registry[p];
		for (size_t m = 0; pagemap_registry[m]; m++) {
		for (size_t a = 0; alloc_registry[a]; a++) {
			int filtered = only_reclaim || only_pagemap || only_alloc;
			if (filtered ? extra ||
				       (only_reclaim && strcmp(only_reclaim, reclaim_registry[p]->name)) ||
				       (only_pagemap && strcmp(only_pagemap, pagemap_registry[m]->name)) ||
				       (only_alloc && strcmp(only_alloc, alloc_registry[a]->name))
				     : extra ? m || !strcmp(alloc_registry[a]->name, BENCH_ALLOC)
					     : !!strcmp(alloc_registry[a]->name, BENCH_ALLOC))
				continue;
			struct sim_config cfg = {
				.reclaim = extra ? "lru" : reclaim_registry[p]->name,
				.pagemap = pagemap_registry[m]->name,
				.alloc = alloc_registry[a]->name,
				.ram_pages = ndistinct / 10,
				.observe = { OBSERVE_FULL, 0 },
				.page_size = 4096,
				.reclaim_batch = 1,
				.seed = 1,
				.next_use = next_use,
				.nnext = nnext,
			};
			double rate[99];
			struct run rr;

			for (int k = 0; k < runs; k++) {
				if (run_once(path, &cfg, &rr))
					return 1;
				rate[k] = (double)rr.c.accesses / rr.secs;
			}
			qsort(rate, (size_t)runs, sizeof(rate[0]), bench_cmp_double);
			printf("%-10s %-8s %-7s %9.1f %8.4f %9.1f %12.1f\n", cfg.reclaim,
			       cfg.pagemap, cfg.alloc, rate[runs / 2] / 1e6,
			       (double)rr.c.faults / (double)rr.c.accesses,
			       (double)rr.mem.sim_bytes / (double)ndistinct,
			       (double)rr.mem.pagemap_bytes / (double)ndistinct);
			if (p == 0 && m == 0)
				printf("  (reclaim %s metadata: %.1f B per distinct page)\n",
				       cfg.reclaim,
				       (double)rr.mem.reclaim_bytes / (double)ndistinct);
			fflush(stdout);
		}
		}
		if (extra)
			break;
	}
	free(next_use);
	return 0;
}

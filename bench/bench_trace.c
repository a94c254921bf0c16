/*
 * bench/bench_trace.c — how fast events come out of workloads/.
 *
 * Targets (issue 3): >= 20 M accesses/s from the uniform and zipf
 * generators; >= 100 M events/s reading a native trace from the page cache.
 * Each figure is the median of RUNS runs (default 5; BENCH_RUNS overrides)
 * in the thread's CPU time (the host is shared: wall time varies with
 * the neighbours); EVENTS (default 10 M; BENCH_EVENTS) events per run,
 * consumed in batches of 1024 as the engines do (REPLAY_BATCH).  Prints
 * one line per figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workloads/gen.h"
#include "workloads/trace.h"
#include "bench/benchhelp.h"

#define BATCH 1024

/* Events per CPU second draining r; sink keeps the loop honest. */
static double drain(struct trace_reader *r, struct event *ev, uint64_t *sink)
{
	double t0 = bench_cpu_s();
	uint64_t n = 0, s = 0;
	long k;

	while ((k = trace_read(r, ev, BATCH)) > 0) {
		n += (uint64_t)k;
		s += ev[k - 1].page;
	}
	if (k < 0) {
		fprintf(stderr, "bench_trace: %s\n", trace_error(r));
		exit(1);
	}
	*sink += s;
	return (double)n / (bench_cpu_s() - t0);
}

static void bench_spec(const char *label, const char *spec, int runs,
		       struct event *ev, uint64_t *sink)
{
	double v[64];
	char err[1200];

	for (int i = 0; i < runs; i++) {
		struct trace_reader *r = trace_open(spec, NULL, err, sizeof(err));
		if (!r) {
			fprintf(stderr, "bench_trace: %s\n", err);
			exit(1);
		}
		v[i] = drain(r, ev, sink);
		trace_close(r);
	}
	{
		double med = bench_median(v, runs);	/* sorts v */
		printf("%-28s %8.1f M events/s  (median of %d runs; min %.1f max %.1f)\n",
		       label, med / 1e6, runs, v[0] / 1e6, v[runs - 1] / 1e6);
		fflush(stdout);
	}
}

int main(void)
{
	const char *re = getenv("BENCH_RUNS"), *ee = getenv("BENCH_EVENTS");
	const char *td = getenv("TMPDIR");
	int runs = re ? atoi(re) : 5;
	unsigned long long events = ee ? strtoull(ee, NULL, 0) : 10000000ull;
	struct event *ev = malloc(BATCH * sizeof(*ev));
	uint64_t sink = 0;
	char spec[512], path[512], err[1200];

	if (runs < 1 || runs > 64)
		runs = 5;
	snprintf(spec, sizeof(spec), "gen:uniform:pages=1000000:accesses=%llu:write_ratio=0.2",
		 events);
	bench_spec("gen uniform", spec, runs, ev, &sink);
	snprintf(spec, sizeof(spec), "gen:zipf:pages=1000000:accesses=%llu:alpha=0.99:write_ratio=0.2",
		 events);
	bench_spec("gen zipf alpha=0.99", spec, runs, ev, &sink);
	snprintf(spec, sizeof(spec), "gen:zipf:pages=1000000:accesses=%llu:alpha=0.6",
		 events);
	bench_spec("gen zipf alpha=0.6", spec, runs, ev, &sink);

	/* native: write a zipf trace once, then read it from the page cache */
	snprintf(path, sizeof(path), "%s/pagelab-bench-%d.pgt", td && *td ? td : "/tmp",
		 (int)getpid());
	{
		struct trace_reader *r;
		struct trace_writer *w;
		long k;
		double t0;
		snprintf(spec, sizeof(spec), "gen:zipf:pages=1000000:accesses=%llu:alpha=0.99:write_ratio=0.2",
			 events);
		r = trace_open(spec, NULL, err, sizeof(err));
		w = trace_writer_open(path, "native", trace_header(r), err, sizeof(err));
		if (!r || !w) {
			fprintf(stderr, "bench_trace: %s\n", err);
			return 1;
		}
		t0 = bench_cpu_s();
		while ((k = trace_read(r, ev, BATCH)) > 0)
			trace_write(w, ev, (size_t)k);
		if (trace_writer_close_err(w, 1, err, sizeof(err)) < 0) {
			fprintf(stderr, "bench_trace: %s\n", err);
			return 1;
		}
		printf("%-28s %8.1f M events/s  (one run, generation included)\n",
		       "native write (zipf)", (double)events / (bench_cpu_s() - t0) / 1e6);
		trace_close(r);
	}
	{
		FILE *f = fopen(path, "rb");
		long sz = 0;
		if (f) {
			fseek(f, 0, SEEK_END);
			sz = ftell(f);
			fclose(f);
		}
		printf("%-28s %8.2f bytes/access (%ld bytes)\n", "native size (zipf)",
		       (double)sz / (double)events, sz);
	}
	bench_spec("native read (zipf)", path, runs, ev, &sink);
	unlink(path);

	/* a sequential trace: 1-byte records */
	snprintf(spec, sizeof(spec), "gen:seq:pages=1000000:accesses=%llu", events);
	{
		struct trace_reader *r = trace_open(spec, NULL, err, sizeof(err));
		struct trace_writer *w = trace_writer_open(path, "native", trace_header(r),
							   err, sizeof(err));
		long k;
		while ((k = trace_read(r, ev, BATCH)) > 0)
			trace_write(w, ev, (size_t)k);
		trace_writer_close(w, 1);
		trace_close(r);
	}
	bench_spec("native read (seq)", path, runs, ev, &sink);
	unlink(path);
	fprintf(stderr, "(sink %llu)\n", (unsigned long long)sink);
	free(ev);
	return 0;
}

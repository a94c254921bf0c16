/*
 * cli/results.h — the one CSV schema of sim and real runs (results/SCHEMA.md
 * is the reference; change both together, append columns only).
 */
#ifndef PAGELAB_CLI_RESULTS_H
#define PAGELAB_CLI_RESULTS_H

#include <stdint.h>
#include <stdio.h>

#include "common/counters.h"

/* Latency percentiles a real run measures per fault class. */
enum { LAT_P50, LAT_P90, LAT_P99, LAT_P999, LAT_MAX, LAT_N };

struct result_row {
	const char *mode;		/* "sim", "real" */
	const char *trace;
	const char *reclaim, *pagemap, *alloc;
	const char *observe;		/* "full", "faults", "sampled:N" */
	uint64_t ram_pages;
	uint32_t page_size;		/* bytes */
	uint32_t reclaim_batch;
	struct counters c;
	double model_ns[FAULT_NCLASSES];	/* modelled time per class */
	double model_total_ns;
	const char *costs;		/* the cost file, or "default" */
	double wall_s;
	int have_latency;		/* real runs: lat_ns below is filled */
	double lat_ns[FAULT_NCLASSES][LAT_N];
	/* real runs (have_latency): getrusage */
	long rss_max_kb, minflt, majflt;
	double fault_ns;		/* measured time of all faulting accesses */
	double fault_cpu_ns;		/* their thread CPU time */
};

struct sim_opts;
struct costs;
struct real_stats;

/*
 * Fill row for one (reclaim, RAM size) run of the options o in mode ("sim",
 * "real") with counters c: every column but the measured ones; observe is
 * storage for the observe column (>= 32 bytes).
 */
void results_fill(struct result_row *row, const struct sim_opts *o,
		  const char *mode, const char *reclaim, uint64_t ram_pages,
		  const struct counters *c, const struct costs *costs,
		  double wall_s, char *observe, size_t observe_len);
/* The measured columns of a real run. */
void results_set_real(struct result_row *row, const struct real_stats *st);

/* The latency histogram file (results/SCHEMA.md): its header line, and the
 * rows of one run (non-empty buckets of each class). */
void results_hist_header(FILE *f);
void results_hist_rows(FILE *f, const struct result_row *r,
		       const struct real_stats *st);

/* The header line (with its newline). */
void results_header(FILE *f);
/* One row (with its newline). */
void results_row(FILE *f, const struct result_row *r);

#endif

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
};

/* The header line (with its newline). */
void results_header(FILE *f);
/* One row (with its newline). */
void results_row(FILE *f, const struct result_row *r);

/* Write text to PATH atomically (temporary file in the same directory,
 * renamed when complete), or to stdout when PATH is NULL or "-".
 * 0, or -1 and "PATH: reason" in err (nothing left behind). */
int results_write_file(const char *path, const char *text, size_t len,
		       char *err, size_t errlen);

#endif

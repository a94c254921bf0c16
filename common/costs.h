/*
 * common/costs.h — the cost model: a modelled latency in ns per fault class,
 * so a simulated run can be read as time (`model_*_ns` columns,
 * results/SCHEMA.md), and a file format for those parameters.
 *
 * The parameter file (`pagelab sim --costs FILE`; `pagelab calibrate`
 * writes one from real measurements) is plain text, one `key = value` per
 * line, `#` starts a comment, blank lines are ignored, keys not given keep
 * their defaults:
 *
 *     # key          default   what one fault of that class costs
 *     load_ns      = 4000      # SIGSEGV, allocate a RAM page, loadblk 4 KiB, mmap
 *     map_ns       = 1800      # SIGSEGV, mmap of a page already in RAM
 *     dirty_ns     = 1500      # SIGSEGV, mprotect to read-write, dirty-list add
 *     ref_ns       = 1500      # SIGSEGV, mprotect back after a sampling protect
 *     load_2m_ns   = 180000    # the same with 2 MiB (hugetlbfs) pages
 *     map_2m_ns    = 2500
 *     dirty_2m_ns  = 2000
 *     ref_2m_ns    = 2000
 *
 * The defaults are round figures of the order a 2020s x86-64 Linux box shows
 * for a userspace pager on tmpfs; `pagelab calibrate` replaces them with
 * measured medians.  A modelled fault time is simply
 * sum over classes of faults[class] * cost[class].
 */
#ifndef PAGELAB_COMMON_COSTS_H
#define PAGELAB_COMMON_COSTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/counters.h"

struct costs {
	double ns_4k[FAULT_NCLASSES];	/* indexed by enum fault_class */
	double ns_2m[FAULT_NCLASSES];
	char source[256];		/* the file read, or "default" */
};

/* The documented defaults. */
void costs_default(struct costs *c);

/* Defaults overridden by PATH.  0, or -1 and "PATH:LINE: reason" in err. */
int costs_load(struct costs *c, const char *path, char *err, size_t errlen);

/* Modelled ns per class for the counters c at page size page_size_bytes,
 * and the total (return value). */
double costs_model(const struct costs *c, uint32_t page_size_bytes,
		   const struct counters *cnt, double by_class_ns[FAULT_NCLASSES]);

#endif

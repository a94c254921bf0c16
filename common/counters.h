/*
 * common/counters.h — what both engines count, with the same meanings, so
 * the CSV (results/SCHEMA.md) and `pagelab compare` can put them side by
 * side.  Definitions: docs/ENGINE.md.
 */
#ifndef PAGELAB_COMMON_COUNTERS_H
#define PAGELAB_COMMON_COUNTERS_H

#include <stdint.h>

enum fault_class {
	FAULT_LOAD,		/* page not in RAM: allocate, load, map */
	FAULT_MAP,		/* in RAM, not mapped in this VMA: map */
	FAULT_DIRTY,		/* write to a page mapped read-only: upgrade */
	FAULT_REF,		/* mapped, protected by sampling to observe use */
	FAULT_NCLASSES
};

struct counters {
	uint64_t accesses;
	uint64_t hits;
	uint64_t faults;			/* sum of by_class */
	uint64_t by_class[FAULT_NCLASSES];
	uint64_t loads;				/* loadblk calls (or modelled) */
	uint64_t stores;			/* storeblk calls */
	uint64_t evictions;			/* pages reclaimed */
	uint64_t writebacks;			/* dirty pages made clean by writeout */
	uint64_t ram_pages_peak;		/* most pages resident at once */
	uint64_t vmas;				/* kernel VMAs in our ranges now */
	uint64_t vmas_peak;
};

#endif

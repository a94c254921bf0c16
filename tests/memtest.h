/*
 * tests/memtest.h — a memory source for tests (common/mem.h): it counts
 * what a policy holds and can refuse the n-th allocation.
 *
 * It passes every request to mem_default and keeps the bytes and blocks
 * outstanding, so a test can check that a policy allocates only through
 * its source (nothing outstanding after destroy, freed with the sizes it
 * asked for), that an op allocates nothing (allocs unchanged around it),
 * and, with fail_in, that a failed allocation leaves the policy as it
 * was: SQLite's fault injection through the method table production code
 * uses.
 *
 *   struct memtest mt = MEMTEST_INIT;
 *   ... create(..., .mem = &mt.ms ...); ...
 *   mt.fail_in = 1;   // the next allocation fails (0: none fails)
 *   CHECK_EQ(mt.bytes, 0);   // after destroy
 */
#ifndef PAGELAB_TESTS_MEMTEST_H
#define PAGELAB_TESTS_MEMTEST_H

#include <stdint.h>

#include "common/bug.h"
#include "common/mem.h"

struct memtest {
	struct mem_source ms;
	uint64_t fail_in;	/* the fail_in-th allocation from now fails; 0: none */
	uint64_t allocs;	/* allocations served */
	uint64_t failed;	/* allocations refused */
	int64_t bytes;		/* outstanding: allocated minus freed */
	int64_t blocks;
};

static inline void *memtest_alloc(const struct mem_source *ms, size_t bytes,
				  unsigned flags)
{
	struct memtest *mt = container_of(ms, struct memtest, ms);
	void *p;

	if (mt->fail_in && --mt->fail_in == 0) {
		mt->failed++;
		return NULL;
	}
	p = mem_default.alloc(&mem_default, bytes, flags);
	if (p) {
		mt->allocs++;
		mt->bytes += (int64_t)bytes;
		mt->blocks++;
	}
	return p;
}

static inline void memtest_free(const struct mem_source *ms, void *p,
				size_t bytes, unsigned flags)
{
	struct memtest *mt = container_of(ms, struct memtest, ms);

	mt->bytes -= (int64_t)bytes;
	mt->blocks--;
	mem_default.free(&mem_default, p, bytes, flags);
}

#define MEMTEST_INIT { .ms = { .alloc = memtest_alloc, .free = memtest_free } }

#endif

/*
 * tests/reclaim_harness.h — drive a reclaim policy as a plain cache
 * simulator, for policy tests that do not need the simulator engine.
 *
 * Every access reaches the policy (`full` observation): a resident key is a
 * hit (reclaim_hit), an absent one a miss: if the cache holds npages pages
 * one victim is evicted, then the key is inserted.  That is exactly what a
 * libCacheSim-style simulator counts, so misses/accesses is the miss ratio
 * in tests/data/README.md.
 *
 * The victim() of a miss is told the missing key (reclaim_ctx.miss_key,
 * which ARC and 2Q read, policies/reclaim.h).
 *
 * Keys are dense (0..nkeys-1).  next_use[i] (may be NULL) is the index of
 * the next access to keys[i] (UINT64_MAX: never), given to the policy's
 * insert or hit in reclaim_ctx.next_use (what OPT reads).
 */
#ifndef PAGELAB_TESTS_RECLAIM_HARNESS_H
#define PAGELAB_TESTS_RECLAIM_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bug.h"
#include "policies/reclaim.h"
#include "workloads/trace.h"

struct harness_page {
	struct rpage rp;
	bool resident;
};

/*
 * Replay keys[0..n) through policy `spec` with room for npages pages.
 * Returns the miss count, or UINT64_MAX if the policy could not be created
 * (message on stderr).  pinned (may be NULL) marks keys that are made
 * unevictable while resident.
 */
static inline uint64_t harness_run_obs(const char *spec, const uint32_t *keys,
				       size_t n, uint32_t nkeys, size_t npages,
				       uint64_t seed, const uint64_t *next_use,
				       bool hits);

static inline uint64_t harness_run(const char *spec, const uint32_t *keys,
				   size_t n, uint32_t nkeys, size_t npages,
				   uint64_t seed, const uint64_t *next_use)
{
	return harness_run_obs(spec, keys, n, nkeys, npages, seed, next_use, true);
}

/*
 * The same with hits = false: hits are not reported, as under `faults`
 * observation of a key-only trace (no map or dirty faults either, so the
 * policy sees only victim() and insert()).
 */
static inline uint64_t harness_run_obs(const char *spec, const uint32_t *keys,
				       size_t n, uint32_t nkeys, size_t npages,
				       uint64_t seed, const uint64_t *next_use,
				       bool hits)
{
	char err[256];
	struct reclaim_params p = { .npages = npages, .seed = seed,
				    .mem = &mem_default };
	struct reclaim *r = reclaim_create(spec, &p, err, sizeof(err));
	struct harness_page *pages;
	uint64_t misses = 0;

	if (!r) {
		fprintf(stderr, "harness: %s\n", err);
		return UINT64_MAX;
	}
	pages = calloc(nkeys, sizeof(*pages));
	BUG_ON(!pages);
	for (size_t i = 0; i < n; i++) {
		struct harness_page *pg = &pages[keys[i]];
		struct reclaim_ctx ctx = {
			.next_use = next_use ? next_use[i] : UINT64_MAX,
			.miss_key = keys[i],
		};

		if (pg->resident) {
			if (hits)
				reclaim_hit(r, &pg->rp, &ctx);
			continue;
		}
		misses++;
		if (r->nresident >= npages) {
			struct rpage *v = reclaim_victim(r, &ctx);
			BUG_ON(!v);
			container_of(v, struct harness_page, rp)->resident = false;
		}
		pg->rp.key = keys[i];
		pg->rp.flags = 0;
		pg->resident = true;
		reclaim_insert(r, &pg->rp, &ctx);
	}
	reclaim_destroy(r);
	free(pages);
	return misses;
}

/* next_use[i] = index of the next access to keys[i], UINT64_MAX if none. */
static inline uint64_t *harness_next_use(const uint32_t *keys, size_t n,
					 uint32_t nkeys)
{
	uint64_t *next = malloc(n * sizeof(*next));
	uint64_t *last = malloc(nkeys * sizeof(*last));

	BUG_ON(!next || !last);
	for (uint32_t k = 0; k < nkeys; k++)
		last[k] = UINT64_MAX;
	for (size_t i = n; i-- > 0;) {
		next[i] = last[keys[i]];
		last[keys[i]] = i;
	}
	free(last);
	return next;
}

/*
 * Load a key-only trace (libCacheSim oracleGeneral or csv, plain or .zst)
 * through the library's trace reader, which renumbers its keys densely in
 * first-seen order.  Returns the key array (n accesses in *np, distinct
 * keys in *nkeysp), or NULL with the reader's message on stderr.
 */
static inline uint32_t *harness_load_oracle(const char *path, size_t *np,
					    uint32_t *nkeysp)
{
	char err[1200];
	struct trace_reader *r = trace_open(path, NULL, err, sizeof(err));
	struct event ev[1024];
	size_t cap = 1024, n = 0;
	uint32_t *keys, nkeys = 0;
	long got;

	if (!r) {
		fprintf(stderr, "harness: %s\n", err);
		return NULL;
	}
	keys = malloc(cap * sizeof(*keys));
	BUG_ON(!keys);
	while ((got = trace_read(r, ev, 1024)) > 0) {
		for (long i = 0; i < got; i++) {
			if (ev[i].type != EV_ACCESS)
				continue;
			BUG_ON(ev[i].page >= UINT32_MAX);
			if (n == cap) {
				cap *= 2;
				keys = realloc(keys, cap * sizeof(*keys));
				BUG_ON(!keys);
			}
			keys[n++] = (uint32_t)ev[i].page;
			if (ev[i].page >= nkeys)
				nkeys = (uint32_t)ev[i].page + 1;
		}
	}
	if (got < 0) {
		fprintf(stderr, "harness: %s\n", trace_error(r));
		free(keys);
		keys = NULL;
	}
	trace_close(r);
	*np = n;
	*nkeysp = nkeys;
	return keys;
}

#endif

/*
 * tests/zipf.h — Zipf key arrays for policy tests and benchmarks.
 *
 * zipf_keys() fills an array with Zipf(s) ranks (workloads/zipf.h; s = 0 is
 * uniform) scattered over [0, nkeys) by a fixed bijection, so popular keys
 * are not neighbours.  Seeded: the same arguments give the same array.
 */
#ifndef PAGELAB_TESTS_ZIPF_H
#define PAGELAB_TESTS_ZIPF_H

#include <stdint.h>
#include <stdlib.h>

#include "common/bug.h"
#include "common/rng.h"
#include "workloads/zipf.h"

/* n keys in [0, nkeys) (nkeys < 2^32), Zipf(s) ranks scattered by an odd
 * multiplier modulo nkeys — a bijection when gcd(mult, nkeys) = 1. */
static inline uint32_t *zipf_keys(size_t n, uint32_t nkeys, double s,
				  uint64_t seed)
{
	uint32_t *keys = malloc(n * sizeof(*keys));
	uint64_t mult = 2654435761u;
	struct zipf z;
	struct rng r;

	BUG_ON(!keys);
	for (;;) {	/* the next multiplier coprime to nkeys */
		uint64_t a = mult, b = nkeys;
		while (b) {
			uint64_t t = a % b;
			a = b;
			b = t;
		}
		if (a == 1)
			break;
		mult += 2;
	}
	zipf_init(&z, nkeys, s);
	rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		keys[i] = (uint32_t)(((zipf_rank(&z, &r) - 1) * mult) % nkeys);
	return keys;
}

#endif

/*
 * tests/zipf.h — a seeded Zipf sampler for policy tests and benchmarks.
 *
 * Rank k in [1, n] with probability proportional to k^-s (s >= 0; s = 0 is
 * uniform), drawn by rejection-inversion (Hörmann & Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions",
 * ACM TOMACS 1996): O(1) time and memory per sample whatever n is, so a
 * 10 M-access stream over 1 M keys needs no table.
 *
 * zipf_keys() fills an array with ranks scattered over [0, n) by a fixed
 * bijection (popular keys are not neighbours), which is what the tests and
 * bench/bench_reclaim.c replay.
 */
#ifndef PAGELAB_TESTS_ZIPF_H
#define PAGELAB_TESTS_ZIPF_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/bug.h"
#include "common/rng.h"

struct zipf {
	double s, h_x1, h_n, sq;
	uint64_t n;
	struct rng rng;
};

/* (exp(x) - 1) / x, and log(1 + x) / x, accurate near 0. */
static inline double zipf_expm1_x(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x / 2 * (1 + x / 3);
}

static inline double zipf_log1p_x(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x / 3);
}

/* H(x) = integral of t^-s from 1 to x, its inverse, and h(x) = x^-s. */
static inline double zipf_H(const struct zipf *z, double x)
{
	double lx = log(x);
	return zipf_expm1_x((1 - z->s) * lx) * lx;
}

static inline double zipf_Hinv(const struct zipf *z, double y)
{
	double t = y * (1 - z->s);
	if (t < -1)
		t = -1;	/* rounding at the far end */
	return exp(zipf_log1p_x(t) * y);
}

static inline double zipf_h(const struct zipf *z, double x)
{
	return exp(-z->s * log(x));
}

static inline void zipf_init(struct zipf *z, uint64_t n, double s, uint64_t seed)
{
	z->n = n;
	z->s = s;
	z->h_x1 = zipf_H(z, 1.5) - 1;
	z->h_n = zipf_H(z, (double)n + 0.5);
	z->sq = 2 - zipf_Hinv(z, zipf_H(z, 2.5) - zipf_h(z, 2));
	rng_seed(&z->rng, seed);
}

/* A rank in [1, n]. */
static inline uint64_t zipf_next(struct zipf *z)
{
	for (;;) {
		double u = z->h_n + rng_double(&z->rng) * (z->h_x1 - z->h_n);
		double x = zipf_Hinv(z, u);
		double k = floor(x + 0.5);

		if (k < 1)
			k = 1;
		else if (k > (double)z->n)
			k = (double)z->n;
		if (k - x <= z->sq || u >= zipf_H(z, k + 0.5) - zipf_h(z, k))
			return (uint64_t)k;
	}
}

/* n keys in [0, nkeys) (nkeys < 2^32), Zipf(s) ranks scattered by an odd
 * multiplier modulo nkeys — a bijection when gcd(mult, nkeys) = 1. */
static inline uint32_t *zipf_keys(size_t n, uint32_t nkeys, double s,
				  uint64_t seed)
{
	uint32_t *keys = malloc(n * sizeof(*keys));
	uint64_t mult = 2654435761u;
	struct zipf z;

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
	zipf_init(&z, nkeys, s, seed);
	for (size_t i = 0; i < n; i++)
		keys[i] = (uint32_t)(((zipf_next(&z) - 1) * mult) % nkeys);
	return keys;
}

#endif

/*
 * workloads/zipf.h — exact Zipf sampling in O(1) per draw.
 *
 * Rank k (1..n) is drawn with probability k^-alpha / H(n, alpha) by
 * rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion
 * to generate variates from monotone discrete distributions", ACM TOMACS
 * 6(3), 1996): invert the integral H(x) = (x^(1-a) - 1) / (1-a) of the hat
 * function x^-a, round to the nearest integer k, and accept when the draw
 * falls under the histogram bar of k — which the cheap test k - x <= s
 * settles for almost every draw without evaluating H again.  H and its
 * inverse are written with log1p/expm1 helpers so alpha = 1 (H = log) needs
 * no special case.  No table: a 10 M-draw stream over 1 M ranks needs O(1)
 * memory.
 *
 * Used by the zipf generator (workloads/gen_zipf.c) and by tests and
 * benchmarks that need Zipf keys without a trace.  Pure computation: any
 * context.
 */
#ifndef PAGELAB_WORKLOADS_ZIPF_H
#define PAGELAB_WORKLOADS_ZIPF_H

#include <math.h>
#include <stdint.h>

#include "common/rng.h"

struct zipf {
	double alpha;
	uint64_t n;
	double hx1, hn, s;
};

/* log1p(x)/x and expm1(x)/x, accurate near 0. */
static inline double zipf_log1p_x(double x)
{
	if (fabs(x) > 1e-8)
		return log1p(x) / x;
	return 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static inline double zipf_expm1_x(double x)
{
	if (fabs(x) > 1e-8)
		return expm1(x) / x;
	return 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

static inline double zipf_H(const struct zipf *z, double x)
{
	double lx = log(x);
	return zipf_expm1_x((1 - z->alpha) * lx) * lx;
}

static inline double zipf_Hinv(const struct zipf *z, double x)
{
	double t = x * (1 - z->alpha);
	if (t < -1)
		t = -1;	/* rounding: keep log1p defined */
	return exp(zipf_log1p_x(t) * x);
}

static inline double zipf_pow(const struct zipf *z, double x)
{
	return exp(-z->alpha * log(x));
}

/* A sampler over ranks 1..n (n >= 1) with skew alpha >= 0. */
static inline void zipf_init(struct zipf *z, uint64_t n, double alpha)
{
	z->alpha = alpha;
	z->n = n;
	z->hx1 = zipf_H(z, 1.5) - 1;
	z->hn = zipf_H(z, (double)n + 0.5);
	z->s = 2 - zipf_Hinv(z, zipf_H(z, 2.5) - zipf_pow(z, 2));
}

/* One rank in [1, n], drawing from r. */
static inline uint64_t zipf_rank(const struct zipf *z, struct rng *r)
{
	uint64_t n = z->n;

	for (;;) {
		double u = z->hn + rng_double(r) * (z->hx1 - z->hn);
		double x = zipf_Hinv(z, u);
		double kd = x + 0.5;
		uint64_t k = kd < 1 ? 1 : kd >= (double)n ? n : (uint64_t)kd;
		if ((double)k - x <= z->s ||
		    u >= zipf_H(z, (double)k + 0.5) - zipf_pow(z, (double)k))
			return k;
	}
}

#endif

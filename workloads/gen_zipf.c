/*
 * workloads/gen_zipf.c — Zipf-distributed page popularity.
 *
 * Page of rank k (1..n) is drawn with probability k^-alpha / H(n, alpha).
 * Sampling is exact and O(1) per draw by rejection-inversion (W. Hörmann
 * and G. Derflinger, "Rejection-inversion to generate variates from
 * monotone discrete distributions", ACM TOMACS 6(3), 1996): invert the
 * integral H(x) = (x^(1-a) - 1) / (1-a) of the hat function x^-a, round
 * to the nearest integer k, and accept when the draw falls under the
 * histogram bar of k — which the cheap test k - x <= s settles for almost
 * every draw without evaluating H again.  H and its inverse are written
 * with log1p/expm1 helpers so alpha = 1 (H = log) needs no special case.
 * alpha = 0 is uniform.
 *
 * Rank k is page k-1 (hot pages at the front of the file) unless
 * scramble=1, which spreads ranks over the file with the bijection
 * page = ((k-1) * m + c) mod pages (m coprime with pages), so hot
 * pages are not neighbours.
 */
#include <math.h>
#include <stdio.h>

#include "workloads/gen_impl.h"

struct gen_zipf {
	struct gen g;
	double alpha;
	int scramble;
	double hx1, hn, s;
	uint64_t mul, add;
};

/* log1p(x)/x and expm1(x)/x, accurate near 0. */
static double helper1(double x)
{
	if (fabs(x) > 1e-8)
		return log1p(x) / x;
	return 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static double helper2(double x)
{
	if (fabs(x) > 1e-8)
		return expm1(x) / x;
	return 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

static inline double zh(const struct gen_zipf *z, double x)
{
	double lx = log(x);
	return helper2((1 - z->alpha) * lx) * lx;
}

static inline double zhinv(const struct gen_zipf *z, double x)
{
	double t = x * (1 - z->alpha);
	if (t < -1)
		t = -1;	/* rounding: keep log1p defined */
	return exp(helper1(t) * x);
}

static inline double zpow(const struct gen_zipf *z, double x)
{
	return exp(-z->alpha * log(x));
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int zipf_args(struct gen *g, struct arg_spec *s)
{
	struct gen_zipf *z = (struct gen_zipf *)g;
	z->alpha = 0.99;
	s[0] = (struct arg_spec){ "alpha", ARG_DOUBLE, &z->alpha, 0, 20, NULL,
				  "skew: P(rank k) ~ k^-alpha" };
	s[1] = (struct arg_spec){ "scramble", ARG_BOOL, &z->scramble, 0, 1, NULL,
				  "spread hot ranks over the file" };
	return 2;
}

static int zipf_init(struct gen *g, char *err, size_t errlen)
{
	struct gen_zipf *z = (struct gen_zipf *)g;
	double n = (double)g->npages;

	(void)err;
	(void)errlen;
	z->hx1 = zh(z, 1.5) - 1;
	z->hn = zh(z, n + 0.5);
	z->s = 2 - zhinv(z, zh(z, 2.5) - zpow(z, 2));
	z->mul = 1;
	z->add = 0;
	if (z->scramble && g->npages > 2) {
		/* a multiplier near pages * golden ratio, coprime with pages */
		uint64_t m = (uint64_t)(n * 0.6180339887498949) | 1;
		while (gcd64(m, g->npages) != 1)
			m += 2;
		z->mul = m % g->npages;
		z->add = g->npages / 3;
	}
	return 0;
}

static inline uint64_t zipf_rank(struct gen_zipf *z, struct rng *r)
{
	uint64_t n = z->g.npages;

	for (;;) {
		double u = z->hn + rng_double(r) * (z->hx1 - z->hn);
		double x = zhinv(z, u);
		double kd = x + 0.5;
		uint64_t k = kd < 1 ? 1 : kd >= (double)n ? n : (uint64_t)kd;
		if ((double)k - x <= z->s ||
		    u >= zh(z, (double)k + 0.5) - zpow(z, (double)k))
			return k;
	}
}

static long zipf_fill(struct gen *g, struct event *ev, size_t max)
{
	struct gen_zipf *z = (struct gen_zipf *)g;
	uint64_t n = max < g->limit ? max : g->limit;

	if (z->alpha == 0) {
		for (uint64_t i = 0; i < n; i++)
			ev[i] = gen_access(g, 0, rng_below(&g->rng, g->npages));
		return (long)n;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t k = zipf_rank(z, &g->rng) - 1;
		uint8_t w = gen_write(g);
		if (z->mul != 1)
			k = (uint64_t)(((unsigned __int128)k * z->mul + z->add) %
				       g->npages);
		ev[i] = (struct event){ .type = EV_ACCESS, .write = w, .page = k };
	}
	return (long)n;
}

const struct gen_ops gen_zipf_ops = {
	.name = "zipf",
	.help = "Zipf(alpha) popularity, exact rejection-inversion sampling",
	.size = sizeof(struct gen_zipf),
	.single_vma = 1,
	.args = zipf_args,
	.init = zipf_init,
	.fill = zipf_fill,
};

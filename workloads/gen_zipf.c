/*
 * workloads/gen_zipf.c — Zipf-distributed page popularity.
 *
 * Page of rank k (1..n) is drawn with probability k^-alpha / H(n, alpha),
 * exactly and in O(1) per draw (rejection-inversion, workloads/zipf.h).
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
#include "workloads/zipf.h"

struct gen_zipf {
	struct gen g;
	double alpha;
	int scramble;
	struct zipf z;
	uint64_t mul, add;
};

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int gen_zipf_args(struct gen *g, struct arg_spec *s)
{
	struct gen_zipf *z = (struct gen_zipf *)g;
	z->alpha = 0.99;
	s[0] = (struct arg_spec){ "alpha", ARG_DOUBLE, &z->alpha, 0, 20, NULL,
				  "skew: P(rank k) ~ k^-alpha" };
	s[1] = (struct arg_spec){ "scramble", ARG_BOOL, &z->scramble, 0, 1, NULL,
				  "spread hot ranks over the file" };
	return 2;
}

static int gen_zipf_init(struct gen *g, char *err, size_t errlen)
{
	struct gen_zipf *z = (struct gen_zipf *)g;
	double n = (double)g->npages;

	(void)err;
	(void)errlen;
	zipf_init(&z->z, g->npages, z->alpha);
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
		uint64_t k = zipf_rank(&z->z, &g->rng) - 1;
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
	.args = gen_zipf_args,
	.init = gen_zipf_init,
	.fill = zipf_fill,
};

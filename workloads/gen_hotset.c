/*
 * workloads/gen_hotset.c — a hot set that moves: phases of locality.
 *
 * A contiguous hot set of hot * pages pages receives a fraction hotprob of
 * the accesses (uniform inside it); the others go uniformly to the cold
 * rest.  Every `phase` accesses the hot set jumps to a new random place
 * (wrapping at the end of the file), so a policy must let go of the old
 * hot pages — the working-set shifts of Denning's phase/transition model.
 */
#include <stdio.h>

#include "workloads/gen_impl.h"

struct gen_hotset {
	struct gen g;
	double hot, hotprob;
	uint64_t phase;
	uint64_t nhot, base, left;
	uint64_t hthresh;
};

static int hotset_args(struct gen *g, struct arg_spec *s)
{
	struct gen_hotset *h = (struct gen_hotset *)g;
	h->hot = 0.1;
	h->hotprob = 0.9;
	h->phase = 0;
	s[0] = (struct arg_spec){ "hot", ARG_DOUBLE, &h->hot, 0, 1, NULL,
				  "fraction of the pages in the hot set" };
	s[1] = (struct arg_spec){ "hotprob", ARG_DOUBLE, &h->hotprob, 0, 1, NULL,
				  "fraction of the accesses to the hot set" };
	s[2] = (struct arg_spec){ "phase", ARG_U64, &h->phase, 0, 1e15, NULL,
				  "accesses per phase, 0 = accesses/10" };
	return 3;
}

static int hotset_init(struct gen *g, char *err, size_t errlen)
{
	struct gen_hotset *h = (struct gen_hotset *)g;

	(void)err;
	(void)errlen;
	h->nhot = (uint64_t)(h->hot * (double)g->npages + 0.5);
	if (h->nhot == 0)
		h->nhot = 1;
	if (h->nhot > g->npages)
		h->nhot = g->npages;
	if (!h->phase)
		h->phase = g->naccesses / 10 ? g->naccesses / 10 : 1;
	h->left = 0;
	h->hthresh = h->hotprob >= 1 ? UINT64_MAX :
		     (uint64_t)(h->hotprob * 18446744073709551616.0);
	return 0;
}

static long hotset_fill(struct gen *g, struct event *ev, size_t max)
{
	struct gen_hotset *h = (struct gen_hotset *)g;
	uint64_t n = max < g->limit ? max : g->limit, np = g->npages;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t off;
		if (h->left == 0) {
			h->base = rng_below(&g->rng, np);
			h->left = h->phase;
		}
		h->left--;
		if (h->nhot == np || rng_next(&g->rng) < h->hthresh)
			off = rng_below(&g->rng, h->nhot);
		else
			off = h->nhot + rng_below(&g->rng, np - h->nhot);
		off += h->base;
		if (off >= np)
			off -= np;
		ev[i] = gen_access(g, 0, off);
	}
	return (long)n;
}

const struct gen_ops gen_hotset_ops = {
	.name = "hotset",
	.help = "a hot set taking most accesses, moving every phase",
	.size = sizeof(struct gen_hotset),
	.single_vma = 1,
	.args = hotset_args,
	.init = hotset_init,
	.fill = hotset_fill,
};

/*
 * workloads/gen_slices.c — overlapping views of one file, mapped and
 * unmapped over time.
 *
 * What array slices do in Wendelin.core: a[i:j] of a big array maps just
 * the file pages of that slice, several slices of one file are alive at
 * once and overlap, and each is unmapped when its computation ends.  Here
 * up to `views` views (VMA ids 0..views-1) of `slice` pages each are
 * mapped at random offsets of file 0; each access picks a live view at
 * random and touches its next page (a sequential cursor per view); a view
 * dies after `life` accesses (unmap) and is mapped again elsewhere
 * (mmap with the same VMA id).  Overlapping views share file pages, so the
 * engines see map faults (page in RAM, not in this VMA) and VMA churn.
 * At the end every live view is unmapped.
 */
#include <stdio.h>
#include <stdlib.h>

#include "workloads/gen_impl.h"

#define MAXVIEWS 1024

struct view {
	uint64_t off, cur, left;
};

struct gen_slices {
	struct gen g;
	uint64_t views, slice, life;
	uint64_t unmapped;	/* finish(): views unmapped so far */
	int started;
	struct view v[MAXVIEWS];
};

static int slices_args(struct gen *g, struct arg_spec *s)
{
	struct gen_slices *x = (struct gen_slices *)g;
	x->views = 4;
	s[0] = (struct arg_spec){ "views", ARG_U64, &x->views, 1, MAXVIEWS, NULL,
				  "views alive at once" };
	s[1] = (struct arg_spec){ "slice", ARG_U64, &x->slice, 0, 1e15, NULL,
				  "pages per view, 0 = pages/4" };
	s[2] = (struct arg_spec){ "life", ARG_U64, &x->life, 0, 1e15, NULL,
				  "accesses a view lives, 0 = 2 * slice" };
	return 3;
}

static int slices_init(struct gen *g, char *err, size_t errlen)
{
	struct gen_slices *x = (struct gen_slices *)g;

	if (!x->slice)
		x->slice = g->npages / 4 ? g->npages / 4 : 1;
	if (x->slice > g->npages) {
		snprintf(err, errlen, "generator slices: slice=%llu is above "
			 "pages=%llu", (unsigned long long)x->slice,
			 (unsigned long long)g->npages);
		return -1;
	}
	if (!x->life)
		x->life = 2 * x->slice;
	return 0;
}

static struct event map_view(struct gen_slices *x, uint32_t i)
{
	struct view *v = &x->v[i];

	v->off = rng_below(&x->g.rng, x->g.npages - x->slice + 1);
	v->cur = 0;
	v->left = x->life;
	return (struct event){ .type = EV_MMAP, .vma = i, .page = v->off,
			       .npages = x->slice };
}

static long slices_fill(struct gen *g, struct event *ev, size_t max)
{
	struct gen_slices *x = (struct gen_slices *)g;
	size_t k = 0;
	uint64_t acc = 0;

	if (!x->started) {
		x->started = 1;
		/* map the views one at a time as they start */
		for (uint32_t i = 0; i < x->views && k < max; i++)
			ev[k++] = map_view(x, i);
		/* views beyond max (only if max < views) start lazily */
		for (uint32_t i = (uint32_t)k; i < x->views; i++)
			x->v[i].left = 0;
		return (long)k;
	}
	while (k + 3 <= max && acc < g->limit) {
		uint32_t i = (uint32_t)rng_below(&g->rng, x->views);
		struct view *v = &x->v[i];

		if (v->left == 0) {
			/* first use of a lazily started view */
			ev[k++] = map_view(x, i);
		}
		ev[k++] = gen_access(g, i, v->cur);
		acc++;
		if (++v->cur == x->slice)
			v->cur = 0;
		if (--v->left == 0) {
			/* remapped on its next use (left == 0) */
			ev[k++] = (struct event){ .type = EV_UNMAP, .vma = i };
		}
	}
	return (long)k;
}

static long slices_finish(struct gen *g, struct event *ev, size_t max)
{
	struct gen_slices *x = (struct gen_slices *)g;
	size_t k = 0;

	while (x->unmapped < x->views && k < max) {
		uint32_t i = (uint32_t)x->unmapped++;
		if (x->v[i].left)
			ev[k++] = (struct event){ .type = EV_UNMAP, .vma = i };
	}
	return (long)k;
}

const struct gen_ops gen_slices_ops = {
	.name = "slices",
	.help = "overlapping views of one file mapped and unmapped over time",
	.size = sizeof(struct gen_slices),
	.single_vma = 0,
	.args = slices_args,
	.init = slices_init,
	.fill = slices_fill,
	.finish = slices_finish,
};

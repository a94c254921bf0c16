/*
 * workloads/gen_impl.h — what the generator kinds share (gen.c has the
 * common part: parsing, the header string, the initial EV_MMAP, write
 * ratio, periodic writeout, the end).  Not for use outside workloads/.
 */
#ifndef PAGELAB_WORKLOADS_GEN_IMPL_H
#define PAGELAB_WORKLOADS_GEN_IMPL_H

#include "common/args.h"
#include "common/rng.h"
#include "workloads/trace_impl.h"

#define GEN_MAXARGS 8
#define GEN_STAGE 8

struct gen;

struct gen_ops {
	const char *name;
	const char *help;
	size_t size;		/* of the kind's struct, which starts with struct gen */
	int single_vma;		/* gen.c emits mmap(0, file 0, 0, npages) first */
	/* Point specs (up to GEN_MAXARGS) at the kind's parameters, holding
	 * their defaults; returns how many. */
	int (*args)(struct gen *g, struct arg_spec *specs);
	/* After parsing: check and derive; -1 with a message in err. */
	int (*init)(struct gen *g, char *err, size_t errlen);
	/* Emit up to max (>= GEN_STAGE) events, at most g->naccesses -
	 * g->limit accesses (the caller counts them into g->done); 0 when the
	 * kind has nothing more (the caller stops at naccesses anyway). */
	long (*fill)(struct gen *g, struct event *ev, size_t max);
	/* Optional: events after the last access (e.g. unmaps), up to max
	 * (>= GEN_STAGE); called until it returns 0. */
	long (*finish)(struct gen *g, struct event *ev, size_t max);
};

struct gen {
	struct trace_reader r;
	const struct gen_ops *ops;
	struct rng rng;
	uint64_t npages, naccesses, seed, writeout;
	double write_ratio;
	uint64_t wthresh;	/* write if rng_next() < wthresh */
	int wmode;		/* 0 never, 1 always, 2 by wthresh */
	uint64_t done;		/* accesses emitted */
	uint64_t limit;		/* accesses the next fill() may emit (> 0) */
	uint64_t since_wo;	/* accesses since the last writeout */
	int phase;		/* 0 start, 1 accesses, 2 finishing, 3 done */
	struct event stage[GEN_STAGE + 2];
	size_t nstage, stage_pos;
};

static inline uint8_t gen_write(struct gen *g)
{
	if (g->wmode == 0)
		return 0;
	if (g->wmode == 1)
		return 1;
	return rng_next(&g->rng) < g->wthresh;
}

static inline struct event gen_access(struct gen *g, uint32_t vma, uint64_t page)
{
	return (struct event){ .type = EV_ACCESS, .write = gen_write(g),
			       .vma = vma, .page = page };
}

/* The kinds (one file per family). */
extern const struct gen_ops gen_seq_ops, gen_uniform_ops, gen_loop_ops,
	gen_stride_ops, gen_zipf_ops, gen_hotset_ops, gen_slices_ops,
	gen_matrix_ops;

#endif

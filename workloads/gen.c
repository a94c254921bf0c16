/*
 * workloads/gen.c — the generator framework and the simplest kinds.
 *
 * gen_open() parses "KIND:k=v:..." against the common keys and the kind's
 * own (common/args.h), writes the canonical header string (every
 * parameter, defaults included), and returns a reader whose read op drives
 * the kind's fill(): first mmap(vma 0, file 0, pgoff 0, pages) for
 * single-VMA kinds, then accesses until `accesses`, with a writeout after
 * every `writeout` accesses, then the kind's finish() events.
 *
 * Kinds here:
 *   seq      pages start, start+1, ... wrapping at pages: a sequential scan
 *   uniform  independent uniform pages
 *   loop     a loop over `loop` pages starting at `start`, repeated: all
 *            hits when it fits in RAM, all misses under LRU when it does not
 *   stride   visit pages 0, s, 2s, ... then 1, 1+s, ... (each page once per
 *            sweep, consecutive accesses s pages apart), repeated
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/gen.h"
#include "workloads/gen_impl.h"

static const struct gen_ops *const gen_table[] = {
	&gen_seq_ops, &gen_uniform_ops, &gen_zipf_ops, &gen_loop_ops,
	&gen_stride_ops, &gen_hotset_ops, &gen_slices_ops, &gen_matrix_ops,
	NULL,
};

const char *const gen_kinds[] = {
	"seq", "uniform", "zipf", "loop", "stride", "hotset", "slices", "matrix",
	NULL,
};

static const struct gen_ops *find_kind(const char *name)
{
	for (int i = 0; gen_table[i]; i++)
		if (!strcmp(gen_table[i]->name, name))
			return gen_table[i];
	return NULL;
}

static int common_args(struct gen *g, struct arg_spec *s)
{
	s[0] = (struct arg_spec){ "pages", ARG_U64, &g->npages, 1,
				  (double)EV_PAGES_MAX, NULL,
				  "file/VMA size in pages" };
	s[1] = (struct arg_spec){ "accesses", ARG_U64, &g->naccesses, 0, 1e15,
				  NULL, "accesses to generate" };
	s[2] = (struct arg_spec){ "seed", ARG_U64, &g->seed, 0, 1.8446744073709552e19,
				  NULL, "random seed" };
	s[3] = (struct arg_spec){ "write_ratio", ARG_DOUBLE, &g->write_ratio, 0, 1,
				  NULL, "fraction of accesses that write" };
	s[4] = (struct arg_spec){ "writeout", ARG_U64, &g->writeout, 0, 1e15,
				  NULL, "writeout(file 0) every N accesses, 0 never" };
	return 5;
}

static void fmt_value(const struct arg_spec *s, char *buf, size_t len)
{
	switch (s->type) {
	case ARG_U64:
		snprintf(buf, len, "%llu", (unsigned long long)*(uint64_t *)s->dst);
		break;
	case ARG_DOUBLE: {
		double v = *(double *)s->dst;
		snprintf(buf, len, "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, len, "%.17g", v);
		break;
	}
	case ARG_CHOICE:
		snprintf(buf, len, "%s", s->choices[*(int *)s->dst]);
		break;
	case ARG_BOOL:
		snprintf(buf, len, "%d", *(int *)s->dst);
		break;
	}
}

static long gen_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct gen *g = container_of(r, struct gen, r);
	size_t k = 0;

	for (;;) {
		while (g->stage_pos < g->nstage && k < max)
			ev[k++] = g->stage[g->stage_pos++];
		if (k == max)
			return (long)k;
		g->nstage = g->stage_pos = 0;
		if (g->phase == 0) {
			g->phase = 1;
			if (g->ops->single_vma)
				ev[k++] = (struct event){ .type = EV_MMAP,
							  .npages = g->npages };
			continue;
		}
		if (g->phase == 1) {
			size_t room = max - k;
			struct event *out = room >= GEN_STAGE ? ev + k : g->stage;
			long n;
			uint64_t a = 0;

			if (g->done >= g->naccesses) {
				g->phase = 2;
				continue;
			}
			g->limit = g->naccesses - g->done;
			if (g->writeout && g->writeout - g->since_wo < g->limit)
				g->limit = g->writeout - g->since_wo;
			n = g->ops->fill(g, out, room >= GEN_STAGE ? room : GEN_STAGE);
			if (n <= 0) {
				g->phase = 2;
				continue;
			}
			for (long i = 0; i < n; i++)
				a += out[i].type == EV_ACCESS;
			BUG_ON(a > g->limit);
			g->done += a;
			g->since_wo += a;
			if (g->writeout && g->since_wo == g->writeout) {
				struct event wo = { .type = EV_WRITEOUT,
						    .flags = EV_STORE | EV_MARKSTORED };
				g->since_wo = 0;
				if (out == g->stage || (size_t)n < room) {
					out[n++] = wo;	/* the stage has 2 spare slots */
				} else {
					g->stage[0] = wo;	/* ev is full */
					g->nstage = 1;
				}
			}
			if (out == g->stage)
				g->nstage = (size_t)n;
			else
				k += (size_t)n;
			if (k == max || out == g->stage)
				continue;
			return (long)k;
		}
		if (g->phase == 2) {
			long n = 0;
			if (g->ops->finish)
				n = g->ops->finish(g, g->stage, GEN_STAGE);
			if (n > 0) {
				g->nstage = (size_t)n;
				continue;
			}
			g->phase = 3;
		}
		return (long)k;
	}
}

static void gen_close(struct trace_reader *r)
{
	free(container_of(r, struct gen, r));
}

static const struct trace_reader_ops gen_reader_ops = {
	.read = gen_read,
	.close = gen_close,
};

struct trace_reader *gen_open(const char *spec, char *err, size_t errlen)
{
	char name[32], what[64];
	const char *args;
	const struct gen_ops *ops;
	struct arg_spec specs[5 + GEN_MAXARGS];
	struct gen *g;
	int ns;
	size_t off;

	errno = EINVAL;	/* every failure below but the calloc's */
	if (spec_split(spec, name, sizeof(name), &args, err, errlen) < 0)
		return NULL;
	ops = find_kind(name);
	if (!ops) {
		snprintf(err, errlen, "unknown generator '%s' (valid: seq, uniform, "
			 "zipf, loop, stride, hotset, slices, matrix)", name);
		return NULL;
	}
	g = calloc(1, ops->size);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	g->ops = ops;
	g->npages = 1000;
	g->naccesses = 100000;
	g->seed = 1;
	ns = common_args(g, specs);
	ns += ops->args(g, specs + ns);
	snprintf(what, sizeof(what), "generator %s", name);
	if (args_parse(what, args, specs, (size_t)ns, err, errlen) < 0)
		goto fail;
	if (ops->init(g, err, errlen) < 0)
		goto fail;
	if (g->npages > EV_PAGES_MAX) {	/* the engines' limit, said here */
		snprintf(err, errlen, "generator %s: %llu pages is beyond the "
			 "2^40 pages a VMA may have", name,
			 (unsigned long long)g->npages);
		goto fail;
	}
	trace_base_init(&g->r, &gen_reader_ops, spec, "gen");
	rng_seed(&g->rng, g->seed);
	if (g->write_ratio <= 0) {
		g->wmode = 0;
	} else if (g->write_ratio >= 1) {
		g->wmode = 1;
	} else {
		g->wmode = 2;
		g->wthresh = (uint64_t)ldexp(g->write_ratio, 64);
	}
	off = (size_t)snprintf(g->r.h.generator, sizeof(g->r.h.generator), "%s",
			       name);
	for (int i = 0; i < ns && off < sizeof(g->r.h.generator); i++) {
		char v[64];
		fmt_value(&specs[i], v, sizeof(v));
		off += (size_t)snprintf(g->r.h.generator + off,
					sizeof(g->r.h.generator) - off, " %s=%s",
					specs[i].key, v);
	}
	if (off >= sizeof(g->r.h.generator)) {
		snprintf(err, errlen, "generator %s: parameters too long", name);
		goto fail;
	}
	g->r.h.naccesses = g->naccesses;
	g->r.h.nvmas = ops->single_vma ? 1 : 0;
	return &g->r;
fail:
	free(g);
	errno = EINVAL;
	return NULL;
}

int gen_describe(const char *kind, const char **help, char *keys, size_t keyslen)
{
	const struct gen_ops *ops = find_kind(kind);
	struct arg_spec specs[GEN_MAXARGS];
	struct gen *g;
	int ns;

	if (!ops)
		return -1;
	g = calloc(1, ops->size);
	if (!g)
		return -1;
	g->npages = 1000;
	g->naccesses = 100000;
	ns = ops->args(g, specs);
	*help = ops->help;
	args_describe(specs, (size_t)ns, keys, keyslen);
	free(g);
	return 0;
}

/* ---- seq, uniform, loop, stride -------------------------------------- */

struct gen_scan {
	struct gen g;
	uint64_t start, loop, stride;
	uint64_t pos, phase_off;	/* position in the pattern */
};

static int seq_args(struct gen *g, struct arg_spec *s)
{
	struct gen_scan *x = (struct gen_scan *)g;
	s[0] = (struct arg_spec){ "start", ARG_U64, &x->start, 0, 1e15, NULL,
				  "first page" };
	return 1;
}

static int scan_init(struct gen *g, char *err, size_t errlen)
{
	struct gen_scan *x = (struct gen_scan *)g;
	if (x->start >= g->npages) {
		snprintf(err, errlen, "generator %s: start=%llu is not below pages=%llu",
			 g->ops->name, (unsigned long long)x->start,
			 (unsigned long long)g->npages);
		return -1;
	}
	if (!x->loop || x->loop > g->npages - x->start)
		x->loop = g->npages - x->start;
	x->pos = 0;
	return 0;
}

static long seq_fill(struct gen *g, struct event *ev, size_t max)
{
	struct gen_scan *x = (struct gen_scan *)g;
	uint64_t n = max < g->limit ? max : g->limit, p = x->pos;

	for (uint64_t i = 0; i < n; i++) {
		ev[i] = gen_access(g, 0, p);
		if (++p == g->npages)
			p = 0;
	}
	x->pos = p;
	return (long)n;
}

static int seq_init(struct gen *g, char *err, size_t errlen)
{
	struct gen_scan *x = (struct gen_scan *)g;
	if (scan_init(g, err, errlen) < 0)
		return -1;
	x->pos = x->start;
	return 0;
}

const struct gen_ops gen_seq_ops = {
	.name = "seq",
	.help = "sequential scan from start, wrapping at pages",
	.size = sizeof(struct gen_scan),
	.single_vma = 1,
	.args = seq_args,
	.init = seq_init,
	.fill = seq_fill,
};

static int no_args(struct gen *g, struct arg_spec *s)
{
	(void)g;
	(void)s;
	return 0;
}

static int ok_init(struct gen *g, char *err, size_t errlen)
{
	(void)g;
	(void)err;
	(void)errlen;
	return 0;
}

static long uniform_fill(struct gen *g, struct event *ev, size_t max)
{
	uint64_t n = max < g->limit ? max : g->limit, np = g->npages;

	for (uint64_t i = 0; i < n; i++) {
		uint8_t w = gen_write(g);
		ev[i] = (struct event){ .type = EV_ACCESS, .write = w,
					.page = rng_below(&g->rng, np) };
	}
	return (long)n;
}

const struct gen_ops gen_uniform_ops = {
	.name = "uniform",
	.help = "independent uniformly random pages",
	.size = sizeof(struct gen),
	.single_vma = 1,
	.args = no_args,
	.init = ok_init,
	.fill = uniform_fill,
};

static int loop_args(struct gen *g, struct arg_spec *s)
{
	struct gen_scan *x = (struct gen_scan *)g;
	s[0] = (struct arg_spec){ "loop", ARG_U64, &x->loop, 0, 1e15, NULL,
				  "pages in the loop, 0 = pages - start" };
	s[1] = (struct arg_spec){ "start", ARG_U64, &x->start, 0, 1e15, NULL,
				  "first page of the loop" };
	return 2;
}

static long loop_fill(struct gen *g, struct event *ev, size_t max)
{
	struct gen_scan *x = (struct gen_scan *)g;
	uint64_t n = max < g->limit ? max : g->limit, p = x->pos;

	for (uint64_t i = 0; i < n; i++) {
		ev[i] = gen_access(g, 0, x->start + p);
		if (++p == x->loop)
			p = 0;
	}
	x->pos = p;
	return (long)n;
}

const struct gen_ops gen_loop_ops = {
	.name = "loop",
	.help = "the same loop of pages over and over (working set = loop)",
	.size = sizeof(struct gen_scan),
	.single_vma = 1,
	.args = loop_args,
	.init = scan_init,
	.fill = loop_fill,
};

static int stride_args(struct gen *g, struct arg_spec *s)
{
	struct gen_scan *x = (struct gen_scan *)g;
	x->stride = 16;
	s[0] = (struct arg_spec){ "stride", ARG_U64, &x->stride, 1, 1e15, NULL,
				  "pages between consecutive accesses" };
	return 1;
}

static long stride_fill(struct gen *g, struct event *ev, size_t max)
{
	struct gen_scan *x = (struct gen_scan *)g;
	uint64_t n = max < g->limit ? max : g->limit, p = x->pos;
	uint64_t s = x->stride < g->npages ? x->stride : g->npages;

	for (uint64_t i = 0; i < n; i++) {
		ev[i] = gen_access(g, 0, p);
		p += s;
		if (p >= g->npages) {
			if (++x->phase_off >= s)
				x->phase_off = 0;
			p = x->phase_off;
		}
	}
	x->pos = p;
	return (long)n;
}

const struct gen_ops gen_stride_ops = {
	.name = "stride",
	.help = "pages 0, s, 2s, ... then 1, 1+s, ...: each page once per sweep",
	.size = sizeof(struct gen_scan),
	.single_vma = 1,
	.args = stride_args,
	.init = ok_init,
	.fill = stride_fill,
};

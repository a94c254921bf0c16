/* cli/run.c — one run of a trace on an engine (cli/run.h). */
#include "cli/run.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "workloads/trace.h"

void run_sim_config(const struct sim_opts *o, const char *reclaim,
		    uint64_t ram_pages, struct sim_config *c)
{
	memset(c, 0, sizeof(*c));
	c->reclaim = reclaim;
	c->pagemap = o->pagemap;
	c->alloc = o->alloc;
	c->ram_pages = ram_pages;
	c->observe = o->observe;
	c->page_size = o->page_size;
	c->reclaim_batch = o->reclaim_batch;
	c->seed = o->seed;
	c->next_use = o->next_use;
	c->nnext = o->naccesses;
}

void run_real_config(const struct sim_opts *o, const char *reclaim,
		     uint64_t ram_pages, struct real_config *c)
{
	memset(c, 0, sizeof(*c));
	c->reclaim = reclaim;
	c->pagemap = o->pagemap;
	c->alloc = o->alloc;
	c->ram_pages = ram_pages;
	c->observe = o->observe;
	c->reclaim_batch = o->reclaim_batch;
	c->seed = o->seed;
	c->ram_type = o->ram_type;
	c->file = o->file;
}

double run_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int run_replay(const struct sim_opts *o, struct engine *e, double *wall_s,
	       char *err, size_t errlen)
{
	struct trace_reader *r;
	double t0 = run_now_s();
	int rc;

	r = o->stdin_reader ? o->stdin_reader :
			      trace_open(o->trace, &o->topts, err, errlen);
	if (!r)
		return -1;
	rc = replay(r, o->trace, e, err, errlen);
	if (r != o->stdin_reader)
		trace_close(r);
	*wall_s = run_now_s() - t0;
	return rc;
}

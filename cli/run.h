/*
 * cli/run.h — one (reclaim policy, RAM size) run of a trace on either
 * engine, shared by `pagelab real`, `compare` and `calibrate` (`sim` runs
 * its jobs in forked children, cli/cmd_sim.c).
 */
#ifndef PAGELAB_CLI_RUN_H
#define PAGELAB_CLI_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "cli/engine.h"
#include "cli/simopts.h"
#include "sim/sim.h"

/* The engines' configurations for one run of o. */
void run_sim_config(const struct sim_opts *o, const char *reclaim,
		    uint64_t ram_pages, struct sim_config *c);
void run_real_config(const struct sim_opts *o, const char *reclaim,
		     uint64_t ram_pages, struct real_config *c);

/* Replay o's trace (each call reopens it; stdin once) through e.
 * 0, or -1 and one line in err; *wall_s the seconds it took. */
int run_replay(const struct sim_opts *o, struct engine *e, double *wall_s,
	       char *err, size_t errlen);

/* Seconds on CLOCK_MONOTONIC. */
double run_now_s(void);

#endif

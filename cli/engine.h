/*
 * cli/engine.h — the interface both engines (sim/, real/) present to the
 * replay loop and the commands, and the loop itself.
 *
 * An engine consumes the event stream (workloads/event.h) in order and
 * reports the common counters (common/counters.h).  It knows nothing of
 * trace files or of the command line; the loop knows nothing of what an
 * engine models.  Adding the real replayer is one more adapter like
 * cli/engine_sim.c.
 */
#ifndef PAGELAB_CLI_ENGINE_H
#define PAGELAB_CLI_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "common/counters.h"
#include "workloads/event.h"

struct trace_reader;
struct engine;

struct engine_ops {
	const char *mode;	/* "sim", "real": the CSV's mode column */
	/*
	 * Apply ev[0..n) in order; idx0 is the stream index of ev[0] (for
	 * messages).  0, or -1 with one line "event N: reason" in err; after
	 * an error only destroy() may be called.
	 */
	int (*apply)(struct engine *e, const struct event *ev, size_t n,
		     uint64_t idx0, char *err, size_t errlen);
	/* The counters so far (at the end: the run's result). */
	void (*counters)(const struct engine *e, struct counters *c);
	void (*destroy)(struct engine *e);
};

struct engine {
	const struct engine_ops *ops;
};

/* Events per trace_read() and per apply() call. */
#define REPLAY_BATCH 1024

/*
 * Drive e with every event of r, in batches.  0 at the clean end of the
 * trace; -1 with one line in err on a trace error ("PATH: offset N: reason")
 * or an engine error ("PATH: event N: reason").
 */
int replay(struct trace_reader *r, const char *path, struct engine *e,
	   char *err, size_t errlen);

/* The simulator as an engine (cli/engine_sim.c); sim_config as sim/sim.h. */
struct sim_config;
struct sim;
struct engine *engine_sim_create(const struct sim_config *c, char *err,
				 size_t errlen);
struct sim *engine_sim(struct engine *e);

/* The simulator's pre-pass as an engine (counters stay zero). */
struct sim_scan;
struct engine *engine_scan_create(int want_next_use, char *err, size_t errlen);
struct sim_scan *engine_scan(struct engine *e);

#endif

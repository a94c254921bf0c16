/* cli/engine_sim.c — sim/ (and its pre-pass) behind the engine interface. */
#include "cli/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bug.h"
#include "sim/sim.h"

struct engine_sim {
	struct engine e;
	struct sim *s;
};

static int esim_apply(struct engine *e, const struct event *ev, size_t n,
		      uint64_t idx0, char *err, size_t errlen)
{
	return sim_apply(container_of(e, struct engine_sim, e)->s, ev, n, idx0,
			 err, errlen);
}

static void esim_counters(const struct engine *e, struct counters *c)
{
	sim_counters(container_of(e, const struct engine_sim, e)->s, c);
}

static void esim_destroy(struct engine *e)
{
	struct engine_sim *es = container_of(e, struct engine_sim, e);

	sim_destroy(es->s);
	free(es);
}

static const struct engine_ops engine_sim_ops = {
	.mode = "sim",
	.apply = esim_apply,
	.counters = esim_counters,
	.destroy = esim_destroy,
};

struct engine *engine_sim_create(const struct sim_config *c, char *err,
				 size_t errlen)
{
	struct engine_sim *es = calloc(1, sizeof(*es));

	if (!es) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	es->s = sim_create(c, err, errlen);
	if (!es->s) {
		free(es);
		return NULL;
	}
	es->e.ops = &engine_sim_ops;
	return &es->e;
}

struct sim *engine_sim(struct engine *e)
{
	return container_of(e, struct engine_sim, e)->s;
}

struct engine_scan {
	struct engine e;
	struct sim_scan *sc;
};

static int escan_apply(struct engine *e, const struct event *ev, size_t n,
		       uint64_t idx0, char *err, size_t errlen)
{
	return sim_scan_apply(container_of(e, struct engine_scan, e)->sc, ev, n,
			      idx0, err, errlen);
}

static void escan_counters(const struct engine *e, struct counters *c)
{
	(void)e;
	memset(c, 0, sizeof(*c));
}

static void escan_destroy(struct engine *e)
{
	struct engine_scan *es = container_of(e, struct engine_scan, e);

	sim_scan_destroy(es->sc);
	free(es);
}

static const struct engine_ops engine_scan_ops = {
	.mode = "scan",
	.apply = escan_apply,
	.counters = escan_counters,
	.destroy = escan_destroy,
};

struct engine *engine_scan_create(int want_next_use, char *err, size_t errlen)
{
	struct engine_scan *es = calloc(1, sizeof(*es));

	if (!es) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	es->sc = sim_scan_create(want_next_use, err, errlen);
	if (!es->sc) {
		free(es);
		return NULL;
	}
	es->e.ops = &engine_scan_ops;
	return &es->e;
}

struct sim_scan *engine_scan(struct engine *e)
{
	return container_of(e, struct engine_scan, e)->sc;
}

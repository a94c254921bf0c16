/*
 * tests/t_sim_golden.c — the simulator on the committed real trace
 * tests/data/cloudPhysicsIO.oracleGeneral.bin.zst, read through the
 * ordinary trace reader, under `full` observation: LRU, FIFO, CLOCK and OPT
 * miss ratios at 489, 4897 and 14692 pages equal the reference values in
 * tests/data/README.md to 4 decimals; OPT is below every policy;
 * --reclaim-batch and the observation modes keep the counters consistent.
 */
#include <math.h>
#include <string.h>

#include "common/bug.h"
#include "policies/reclaim.h"
#include "sim/sim.h"
#include "tests/testhelp.h"
#include "workloads/trace.h"

static const uint64_t sizes[3] = { 489, 4897, 14692 };
static const struct {
	const char *name;
	double ratio[3];
} golden[] = {
	{ "lru", { 0.8380, 0.8049, 0.6608 } },
	{ "fifo", { 0.8476, 0.8054, 0.6400 } },
	{ "clock", { 0.8372, 0.8044, 0.6704 } },
	{ "opt", { 0.7927, 0.6290, 0.5019 } },
};

static const char *path;
static uint64_t *next_use, nnext;

/* Replay the trace; 0 and the counters, or -1. */
static int run(const char *reclaim, uint64_t ram, enum observe_mode m,
	       uint32_t batch, struct counters *c)
{
	struct sim_config cfg = {
		.reclaim = reclaim, .pagemap = "radix", .alloc = "bitmap",
		.ram_pages = ram, .observe = { m, 1000 }, .page_size = 4096,
		.reclaim_batch = batch, .seed = 1, .next_use = next_use,
		.nnext = nnext,
	};
	char err[512];
	struct event ev[1024];
	struct trace_reader *r = trace_open(path, NULL, err, sizeof(err));
	struct sim *s = r ? sim_create(&cfg, err, sizeof(err)) : NULL;
	uint64_t idx = 0;
	long n = -1;

	if (s) {
		while ((n = trace_read(r, ev, 1024)) > 0) {
			if (sim_apply(s, ev, (size_t)n, idx, err, sizeof(err))) {
				n = -1;
				break;
			}
			idx += (uint64_t)n;
		}
		sim_counters(s, c);
	}
	if (n)
		fprintf(stderr, "%s %llu: %s\n", reclaim, (unsigned long long)ram, err);
	sim_destroy(s);
	trace_close(r);
	return n ? -1 : 0;
}

static int registered(const char *name)
{
	for (size_t i = 0; reclaim_registry[i]; i++)
		if (!strcmp(reclaim_registry[i]->name, name))
			return 1;
	return 0;
}

int main(void)
{
	char buf[512], err[512];
	struct trace_reader *r;
	struct sim_scan *sc;
	struct event ev[1024];
	uint64_t nd, idx = 0, opt[3] = { 0 };
	long n;

	T_BEGIN("sim_golden");
	path = t_data(T_CLOUDPHYSICS, buf, sizeof(buf));
	r = trace_open(path, NULL, err, sizeof(err));
	REQUIRE_MSG(r != NULL, "%s", err);
	/* the pre-pass: distinct pages and next use */
	sc = sim_scan_create(1, err, sizeof(err));
	REQUIRE_MSG(sc != NULL, "%s", err);
	while ((n = trace_read(r, ev, 1024)) > 0) {
		REQUIRE_MSG(sim_scan_apply(sc, ev, (size_t)n, idx, err,
					   sizeof(err)) == 0, "%s", err);
		idx += (uint64_t)n;
	}
	REQUIRE_MSG(n == 0, "%s", trace_error(r));
	REQUIRE_MSG(sim_scan_finish(sc, &nd, &nnext, &next_use, err,
				    sizeof(err)) == 0, "%s", err);
	sim_scan_destroy(sc);
	trace_close(r);
	REQUIRE_EQ(nnext, 113872);
	/* 489, 4897, 14692 are 1 %, 10 % and 30 % of the distinct pages */
	CHECK_EQ(nd * 10 / 1000, sizes[0]);
	CHECK_EQ(nd * 100 / 1000, sizes[1]);
	CHECK_EQ(nd * 300 / 1000, sizes[2]);

	for (size_t p = 0; p < ARRAY_SIZE(golden); p++) {
		REQUIRE_MSG(registered(golden[p].name), "reclaim %s is not "
			    "registered", golden[p].name);
		for (int k = 0; k < 3; k++) {
			struct counters c;
			double ratio;

			if (run(golden[p].name, sizes[k], OBSERVE_FULL, 1, &c)) {
				CHECK(0);
				continue;
			}
			ratio = (double)c.faults / (double)c.accesses;
			CHECK_MSG(fabs(ratio - golden[p].ratio[k]) < 0.00005,
				  "%s at %llu pages: miss ratio %.6f, reference %.4f",
				  golden[p].name, (unsigned long long)sizes[k], ratio,
				  golden[p].ratio[k]);
			CHECK_EQ(c.hits + c.faults, c.accesses);
			if (!strcmp(golden[p].name, "opt"))
				opt[k] = c.faults;
		}
	}
	/* OPT below every registered policy, every observation mode. */
	for (size_t p = 0; reclaim_registry[p]; p++) {
		if (reclaim_registry[p]->flags & RECLAIM_NEEDS_FUTURE)
			continue;
		for (int k = 0; k < 3; k++) {
			for (int m = OBSERVE_FULL; m <= OBSERVE_SAMPLED; m++) {
				struct counters c;
				if (run(reclaim_registry[p]->name, sizes[k], m,
					m == OBSERVE_FAULTS ? 64 : 1, &c)) {
					CHECK(0);
					continue;
				}
				CHECK_EQ(c.hits + c.faults, c.accesses);
				CHECK_EQ(c.loads, c.by_class[FAULT_LOAD]);
				CHECK(c.ram_pages_peak <= sizes[k]);
				CHECK_EQ(c.vmas_peak >= 1, 1);
				if (opt[k])
					CHECK_MSG(c.by_class[FAULT_LOAD] >= opt[k],
						  "%s at %llu: %llu load faults < OPT %llu",
						  reclaim_registry[p]->name,
						  (unsigned long long)sizes[k],
						  (unsigned long long)c.by_class[FAULT_LOAD],
						  (unsigned long long)opt[k]);
			}
		}
	}
	free(next_use);
	return T_END();
}

/*
 * cli/cmd_calibrate.c — `pagelab calibrate [-o COSTS]`: measure what one
 * fault of each class costs on this machine and write the cost-model file
 * the simulator reads (`pagelab sim --costs`, common/costs.h).
 *
 * Method.  The standard generators (seq, uniform, zipf, loop, stride,
 * hotset, slices, matrix; 30 % writes, periodic writeout, RAM half the
 * pages) run on the real engine (lru, bitmap), each once with `faults` and
 * once with `sampled:N` observation, so every class occurs: load faults
 * with evictions, dirty faults, map faults (slices overlap, stride and
 * matrix remap), ref faults.  A class's cost is its measured thread CPU
 * time over all those runs divided by its count — the mean, not the
 * median, because the model predicts a total (count x cost) and a mean is
 * what makes totals add up; CPU time, not wall-clock, so that other
 * processes on a busy machine do not end up in the model (on an idle one
 * the two agree; both are printed).  Then the same generators run again with another seed and a
 * third of the pages as RAM, and the modelled total (the new costs times
 * the counts) is set against the measured total: the errors go to stderr.
 *
 * Both page sizes: shmfs for 4 KiB pages; hugetlbfs for 2 MiB pages where
 * huge pages can be had (as root calibrate reserves them for its run and
 * puts vm.nr_hugepages back; otherwise the 2 MiB costs keep their defaults
 * and stderr says so).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>

#include "cli/cli.h"
#include "cli/simopts.h"
#include "cli/engine.h"
#include "cli/results.h"
#include "common/outfile.h"
#include "common/costs.h"
#include "real/ram.h"
#include "workloads/trace.h"

static const char *const cal_gens[] = {
	"seq", "uniform", "zipf", "loop", "stride", "hotset", "slices", "matrix",
};
#define NGENS (sizeof(cal_gens) / sizeof(cal_gens[0]))

static const char *const class_key[FAULT_NCLASSES] = { "load", "map", "dirty", "ref" };

struct cal_size {
	const char *ram_type;
	uint32_t page_size;
	unsigned pages, accesses;
};

static void cal_usage(FILE *f)
{
	fprintf(f,
"usage: pagelab calibrate [-o COSTS] [--pages N] [--accesses N] [--no-huge]\n"
"\n"
"Measures the mean cost of each fault class (load, map, dirty, ref) on the\n"
"real virtmem with the standard generators, for 4 KiB pages (shmfs) and 2 MiB\n"
"pages (hugetlbfs, reserving huge pages for the run when root), and writes the\n"
"cost-model file `pagelab sim --costs` reads (stdout without -o).  Then checks\n"
"the model on fresh runs and prints the errors of the modelled total fault\n"
"time against the measured one on stderr.\n"
"  --pages N     pages per generated trace with 4 KiB pages (default 1000)\n"
"  --accesses N  accesses per trace (default 10000)\n"
"  --no-huge     skip 2 MiB pages (their costs stay the defaults)\n");
}

static double pct(double model, double measured)
{
	return measured > 0 ? (model - measured) / measured * 100.0 : 0.0;
}

/* One real run of a generator; its counters and measured fault time. */
static int cal_run(const struct cal_size *sz, const char *gen, unsigned seed,
		   uint64_t ram_pages, const struct observe *obs,
		   struct counters *c, struct real_stats *st, char *err,
		   size_t errlen)
{
	struct real_config rc;
	struct trace_reader *r;
	struct engine *e;
	char spec[256];
	int ret;

	snprintf(spec, sizeof(spec),
		 "gen:%s:pages=%u:accesses=%u:seed=%u:write_ratio=0.3:writeout=%u",
		 gen, sz->pages, sz->accesses, seed, sz->accesses / 20);
	memset(&rc, 0, sizeof(rc));
	rc.reclaim = "lru";
	rc.pagemap = SIMOPTS_DEFAULT_PAGEMAP;
	rc.alloc = SIMOPTS_DEFAULT_ALLOC;
	rc.ram_pages = ram_pages;
	rc.observe = *obs;
	rc.reclaim_batch = 1;
	rc.seed = 1;
	rc.ram_type = sz->ram_type;
	rc.file = "zero";
	r = trace_open(spec, NULL, err, errlen);
	if (!r)
		return -1;
	e = engine_real_create(&rc, err, errlen);
	if (!e) {
		trace_close(r);
		return -1;
	}
	ret = replay(r, spec, e, err, errlen);
	if (!ret) {
		e->ops->counters(e, c);
		*st = *engine_real_stats(e);
	}
	e->ops->destroy(e);
	trace_close(r);
	return ret;
}

/* Calibrate one page size into costs; then print the check. */
static int cal_size_run(const struct cal_size *sz, struct costs *costs,
			double *worst, char *err, size_t errlen)
{
	double sum[FAULT_NCLASSES] = { 0 }, wall[FAULT_NCLASSES] = { 0 };
	double model_all = 0, meas_all = 0, wall_all = 0;
	uint64_t n[FAULT_NCLASSES] = { 0 };
	double *ns = sz->page_size > 4096 ? costs->ns_2m : costs->ns_4k;
	struct real_stats *st = malloc(sizeof(*st));
	struct counters c;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	{
		/* warm up (page cache of the pool, CPU clocks); not counted */
		struct observe obs = { OBSERVE_FAULTS, 0 };

		if (cal_run(sz, cal_gens[0], 3, sz->pages / 2, &obs, &c, st, err, errlen))
			goto fail;
	}
	for (size_t g = 0; g < NGENS; g++)
		for (int sampled = 0; sampled < 2; sampled++) {
			struct observe obs = { sampled ? OBSERVE_SAMPLED : OBSERVE_FAULTS,
					       sampled ? sz->accesses / 20 : 0 };

			if (cal_run(sz, cal_gens[g], 1, sz->pages / 2, &obs, &c, st,
				    err, errlen))
				goto fail;
			for (int k = 0; k < FAULT_NCLASSES; k++) {
				n[k] += st->lat[k].count;
				sum[k] += (double)st->cpu_ns[k];
				wall[k] += (double)st->lat[k].sum_ns;
			}
		}
	for (int k = 0; k < FAULT_NCLASSES; k++) {
		if (n[k])
			ns[k] = sum[k] / (double)n[k];
		fprintf(stderr, "calibrate: %s %s faults: %llu measured, mean %.0f ns CPU "
			"(%.0f ns wall)%s\n", sz->ram_type, class_key[k],
			(unsigned long long)n[k], ns[k], n[k] ? wall[k] / (double)n[k] : 0.0,
			n[k] ? "" : " (none: default kept)");
	}
	fprintf(stderr, "calibrate: check on fresh runs (seed 2, RAM a third of the pages):\n"
		"  %-5s %-8s %11s %11s %7s %11s %7s\n", "pages", "gen", "model_ms",
		"cpu_ms", "error", "wall_ms", "error");
	for (size_t g = 0; g < NGENS; g++) {
		struct observe obs = { OBSERVE_FAULTS, 0 };
		double bycls[FAULT_NCLASSES], model, meas = 0, wmeas = 0, e;

		if (cal_run(sz, cal_gens[g], 2, sz->pages / 3, &obs, &c, st, err, errlen))
			goto fail;
		model = costs_model(costs, sz->page_size, &c, bycls);
		for (int k = 0; k < FAULT_NCLASSES; k++) {
			meas += (double)st->cpu_ns[k];
			wmeas += (double)st->lat[k].sum_ns;
		}
		e = pct(model, meas);
		if (e < 0 ? -e > *worst : e > *worst)
			*worst = e < 0 ? -e : e;
		model_all += model;
		meas_all += meas;
		wall_all += wmeas;
		fprintf(stderr, "  %-5s %-8s %11.3f %11.3f %+6.1f%% %11.3f %+6.1f%%\n",
			sz->page_size > 4096 ? "2M" : "4K", cal_gens[g], model / 1e6,
			meas / 1e6, e, wmeas / 1e6, pct(model, wmeas));
	}
	fprintf(stderr, "  %-5s %-8s %11.3f %11.3f %+6.1f%% %11.3f %+6.1f%%\n",
		sz->page_size > 4096 ? "2M" : "4K", "all", model_all / 1e6,
		meas_all / 1e6, pct(model_all, meas_all), wall_all / 1e6,
		pct(model_all, wall_all));
	free(st);
	return 0;
fail:
	free(st);
	return -1;
}

static int parse_uint(const char *what, const char *s, unsigned min,
		      unsigned *v, char *err, size_t errlen)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);

	if (!*s || *s == '-' || *end || x < min || x > (1u << 24)) {
		snprintf(err, errlen, "%s: '%s' is not a number in [%u, %u]", what, s,
			 min, 1u << 24);
		return -1;
	}
	*v = (unsigned)x;
	return 0;
}

int cmd_calibrate(int argc, char **argv)
{
	struct cal_size small = { "shmfs", 4096, 1000, 10000 };
	struct cal_size huge = { "hugetlbfs", 2u << 20, 40, 400 };
	const char *out = NULL;
	struct costs costs;
	char err[1024], *buf = NULL;
	size_t buflen = 0;
	double worst = 0;
	int no_huge = 0, rc = EXIT_RUN_FAILED;
	long prev = -1;
	FILE *mem;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cal_usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--no-huge")) {
			no_huge = 1;
			continue;
		}
		if (i + 1 >= argc || (strcmp(a, "-o") && strcmp(a, "--pages") &&
				      strcmp(a, "--accesses"))) {
			fprintf(stderr, "pagelab calibrate: %s '%s' (--help lists the options)\n",
				i + 1 >= argc && a[0] == '-' ? "a value is missing after" :
							       "unknown argument", a);
			return EXIT_USAGE;
		}
		if (!strcmp(a, "-o")) {
			out = argv[++i];
		} else if (parse_uint(a, argv[i + 1], 10, !strcmp(a, "--pages") ?
				      &small.pages : &small.accesses, err, sizeof(err))) {
			fprintf(stderr, "pagelab calibrate: %s\n", err);
			return EXIT_USAGE;
		} else {
			i++;
		}
	}
	costs_default(&costs);
	if (cal_size_run(&small, &costs, &worst, err, sizeof(err))) {
		fprintf(stderr, "pagelab calibrate: shmfs: %s\n", err);
		return EXIT_RUN_FAILED;
	}
	if (!no_huge) {
		/* the RAM limit plus room for the pool to refill */
		if (ram_hugetlb_reserve(huge.pages / 2 + 4, &prev, err, sizeof(err))) {
			fprintf(stderr, "pagelab calibrate: 2 MiB pages: %s; their costs stay the defaults\n",
				err);
			no_huge = 1;
		} else if (cal_size_run(&huge, &costs, &worst, err, sizeof(err))) {
			ram_hugetlb_restore(prev);
			fprintf(stderr, "pagelab calibrate: hugetlbfs: %s\n", err);
			return EXIT_RUN_FAILED;
		}
		ram_hugetlb_restore(prev);
	}
	mem = open_memstream(&buf, &buflen);
	if (!mem) {
		fprintf(stderr, "pagelab calibrate: out of memory\n");
		return EXIT_RUN_FAILED;
	}
	{
		struct utsname u;
		time_t now = time(NULL);
		char when[64];

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		if (uname(&u))
			memset(&u, 0, sizeof(u));
		fprintf(mem, "# pagelab cost model (common/costs.h), written by pagelab calibrate\n"
			"# %s on %s %s (%s); mean ns per fault, measured on the real virtmem\n"
			"# with the standard generators; 2 MiB costs %s\n",
			when, u.sysname, u.release, u.machine,
			no_huge ? "are the defaults (no huge pages)" : "measured on hugetlbfs");
	}
	for (int k = 0; k < FAULT_NCLASSES; k++)
		fprintf(mem, "%s_ns = %.0f\n", class_key[k], costs.ns_4k[k]);
	for (int k = 0; k < FAULT_NCLASSES; k++)
		fprintf(mem, "%s_2m_ns = %.0f\n", class_key[k], costs.ns_2m[k]);
	if (fclose(mem)) {
		fprintf(stderr, "pagelab calibrate: out of memory\n");
		goto out;
	}
	if (outfile_write_all(out, buf, buflen, err, sizeof(err))) {
		fprintf(stderr, "pagelab calibrate: %s\n", err);
		goto out;
	}
	fprintf(stderr, "calibrate: largest error of a generator's modelled fault time "
		"(against CPU time): %.1f %%\n", worst);
	rc = 0;
out:
	free(buf);
	return rc;
}

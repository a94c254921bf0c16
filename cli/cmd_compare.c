/*
 * cli/cmd_compare.c — `pagelab compare TRACE ...`: the simulator and the real
 * virtmem on the same trace and settings, side by side.
 *
 * For every (reclaim policy, RAM size) pair both engines replay the trace in
 * this process, one after the other, and a table shows their counters.  The
 * real replayer is single-threaded and observes `faults` or `sampled:N`
 * (full is refused), so every run is deterministic and the contract
 * (docs/ENGINE.md) says the counters must agree exactly: any difference in
 * accesses, hits, faults (all and per class), loads, stores, evictions,
 * writebacks, peak RAM pages, peak or final kernel VMA count is marked and
 * makes the exit status 1.  As cmp(1): 0 all agree, 1 some differ, 2
 * trouble (a usage error or a run that failed).  Below each table: the modelled fault time (the
 * sim's counters times the cost model, --costs) against the measured one
 * (the sum of the real faulting accesses' times, wall-clock and thread CPU
 * time) and the errors in %.
 * With -o both rows of each pair go to a CSV file (results/SCHEMA.md).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/results.h"
#include "common/outfile.h"
#include "cli/run.h"
#include "common/costs.h"

static void compare_usage(FILE *f)
{
	fprintf(f,
"usage: pagelab compare TRACE [the real flags: pagelab real --help]\n"
"\n"
"Replays TRACE on the simulator and on the real virtmem for every (reclaim,\n"
"RAM size) pair and prints their counters side by side.  Exit status, as\n"
"cmp(1): 0 if all agree, 1 if any counter the two must agree on differs\n"
"(docs/ENGINE.md), 2 on trouble (a usage error or a failed run).\n"
"Also prints the modelled fault time (--costs) against the measured one.\n"
"-o OUT.csv also writes both CSV rows of each pair (results/SCHEMA.md).\n");
}

struct cmp_line {
	const char *name;
	size_t off;
};

#define CL(f) { #f, offsetof(struct counters, f) }
static const struct cmp_line lines[] = {
	CL(accesses), CL(hits), CL(faults),
	{ "load_faults", offsetof(struct counters, by_class) + FAULT_LOAD * sizeof(uint64_t) },
	{ "map_faults", offsetof(struct counters, by_class) + FAULT_MAP * sizeof(uint64_t) },
	{ "dirty_faults", offsetof(struct counters, by_class) + FAULT_DIRTY * sizeof(uint64_t) },
	{ "ref_faults", offsetof(struct counters, by_class) + FAULT_REF * sizeof(uint64_t) },
	CL(loads), CL(stores), CL(evictions), CL(writebacks), CL(ram_pages_peak),
	CL(vmas_peak),
	{ "vmas_end", offsetof(struct counters, vmas) },
};

static uint64_t field_of(const struct counters *c, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)c + off, sizeof(v));
	return v;
}

/* The model's error against a measurement, in %. */
static double pct_err(double model, double measured)
{
	return measured > 0 ? (model - measured) / measured * 100.0 : 0.0;
}

int cmd_compare(int argc, char **argv)
{
	struct sim_opts o;
	struct costs costs;
	char err[1024];
	char *buf = NULL;
	size_t buflen = 0;
	FILE *mem = NULL;
	int rc = EXIT_TROUBLE;
	unsigned nruns = 0, ndiffer = 0;
	double model_all = 0, meas_all = 0, cpu_all = 0;

	switch (sim_opts_parse_real(&o, argc, argv, err, sizeof(err))) {
	case SIMOPTS_HELP:
		compare_usage(stdout);
		rc = 0;
		goto out;
	case SIMOPTS_USAGE:
	case SIMOPTS_FAILED:	/* out of memory */
		fprintf(stderr, "pagelab compare: %s\n", err);
		goto out;
	default:
		break;
	}
	if (sim_opts_once_name(o.trace)) {
		fprintf(stderr, "pagelab compare: the trace is replayed twice, which %s cannot give: use a file\n",
			sim_opts_once_name(o.trace));
		goto out;
	}
	if (sim_opts_setup(&o, &costs, "compare"))
		goto out;	/* usage or failed: trouble either way */
	mem = open_memstream(&buf, &buflen);
	if (!mem) {
		fprintf(stderr, "pagelab compare: out of memory\n");
		goto out;
	}
	results_header(mem);
	for (size_t i = 0; i < o.nreclaim; i++)
		for (size_t j = 0; j < o.nram; j++) {
			struct sim_config sc;
			struct real_config rcf;
			struct counters cs, cr;
			struct result_row rows, rowr;
			struct engine *e;
			char obs[64], obr[64];
			double ws, wr, model, meas, cpu;
			int differ = 0;

			run_sim_config(&o, o.reclaim[i], o.ram_pages[j], &sc);
			e = engine_sim_create(&sc, err, sizeof(err));
			if (!e || run_replay(&o, e, &ws, err, sizeof(err))) {
				fprintf(stderr, "pagelab compare: sim %s, %llu pages: %s\n",
					o.reclaim[i], (unsigned long long)o.ram_pages[j], err);
				if (e)
					e->ops->destroy(e);
				goto out;
			}
			e->ops->counters(e, &cs);
			e->ops->destroy(e);
			run_real_config(&o, o.reclaim[i], o.ram_pages[j], &rcf);
			e = engine_real_create(&rcf, err, sizeof(err));
			if (!e || run_replay(&o, e, &wr, err, sizeof(err))) {
				fprintf(stderr, "pagelab compare: real %s, %llu pages: %s\n",
					o.reclaim[i], (unsigned long long)o.ram_pages[j], err);
				if (e)
					e->ops->destroy(e);
				goto out;
			}
			e->ops->counters(e, &cr);
			results_fill(&rows, &o, "sim", o.reclaim[i], o.ram_pages[j], &cs,
				     &costs, ws, obs, sizeof(obs));
			results_fill(&rowr, &o, "real", o.reclaim[i], o.ram_pages[j], &cr,
				     &costs, wr, obr, sizeof(obr));
			results_set_real(&rowr, engine_real_stats(e));
			e->ops->destroy(e);
			results_row(mem, &rows);
			results_row(mem, &rowr);

			printf("%s: reclaim %s, RAM %llu pages of %u bytes, alloc %s, pagemap %s, observe %s\n",
			       o.trace, o.reclaim[i], (unsigned long long)o.ram_pages[j],
			       o.page_size, o.alloc, o.pagemap, obs);
			printf("  %-16s %14s %14s\n", "counter", "sim", "real");
			for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
				uint64_t a = field_of(&cs, lines[k].off);
				uint64_t b = field_of(&cr, lines[k].off);

				printf("  %-16s %14llu %14llu%s\n", lines[k].name,
				       (unsigned long long)a, (unsigned long long)b,
				       a != b ? "   <- differs" : "");
				differ |= a != b;
			}
			model = rows.model_total_ns;
			meas = rowr.fault_ns;
			cpu = rowr.fault_cpu_ns;
			model_all += model;
			meas_all += meas;
			cpu_all += cpu;
			printf("  fault time: modelled %.3f ms; measured %.3f ms wall (error %+.1f %%), "
			       "%.3f ms CPU (error %+.1f %%)\n", model / 1e6, meas / 1e6,
			       pct_err(model, meas), cpu / 1e6, pct_err(model, cpu));
			printf("  %s\n\n", differ ? "DIFFER" : "agree");
			nruns++;
			ndiffer += differ != 0;
		}
	if (fclose(mem)) {
		mem = NULL;
		fprintf(stderr, "pagelab compare: out of memory\n");
		goto out;
	}
	mem = NULL;
	printf("compare: %u runs, %u differ; fault time modelled %.3f ms; measured %.3f ms wall "
	       "(error %+.1f %%), %.3f ms CPU (error %+.1f %%)\n", nruns, ndiffer,
	       model_all / 1e6, meas_all / 1e6, pct_err(model_all, meas_all),
	       cpu_all / 1e6, pct_err(model_all, cpu_all));
	fflush(stdout);
	if (o.out && outfile_write_all(o.out, buf, buflen, err, sizeof(err))) {
		fprintf(stderr, "pagelab compare: %s\n", err);
		goto out;
	}
	rc = ndiffer ? EXIT_DIFFER : 0;
out:
	if (mem)
		fclose(mem);
	free(buf);
	sim_opts_free(&o);
	return rc;
}

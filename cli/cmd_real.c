/*
 * cli/cmd_real.c — `pagelab real TRACE ...`: replay a trace on the real
 * virtmem (cli/engine_real.c) for every (reclaim policy, RAM size) pair and
 * write one CSV row each in the schema of `pagelab sim` (results/SCHEMA.md)
 * with the measured columns filled: fault latency percentiles per class,
 * getrusage figures, and the measured fault time.  With -o or --hist the
 * latency histograms go to a second CSV file.
 *
 * Runs go one after another in this process: parallel runs would measure
 * each other.  Nothing is written unless every run succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/results.h"
#include "common/outfile.h"
#include "cli/run.h"
#include "common/costs.h"

static void real_usage(FILE *f)
{
	fprintf(f,
"usage: pagelab real TRACE [the sim flags: --reclaim P,... --pagemap P --alloc P\n"
"                   --ram SIZE,... --observe faults|sampled:N --page-size 4K|2M\n"
"                   --reclaim-batch N --costs FILE --seed N INPUT OPTIONS -o OUT.csv]\n"
"                   [--ram-type shmfs|hugetlbfs]\n"
"                   [--file zero|synth:ratio=R[:seed=S]|PATH]\n"
"                   [--fault sigsegv] [--hist FILE]\n"
"\n"
"Replays TRACE on the real virtmem (real loads and stores; faults are real\n"
"SIGSEGVs) for every (reclaim, RAM size) pair, one after another, and writes\n"
"one CSV row each (results/SCHEMA.md) with fault latency percentiles.\n"
"  --ram-type T   shmfs (tmpfs memfd, 4K pages; default) or hugetlbfs (2M\n"
"                 pages; reserve them: echo N > /proc/sys/vm/nr_hugepages)\n"
"  --file F       zero: a BigFile of zeros (default); PATH: blocks of the file\n"
"                 PATH (trace file 0; file N uses PATH.N, N < 256), each\n"
"                 created if absent and written by the trace's writeouts;\n"
"                 a symbolic link or a non-regular file is refused\n"
"                 synth:ratio=R[:seed=S]: pages that compress R:1 (0 < R < 64),\n"
"                 a pure function of (seed, file, page, times written back)\n"
"  --fault M      the fault mechanism: sigsegv (the only one so far)\n"
"  --hist FILE    latency histograms (log-scaled buckets) to FILE; default\n"
"                 OUT.hist.csv next to -o OUT.csv, none without -o\n"
"--observe full is refused: the real engine sees only faults.  --page-size\n"
"follows --ram-type.  -j is accepted and ignored (runs are sequential).\n"
"See pagelab sim --help for the shared flags.\n");
}

/* The histogram path: --hist, else next to -o (OUT.csv -> OUT.hist.csv). */
static int hist_path(const struct sim_opts *o, char *buf, size_t len)
{
	size_t n;

	if (o->hist) {
		snprintf(buf, len, "%s", o->hist);
		return 1;
	}
	if (!o->out || !strcmp(o->out, "-"))
		return 0;
	n = strlen(o->out);
	if (n > 4 && !strcmp(o->out + n - 4, ".csv"))
		n -= 4;
	snprintf(buf, len, "%.*s.hist.csv", (int)n, o->out);
	return 1;
}

int cmd_real(int argc, char **argv)
{
	struct sim_opts o;
	struct costs costs;
	char err[1024], hpath[4096];
	char *buf = NULL, *hbuf = NULL;
	size_t buflen = 0, hbuflen = 0;
	FILE *mem = NULL, *hmem = NULL;
	int st, rc = EXIT_RUN_FAILED, want_hist;

	switch (sim_opts_parse_real(&o, argc, argv, err, sizeof(err))) {
	case SIMOPTS_HELP:
		real_usage(stdout);
		rc = 0;
		goto out;
	case SIMOPTS_USAGE:
		fprintf(stderr, "pagelab real: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	case SIMOPTS_FAILED:	/* out of memory */
		fprintf(stderr, "pagelab real: %s\n", err);
		rc = EXIT_RUN_FAILED;
		goto out;
	default:
		break;
	}
	st = sim_opts_setup(&o, &costs, "real");
	if (st) {
		rc = st;
		goto out;
	}
	want_hist = hist_path(&o, hpath, sizeof(hpath));
	mem = open_memstream(&buf, &buflen);
	hmem = open_memstream(&hbuf, &hbuflen);
	if (!mem || !hmem) {
		fprintf(stderr, "pagelab real: out of memory\n");
		goto out;
	}
	results_header(mem);
	results_hist_header(hmem);
	for (size_t i = 0; i < o.nreclaim; i++)
		for (size_t j = 0; j < o.nram; j++) {
			struct real_config rc_;
			struct result_row row;
			struct counters c;
			struct engine *e;
			char observe[64];
			double wall;

			run_real_config(&o, o.reclaim[i], o.ram_pages[j], &rc_);
			e = engine_real_create(&rc_, err, sizeof(err));
			if (!e) {
				fprintf(stderr, "pagelab real: %s, %llu pages: %s\n",
					o.reclaim[i], (unsigned long long)o.ram_pages[j], err);
				goto out;
			}
			if (run_replay(&o, e, &wall, err, sizeof(err))) {
				fprintf(stderr, "pagelab real: %s, %llu pages: %s\n",
					o.reclaim[i], (unsigned long long)o.ram_pages[j], err);
				e->ops->destroy(e);
				goto out;
			}
			e->ops->counters(e, &c);
			results_fill(&row, &o, "real", o.reclaim[i], o.ram_pages[j], &c,
				     &costs, wall, observe, sizeof(observe));
			results_set_real(&row, engine_real_stats(e));
			results_row(mem, &row);
			results_hist_rows(hmem, &row, engine_real_stats(e));
			e->ops->destroy(e);
		}
	if (fclose(mem) || fclose(hmem)) {
		mem = hmem = NULL;
		fprintf(stderr, "pagelab real: out of memory\n");
		goto out;
	}
	mem = hmem = NULL;
	if (want_hist && outfile_write_all(hpath, hbuf, hbuflen, err, sizeof(err))) {
		fprintf(stderr, "pagelab real: %s\n", err);
		goto out;
	}
	if (outfile_write_all(o.out, buf, buflen, err, sizeof(err))) {
		fprintf(stderr, "pagelab real: %s\n", err);
		if (want_hist)
			remove(hpath);
		goto out;
	}
	rc = 0;
out:
	if (mem)
		fclose(mem);
	if (hmem)
		fclose(hmem);
	free(buf);
	free(hbuf);
	sim_opts_free(&o);
	return rc;
}

/*
 * cli/cmd_mrc.c — `pagelab mrc TRACE`: the exact LRU miss-ratio curve for
 * every RAM size in one pass, and optionally a SHARDS estimate beside it
 * with its mean absolute error (sim/mrc.h).
 *
 * The trace is taken as a plain cache trace: every access is a reference to
 * its page (file, pgoff); mmap/unmap only give accesses their pages, and
 * writeout, discard and invalidate are ignored.  So the exact curve equals
 * `pagelab sim --reclaim lru --observe full` on key-only read traces.
 *
 * CSV columns: trace, curve ("exact", "shards"), sample_rate (the final
 * rate), ram_pages, misses (exact only), miss_ratio, mae (the curve's mean
 * absolute error against the exact one over sizes 1..distinct pages; 0 for
 * exact).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/results.h"
#include "common/outfile.h"
#include "sim/mrc.h"
#include "sim/sim.h"
#include "workloads/trace.h"

static void mrc_usage(FILE *f)
{
	fprintf(f,
"usage: pagelab mrc TRACE [--shards RATE | --shards-size N] [--points N]\n"
"                   [INPUT OPTIONS] [-o OUT.csv]\n"
"\n"
"The exact LRU miss-ratio curve of TRACE for every RAM size from 1 page to\n"
"its distinct pages, in one pass (stack distances, O(N log M)); with\n"
"--shards also a SHARDS estimate (Waldspurger et al., FAST'15) and its mean\n"
"absolute error against the exact curve (also on stderr).\n"
"  --shards RATE     fixed-rate SHARDS, sampling rate in (0, 1) (e.g. 0.01)\n"
"  --shards-size N   fixed-size SHARDS keeping at most N sampled pages\n"
"  --points N        print N sizes spread evenly over 1..distinct (default: all)\n"
"  -o OUT.csv        write the CSV here (atomically) instead of stdout\n"
"INPUT OPTIONS (how TRACE is read; --format is the old spelling of --in-format):\n%s",
		trace_opts_usage);
}

struct mrc_opts {
	const char *trace, *out;
	struct trace_opts topts;
	double rate;
	uint64_t smax, points;
};

static int parse(struct mrc_opts *o, int argc, char **argv, char *err,
		 size_t errlen)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		int topt;
		const char *a = argv[i], *val;
		char *end;

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return 1;
		if (a[0] != '-' || !strcmp(a, "-")) {
			if (o->trace) {
				snprintf(err, errlen, "unexpected argument '%s' (one TRACE only)", a);
				return -1;
			}
			o->trace = a;
			continue;
		}
		if (trace_opts_is_flag(a)) {
			trace_opts_set(&o->topts, a, NULL, err, errlen);
			continue;
		}
		if (i + 1 >= argc) {
			static const char *const known[] = {
				"--shards", "--shards-size", "--points", "--format", "-o", NULL
			};
			int k = 0;

			while (known[k] && strcmp(known[k], a))
				k++;
			if (!known[k])
				snprintf(err, errlen, "unknown option '%s' (--help lists them)", a);
			else
				snprintf(err, errlen, "%s needs a value", a);
			return -1;
		}
		val = argv[++i];
		errno = 0;
		if (!strcmp(a, "--shards")) {
			o->rate = strtod(val, &end);
			if (end == val || *end || errno || !(o->rate > 0 && o->rate < 1)) {
				snprintf(err, errlen, "--shards: '%s' is not a rate in (0, 1)", val);
				return -1;
			}
		} else if (!strcmp(a, "--shards-size") || !strcmp(a, "--points")) {
			unsigned long long v = strtoull(val, &end, 10);
			if (end == val || *end || errno || *val == '-' || v == 0) {
				snprintf(err, errlen, "%s: '%s' is not a positive number", a, val);
				return -1;
			}
			if (!strcmp(a, "--points"))
				o->points = v;
			else
				o->smax = v;
		} else if (!strcmp(a, "--format")) {	/* old spelling */
			o->topts.format = val;
		} else if ((topt = trace_opts_set(&o->topts, a, val, err,
						  errlen)) != 0) {
			if (topt < 0)
				return -1;
		} else if (!strcmp(a, "-o")) {
			o->out = val;
		} else {
			snprintf(err, errlen, "unknown option '%s' (--help lists them)", a);
			return -1;
		}
	}
	if (!o->trace) {
		snprintf(err, errlen, "no TRACE given (--help for usage)");
		return -1;
	}
	if (o->rate > 0 && o->smax) {
		snprintf(err, errlen, "--shards and --shards-size exclude each other");
		return -1;
	}
	return 0;
}

/* The k-th of n printed sizes over 1..d (all of them when n is 0 or >= d). */
static uint64_t point(uint64_t k, uint64_t n, uint64_t d)
{
	if (!n || n >= d)
		return k + 1;
	return 1 + (k * (d - 1)) / (n - 1 ? n - 1 : 1);
}

int cmd_mrc(int argc, char **argv)
{
	struct mrc_opts o;
	struct trace_reader *r = NULL;
	struct sim_keys *keys = NULL;
	struct mrc *exact = NULL, *sh = NULL;
	struct event ev[1024];
	uint64_t idx = 0, d, npoints;
	uint64_t *mis = NULL;
	double *ex = NULL, *sc = NULL, mae = 0;
	char err[1024], *buf = NULL;
	size_t buflen = 0;
	FILE *mem;
	long n;
	int rc = EXIT_RUN_FAILED;

	switch (parse(&o, argc, argv, err, sizeof(err))) {
	case 1:
		mrc_usage(stdout);
		return 0;
	case -1:
		fprintf(stderr, "pagelab mrc: %s\n", err);
		return EXIT_USAGE;
	}
	r = trace_open(o.trace, &o.topts, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "pagelab mrc: %s\n", err);
		return EXIT_RUN_FAILED;
	}
	keys = sim_keys_create();
	exact = mrc_create(1.0, 0, err, sizeof(err));
	if (exact && (o.rate > 0 || o.smax))
		sh = mrc_create(o.smax ? 1.0 : o.rate, o.smax, err, sizeof(err));
	if (!keys || !exact || ((o.rate > 0 || o.smax) && !sh)) {
		fprintf(stderr, "pagelab mrc: %s\n", keys ? err : "out of memory");
		goto out;
	}
	while ((n = trace_read(r, ev, sizeof(ev) / sizeof(ev[0]))) > 0) {
		for (long i = 0; i < n; i++, idx++) {
			uint64_t key;
			int k = sim_keys_event(keys, &ev[i], idx, &key, err, sizeof(err));

			if (k < 0) {
				fprintf(stderr, "pagelab mrc: %s: %s\n", o.trace, err);
				goto out;
			}
			if (!k)
				continue;
			if (mrc_access(exact, key) || (sh && mrc_access(sh, key))) {
				fprintf(stderr, "pagelab mrc: out of memory\n");
				goto out;
			}
		}
	}
	if (n < 0) {
		fprintf(stderr, "pagelab mrc: %s\n", trace_error(r));
		goto out;
	}
	d = mrc_ndistinct(exact);
	mis = mrc_misses(exact, d);
	ex = mrc_curve(exact, d);
	if (sh)
		sc = mrc_curve(sh, d);
	if (!mis || !ex || (sh && !sc)) {
		fprintf(stderr, "pagelab mrc: out of memory\n");
		goto out;
	}
	if (sh && d) {
		for (uint64_t c = 1; c <= d; c++)
			mae += fabs(ex[c] - sc[c]);
		mae /= (double)d;
		fprintf(stderr, "pagelab mrc: SHARDS (final rate %.6g, %llu sampled pages): mean absolute error %.6f over %llu sizes\n",
			mrc_rate(sh), (unsigned long long)mrc_ndistinct(sh), mae,
			(unsigned long long)d);
	}
	mem = open_memstream(&buf, &buflen);
	if (!mem) {
		fprintf(stderr, "pagelab mrc: out of memory\n");
		goto out;
	}
	fprintf(mem, "trace,curve,sample_rate,ram_pages,misses,miss_ratio,mae\n");
	npoints = (!o.points || o.points >= d) ? d : o.points;
	for (int pass = 0; pass < (sh ? 2 : 1); pass++) {
		for (uint64_t k = 0; k < npoints; k++) {
			uint64_t c = point(k, o.points, d);
			/* the trace name as a CSV field */
			if (strpbrk(o.trace, ",\"\n")) {
				fputc('"', mem);
				for (const char *p = o.trace; *p; p++) {
					if (*p == '"')
						fputc('"', mem);
					fputc(*p, mem);
				}
				fputc('"', mem);
			} else {
				fputs(o.trace, mem);
			}
			if (!pass)
				fprintf(mem, ",exact,1,%llu,%llu,%.6f,0\n",
					(unsigned long long)c, (unsigned long long)mis[c],
					ex[c]);
			else
				fprintf(mem, ",shards,%.6g,%llu,,%.6f,%.6f\n",
					mrc_rate(sh), (unsigned long long)c, sc[c], mae);
		}
	}
	if (fclose(mem)) {
		fprintf(stderr, "pagelab mrc: out of memory\n");
		goto out;
	}
	if (outfile_write_all(o.out, buf, buflen, err, sizeof(err))) {
		fprintf(stderr, "pagelab mrc: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	free(mis);
	free(ex);
	free(sc);
	mrc_destroy(exact);
	mrc_destroy(sh);
	sim_keys_destroy(keys);
	trace_close(r);
	return rc;
}

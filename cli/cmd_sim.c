/*
 * cli/cmd_sim.c — `pagelab sim TRACE ...`: replay a trace through the
 * simulator for every (reclaim policy, RAM size) pair asked for, in parallel
 * across cores, and print one CSV row per pair (results/SCHEMA.md).
 *
 * Jobs are forked children (no shared state; the next-use table of the
 * pre-pass is shared copy-on-write, read only), at most -j at a time; each
 * reopens the trace and sends its counters back through a pipe.  Rows come
 * out in the order of the lists (policy-major), whatever finished first.
 * Nothing is written unless every job succeeded.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/engine.h"
#include "cli/results.h"
#include "common/outfile.h"
#include "cli/simopts.h"
#include "common/costs.h"
#include "common/observe.h"
#include "policies/reclaim.h"
#include "sim/sim.h"
#include "workloads/trace.h"

#define MAX_LIST 64

static void sim_usage(FILE *f)
{
	fprintf(f,
"usage: pagelab sim TRACE [--reclaim P[,P...]] [--pagemap P] [--alloc P]\n"
"                   [--ram SIZE[,SIZE...]] [--observe full|faults|sampled:N]\n"
"                   [--page-size 4K|2M] [--reclaim-batch N] [--costs FILE]\n"
"                   [--seed N] [INPUT OPTIONS] [-j N] [-o OUT.csv]\n"
"\n"
"Replays TRACE (\"-\" = stdin) through the simulator for every (reclaim, RAM\n"
"size) pair and writes one CSV row each (results/SCHEMA.md) to stdout or OUT.\n"
"  --reclaim P,...   reclaim policies, NAME[:K=V...] (default lru; pagelab --list)\n"
"  --pagemap P       pagemap policy (default radix)\n"
"  --alloc P         RAM-offset allocator policy (default vmem)\n"
"  --ram SIZE,...    pages (1000), bytes (64M, 2G) or %% of the trace's\n"
"                    distinct pages (10%%); default 10%%\n"
"  --observe M       full | faults | sampled:N (N accesses between samplings);\n"
"                    default faults; opt needs full\n"
"  --page-size S     4K or 2M (2M: hugetlbfs, mapped pages never merge);\n"
"                    default: the trace's, else 4K\n"
"  --reclaim-batch N pages freed per reclaim when RAM is full (default 1)\n"
"  --costs FILE      per-fault-class costs in ns (common/costs.h; default built in)\n"
"  --seed N          seed of randomized policies (default 1)\n"
"  -j N              parallel jobs (default: the number of CPUs)\n"
"  -o OUT.csv        write the CSV here (atomically) instead of stdout\n"
"INPUT OPTIONS (how TRACE is read; --format is the old spelling of --in-format):\n%s",
		trace_opts_usage);
}

struct job {
	const char *reclaim;
	uint64_t ram_pages;
	pid_t pid;
	int fd;
	int done;
};

/* What a job sends back. */
struct job_result {
	int ok;
	struct counters c;
	double wall_s;
	char err[600];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run one (policy, size) pair in this process. */
static void run_job(const struct sim_opts *o, const struct sim_config *base,
		    const char *reclaim, uint64_t ram_pages,
		    struct job_result *res)
{
	struct sim_config c = *base;
	struct trace_reader *r;
	struct engine *e;
	char err[512];
	double t0 = now_s();

	memset(res, 0, sizeof(*res));
	c.reclaim = reclaim;
	c.ram_pages = ram_pages;
	r = o->stdin_reader ? o->stdin_reader :
			      trace_open(o->trace, &o->topts, err, sizeof(err));
	if (!r) {
		snprintf(res->err, sizeof(res->err), "%s", err);
		return;
	}
	e = engine_sim_create(&c, err, sizeof(err));
	if (!e) {
		snprintf(res->err, sizeof(res->err), "%s: %s", reclaim, err);
		if (r != o->stdin_reader)
			trace_close(r);
		return;
	}
	if (replay(r, o->trace, e, err, sizeof(err))) {
		snprintf(res->err, sizeof(res->err), "%s, %llu pages: %s", reclaim,
			 (unsigned long long)ram_pages, err);
	} else {
		e->ops->counters(e, &res->c);
		res->ok = 1;
	}
	e->ops->destroy(e);
	if (r != o->stdin_reader)
		trace_close(r);
	res->wall_s = now_s() - t0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Run every job, at most njobs at once; results[i] for jobs[i]. */
static int run_all(const struct sim_opts *o, const struct sim_config *base,
		   struct job *jobs, size_t n, struct job_result *results)
{
	size_t next = 0, running = 0;
	int failed = 0;

	if (o->njobs <= 1 || n == 1) {
		for (size_t i = 0; i < n; i++)
			run_job(o, base, jobs[i].reclaim, jobs[i].ram_pages,
				&results[i]);
		return 0;
	}
	fflush(NULL);
	while (next < n || running) {
		while (next < n && running < (size_t)o->njobs && !failed) {
			int p[2];
			pid_t pid;

			if (pipe(p)) {
				snprintf(results[next].err, sizeof(results[next].err),
					 "pipe: %s", strerror(errno));
				failed = 1;
				break;
			}
			pid = fork();
			if (pid < 0) {
				snprintf(results[next].err, sizeof(results[next].err),
					 "fork: %s", strerror(errno));
				close(p[0]);
				close(p[1]);
				failed = 1;
				break;
			}
			if (pid == 0) {
				struct job_result res;

				close(p[0]);
				run_job(o, base, jobs[next].reclaim,
					jobs[next].ram_pages, &res);
				_exit(write_all(p[1], &res, sizeof(res)) ? 1 : 0);
			}
			close(p[1]);
			jobs[next].pid = pid;
			jobs[next].fd = p[0];
			next++;
			running++;
		}
		if (failed && !running)
			break;
		if (!running)
			continue;
		{
			int status;
			pid_t pid = waitpid(-1, &status, 0);

			if (pid < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			for (size_t i = 0; i < next; i++) {
				if (jobs[i].pid != pid || jobs[i].done)
					continue;
				jobs[i].done = 1;
				running--;
				if (read_all(jobs[i].fd, &results[i], sizeof(results[i])))
					snprintf(results[i].err, sizeof(results[i].err),
						 "%s, %llu pages: job died (status %d)",
						 jobs[i].reclaim,
						 (unsigned long long)jobs[i].ram_pages,
						 status);
				close(jobs[i].fd);
				if (!results[i].ok)
					failed = 1;
			}
		}
	}
	/* Jobs never started because of an early failure stay !ok. */
	return 0;
}

int cmd_sim(int argc, char **argv)
{
	struct sim_opts o;
	struct sim_config base;
	struct costs costs;
	char err[1024];
	uint64_t *next_use = NULL, naccesses = 0;
	struct job *jobs = NULL;
	struct job_result *results = NULL;
	size_t njobs = 0;
	char *buf = NULL;
	size_t buflen = 0;
	FILE *mem;
	int st, rc = EXIT_RUN_FAILED;

	switch (sim_opts_parse(&o, argc, argv, err, sizeof(err))) {
	case SIMOPTS_HELP:
		sim_usage(stdout);
		rc = 0;
		goto out;
	case SIMOPTS_USAGE:
		fprintf(stderr, "pagelab sim: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	case SIMOPTS_FAILED:	/* out of memory */
		fprintf(stderr, "pagelab sim: %s\n", err);
		rc = EXIT_RUN_FAILED;
		goto out;
	default:
		break;
	}
	st = sim_opts_setup(&o, &costs, "sim");
	if (st) {
		rc = st;
		goto out;
	}
	next_use = o.next_use;
	naccesses = o.naccesses;

	memset(&base, 0, sizeof(base));
	base.pagemap = o.pagemap;
	base.alloc = o.alloc;
	base.observe = o.observe;
	base.page_size = o.page_size;
	base.reclaim_batch = o.reclaim_batch;
	base.seed = o.seed;
	base.next_use = next_use;
	base.nnext = naccesses;

	njobs = o.nreclaim * o.nram;
	jobs = calloc(njobs, sizeof(*jobs));
	results = calloc(njobs, sizeof(*results));
	if (!jobs || !results) {
		fprintf(stderr, "pagelab sim: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < o.nreclaim; i++)
		for (size_t j = 0; j < o.nram; j++) {
			jobs[i * o.nram + j].reclaim = o.reclaim[i];
			jobs[i * o.nram + j].ram_pages = o.ram_pages[j];
		}
	run_all(&o, &base, jobs, njobs, results);
	for (size_t i = 0; i < njobs; i++) {
		if (!results[i].ok) {
			fprintf(stderr, "pagelab sim: %s\n",
				results[i].err[0] ? results[i].err : "a job was not run");
			goto out;
		}
	}

	mem = open_memstream(&buf, &buflen);
	if (!mem) {
		fprintf(stderr, "pagelab sim: out of memory\n");
		goto out;
	}
	results_header(mem);
	for (size_t i = 0; i < njobs; i++) {
		struct result_row row;
		char observe[64];

		results_fill(&row, &o, "sim", jobs[i].reclaim, jobs[i].ram_pages,
			     &results[i].c, &costs, results[i].wall_s, observe,
			     sizeof(observe));
		results_row(mem, &row);
	}
	if (fclose(mem)) {
		fprintf(stderr, "pagelab sim: out of memory\n");
		goto out;
	}
	if (outfile_write_all(o.out, buf, buflen, err, sizeof(err))) {
		fprintf(stderr, "pagelab sim: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	free(jobs);
	free(results);
	sim_opts_free(&o);
	return rc;
}

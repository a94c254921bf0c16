/*
 * tests/t_plot.c — the study's output side: scripts/plot.sh renders every
 * figure from a small checked-in results folder (tests/fixtures/bench/:
 * results.csv in the schema of results/SCHEMA.md with sim and real rows,
 * hyperfine.csv), each PNG and SVG exists and is a non-empty image, and
 * report.md shows every figure; scripts/check-csv.sh accepts the fixture
 * and rejects a row that lost a column; every row of a real simulator run
 * (the CloudPhysics trace of tests/data/) has every schema column.
 *
 * Runs from the top of the tree (the test runner's working directory).
 * QUICK end-to-end runs of `make bench` are CI's (.ci/run), not a unit
 * test's: they take a minute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/testhelp.h"

#define FIXTURE "tests/fixtures/bench"

/* Run a shell command quietly (output to DIR/log); its exit status. */
static int sh(const char *dir, const char *fmt, const char *a, const char *b)
{
	char cmd[16384], full[16640];
	int rc;

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	snprintf(full, sizeof(full), "(%s) >>%s/log 2>&1", cmd, dir);
	rc = system(full);
	if (rc == -1)
		return -1;
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* The file's size, 0 if it does not exist. */
static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (long)st.st_size;
}

/* The first n bytes of the file equal magic. */
static int starts_with(const char *path, const char *magic, size_t n)
{
	char buf[64] = { 0 };
	FILE *f = fopen(path, "rb");
	size_t got;

	if (!f)
		return 0;
	got = fread(buf, 1, n < sizeof(buf) ? n : sizeof(buf), f);
	fclose(f);
	return got == n && !memcmp(buf, magic, n);
}

/* The whole text file (NUL-terminated, malloc'd), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n = file_size(path);
	char *s;

	if (!f)
		return NULL;
	s = calloc(1, (size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static void check_figures(const char *dir)
{
	static const char *const figs[] = {
		"mrc-zipf", "mrc-cloudPhysicsIO", "obsgap", "vmas", "throughput",
		"latency", "simreal",
	};
	char path[4096], ref[256];
	char *report;

	snprintf(path, sizeof(path), "%s/report.md", dir);
	report = slurp(path);
	CHECK_MSG(report != NULL, "%s not written", path);
	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		snprintf(path, sizeof(path), "%s/plots/%s.png", dir, figs[i]);
		/* a drawn figure with axes, labels and a legend is tens of KB */
		CHECK_MSG(file_size(path) > 4000, "%s: %ld bytes", path, file_size(path));
		CHECK_MSG(starts_with(path, "\x89PNG\r\n\x1a\n", 8), "%s is not a PNG", path);
		snprintf(path, sizeof(path), "%s/plots/%s.svg", dir, figs[i]);
		CHECK_MSG(file_size(path) > 4000, "%s: %ld bytes", path, file_size(path));
		snprintf(ref, sizeof(ref), "](plots/%s.png)", figs[i]);
		CHECK_MSG(report && strstr(report, ref), "report.md does not show %s", ref);
	}
	/* the report quotes figures computed from the data, e.g. OPT's miss
	 * ratio on the fixture's zipf trace at its middle size */
	CHECK_MSG(report && strstr(report, "OPT misses"), "report.md quotes no miss ratio");
	/* and the kernel's minor fault from bench_fault.txt (610 ns there) */
	CHECK_MSG(report && strstr(report, "minor fault on a shared-memory page, 610 ns"),
		  "report.md does not quote bench_fault's kernel row");
	free(report);
}

int main(void)
{
	char dir[] = "/tmp/t_plot.XXXXXX";
	char path[4096];
	const char *bin;
	char trace[4096];

	T_BEGIN("plot");
	bin = t_pagelab_bin();
	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		T_SKIP("gnuplot is not installed (scripts/setup-deps.sh)");
		return T_END();
	}
	REQUIRE(mkdtemp(dir) != NULL);

	/* the plots and the report, from the fixture */
	REQUIRE_EQ(sh(dir, "cp " FIXTURE "/results.csv " FIXTURE "/hyperfine.csv " FIXTURE "/bench_fault.txt %s/", dir, ""), 0);
	REQUIRE_EQ(sh(dir, "printf 'quick: 1\\nhyperfine_trace: zipf.trace\\n' >%s/run.txt", dir, ""), 0);
	CHECK_EQ(sh(dir, "scripts/plot.sh %s", dir, ""), 0);
	check_figures(dir);

	/* redrawing replaces, never accumulates: same figures again */
	CHECK_EQ(sh(dir, "scripts/plot.sh %s", dir, ""), 0);
	check_figures(dir);

	/* a folder without real rows: the real figures are not drawn, and the
	 * report says so instead of showing a missing image */
	REQUIRE_EQ(sh(dir, "mkdir %s/noreal", dir, ""), 0);
	REQUIRE_EQ(sh(dir, "awk -F, '$1 != \"real\"' %s/results.csv >%s/noreal/results.csv", dir, dir), 0);
	CHECK_EQ(sh(dir, "scripts/plot.sh %s/noreal", dir, ""), 0);
	snprintf(path, sizeof(path), "%s/noreal/plots/latency.png", dir);
	CHECK_EQ(file_size(path), 0);
	snprintf(path, sizeof(path), "%s/noreal/plots/mrc-zipf.png", dir);
	CHECK(file_size(path) > 4000);
	CHECK_EQ(sh(dir, "grep -q 'Not drawn: no real runs' %s/noreal/report.md", dir, ""), 0);

	/* the schema check: the fixture passes; a row that lost a field, a
	 * header without a required column, a non-numeric count fail */
	CHECK_EQ(sh(dir, "scripts/check-csv.sh %s/results.csv", dir, ""), 0);
	REQUIRE_EQ(sh(dir, "sed '3s/,[^,]*$//' %s/results.csv >%s/short.csv", dir, dir), 0);
	CHECK(sh(dir, "scripts/check-csv.sh %s/short.csv", dir, "") == 1);
	REQUIRE_EQ(sh(dir, "sed '1s/vmas_end/vmas_last/' %s/results.csv >%s/hdr.csv", dir, dir), 0);
	CHECK(sh(dir, "scripts/check-csv.sh %s/hdr.csv", dir, "") == 1);
	REQUIRE_EQ(sh(dir, "sed '2s/,radix,vmem,full,[0-9]*,/,radix,vmem,full,lots,/' %s/results.csv >%s/num.csv",
		    dir, dir), 0);
	CHECK(sh(dir, "scripts/check-csv.sh %s/num.csv", dir, "") == 1);

	/* the job runner: every job runs (two at a time), a failing one does
	 * not stop the others, is listed in JOBFILE.failed, and fails the run */
	{
		char cmd[8192];

		snprintf(cmd, sizeof(cmd), "printf 'touch %s/j1\\nfalse\\n# a comment\\n\\n"
			 "touch %s/j2\\n' >%s/jobs.txt", dir, dir, dir);
		REQUIRE_EQ(sh(dir, "%s", cmd, ""), 0);
	}
	CHECK_EQ(sh(dir, "scripts/runjobs.sh %s/jobs.txt 2 test", dir, ""), 1);
	snprintf(path, sizeof(path), "%s/j1", dir);
	CHECK(access(path, F_OK) == 0);
	snprintf(path, sizeof(path), "%s/j2", dir);
	CHECK(access(path, F_OK) == 0);
	CHECK_EQ(sh(dir, "test \"$(cat %s/jobs.txt.failed)\" = false", dir, ""), 0);
	REQUIRE_EQ(sh(dir, "printf 'true\\ntrue\\ntrue\\n' >%s/ok.txt", dir, ""), 0);
	CHECK_EQ(sh(dir, "scripts/runjobs.sh %s/ok.txt 2 test", dir, ""), 0);
	snprintf(path, sizeof(path), "%s/ok.txt.failed", dir);
	CHECK(access(path, F_OK) != 0);

	/* every row of a real simulator run has every schema column */
	t_data(T_CLOUDPHYSICS, trace, sizeof(trace));
	{
		char cmd[12288];

		snprintf(path, sizeof(path), "%s/sim.csv", dir);
		snprintf(cmd, sizeof(cmd), "%s sim %s --reclaim lru,fifo --ram 1%%,10%% "
			 "--observe full -o %s", bin, trace, path);
		CHECK_EQ(sh(dir, "%s", cmd, ""), 0);
		CHECK_EQ(sh(dir, "scripts/check-csv.sh %s", path, ""), 0);
		/* 2 policies x 2 sizes: 4 rows and the header */
		CHECK_EQ(sh(dir, "test $(wc -l <%s) -eq 5", path, ""), 0);
	}

	if (!t_fail_) {
		snprintf(path, sizeof(path), "rm -rf %s", dir);
		CHECK_EQ(system(path), 0);
	} else {
		fprintf(stderr, "t_plot: output left in %s (log: %s/log)\n", dir, dir);
	}
	return T_END();
}

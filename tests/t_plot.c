/*
 * tests/t_plot.c — the study's output side: scripts/plot.sh renders every
 * figure from the small results folder committed in docs/study/ (a
 * `make bench QUICK=1` run: results.csv with sim and real rows, the exact
 * LRU curves mrc/, the latency histograms hist/, hyperfine.csv, run.txt,
 * machine.txt), each PNG and SVG exists and is a non-empty image, each
 * figure's data table has the rows it should (24 sizes, 3 seeds, the
 * exact LRU curve equal to the simulated LRU points, CDFs ending at 1),
 * and report.md shows every figure under a header without empty fields;
 * a job line of the folder reruns from the folder alone (its trace
 * deleted and regenerated) and gives the rows results.csv has;
 * scripts/check-csv.sh accepts the folder's CSV and rejects a row that
 * lost a column; and when this pagelab has `sim`, every row of a real
 * simulator run has every schema column.
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

#include "tests/shelltest.h"
#include "tests/testhelp.h"

#define STUDY "docs/study"

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

/* The number of data rows (not "#" lines) of DIR/plots/data/NAME. */
static int data_rows(const char *dir, const char *name)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "exit $(grep -vc '^#' %s/plots/data/%s)", dir, name);
	return t_sh(dir, "%s", cmd, "");
}

static const char *const traces[] = {
	"cloudPhysicsIO", "hotset", "loop", "matrix", "seq", "slices", "zipf",
};
#define NTRACES (sizeof(traces) / sizeof(traces[0]))

static void check_figures(const char *dir)
{
	static const char *const figs[] = {
		"obsgap", "vmas", "throughput", "latency", "simreal",
	};
	char path[4096], ref[300], name[256];
	char *report;

	snprintf(path, sizeof(path), "%s/report.md", dir);
	report = slurp(path);
	CHECK_MSG(report != NULL, "%s not written", path);
	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]) + NTRACES; i++) {
		const char *fig = name;

		if (i < NTRACES)
			snprintf(name, sizeof(name), "mrc-%s", traces[i]);
		else
			fig = figs[i - NTRACES];
		snprintf(path, sizeof(path), "%s/plots/%s.png", dir, fig);
		/* a drawn figure with axes, labels and a legend is tens of KB */
		CHECK_MSG(file_size(path) > 4000, "%s: %ld bytes", path, file_size(path));
		CHECK_MSG(starts_with(path, "\x89PNG\r\n\x1a\n", 8), "%s is not a PNG", path);
		snprintf(path, sizeof(path), "%s/plots/%s.svg", dir, fig);
		CHECK_MSG(file_size(path) > 4000, "%s: %ld bytes", path, file_size(path));
		snprintf(ref, sizeof(ref), "](plots/%s.png)", fig);
		CHECK_MSG(report && strstr(report, ref), "report.md does not show %s", ref);
	}

	/* the tables: 24 RAM sizes per curve, OPT and FIFO on every trace, the
	 * three seeds of a seeded generator (the 5th column), one of a trace
	 * file; the exact LRU curve at every swept size, equal there to the
	 * simulated LRU median */
	for (size_t i = 0; i < NTRACES; i++) {
		static const char *const pols[] = { "opt", "fifo", "lru" };

		for (size_t j = 0; j < 3; j++) {
			snprintf(name, sizeof(name), "mrc-%s-%s.dat", traces[i], pols[j]);
			CHECK_MSG(data_rows(dir, name) == 24, "%s: %d rows", name, data_rows(dir, name));
		}
		snprintf(name, sizeof(name), "mrc-%s-lru-exact.dat", traces[i]);
		CHECK_MSG(data_rows(dir, name) >= 24, "%s: %d rows", name, data_rows(dir, name));
		/* equal on the read-only trace; where a trace writes, dirty pages
		 * wait for their writeout (unevictable), a little off pure LRU */
		snprintf(path, sizeof(path),
			 "awk -v tol=%s 'NR == FNR { if (!/^#/) e[$1] = $2; next }"
			 " !/^#/ { n++; d = $2 - e[$1]; if (!($1 in e) || d > tol || -d > tol) bad++ }"
			 " END { exit !(n == 24 && !bad) }' %s/plots/data/%s %s/plots/data/mrc-%s-lru.dat",
			 strcmp(traces[i], "cloudPhysicsIO") ? "0.005" : "0", dir, name, dir, traces[i]);
		CHECK_MSG(t_sh(dir, "%s", path, "") == 0, "%s: exact and simulated LRU differ", traces[i]);
		/* the observation gap at every other size */
		snprintf(name, sizeof(name), "obsgap-%s-lru.dat", traces[i]);
		CHECK_MSG(data_rows(dir, name) == 12, "%s: %d rows", name, data_rows(dir, name));
	}
	CHECK_EQ(t_sh(dir, "awk '!/^#/ && $5 != 3 { exit 1 }' %s/plots/data/mrc-zipf-random.dat", dir, ""), 0);
	CHECK_EQ(t_sh(dir, "awk '!/^#/ && $5 != 1 { exit 1 }' %s/plots/data/mrc-seq-lru.dat", dir, ""), 0);
	/* seeds differ: somewhere the band has a width */
	CHECK_EQ(t_sh(dir, "awk '!/^#/ && $3 < $4 { w = 1 } END { exit !w }' %s/plots/data/mrc-zipf-lru.dat", dir, ""), 0);
	/* latency CDFs from the histograms: non-decreasing, ending at 1 */
	CHECK(data_rows(dir, "lat-shmfs-load.dat") > 5);
	CHECK_EQ(t_sh(dir, "awk '!/^#/ { if ($2 < last) exit 1; last = $2 } END { exit last != 1 }' "
		    "%s/plots/data/lat-shmfs-load.dat", dir, ""), 0);
	/* one VMA row per trace, under a header */
	CHECK_EQ(data_rows(dir, "vmas.dat"), (int)NTRACES + 1);

	/* the report quotes figures computed from the data, e.g. OPT's miss
	 * ratio at a trace's middle size, and says the curves coincide */
	CHECK_MSG(report && strstr(report, "OPT misses"), "report.md quotes no miss ratio");
	CHECK_MSG(report && strstr(report, "coincide at all 24 sizes"),
		  "report.md does not say the exact and simulated LRU coincide");
	CHECK_MSG(report && strstr(report, "minor fault on a shared-memory page"),
		  "report.md does not quote bench_fault's kernel row");
	CHECK_MSG(report && strstr(report, "Load average (1, 5, 15 min) at the start"),
		  "report.md does not say how loaded the machine was");
	CHECK_MSG(report && strstr(report, "Time per stage: "), "report.md has no stage timings");
	free(report);
	/* a header without empty fields ("unknown" instead) or trailing blanks */
	CHECK_EQ(t_sh(dir, "head -n 8 %s/report.md | grep -nE '(, ,|, \\.|\\(\\)|: ,|[[:space:]]$|L[123d]* ,)' >&2; test $? -eq 1",
		    dir, ""), 0);
}

int main(void)
{
	char dir[] = "/tmp/t_plot.XXXXXX";
	char path[4096];
	/* absolute: job lines run from the results folder */
	char *bin = realpath(t_pagelab_bin(), NULL);
	char trace[4096];

	T_BEGIN("plot");
	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		T_SKIP("gnuplot is not installed (scripts/setup-deps.sh)");
		return T_END();
	}
	REQUIRE(mkdtemp(dir) != NULL);

	/* the plots and the report, from the committed results folder */
	REQUIRE_EQ(t_sh(dir, "cp -r " STUDY "/. %s/ && rm -rf %s/plots", dir, dir), 0);
	CHECK_EQ(t_sh(dir, "scripts/plot.sh %s", dir, ""), 0);
	check_figures(dir);

	/* redrawing replaces, never accumulates: same figures again */
	CHECK_EQ(t_sh(dir, "scripts/plot.sh %s", dir, ""), 0);
	check_figures(dir);

	/* a folder without real rows: the real figures are not drawn, and the
	 * report says so instead of showing a missing image */
	REQUIRE_EQ(t_sh(dir, "mkdir %s/noreal", dir, ""), 0);
	REQUIRE_EQ(t_sh(dir, "awk -F, '$1 != \"real\"' %s/results.csv >%s/noreal/results.csv", dir, dir), 0);
	REQUIRE_EQ(t_sh(dir, "cd %s && cp -r mrc run.txt noreal/", dir, ""), 0);
	CHECK_EQ(t_sh(dir, "scripts/plot.sh %s/noreal", dir, ""), 0);
	snprintf(path, sizeof(path), "%s/noreal/plots/latency.png", dir);
	CHECK_EQ(file_size(path), 0);
	snprintf(path, sizeof(path), "%s/noreal/plots/mrc-zipf.png", dir);
	CHECK(file_size(path) > 4000);
	CHECK_EQ(t_sh(dir, "grep -q 'Not drawn: no real runs' %s/noreal/report.md", dir, ""), 0);

	/* the schema check: the fixture passes; a row that lost a field, a
	 * header without a required column, a non-numeric count fail */
	CHECK_EQ(t_sh(dir, "scripts/check-csv.sh %s/results.csv", dir, ""), 0);
	REQUIRE_EQ(t_sh(dir, "sed '3s/,[^,]*$//' %s/results.csv >%s/short.csv", dir, dir), 0);
	CHECK(t_sh(dir, "scripts/check-csv.sh %s/short.csv", dir, "") == 1);
	REQUIRE_EQ(t_sh(dir, "sed '1s/vmas_end/vmas_last/' %s/results.csv >%s/hdr.csv", dir, dir), 0);
	CHECK(t_sh(dir, "scripts/check-csv.sh %s/hdr.csv", dir, "") == 1);
	/* ram_pages (column 7) of the first row becomes "lots" */
	REQUIRE_EQ(t_sh(dir, "sed -E '2s/^(([^,]*,){6})[0-9]+,/\\1lots,/' %s/results.csv >%s/num.csv",
		    dir, dir), 0);
	CHECK(t_sh(dir, "scripts/check-csv.sh %s/num.csv", dir, "") == 1);

	/* a job line reruns from the folder alone: the generated trace it
	 * reads is gone and jobs/trace.sh makes it again (seeded: the same
	 * bytes), and the rows it writes are results.csv's (but wall_s) */
	{
		REQUIRE_EQ(t_sh(dir, "cd %s && rm -rf traces parts logs && mkdir parts && "
			    "grep -F ' sim traces/zipf.s2.trace --reclaim random ' jobs/sim.jobs >one.jobs && "
			    "test $(grep -c . one.jobs) -eq 1", dir, ""), 0);
		CHECK_EQ(t_sh(dir, "cd %s && PAGELAB=%s sh one.jobs", dir, bin), 0);
		CHECK_EQ(t_sh(dir, "cd %s && test -s traces/zipf.s2.trace && "
			    "awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) if ($i == \"wall_s\") w = i; next }"
			    " { $w = \"\" } NR == FNR { got[$0] = 1; n++; next }"
			    " $2 == \"traces/zipf.s2.trace\" && $3 == \"random\" && $6 == \"full\" { m++; if (!($0 in got)) bad++ }"
			    " END { exit !(n == 24 && m == n && !bad) }' parts/*.csv results.csv", dir, ""), 0);
	}

	/* the job runner: every job runs (two at a time), a failing one does
	 * not stop the others, is listed in JOBFILE.failed, and fails the run */
	{
		char cmd[8192];

		snprintf(cmd, sizeof(cmd), "printf 'touch %s/j1\\nfalse\\n# a comment\\n\\n"
			 "touch %s/j2\\n' >%s/jobs.txt", dir, dir, dir);
		CHECK_EQ(t_sh(dir, "%s", cmd, ""), 0);
	}
	CHECK_EQ(t_sh(dir, "scripts/runjobs.sh %s/jobs.txt 2 test", dir, ""), 1);
	snprintf(path, sizeof(path), "%s/j1", dir);
	CHECK(access(path, F_OK) == 0);
	snprintf(path, sizeof(path), "%s/j2", dir);
	CHECK(access(path, F_OK) == 0);
	CHECK_EQ(t_sh(dir, "test \"$(cat %s/jobs.txt.failed)\" = false", dir, ""), 0);
	REQUIRE_EQ(t_sh(dir, "printf 'true\\ntrue\\ntrue\\n' >%s/ok.txt", dir, ""), 0);
	CHECK_EQ(t_sh(dir, "scripts/runjobs.sh %s/ok.txt 2 test", dir, ""), 0);
	snprintf(path, sizeof(path), "%s/ok.txt.failed", dir);
	CHECK(access(path, F_OK) != 0);

	/* every row of a real simulator run has every schema column */
	t_data(T_CLOUDPHYSICS, trace, sizeof(trace));
	{
		char cmd[12288];

		snprintf(path, sizeof(path), "%s/sim.csv", dir);
		snprintf(cmd, sizeof(cmd), "%s sim %s --reclaim lru,fifo --ram 1%%,10%% "
			 "--observe full -o %s", bin, trace, path);
		CHECK_EQ(t_sh(dir, "%s", cmd, ""), 0);
		CHECK_EQ(t_sh(dir, "scripts/check-csv.sh %s", path, ""), 0);
		/* 2 policies x 2 sizes: 4 rows and the header */
		CHECK_EQ(t_sh(dir, "test $(wc -l <%s) -eq 5", path, ""), 0);
	}

	if (!t_fail_) {
		snprintf(path, sizeof(path), "rm -rf %s", dir);
		CHECK_EQ(system(path), 0);
	} else {
		fprintf(stderr, "t_plot: output left in %s (log: %s/log)\n", dir, dir);
	}
	free(bin);
	return T_END();
}

/*
 * tests/t_counters.c — the counter regression check and the golden
 * counters it guards.
 *
 *  - scripts/check-counters.sh on tiny CSVs: runs are joined by their run
 *    columns (the trace by file name), in any order; a counter that
 *    differs, a run on one side only, or a counter NEW lost fails it (exit
 *    1) and is printed; times, latencies, columns added later and columns
 *    it does not know are not compared; bad input is exit 2; --extract
 *    keeps the run columns and the counters.
 *  - the committed synthetic trace tests/data/slices.pgt replayed by
 *    `pagelab sim` and `pagelab real` (t_pagelab_bin()) in the runs listed
 *    below gives exactly the counters of tests/data/slices.golden.csv
 *    (made at d86e37d, before issue #12's consolidation; see
 *    tests/data/README.md): every reclaim policy, observation mode,
 *    allocator, pagemap, both page sizes, a reclaim batch, and the real
 *    engine on shmfs.
 *
 * Runs from the top of the tree (the test runner's working directory).
 */
#include <string.h>
#include <sys/wait.h>

#include "tests/testhelp.h"
#include "tests/trace_testutil.h"

static char dir[256];

/* Run a shell command, stdout and stderr into dir/out; its exit status. */
static int sh(const char *cmd)
{
	char full[8192];
	int st;

	snprintf(full, sizeof(full), "(%s) >%s/out 2>&1", cmd, dir);
	st = system(full);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* What the last sh() printed (static buffer, NUL-terminated). */
static const char *out(void)
{
	static char buf[1 << 16];
	char path[600];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/out", dir);
	f = fopen(path, "r");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

static void put(const char *name, const char *text)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	REQUIRE(file_write(path, text, strlen(text)) == 0);
}

/* scripts/check-counters.sh OLD NEW (files in dir); its exit status. */
static int check(const char *old, const char *new)
{
	char cmd[1400];

	snprintf(cmd, sizeof(cmd), "scripts/check-counters.sh %s/%s %s/%s", dir,
		 old, dir, new);
	return sh(cmd);
}

#define HDR "mode,trace,reclaim,pagemap,alloc,observe,ram_pages,page_size," \
	    "reclaim_batch,accesses,hits,faults,evictions,wall_s,load_p50_ns"

static void test_script(void)
{
	char cmd[1400];

	put("old.csv", HDR "\n"
	    "sim,/a/t.trace,lru,radix,vmem,full,10,4096,1,100,60,40,30,0.5,\n"
	    "real,/a/t.trace,lru,radix,vmem,faults,10,4096,1,100,50,50,40,0.9,3000\n"
	    "sim,\"/a/b,c.trace\",fifo,radix,vmem,full,20,4096,1,100,70,30,10,0.1,\n");
	/* another order, another folder, other times, latencies and a column
	 * of later and one nobody knows: equal */
	put("same.csv", HDR ",vmas_end,zz_new\n"
	    "sim,\"x/b,c.trace\",fifo,radix,vmem,full,20,4096,1,100,70,30,10,7.5,,3,x\n"
	    "real,t.trace,lru,radix,vmem,faults,10,4096,1,100,50,50,40,0.2,2100,5,y\n"
	    "sim,t.trace,lru,radix,vmem,full,10,4096,1,100,60,40,30,0.7,,4,z\n");
	CHECK_EQ(check("old.csv", "same.csv"), 0);
	CHECK_MSG(strstr(out(), "3 runs in both, 4 counters compared each; "
			 "0 differences in 0 runs; 0 runs on one side only"),
		  "%s", out());
	CHECK_MSG(strstr(out(), "counter vmas_end is only in NEW"), "%s", out());
	CHECK_MSG(strstr(out(), "column zz_new is not known"), "%s", out());
	CHECK_EQ(check("same.csv", "old.csv"), 1);	/* NEW lost vmas_end */
	CHECK_MSG(strstr(out(), "counter vmas_end is in OLD but not in NEW"), "%s",
		  out());

	/* one counter of one run differs */
	put("diff.csv", HDR "\n"
	    "sim,t.trace,lru,radix,vmem,full,10,4096,1,100,60,40,31,0.5,\n"
	    "real,t.trace,lru,radix,vmem,faults,10,4096,1,100,50,50,40,0.9,3000\n"
	    "sim,\"b,c.trace\",fifo,radix,vmem,full,20,4096,1,100,70,30,10,0.1,\n");
	CHECK_EQ(check("old.csv", "diff.csv"), 1);
	CHECK_MSG(strstr(out(), "differs: sim t.trace lru radix vmem full 10 4096 1: "
			 "evictions 30 -> 31\n"), "%s", out());
	CHECK_MSG(strstr(out(), "1 differences in 1 runs"), "%s", out());

	/* a run on one side only, each way: a changed run column is both */
	put("moved.csv", HDR "\n"
	    "sim,t.trace,lru,radix,vmem,full,10,4096,1,100,60,40,30,0.5,\n"
	    "real,t.trace,lru,radix,vmem,faults,10,4096,8,100,50,50,40,0.9,3000\n"
	    "sim,\"b,c.trace\",fifo,radix,vmem,full,20,4096,1,100,70,30,10,0.1,\n");
	CHECK_EQ(check("old.csv", "moved.csv"), 1);
	CHECK_MSG(strstr(out(), "only in OLD: real t.trace lru radix vmem faults 10 4096 1\n"),
		  "%s", out());
	CHECK_MSG(strstr(out(), "only in NEW: real t.trace lru radix vmem faults 10 4096 8\n"),
		  "%s", out());
	CHECK_MSG(strstr(out(), "2 runs on one side only"), "%s", out());
	put("fewer.csv", HDR "\n"
	    "sim,t.trace,lru,radix,vmem,full,10,4096,1,100,60,40,30,0.5,\n");
	CHECK_EQ(check("old.csv", "fewer.csv"), 1);
	CHECK_EQ(check("fewer.csv", "old.csv"), 1);

	/* bad input: exit 2 with one line naming the file */
	put("twice.csv", HDR "\n"
	    "sim,t.trace,lru,radix,vmem,full,10,4096,1,100,60,40,30,0.5,\n"
	    "sim,u/t.trace,lru,radix,vmem,full,10,4096,1,100,60,40,30,0.6,\n");
	CHECK_EQ(check("old.csv", "twice.csv"), 2);
	CHECK_MSG(strstr(out(), "twice.csv:3: a second row for run"), "%s", out());
	put("short.csv", HDR "\nsim,t.trace,lru,radix,vmem,full,10,4096,1,100\n");
	CHECK_EQ(check("old.csv", "short.csv"), 2);
	CHECK_MSG(strstr(out(), "short.csv:2: 10 fields, the header has 15"), "%s",
		  out());
	put("norun.csv", "trace,accesses\nt.trace,100\n");
	CHECK_EQ(check("old.csv", "norun.csv"), 2);
	CHECK_MSG(strstr(out(), "norun.csv: no column mode"), "%s", out());
	put("empty.csv", "");
	CHECK_EQ(check("old.csv", "empty.csv"), 2);
	CHECK_EQ(check("old.csv", "nosuch.csv"), 2);
	CHECK_MSG(strstr(out(), "nosuch.csv: cannot read"), "%s", out());
	CHECK_EQ(sh("scripts/check-counters.sh"), 2);
	CHECK_EQ(sh("scripts/check-counters.sh a b c"), 2);

	/* --extract: the run columns and the counters, quotes kept */
	snprintf(cmd, sizeof(cmd), "scripts/check-counters.sh --extract %s/old.csv "
		 ">%s/ex.csv && cat %s/ex.csv", dir, dir, dir);
	CHECK_EQ(sh(cmd), 0);
	CHECK_MSG(!strcmp(out(), "mode,trace,reclaim,pagemap,alloc,observe,ram_pages,"
			  "page_size,reclaim_batch,accesses,hits,faults,evictions\n"
			  "sim,/a/t.trace,lru,radix,vmem,full,10,4096,1,100,60,40,30\n"
			  "real,/a/t.trace,lru,radix,vmem,faults,10,4096,1,100,50,50,40\n"
			  "sim,\"/a/b,c.trace\",fifo,radix,vmem,full,20,4096,1,100,70,30,10\n"),
		  "%s", out());
	CHECK_EQ(check("old.csv", "ex.csv"), 0);
	snprintf(cmd, sizeof(cmd), "scripts/check-counters.sh --extract %s/norun.csv",
		 dir);
	CHECK_EQ(sh(cmd), 2);
}

/* The runs of the golden file: pagelab COMMAND TRACE ARGS. */
static const char *const golden_runs[] = {
	"sim %s --reclaim lru,fifo,clock,random,arc,2q,sieve,lfu,opt,lirs,s3fifo,"
	"clock-pro --ram 15%%,50%% --observe full",
	"sim %s --reclaim lru,fifo,clock,random,arc,2q,sieve,lfu,lirs,s3fifo,"
	"clock-pro --ram 15%%,50%% --observe faults",
	"sim %s --reclaim lru,clock,s3fifo --ram 15%%,50%% --observe sampled:50",
	"sim %s --alloc vmem:fit=best --ram 15%%,50%%",
	"sim %s --alloc vmem:fit=next --ram 15%%,50%%",
	"sim %s --alloc vmem:qcache=4 --ram 15%%,50%%",
	"sim %s --alloc bitmap:fit=first --ram 15%%,50%%",
	"sim %s --alloc bitmap:fit=best --ram 15%%,50%%",
	"sim %s --alloc first-fit --ram 15%%,50%%",
	"sim %s --pagemap hash --ram 15%%,50%%",
	"sim %s --page-size 2M --ram 15%%,50%%",
	"sim %s --reclaim-batch 8 --ram 15%%,50%%",
	"real %s --reclaim lru,clock,arc,s3fifo --ram 15%%,50%% --observe faults",
	"real %s --reclaim lru --ram 15%%,50%% --observe sampled:50",
	"real %s --alloc bitmap --ram 15%%,50%%",
	"real %s --alloc first-fit --ram 15%%,50%%",
	"real %s --reclaim-batch 8 --ram 15%%,50%%",
};

static void test_golden(void)
{
	const char *bin = t_pagelab_bin();
	char trace[512], golden[512], args[1024], cmd[4096];

	t_data("slices.pgt", trace, sizeof(trace));
	t_data("slices.golden.csv", golden, sizeof(golden));
	for (size_t i = 0; i < sizeof(golden_runs) / sizeof(golden_runs[0]); i++) {
		snprintf(args, sizeof(args), golden_runs[i], trace);
		snprintf(cmd, sizeof(cmd), "%s %s -o %s/part%02zu.csv", bin, args,
			 dir, i);
		CHECK_MSG(sh(cmd) == 0, "pagelab %s: %s", args, out());
	}
	/* one CSV, one header: the schema is the same for every part */
	snprintf(cmd, sizeof(cmd), "awk 'FNR > 1 || NR == 1' %s/part[0-9][0-9].csv "
		 ">%s/got.csv", dir, dir);
	REQUIRE_EQ(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "scripts/check-counters.sh %s %s/got.csv",
		 golden, dir);
	CHECK_MSG(sh(cmd) == 0, "the counters of %s differ from %s:\n%s"
		  "(a deliberate change: scripts/check-counters.sh --extract "
		  "%s/got.csv >%s)", trace, golden, out(), dir, golden);
}

int main(void)
{
	T_BEGIN("counters");
	REQUIRE(tmpdir_make(dir, sizeof(dir)));
	test_script();
	test_golden();
	if (t_fail_)
		fprintf(stderr, "t_counters: output left in %s\n", dir);
	else
		tmpdir_remove(dir);
	return T_END();
}

/*
 * tests/t_sim_cli.c — `pagelab sim` and `pagelab mrc` as a user runs them
 * (t_pagelab_bin(), on the CloudPhysics trace of tests/data/ and on small
 * traces written here): rows in list order whatever -j, RAM sizes as pages,
 * bytes or percentages, the cost model, the VMA columns on a hand-written
 * text trace, and bad input — a one-line message, exit 2 for usage and 1
 * for a failed run, and never a partial CSV.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/bug.h"
#include "policies/reclaim.h"
#include "tests/testhelp.h"

static char dir[256], bin[512], oracle[512];

/* Run a shell command line; its exit status, stdout in out, stderr in err. */
static int sh(const char *cmd, char *out, size_t outlen, char *err, size_t errlen)
{
	char full[4096], path[600];
	FILE *f;
	size_t n;
	int st;

	snprintf(full, sizeof(full), "%s >%s/out 2>%s/err", cmd, dir, dir);
	st = system(full);
	snprintf(path, sizeof(path), "%s/out", dir);
	f = fopen(path, "r");
	n = f ? fread(out, 1, outlen - 1, f) : 0;
	out[n] = '\0';
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/err", dir);
	f = fopen(path, "r");
	n = f ? fread(err, 1, errlen - 1, f) : 0;
	err[n] = '\0';
	if (f)
		fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Write text to dir/name. */
static void put(const char *name, const char *text)
{
	char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	BUG_ON(!f);
	fputs(text, f);
	fclose(f);
}

static int exists(const char *name)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

/* Field col (0-based) of line row (0 = header) of csv, into buf. */
static const char *field(const char *csv, int row, int col, char *buf, size_t len)
{
	const char *p = csv;

	for (int r = 0; r < row && p; r++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p)
		return "";
	for (int c = 0; c < col && p; c++) {
		const char *comma = strchr(p, ',');
		const char *nl = strchr(p, '\n');
		if (!comma || (nl && nl < comma))
			return "";
		p = comma + 1;
	}
	{
		size_t n = strcspn(p, ",\n");
		if (n >= len)
			n = len - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
	}
	return buf;
}

static int column(const char *csv, const char *name)
{
	char buf[64];

	for (int c = 0; c < 200; c++) {
		const char *f = field(csv, 0, c, buf, sizeof(buf));
		if (!*f)
			return -1;
		if (!strcmp(f, name))
			return c;
	}
	return -1;
}

static long long num(const char *csv, int row, const char *name)
{
	char buf[64];
	int c = column(csv, name);

	return c < 0 ? -1 : atoll(field(csv, row, c, buf, sizeof(buf)));
}

static int nlines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The CSV without the wall_s column, for comparing runs. */
static void strip_wall(const char *csv, char *out, size_t len)
{
	int wc = column(csv, "wall_s");
	size_t o = 0;
	int col = 0;

	for (const char *p = csv; *p && o + 1 < len; p++) {
		if (*p == '\n')
			col = -1;
		if (*p == ',' || *p == '\n')
			col++;
		if (col != wc || *p == '\n')
			out[o++] = *p;
		if (*p == '\n')
			col = 0;
	}
	out[o] = '\0';
}

static char out[8 << 20], err[8192], out2[1 << 20];

static void test_rows_and_order(void)
{
	char cmd[2048], a[1 << 16], b[1 << 16], buf[64];

	snprintf(cmd, sizeof(cmd), "%s sim %s --reclaim lru,fifo,clock --ram 489,4897,14692 --observe full -j 2",
		 bin, oracle);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_EQ(nlines(out), 10);
	{
		static const char h[] = "mode,trace,reclaim,pagemap,alloc,observe,ram_pages,page_size,";
		CHECK(!strncmp(out, h, sizeof(h) - 1));
	}
	for (int r = 1; r <= 9; r++) {
		static const char *pol[] = { "lru", "fifo", "clock" };
		static const char *ram[] = { "489", "4897", "14692" };
		CHECK(!strcmp(field(out, r, 2, buf, sizeof(buf)), pol[(r - 1) / 3]));
		CHECK(!strcmp(field(out, r, 6, buf, sizeof(buf)), ram[(r - 1) % 3]));
		CHECK(!strcmp(field(out, r, 0, buf, sizeof(buf)), "sim"));
		CHECK_EQ(num(out, r, "accesses"), 113872);
		CHECK_EQ(num(out, r, "hits") + num(out, r, "faults"), 113872);
	}
	/* LRU at 489 pages: README's 0.8380 */
	CHECK(!strcmp(field(out, 1, column(out, "miss_ratio"), buf, sizeof(buf)), "0.837958"));
	/* the same with one job, and with percentages of the distinct pages */
	snprintf(cmd, sizeof(cmd), "%s sim %s --reclaim lru,fifo,clock --ram 1%%,10%%,30%% --observe full -j 1",
		 bin, oracle);
	CHECK_EQ(sh(cmd, out2, sizeof(out2), err, sizeof(err)), 0);
	strip_wall(out, a, sizeof(a));
	strip_wall(out2, b, sizeof(b));
	CHECK(a[0] && !strcmp(a, b));
	/* bytes: 489 pages of 4 KiB */
	snprintf(cmd, sizeof(cmd), "%s sim %s --ram 2003K --observe full", bin, oracle);
	CHECK_EQ(sh(cmd, out2, sizeof(out2), err, sizeof(err)), 0);
	CHECK_EQ(num(out2, 1, "ram_pages"), 500);
}

static void test_output_file_and_costs(void)
{
	char cmd[2048], path[600];
	FILE *f;

	put("costs", "# test costs\nload_ns = 10\n  map_ns=2 # two\n\n");
	snprintf(cmd, sizeof(cmd), "%s sim %s --ram 4897 --costs %s/costs -o %s/res.csv",
		 bin, oracle, dir, dir);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_EQ(strlen(out), 0);
	snprintf(path, sizeof(path), "%s/res.csv", dir);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f) {
		size_t n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = '\0';
		fclose(f);
		CHECK_EQ(nlines(out), 2);
		CHECK_EQ(num(out, 1, "model_load_ns"), 10 * num(out, 1, "load_faults"));
		CHECK_EQ(num(out, 1, "model_fault_ns"), 10 * num(out, 1, "load_faults"));
		CHECK_EQ(num(out, 1, "load_faults"), num(out, 1, "loads"));
	}
	/* default observation is faults: no hits reach LRU, so it is FIFO */
	snprintf(cmd, sizeof(cmd), "%s sim %s --ram 4897 --reclaim fifo --observe full",
		 bin, oracle);
	CHECK_EQ(sh(cmd, out2, sizeof(out2), err, sizeof(err)), 0);
	CHECK_EQ(num(out, 1, "faults"), num(out2, 1, "faults"));
	CHECK(num(out, 1, "faults") > 0);
	/* bad cost file: file and line named, exit 1 */
	put("badcosts", "load_ns = 1\nspeed = 3\n");
	snprintf(cmd, sizeof(cmd), "%s sim %s --costs %s/badcosts -o %s/bad1.csv",
		 bin, oracle, dir, dir);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 1);
	CHECK(strstr(err, "badcosts:2") && strstr(err, "speed"));
	CHECK(!exists("bad1.csv"));
}

/* The merge scenario of t_sim_vma through the text format. */
static void test_text_trace_vmas(void)
{
	char cmd[2048], path[600];

	snprintf(path, sizeof(path), "%s/vma.txt", dir);
	put("vma.txt", "@pagelab-trace text 1\n"
		   "mmap 0 0 0 10\n"
		   "r 0 0\nr 0 1\nr 0 3\n"	/* [R0-1][N2][R3][N4-9]: 4 */
		   "r 0 2\n"			/* [R0-3][N4-9]: 2 */
		   "w 0 1\n"			/* [R0][RW1][R2-3][N]: 4 */
		   "mmap 1 0 2 4\n"		/* + 1 */
		   "r 1 0\n"			/* v1 [R0][N1-3]: total 6 */
		   "writeout 0\n"		/* v0 [R0-3][N]: total 4 */
		   "unmap 1\n");		/* 2 */
	snprintf(cmd, sizeof(cmd), "%s sim %s --ram 100 --observe faults", bin, path);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_EQ(num(out, 1, "vmas_peak"), 6);
	CHECK_EQ(num(out, 1, "vmas_end"), 2);
	CHECK_EQ(num(out, 1, "load_faults"), 4);
	CHECK_EQ(num(out, 1, "map_faults"), 1);
	CHECK_EQ(num(out, 1, "dirty_faults"), 1);
	CHECK_EQ(num(out, 1, "writebacks"), 1);
	CHECK_EQ(num(out, 1, "stores"), 1);
	/* 2 MiB pages: nothing merges */
	snprintf(cmd, sizeof(cmd), "%s sim %s --ram 100 --page-size 2M", bin, path);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_EQ(num(out, 1, "vmas_end"), 5);	/* [R0][R1][R2][R3][N4-9] */
	CHECK_EQ(num(out, 1, "page_size"), 2097152);

	/* every page dirty and RAM of 1 page: the run fails, nothing written */
	put("vma.txt", "mmap 0 0 0 10\nw 0 0\nw 0 1\n");
	snprintf(cmd, sizeof(cmd), "%s sim %s --ram 1 -o %s/dirty.csv", bin, path, dir);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 1);
	CHECK(strstr(err, "dirty working set") && strstr(err, "event 2"));
	CHECK(!exists("dirty.csv"));
}

static void test_bad_input(void)
{
	char buf[64];
	static const struct {
		const char *args;
		int status;
		const char *msg;
	} cases[] = {
		{ "--reclaim nosuch", 2, "unknown reclaim policy 'nosuch'" },
		{ "--reclaim lru,nosuch", 2, "nosuch" },
		{ "--pagemap nosuch", 2, "unknown pagemap policy" },
		{ "--alloc nosuch", 2, "unknown alloc policy" },
		{ "--observe sometimes", 2, "unknown observation mode 'sometimes'" },
		{ "--observe sampled:0", 2, "sampling interval" },
		{ "--ram 0", 2, "RAM size 0" },
		{ "--ram 0.0001%", 2, "RAM size 0" },
		{ "--ram 100K --page-size 2M", 2, "RAM size 0" },
		{ "--ram 300T", 2, "address space" },
		{ "--ram 99999999999999999", 2, "address space" },
		{ "--ram 12Q", 2, "suffix" },
		{ "--page-size 8K", 2, "4K or 2M" },
		{ "--reclaim-batch 0", 2, "--reclaim-batch" },
		{ "--frobnicate 1", 2, "unknown option" },
		{ "-j 0", 2, "-j" },
	};
	char cmd[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st;
		snprintf(cmd, sizeof(cmd), "%s sim %s %s -o %s/bad.csv", bin, oracle,
			 cases[i].args, dir);
		st = sh(cmd, out, sizeof(out), err, sizeof(err));
		CHECK_MSG(st == cases[i].status, "'%s': exit %d", cases[i].args, st);
		CHECK_MSG(strstr(err, cases[i].msg) != NULL, "'%s': message '%s'",
			  cases[i].args, err);
		CHECK_MSG(nlines(err) == 1, "'%s': %d lines of message", cases[i].args,
			  nlines(err));
		CHECK(!*out);
		CHECK(!exists("bad.csv"));
	}
	/* an unreadable trace is a failed run */
	snprintf(cmd, sizeof(cmd), "%s sim %s/nosuch.bin -o %s/bad.csv", bin, dir, dir);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 1);
	CHECK(strstr(err, "nosuch.bin") != NULL);
	CHECK(!exists("bad.csv"));
	snprintf(cmd, sizeof(cmd), "%s sim", bin);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 2);
	snprintf(cmd, sizeof(cmd), "%s sim --help", bin);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 0);
	CHECK(strstr(out, "--reclaim-batch") != NULL);
	/* policies that need the future refuse anything but full observation */
	for (size_t i = 0; reclaim_registry[i]; i++) {
		if (!(reclaim_registry[i]->flags & RECLAIM_NEEDS_FUTURE))
			continue;
		snprintf(cmd, sizeof(cmd), "%s sim %s --reclaim %s --observe faults",
			 bin, oracle, reclaim_registry[i]->name);
		CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 2);
		CHECK(strstr(err, "--observe full") != NULL);
		snprintf(cmd, sizeof(cmd), "%s sim %s --reclaim %s --observe full --ram 489",
			 bin, oracle, reclaim_registry[i]->name);
		CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 0);
		field(out, 1, column(out, "miss_ratio"), buf, sizeof(buf));
		CHECK_MSG(fabs(strtod(buf, NULL) - 0.7927) < 0.00005,
			  "opt at 489: %s, README 0.7927", buf);
	}
}

static void test_mrc(void)
{
	char cmd[2048], buf[64];

	snprintf(cmd, sizeof(cmd), "%s mrc %s --points 3", bin, oracle);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_EQ(nlines(out), 4);
	CHECK_EQ(num(out, 1, "ram_pages"), 1);
	CHECK_EQ(num(out, 3, "ram_pages"), 48974);	/* distinct pages */
	CHECK_EQ(num(out, 3, "misses"), 48974);		/* first accesses only */
	/* the same curve as the simulator at 489 pages */
	snprintf(cmd, sizeof(cmd), "%s mrc %s", bin, oracle);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_EQ(nlines(out), 48975);
	CHECK_EQ(num(out, 489, "ram_pages"), 489);
	CHECK_EQ(num(out, 489, "misses"), 95420);	/* README: 0.8380 */
	CHECK(!strcmp(field(out, 4897, column(out, "miss_ratio"), buf, sizeof(buf)), "0.804913"));
	/* SHARDS rows and their error */
	snprintf(cmd, sizeof(cmd), "%s mrc %s --shards 0.1 --points 10", bin, oracle);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 0);
	CHECK_EQ(nlines(out), 21);
	CHECK(!strcmp(field(out, 11, 1, buf, sizeof(buf)), "shards"));
	CHECK(strstr(err, "mean absolute error") != NULL);
	snprintf(cmd, sizeof(cmd), "%s mrc %s --shards 2 -o %s/bad.csv", bin, oracle, dir);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 2);
	CHECK(!exists("bad.csv"));
	snprintf(cmd, sizeof(cmd), "%s mrc %s/nosuch -o %s/bad.csv", bin, dir, dir);
	CHECK_EQ(sh(cmd, out, sizeof(out), err, sizeof(err)), 1);
	CHECK(!exists("bad.csv"));
}

int main(void)
{
	char tmpl[] = "/tmp/t_sim_cli.XXXXXX";
	char cmd[600];

	T_BEGIN("sim_cli");
	snprintf(bin, sizeof(bin), "%s", t_pagelab_bin());
	t_data(T_CLOUDPHYSICS, oracle, sizeof(oracle));
	REQUIRE_MSG(access(oracle, R_OK) == 0, "%s: cannot read", oracle);
	REQUIRE(mkdtemp(tmpl) != NULL);
	snprintf(dir, sizeof(dir), "%s", tmpl);
	test_rows_and_order();
	test_output_file_and_costs();
	test_text_trace_vmas();
	test_bad_input();
	test_mrc();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
	return T_END();
}

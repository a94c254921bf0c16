/*
 * tests/t_tmem_cli.c — the command line of the second tier's page
 * contents: `--file synth:ratio=R[:seed=S]` runs (real and compare), and
 * every bad value is one line on stderr and exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/testhelp.h"

static char dir[256];

/* Run cmd; its exit status, its stderr in dir/err. */
static int sh(const char *cmd)
{
	char full[4096];
	int st;

	snprintf(full, sizeof(full), "( %s ) >%s/out 2>%s/err", cmd, dir, dir);
	st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The number of lines of dir/NAME, and whether it holds needle. */
static int file_lines_has(const char *name, const char *needle, int *lines)
{
	char p[600], buf[8192];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	*lines = 0;
	for (size_t i = 0; i < n; i++)
		*lines += buf[i] == '\n';
	return strstr(buf, needle) != NULL;
}

int main(void)
{
	const char *bin;
	const char *trace = "gen:zipf:pages=64:accesses=600:write_ratio=0.3:writeout=50";
	const char *bad[][2] = {
		{ "synth:ratio=0", "ratio must be in (0, 64)" },
		{ "synth:ratio=64", "ratio must be in (0, 64)" },
		{ "synth:ratio=-2", "--file synth" },
		{ "synth", "ratio=R is required" },
		{ "synth:seed=4", "ratio=R is required" },
		{ "synth:ratio=two", "--file synth" },
		{ "synth:ratio=2:colour=red", "colour" },
	};
	char tmpl[] = "/tmp/t_tmem_cli.XXXXXX", cmd[2048];
	int lines = 0;

	T_BEGIN("tmem_cli");
	bin = t_pagelab_bin();
	REQUIRE(mkdtemp(tmpl) != NULL);
	snprintf(dir, sizeof(dir), "%s", tmpl);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s real %s --ram 16 --file %s", bin,
			 trace, bad[i][0]);
		CHECK_MSG(sh(cmd) == 2, "%s", bad[i][0]);
		CHECK_MSG(file_lines_has("err", bad[i][1], &lines) && lines == 1,
			  "--file %s: %d lines", bad[i][0], lines);
	}
	/* a run on synthetic pages, and compare agreeing on it */
	snprintf(cmd, sizeof(cmd), "%s real %s --ram 16,32 --file synth:ratio=2.5:seed=3 "
		 "-o %s/r.csv", bin, trace, dir);
	CHECK_EQ(sh(cmd), 0);
	CHECK(file_lines_has("r.csv", "\nreal,", &lines) && lines == 3);
	snprintf(cmd, sizeof(cmd), "%s compare %s --ram 16 --reclaim clock "
		 "--file synth:ratio=4", bin, trace);
	CHECK_EQ(sh(cmd), 0);
	CHECK(file_lines_has("out", "0 differ", &lines));

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	return T_END();
}

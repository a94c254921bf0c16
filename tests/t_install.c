/*
 * tests/t_install.c — what a user gets besides the binary: `pagelab
 * --version` and `-V` print the release and the git commit the binary was
 * built from (the Makefile bakes them in; the commit is this checkout's
 * HEAD when there is one), and `make install DESTDIR=...` installs the
 * binary, the man page (every subcommand, the exit codes, the file
 * formats), results/SCHEMA.md and workloads/FORMAT.md under share/doc,
 * the plot scripts under share/pagelab and a bash completion that
 * completes subcommands, options and policy names.
 *
 * Runs from the top of the tree (the test runner's working directory);
 * installs the binary PAGELAB_BIN names (make -o keeps make from
 * rebuilding it), into a temporary DESTDIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/shelltest.h"
#include "tests/testhelp.h"

int main(void)
{
	char dir[] = "/tmp/t_install.XXXXXX";
	char obj[4096], cmd[8192];
	const char *bin;
	size_t n;

	T_BEGIN("install");
	bin = t_pagelab_bin();
	REQUIRE(mkdtemp(dir) != NULL);

	/* --version and -V: "pagelab RELEASE (commit HASH)", the same twice */
	CHECK_EQ(t_sh(dir, "%s --version >%s/v1", bin, dir), 0);
	snprintf(cmd, sizeof(cmd), "%s -V >%s/v2", bin, dir);
	CHECK_EQ(t_sh(dir, "%s", cmd, ""), 0);
	CHECK_EQ(t_sh(dir, "cmp %s/v1 %s/v2", dir, dir), 0);
	CHECK_EQ(t_sh(dir, "grep -qxE 'pagelab [0-9]+\\.[0-9]+ \\(commit ([0-9a-f]{7,}(-modified)?|unknown)\\)' %s/v1",
		    dir, ""), 0);
	/* in a git checkout the commit is HEAD's (make rebuilt the binary) */
	if (system("git rev-parse --short HEAD >/dev/null 2>&1") == 0)
		CHECK_EQ(t_sh(dir, "grep -qF \"(commit $(git rev-parse --short HEAD)\" %s/v1", dir, ""), 0);
	/* not "unknown command" any more, and --help shows it */
	CHECK_EQ(t_sh(dir, "%s --help | grep -q -- '--version'", bin, ""), 0);

	/* make install into a DESTDIR, from the build folder of PAGELAB_BIN */
	n = strlen(bin);
	CHECK(n > 12 && !strcmp(bin + n - 12, "/bin/pagelab"));
	snprintf(obj, sizeof(obj), "%.*s", (int)(n - 12), bin);
	snprintf(cmd, sizeof(cmd), "make --no-print-directory -s -o %s O=%s PREFIX=/usr DESTDIR=%s/root install",
		 bin, obj, dir);
	CHECK_EQ(t_sh(dir, "%s", cmd, ""), 0);

	CHECK_EQ(t_sh(dir, "cd %s && test -x root/usr/bin/pagelab && root/usr/bin/pagelab --version | cmp - v1",
		    dir, ""), 0);
	/* the man page: a man(7) page, every subcommand, exit codes, formats */
	snprintf(obj, sizeof(obj), "%s/root/usr/share/man/man1/pagelab.1", dir);
	CHECK_EQ(t_sh(dir, "head -n 1 %s | grep -q '^.TH PAGELAB 1 '", obj, ""), 0);
	CHECK_EQ(t_sh(dir, "for c in $(%s --help | awk '/^commands:/ { on = 1; next } on && NF { print $1 }'); do "
		    "grep -qx \".SS $c\" %s || exit 1; done", bin, obj), 0);
	CHECK_EQ(t_sh(dir, "grep -q '^.SH EXIT STATUS' %s && grep -q '^.SH FILES AND FORMATS' %s", obj, obj), 0);
	CHECK_EQ(t_sh(dir, "grep -q -- '--reclaim-batch' %s && grep -q 's3fifo' %s", obj, obj), 0);
	if (system("command -v man >/dev/null 2>&1") == 0)
		CHECK_EQ(t_sh(dir, "man -l %s 2>&1 >/dev/null | grep . && exit 1; man -l %s | grep -q 'EXIT STATUS'",
			    obj, obj), 0);
	/* docs, plot scripts, completion */
	CHECK_EQ(t_sh(dir, "cd %s/root/usr/share && test -s doc/pagelab/SCHEMA.md && test -s doc/pagelab/FORMAT.md && "
		    "test -x pagelab/plot.sh && test -x pagelab/report.sh && test -s pagelab/plot/mrc.gp && "
		    "test -s pagelab/plot/styles.txt && test -s pagelab/plot/csv.awk && "
		    "test -s bash-completion/completions/pagelab", dir, ""), 0);
	snprintf(cmd, sizeof(cmd),
		 "bash -c 'source %s/root/usr/share/bash-completion/completions/pagelab && "
		 "COMP_WORDS=(%s s); COMP_CWORD=1; _pagelab; echo \"${COMPREPLY[*]}\"; "
		 "COMP_WORDS=(%s sim t --recl); COMP_CWORD=3; _pagelab; echo \"${COMPREPLY[*]}\"; "
		 "COMP_WORDS=(%s sim t --reclaim lru,s3); COMP_CWORD=4; _pagelab; echo \"${COMPREPLY[*]}\"' >%s/compl",
		 dir, bin, bin, bin, dir);
	CHECK_EQ(t_sh(dir, "%s", cmd, ""), 0);
	CHECK_EQ(t_sh(dir, "printf 'sim\\n--reclaim --reclaim-batch\\nlru,s3fifo\\n' | cmp - %s/compl", dir, ""), 0);

	if (!t_fail_) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK_EQ(system(cmd), 0);
	} else {
		fprintf(stderr, "t_install: output left in %s (log: %s/log)\n", dir, dir);
	}
	return T_END();
}

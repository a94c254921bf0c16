/*
 * tests/shelltest.h — running shell commands from a test: t_sh() builds a
 * command from a printf format with up to two string arguments, runs it
 * with its output appended to DIR/log (so a failing test leaves the
 * messages next to its files), and returns its exit status.  Used by the
 * tests of the scripts and the install (t_plot, t_install).
 */
#ifndef PAGELAB_TESTS_SHELLTEST_H
#define PAGELAB_TESTS_SHELLTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* Run fmt (with a and b) quietly (output to dir/log); its exit status,
 * 128 if it was killed, -1 if it could not be started. */
static inline int t_sh(const char *dir, const char *fmt, const char *a, const char *b)
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

#endif

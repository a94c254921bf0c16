/*
 * tests/t_testhelp.c — the harness's own promises (tests/testhelp.h): a
 * REQUIRE that holds counts nothing; one that fails prints the failure,
 * counts one failure and ends the program there with its summary line and
 * exit status 1, whichever of REQUIRE, REQUIRE_EQ, REQUIRE_MSG it is.
 * Each case runs in a forked child whose output is read back.
 */
#include <string.h>
#include <sys/wait.h>

#include "tests/testhelp.h"

/* Run fn in a child with stdout and stderr into out; its exit status. */
static int in_child(void (*fn)(void), char *out, size_t len)
{
	int fd[2], st = 0;
	size_t n = 0;
	ssize_t k;
	pid_t pid;

	REQUIRE(pipe(fd) == 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		t_pass_ = t_fail_ = t_skip_ = 0;
		fn();
		_exit(T_END() ? 3 : 0);	/* not reached when a REQUIRE fails */
	}
	close(fd[1]);
	while (n + 1 < len && (k = read(fd[0], out + n, len - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	close(fd[0]);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void holds(void)
{
	REQUIRE(1 + 1 == 2);
	REQUIRE_EQ(3, 3);
	REQUIRE_MSG(strlen("ab") == 2, "never printed");
	CHECK(1);
}

static void fails_require(void)
{
	CHECK(1);
	REQUIRE(1 + 1 == 3);
	CHECK(1);	/* not reached */
}

static void fails_eq(void)
{
	REQUIRE_EQ(40 + 1, 42);
	CHECK(1);
}

static void fails_msg(void)
{
	CHECK(1);
	CHECK(1);
	REQUIRE_MSG(0, "the fixture is %s", "missing");
	CHECK(0);
}

int main(void)
{
	char out[4096];

	T_BEGIN("testhelp");
	CHECK_EQ(in_child(holds, out, sizeof(out)), 0);
	CHECK_MSG(!strcmp(out, "t_testhelp: 1 passed, 0 failed\n"), "%s", out);

	CHECK_EQ(in_child(fails_require, out, sizeof(out)), 1);
	CHECK_MSG(strstr(out, "FAIL tests/t_testhelp.c:") &&
		  strstr(out, ": setup: 1 + 1 == 3\n"), "%s", out);
	CHECK_MSG(strstr(out, "t_testhelp: setup failed, the test ends here\n"),
		  "%s", out);
	CHECK_MSG(strstr(out, "t_testhelp: 1 passed, 1 failed\n"), "%s", out);

	CHECK_EQ(in_child(fails_eq, out, sizeof(out)), 1);
	CHECK_MSG(strstr(out, ": setup: 40 + 1 == 42 (41 != 42)\n"), "%s", out);
	CHECK_MSG(strstr(out, "t_testhelp: 0 passed, 1 failed\n"), "%s", out);

	CHECK_EQ(in_child(fails_msg, out, sizeof(out)), 1);
	CHECK_MSG(strstr(out, ": setup: 0: the fixture is missing\n"), "%s", out);
	CHECK_MSG(strstr(out, "t_testhelp: 2 passed, 1 failed\n"), "%s", out);
	return T_END();
}

/*
 * cli/main.c — `pagelab`: dispatch to the subcommands (cli/cli.h).
 * The table below is the whole list; adding a subcommand is one file and
 * one line here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/version.h"

static const struct cli_command commands[] = {
	{ "list", "every policy of every kind, one line each (also --list)", cmd_list, EXIT_RUN_FAILED },
	{ "trace", "make, inspect and convert traces (gen, info, cat, convert)", cmd_trace, EXIT_RUN_FAILED },
	{ "sim", "replay a trace through the simulator, CSV out", cmd_sim, EXIT_RUN_FAILED },
	{ "mrc", "exact LRU miss-ratio curve (and SHARDS), CSV out", cmd_mrc, EXIT_RUN_FAILED },
	{ "real", "replay a trace on the real virtmem, CSV with fault latencies out", cmd_real, EXIT_RUN_FAILED },
	{ "compare", "sim and real on one trace side by side; exit 1 if they differ, 2 on trouble",
	  cmd_compare, EXIT_TROUBLE },
	{ "calibrate", "measure fault costs per class, write the cost-model file", cmd_calibrate, EXIT_RUN_FAILED },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: pagelab COMMAND [ARGS]   (pagelab COMMAND --help)\n"
		   "       pagelab --list\n"
		   "       pagelab --version   (-V)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

/*
 * A command's output is not complete until stdout took it: `pagelab trace
 * info T > /dev/full` must fail, not exit 0 with nothing written.  rc is the
 * command's status; a failed flush turns success into failed (the
 * command's status for a failed run).
 */
static int stdout_checked(const char *cmd, int rc, int failed)
{
	int e = fflush(stdout) ? errno : 0;

	if (!e && !ferror(stdout))
		return rc;
	fprintf(stderr, "pagelab %s: stdout: %s\n", cmd,
		e ? strerror(e) : "write error");
	return rc ? rc : failed;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return stdout_checked("--help", 0, EXIT_RUN_FAILED);
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("pagelab %s (commit %s)\n", pagelab_release(), pagelab_commit());
		return 0;
	}
	if (!strcmp(cmd, "--list"))
		cmd = "list";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, cmd))
			return stdout_checked(commands[i].name,
					      commands[i].main(argc - 1, argv + 1),
					      commands[i].failed);
	fprintf(stderr, "pagelab: unknown command '%s' (pagelab --help lists them)\n",
		argv[1]);
	return EXIT_USAGE;
}

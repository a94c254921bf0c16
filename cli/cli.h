/*
 * cli/cli.h — the pagelab command line: one program, subcommands.
 *
 * Each subcommand is a function in its own cli/cmd_*.c taking the arguments
 * after its name (argv[0] is the subcommand's name) and returning the exit
 * status: 0 success, 1 a failed run, 2 a usage error.  Messages go to
 * stderr as one line "pagelab CMD: what: why"; data (CSV, text) to stdout
 * or to the -o file, which is written to a temporary name and renamed only
 * when complete.
 */
#ifndef PAGELAB_CLI_CLI_H
#define PAGELAB_CLI_CLI_H

#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2

struct cli_command {
	const char *name;
	const char *summary;	/* one line for `pagelab --help` */
	int (*main)(int argc, char **argv);
};

/* `pagelab --list`: every policy of every kind, one line each. */
int cmd_list(int argc, char **argv);
/* `pagelab sim TRACE ...` (cli/cmd_sim.c). */
int cmd_sim(int argc, char **argv);
/* `pagelab mrc TRACE ...` (cli/cmd_mrc.c). */
int cmd_mrc(int argc, char **argv);

/* `pagelab trace gen|info|cat|convert` (cli/cmd_trace.c). */
int cmd_trace(int argc, char **argv);

#endif

/*
 * cli/cli.h — the pagelab command line: one program, subcommands.
 *
 * Each subcommand is a function in its own cli/cmd_*.c taking the arguments
 * after its name (argv[0] is the subcommand's name) and returning the exit
 * status: 0 success, 1 a failed run, 2 a usage error.  Messages go to
 * stderr as one line "pagelab CMD: what: why"; data (CSV, text) to stdout
 * or to the -o file, written by common/outfile.h (a regular file through a
 * temporary name renamed only when complete; a device or FIFO in place).
 */
#ifndef PAGELAB_CLI_CLI_H
#define PAGELAB_CLI_CLI_H

#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2
/* compare's statuses, as cmp(1): 0 agree, 1 differ, 2 trouble (a usage
 * error or a failed run) */
#define EXIT_DIFFER 1
#define EXIT_TROUBLE 2

struct cli_command {
	const char *name;
	const char *summary;	/* one line for `pagelab --help` */
	int (*main)(int argc, char **argv);
	int failed;		/* its status for a failed run */
};

/* `pagelab --list`: every policy of every kind, one line each. */
int cmd_list(int argc, char **argv);
/* `pagelab sim TRACE ...` (cli/cmd_sim.c). */
int cmd_sim(int argc, char **argv);
/* `pagelab mrc TRACE ...` (cli/cmd_mrc.c). */
int cmd_mrc(int argc, char **argv);
/* `pagelab real TRACE ...` (cli/cmd_real.c). */
int cmd_real(int argc, char **argv);
/* `pagelab compare TRACE ...` (cli/cmd_compare.c). */
int cmd_compare(int argc, char **argv);
/* `pagelab calibrate [-o COSTS]` (cli/cmd_calibrate.c). */
int cmd_calibrate(int argc, char **argv);

/* `pagelab trace gen|info|cat|convert` (cli/cmd_trace.c). */
int cmd_trace(int argc, char **argv);

#endif

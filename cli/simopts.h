/*
 * cli/simopts.h — the options `pagelab sim` takes (DESIGN.md "Command line";
 * `real` and `compare` take the same ones plus their own), parsed and
 * resolved against the trace: policy specs checked, page size chosen, RAM
 * sizes turned into page counts, the pre-pass run when a size is a
 * percentage of distinct pages the header does not give or a policy needs
 * the future.
 */
#ifndef PAGELAB_CLI_SIMOPTS_H
#define PAGELAB_CLI_SIMOPTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/observe.h"
#include "workloads/trace.h"

#define SIMOPTS_MAX_LIST 64

/* Defaults of --pagemap and --alloc (the allocator as real/virtmem.c's). */
#define SIMOPTS_DEFAULT_PAGEMAP "radix"
#define SIMOPTS_DEFAULT_ALLOC "vmem"

enum {
	SIMOPTS_OK = 0,
	SIMOPTS_HELP,		/* --help given */
	SIMOPTS_USAGE,		/* bad option or value: exit 2 */
	SIMOPTS_FAILED,		/* the trace could not be read: exit 1 */
};

struct sim_opts {
	const char *trace;
	struct trace_opts topts;
	const char *reclaim[SIMOPTS_MAX_LIST];
	size_t nreclaim;
	const char *pagemap, *alloc;
	const char *ram_spec[SIMOPTS_MAX_LIST];
	uint64_t ram_pages[SIMOPTS_MAX_LIST];	/* after prepare */
	size_t nram;
	struct observe observe;
	uint32_t page_size;			/* bytes; 0 until prepare if not given */
	uint32_t reclaim_batch;
	const char *costs_path;			/* NULL: defaults */
	uint64_t seed;
	long njobs;
	const char *out;			/* NULL: stdout */
	int needs_future;
	/* after prepare */
	uint64_t ndistinct;			/* 0 when not needed */
	uint64_t *next_use, naccesses;		/* when needs_future */
	char *lists;				/* storage of the split lists */
	/* TRACE "-": stdin is read once, by the one job, from this reader
	 * that prepare opened (NULL for files: each job opens its own). */
	struct trace_reader *stdin_reader;	/* the one reader of a trace_once trace */
	const char *once_name;		/* a trace readable only once (stdin, a FIFO,
					 * a device): its name in messages, else NULL */
	/* `pagelab real` and `compare` (sim_opts_parse_real) */
	int real;
	const char *ram_type;			/* "shmfs" (default) or "hugetlbfs" */
	const char *file;			/* "zero" (default) or PATH */
	const char *hist;			/* latency histogram file, or NULL */
};

/* Parse argv (argv[0] is the command's name).  SIMOPTS_*; err on USAGE. */
int sim_opts_parse(struct sim_opts *o, int argc, char **argv, char *err,
		   size_t errlen);
/* The same plus the real engine's options (--ram-type, --file, --fault,
 * --hist); --observe full is refused (the real engine cannot see hits) and
 * the page size follows the RAM type. */
int sim_opts_parse_real(struct sim_opts *o, int argc, char **argv, char *err,
			size_t errlen);
/* "stdin" for "-", a phrase for a FIFO, device or socket (each can be read
 * only once: no pre-pass, one job), NULL for a regular file or a gen: spec. */
const char *sim_opts_once_name(const char *trace);
/* Check policies, read the trace header, run the pre-pass if needed,
 * resolve RAM sizes.  SIMOPTS_OK, _USAGE or _FAILED with a message. */
int sim_opts_prepare(struct sim_opts *o, char *err, size_t errlen);
/* What every replaying command does after parsing: load the cost model
 * (--costs FILE, else the defaults) into *costs, then sim_opts_prepare().
 * On failure prints "pagelab CMD: message" and returns the exit status
 * (EXIT_USAGE or EXIT_RUN_FAILED); 0 to go on. */
struct costs;
int sim_opts_setup(struct sim_opts *o, struct costs *costs, const char *cmd);
void sim_opts_free(struct sim_opts *o);

/* A RAM size spec to pages: "N" pages, "N{K,M,G,T}[i][B]" bytes, "P%" of
 * ndistinct pages.  0, or -1 and a message (0 pages, beyond the address
 * space, malformed, a percentage with ndistinct unknown). */
int sim_parse_ram(const char *spec, uint32_t page_size, uint64_t ndistinct,
		  uint64_t *pages, char *err, size_t errlen);

#endif

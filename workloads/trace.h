/*
 * workloads/trace.h — reading and writing event streams (workloads/event.h).
 *
 * One pull-style reader API for every source of events: the native binary
 * format, the text format (both in workloads/FORMAT.md), libCacheSim's
 * oracleGeneral, txt, csv, vscsi, twr and twrNS traces, valgrind lackey
 * output — each plain or zstd-compressed — and the seeded generators
 * (workloads/gen.h).  The consumer asks for events in batches:
 *
 *     struct trace_reader *r = trace_open(path, NULL, err, sizeof(err));
 *     struct event ev[1024];
 *     long n;
 *     while ((n = trace_read(r, ev, 1024)) > 0)
 *             replay(ev, n);
 *     if (n < 0)
 *             fprintf(stderr, "%s\n", trace_error(r));   // PATH: offset N: why
 *     trace_close(r);
 *
 * A reader holds a fixed-size buffer whatever the trace size.  The one
 * exception: key-only traces (all but native and text) renumber their keys
 * densely in first-seen order, which needs a table of O(distinct keys).
 *
 * Key-only traces first yield one EV_MMAP {vma 0, file 0, pgoff 0, npages =
 * an upper bound on the distinct keys: exact when known, else the record
 * count (file size / 24 for oracle, lines for csv, twice the lines for
 * lackey), or TRACE_NPAGES_UNBOUNDED when reading a pipe}, then EV_ACCESS
 * events whose page is the dense key id.
 *
 * Errors are results: trace_open() returns NULL with "PATH: reason" in err;
 * trace_read() returns -1 and trace_error() is one line
 * "PATH: offset N: reason" (N a byte offset into the file; into the
 * decompressed stream for .zst input, said so in the reason).  Nothing here
 * prints, exits or aborts.
 *
 * Writers produce the native, text, oracleGeneral or csv format (plain or
 * zstd-compressed) through common/outfile.h: a temporary file next to
 * PATH, renamed to PATH only by trace_writer_close(w, 1), so a failed run
 * leaves nothing half-written behind (a device or FIFO is written in place).
 */
#ifndef PAGELAB_WORKLOADS_TRACE_H
#define PAGELAB_WORKLOADS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "workloads/event.h"

/* EV_MMAP npages of a key-only trace read from a pipe: no bound is known. */
#define TRACE_NPAGES_UNBOUNDED (UINT64_C(1) << 32)

/* A trace's page size (native header, text @page_size, lackey's
 * --page-size): a power of two of at most 1 GiB bytes. */
#define TRACE_PAGE_SIZE_MAX (UINT32_C(1) << 30)
static inline int trace_page_size_valid(uint64_t bytes)
{
	return bytes && bytes <= TRACE_PAGE_SIZE_MAX && !(bytes & (bytes - 1));
}

struct trace_header {
	uint32_t page_size;	/* bytes, 4096 default (native header; lackey's page size) */
	uint64_t naccesses;	/* EV_ACCESS count when known, else 0 */
	uint64_t nevents;	/* all events when known, else 0 */
	uint64_t npages;	/* distinct pages when known, else 0 */
	uint32_t nvmas;		/* distinct VMA ids when known, else 0 */
	char generator[256];	/* "zipf pages=1000000 accesses=10000000 alpha=0.9 seed=1", or "" */
	const char *format;	/* a trace_formats name, or "gen" */
	/* additions */
	uint64_t nwrites;	/* EV_ACCESS writes when known, else 0 */
	int compressed;		/* 1 if the input was zstd-compressed */
	uint64_t nrequests;	/* key-only traces: requests read so far (a block
				 * request split into pages is one request) */
};

struct trace_opts {		/* zero-initialised = defaults */
	const char *format;	/* NULL: auto-detect by magic and extension; or a name above */
	const char *csv;	/* csv column spec "key=5,op=3,header=1,sep=,"; see csv.c */
	uint32_t page_size;	/* lackey: bytes per page (default 4096) */
	int lackey_instr;	/* lackey: include I (instruction fetch) lines */
	uint32_t block_unit;	/* block traces: bytes per offset unit, 0 = one
				 * key per request; used when block_unit_set,
				 * else the format's default (512 for vscsi and
				 * a csv with an lbn and a size column) */
	int block_unit_set;
};

struct trace_reader;
struct trace_writer;

/*
 * Open PATH ("-" = stdin).  NULL and "PATH: reason" in err on failure.
 * A PATH of the form "gen:KIND[:KEY=VALUE...]" opens a generator
 * (workloads/gen.h) instead of a file.
 */
struct trace_reader *trace_open(const char *path, const struct trace_opts *o,
				char *err, size_t errlen);

/* Open an in-memory trace (len bytes at buf, not copied: keep it alive).
 * name is used in messages.  For tests and fuzzing. */
struct trace_reader *trace_open_mem(const void *buf, size_t len,
				    const char *name,
				    const struct trace_opts *o, char *err,
				    size_t errlen);

const struct trace_header *trace_header(const struct trace_reader *r);

/*
 * Fill up to max events.  Returns the number filled (>0), 0 at the clean end
 * of the trace, -1 on error: then trace_error() is one line
 * "PATH: offset N: reason".  After 0 or -1 every further call returns the
 * same.
 */
long trace_read(struct trace_reader *r, struct event *ev, size_t max);
const char *trace_error(const struct trace_reader *r);
void trace_close(struct trace_reader *r);

/*
 * The input options every command that reads a trace takes (trace_opts.c):
 * --in-format F, --csv SPEC, --block-unit BYTES, --lackey-instr.
 * trace_opts_set(): 1 if name is one of them (val used unless it is a flag;
 * a flag ignores val), 0 if it is not, -1 on a bad or missing value (err
 * set: "--block-unit: '-1' is not ...").  trace_opts_usage: their help
 * lines, for a command's --help.
 */
int trace_opts_set(struct trace_opts *o, const char *name, const char *val,
		   char *err, size_t errlen);
int trace_opts_is_flag(const char *name);
extern const char trace_opts_usage[];

/* The format names trace_open() knows, NULL-terminated. */
extern const char *const trace_formats[];

/*
 * Writers: output goes to PATH as common/outfile.h says (a temporary file
 * in the same directory, renamed to PATH only by trace_writer_close(w, 1)
 * (commit); close(w, 0) removes it).  PATH "-", a character device or a
 * FIFO is written in place (no temporary file, no header patch).  h may be NULL; its
 * page_size and generator are recorded (counts are computed by the writer).
 * Formats: "native", "text", and the key-only "oracle" (libCacheSim
 * oracleGeneral, next-access fields computed) and "csv" (export.c).  A PATH
 * ending in ".zst" is written zstd-compressed (native then leaves its
 * header counts 0, as on a pipe).
 */
struct trace_writer *trace_writer_open(const char *path, const char *format,
				       const struct trace_header *h, char *err,
				       size_t errlen);
/* 0, or -1 with trace_writer_error() set (I/O error, or an invalid event). */
int trace_write(struct trace_writer *w, const struct event *ev, size_t n);
/* Commit (1) or abandon (0); frees w.  Returns 0, or -1 when committing
 * failed (nothing is left at PATH then; the message is lost with w: use
 * trace_writer_close_err() to keep it). */
int trace_writer_close(struct trace_writer *w, int commit);
/* As trace_writer_close() but copies a failure message to err. */
int trace_writer_close_err(struct trace_writer *w, int commit, char *err,
			   size_t errlen);
const char *trace_writer_error(const struct trace_writer *w);
/* The format names trace_writer_open() knows, NULL-terminated. */
extern const char *const trace_writer_formats[];
/* Events (and, for oracle, write flags) the format could not hold and left
 * out so far: the key-only formats keep accesses only. */
uint64_t trace_writer_dropped(const struct trace_writer *w);
/* The output format a file name asks for (after dropping ".zst"): .txt
 * text, .csv csv, .oracleGeneral[.bin] oracle, anything else native; NULL
 * with "PATH: cannot write that format ..." in err for a format pagelab
 * reads but cannot write (.vscsi, .twr, .twrNS, .lackey). */
const char *trace_writer_format_for(const char *path, char *err, size_t errlen);

/* Text form of one event as the text format writes it (no newline). */
int trace_event_format(const struct event *ev, char *buf, size_t len);

#endif

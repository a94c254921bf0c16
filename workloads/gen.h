/*
 * workloads/gen.h — seeded synthetic workloads, read like any trace.
 *
 * A generator is opened from a spec in the policies' style,
 *
 *     KIND[:KEY=VALUE[:KEY=VALUE...]]     e.g.  zipf:pages=100000:alpha=0.9
 *
 * and returns a struct trace_reader (workloads/trace.h), so a generated
 * stream feeds the engines directly (trace_open("gen:zipf:...") does the
 * same) or is written to a file with `pagelab trace gen`.  Every generator
 * takes the common keys
 *
 *     pages=N        file/VMA size in pages (default 1000)
 *     accesses=N     EV_ACCESS events to produce (default 100000)
 *     seed=N         xoshiro256** seed (default 1)
 *     write_ratio=F  probability that an access is a write (default 0)
 *     writeout=N     after every N accesses, writeout(file 0, store|markstored)
 *                    (default 0: never)
 *
 * plus its own (gen_describe()).  Same spec, same events, bit for bit, on
 * every machine: the header's generator string lists every parameter
 * (defaults included), so a trace file says how to make it again.
 */
#ifndef PAGELAB_WORKLOADS_GEN_H
#define PAGELAB_WORKLOADS_GEN_H

#include <stddef.h>

#include "workloads/trace.h"

/* The generator kinds, NULL-terminated. */
extern const char *const gen_kinds[];

/* Open a generator; NULL and a one-line message in err on a bad spec
 * (errno EINVAL) or when memory ran out (errno ENOMEM: a failed run, not a
 * usage error). */
struct trace_reader *gen_open(const char *spec, char *err, size_t errlen);

/* One line of help for KIND and its own keys "key=default (help), ...";
 * -1 if KIND is unknown. */
int gen_describe(const char *kind, const char **help, char *keys, size_t keyslen);

#endif

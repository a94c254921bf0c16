/*
 * fuzz/fuzz_common.h — the part every libFuzzer harness shares: open the
 * input as an in-memory trace of one format and read it to the end.  Any
 * crash, sanitizer report, leak or hang is a finding; an error return is
 * the expected outcome for most inputs.  The one invariant checked here:
 * a failed read leaves exactly one clean line "NAME: offset N: reason"
 * (no control characters after the name).
 */
#ifndef PAGELAB_FUZZ_COMMON_H
#define PAGELAB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bug.h"
#include "workloads/trace.h"

static inline void fuzz_read(const uint8_t *data, size_t size, const char *name,
			     const struct trace_opts *o)
{
	char err[1200];
	struct event ev[61];
	struct trace_reader *r = trace_open_mem(data, size, name, o, err, sizeof(err));
	long n;
	size_t total = 0;

	if (!r) {
		BUG_ON(strchr(err, '\n'));
		return;
	}
	/* bound the work per input: key-only readers never stop early */
	while ((n = trace_read(r, ev, 61)) > 0 && total < (1u << 22)) {
		for (long i = 0; i < n; i++)
			BUG_ON(ev[i].type < EV_MMAP || ev[i].type > EV_INVALIDATE);
		total += (size_t)n;
	}
	if (n < 0) {
		const char *e = trace_error(r);
		BUG_ON(strncmp(e, name, strlen(name)) || strchr(e, '\n'));
		BUG_ON(!strstr(e, ": offset "));
		for (const char *p = e + strlen(name); *p; p++)
			BUG_ON((unsigned char)*p < 0x20);
	}
	trace_close(r);
}

#endif

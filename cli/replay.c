/* cli/replay.c — the one replay loop: trace reader -> engine (cli/engine.h). */
#include "cli/engine.h"

#include <stdio.h>

#include "workloads/trace.h"

int replay(struct trace_reader *r, const char *path, struct engine *e,
	   char *err, size_t errlen)
{
	struct event ev[REPLAY_BATCH];
	uint64_t idx = 0;
	char msg[512];
	long n;

	while ((n = trace_read(r, ev, REPLAY_BATCH)) > 0) {
		if (e->ops->apply(e, ev, (size_t)n, idx, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s: %s", path, msg);
			return -1;
		}
		idx += (uint64_t)n;
	}
	if (n < 0) {
		snprintf(err, errlen, "%s", trace_error(r));
		return -1;
	}
	return 0;
}

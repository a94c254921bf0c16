/*
 * common/observe.h — what the reclaim policy is shown of the access stream
 * (../shared/DESIGN.md "What the policies see"; docs/ENGINE.md).
 *
 *   full        every access reaches the policy (hit() on hits); simulator only;
 *   faults      only faults reach it (what a userspace pager sees);
 *   sampled:N   after every N-th access every mapped page is protected, so
 *               the next use of each becomes a ref fault the policy sees.
 *
 * Shared by both engines and the command line; not on any hot path.
 */
#ifndef PAGELAB_COMMON_OBSERVE_H
#define PAGELAB_COMMON_OBSERVE_H

#include <stddef.h>
#include <stdint.h>

enum observe_mode {
	OBSERVE_FULL,
	OBSERVE_FAULTS,
	OBSERVE_SAMPLED,
};

struct observe {
	enum observe_mode mode;
	uint64_t interval;	/* OBSERVE_SAMPLED: accesses between samplings (>= 1) */
};

/* Parse "full", "faults" or "sampled:N".  0, or -1 and a one-line message. */
int observe_parse(const char *s, struct observe *o, char *err, size_t errlen);

/* "full", "faults", "sampled:N" into buf. */
void observe_format(const struct observe *o, char *buf, size_t len);

#endif

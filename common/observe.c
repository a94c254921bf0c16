/* common/observe.c — parsing and printing observation modes. */
#include "common/observe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int observe_parse(const char *s, struct observe *o, char *err, size_t errlen)
{
	if (!strcmp(s, "full")) {
		*o = (struct observe){ OBSERVE_FULL, 0 };
		return 0;
	}
	if (!strcmp(s, "faults")) {
		*o = (struct observe){ OBSERVE_FAULTS, 0 };
		return 0;
	}
	if (!strncmp(s, "sampled:", 8)) {
		const char *v = s + 8;
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(v, &end, 10);
		if (*v >= '0' && *v <= '9' && !*end && !errno && n > 0) {
			*o = (struct observe){ OBSERVE_SAMPLED, n };
			return 0;
		}
		snprintf(err, errlen,
			 "observation '%s': the sampling interval must be a positive number of accesses",
			 s);
		return -1;
	}
	snprintf(err, errlen,
		 "unknown observation mode '%s' (valid: full, faults, sampled:N)", s);
	return -1;
}

void observe_format(const struct observe *o, char *buf, size_t len)
{
	switch (o->mode) {
	case OBSERVE_FULL:
		snprintf(buf, len, "full");
		break;
	case OBSERVE_FAULTS:
		snprintf(buf, len, "faults");
		break;
	case OBSERVE_SAMPLED:
		snprintf(buf, len, "sampled:%llu", (unsigned long long)o->interval);
		break;
	}
}

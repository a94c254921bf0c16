/* common/errmsg.c — "event N: reason" messages (common/errmsg.h). */
#include "common/errmsg.h"

#include <stdio.h>

void errmsg_event(char *err, size_t errlen, uint64_t idx, const char *fmt,
		  va_list ap)
{
	int n = snprintf(err, errlen, "event %llu: ", (unsigned long long)idx);

	if (n < 0 || (size_t)n >= errlen)
		n = 0;
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

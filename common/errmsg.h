/*
 * common/errmsg.h — the one shape of an engine's error message.
 *
 * Both engines report a failed event as one line "event N: reason" (the
 * replay loop prefixes the trace's path), so `pagelab sim`, `real` and
 * `compare` name the same event the same way.
 */
#ifndef PAGELAB_COMMON_ERRMSG_H
#define PAGELAB_COMMON_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Write "event IDX: " and fmt/ap into err (always NUL-terminated). */
void errmsg_event(char *err, size_t errlen, uint64_t idx, const char *fmt,
		  va_list ap);

#endif

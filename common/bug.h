/*
 * common/bug.h — invariants and small helpers shared by every module.
 *
 * BUG_ON() is for pagelab's own invariants only: a condition that can be
 * false only through a bug in pagelab.  Bad input from a user, a trace or the
 * OS is reported and returned, never BUG_ON()ed (see ../shared/STYLE.md).
 * BUG_ON() is always on, cheap, and its report path is async-signal-safe
 * (write(2) and abort(), no malloc, no stdio), so it may be used inside the
 * SIGSEGV handler.
 */
#ifndef PAGELAB_COMMON_BUG_H
#define PAGELAB_COMMON_BUG_H

#include <stddef.h>

/* Print "BUG at FILE:LINE: EXPR" to stderr with write(2) and abort(). */
__attribute__((noreturn, cold))
void pagelab_bug(const char *file, int line, const char *expr);

#define BUG() pagelab_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond)                                                    \
	do {                                                            \
		if (__builtin_expect(!!(cond), 0))                      \
			pagelab_bug(__FILE__, __LINE__, #cond);         \
	} while (0)

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif

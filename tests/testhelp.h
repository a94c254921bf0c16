/*
 * tests/testhelp.h — the tiny test harness every tests/t_*.c uses.
 *
 *   int main(void) {
 *       T_BEGIN("pagemap");
 *       CHECK(x == 1);
 *       CHECK_EQ(a, b);           // integers, prints both on failure
 *       if (!have_hugepages) T_SKIP("no huge pages reserved");
 *       return T_END();           // "t_pagemap: N passed, N failed[, N skipped]"
 *   }
 *
 * A failing check prints "FAIL file:line: expr" (and the values) and the
 * test goes on; T_END() returns 1 if anything failed.  T_SKIP() prints
 * "SKIP t_NAME: reason" and counts one skip: the runner shows the reason.
 * Checks are counted one by one, so "N passed" means N assertions held.
 */
#ifndef PAGELAB_TESTS_TESTHELP_H
#define PAGELAB_TESTS_TESTHELP_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static const char *t_name_ = "?";
static unsigned long t_pass_, t_fail_, t_skip_;

#define T_BEGIN(name) (t_name_ = (name))

#define CHECK(cond)                                                      \
	do {                                                             \
		if (cond) {                                              \
			t_pass_++;                                       \
		} else {                                                 \
			t_fail_++;                                       \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__,    \
				__LINE__, #cond);                        \
		}                                                        \
	} while (0)

/* Like CHECK but also prints a message built from a printf format. */
#define CHECK_MSG(cond, ...)                                             \
	do {                                                             \
		if (cond) {                                              \
			t_pass_++;                                       \
		} else {                                                 \
			t_fail_++;                                       \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__,    \
				__LINE__, #cond);                        \
			fprintf(stderr, __VA_ARGS__);                    \
			fputc('\n', stderr);                             \
		}                                                        \
	} while (0)

#define CHECK_EQ(a, b)                                                   \
	do {                                                             \
		long long a_ = (long long)(a), b_ = (long long)(b);      \
		if (a_ == b_) {                                          \
			t_pass_++;                                       \
		} else {                                                 \
			t_fail_++;                                       \
			fprintf(stderr, "FAIL %s:%d: %s == %s (%lld != %lld)\n", \
				__FILE__, __LINE__, #a, #b, a_, b_);     \
		}                                                        \
	} while (0)

#define T_SKIP(reason)                                                   \
	do {                                                             \
		t_skip_++;                                               \
		printf("SKIP t_%s: %s\n", t_name_, (reason));            \
	} while (0)

static inline int T_END(void)
{
	if (t_skip_)
		printf("t_%s: %lu passed, %lu failed, %lu skipped\n", t_name_,
		       t_pass_, t_fail_, t_skip_);
	else
		printf("t_%s: %lu passed, %lu failed\n", t_name_, t_pass_,
		       t_fail_);
	fflush(stdout);
	return t_fail_ ? 1 : 0;
}

/* Path of a file under ../shared (PAGELAB_SHARED overrides). */
static inline const char *t_shared(const char *rel, char *buf, size_t len)
{
	const char *dir = getenv("PAGELAB_SHARED");
	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "../shared", rel);
	return buf;
}

#endif

/*
 * tests/testhelp.h — the tiny test harness every tests/t_*.c uses.
 *
 *   int main(void) {
 *       T_BEGIN("pagemap");
 *       CHECK(x == 1);
 *       CHECK_EQ(a, b);           // integers, prints both on failure
 *       REQUIRE(pm != NULL);      // setup: counts nothing, aborts on failure
 *       if (!have_hugepages) T_SKIP("no huge pages reserved");
 *       return T_END();           // "t_pagemap: N passed, N failed[, N skipped]"
 *   }
 *
 * A failing check prints "FAIL file:line: expr" (and the values) and the
 * test goes on; T_END() returns 1 if anything failed.  T_SKIP() prints
 * "SKIP t_NAME: reason" and counts one skip: the runner shows the reason.
 * A skip is only for a limit of the environment (no huge pages reserved,
 * not root, a sanitizer that takes the signal), never for missing data:
 * what a test reads is committed under tests/data/ (t_data()).
 *
 * Checks are counted one by one, so "N passed" means N assertions of the
 * behaviour a test names held.  The setup a test needs first (creating the
 * object under test, building a fixture, writing an input file) is not
 * such an assertion: it takes REQUIRE(cond), REQUIRE_EQ(a, b) or
 * REQUIRE_MSG(cond, fmt, ...), which count nothing when they hold.  When
 * one fails it prints the failure like CHECK, counts one failure and aborts
 * the test: the program prints its summary line (T_END()) and exits with
 * status 1 right there, so no later check runs on a fixture that is not
 * there and no cleanup runs either (temporary files stay for a look).  Use
 * them only in the test's own process and main thread: never in a forked
 * child, a signal handler or a worker thread, and never while a system
 * setting is changed (huge pages reserved, a file system mounted): ending
 * there would not put it back.
 */
#ifndef PAGELAB_TESTS_TESTHELP_H
#define PAGELAB_TESTS_TESTHELP_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

/* Setup that must hold (see the top): nothing counted, else fail and end. */
#define REQUIRE(cond)                                                    \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "FAIL %s:%d: setup: %s\n",        \
				__FILE__, __LINE__, #cond);              \
			t_abort_();                                      \
		}                                                        \
	} while (0)

#define REQUIRE_MSG(cond, ...)                                           \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "FAIL %s:%d: setup: %s: ",         \
				__FILE__, __LINE__, #cond);              \
			fprintf(stderr, __VA_ARGS__);                    \
			fputc('\n', stderr);                             \
			t_abort_();                                      \
		}                                                        \
	} while (0)

#define REQUIRE_EQ(a, b)                                                 \
	do {                                                             \
		long long a_ = (long long)(a), b_ = (long long)(b);      \
		if (a_ != b_) {                                          \
			fprintf(stderr, "FAIL %s:%d: setup: %s == %s "     \
				"(%lld != %lld)\n", __FILE__, __LINE__, #a,  \
				#b, a_, b_);                             \
			t_abort_();                                      \
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

/* A failed REQUIRE: one failure, the summary line, exit status 1. */
static inline void t_abort_(void)
{
	t_fail_++;
	fprintf(stderr, "t_%s: setup failed, the test ends here\n", t_name_);
	exit(T_END());
}

/*
 * Path of a file committed under tests/data/ (its README says what each
 * is and where it comes from).  Tests run from the top of the tree, as
 * `make test` runs them.
 */
static inline const char *t_data(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "tests/data/%s", name);
	return buf;
}

/* The CloudPhysics block trace of tests/data/ (113,872 requests). */
#define T_CLOUDPHYSICS "cloudPhysicsIO.oracleGeneral.bin.zst"

/*
 * The pagelab binary the command-line tests run: PAGELAB_BIN (the make
 * targets set it to the build they test), else build/bin/pagelab.  A
 * missing binary fails the test (REQUIRE): it is built before the tests.
 */
static inline const char *t_pagelab_bin(void)
{
	const char *b = getenv("PAGELAB_BIN");

	if (!b || !*b)
		b = "build/bin/pagelab";
	REQUIRE_MSG(access(b, X_OK) == 0, "no pagelab binary at %s (make "
		    "builds it; PAGELAB_BIN names another)", b);
	return b;
}

#endif

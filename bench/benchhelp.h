/*
 * bench/benchhelp.h — clocks and medians shared by the benchmark programs.
 *
 * The machine is shared and noisy, so benchmarks time with the thread's
 * CPU clock where they measure pure computation (bench_cpu_s), the
 * monotonic wall clock where the kernel's work counts (bench_wall_s), and
 * report medians of several runs.
 */
#ifndef PAGELAB_BENCH_BENCHHELP_H
#define PAGELAB_BENCH_BENCHHELP_H

#include <stddef.h>
#include <stdlib.h>
#include <time.h>

/* CPU time of the calling thread, in seconds. */
static inline double bench_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Monotonic wall-clock time, in seconds. */
static inline double bench_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* qsort comparison for doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n) (n > 0); sorts v. */
static inline double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif

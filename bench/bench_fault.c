/*
 * bench/bench_fault.c — fault latency of the real virtmem against the
 * mechanism's own floor, in one run.
 *
 *   bench_fault [-n NPAGES] [-r REPS]
 *
 * Rows, per RAM type (shmfs: 4 KiB pages; hugetlbfs: 2 MiB pages, skipped
 * with the reason when no huge pages can be had):
 *   kernel      first touch of a page of a populated memfd mapping: the
 *               kernel's own minor fault, no signal;
 *   floor       a bare SIGSEGV handler that only mmaps one populated page of
 *               a memfd at the faulting address (MAP_FIXED over a PROT_NONE
 *               reservation) and returns: the floor of any SIGSEGV-driven
 *               pager (signal delivery, one mmap, the kernel's fault);
 *   load        pagelab, first read of a page: load fault, loadblk of zeros
 *               (zero BigFile), page mapped read-only;
 *   load-w      pagelab, first write: load fault mapping read-write, dirty;
 *   map         pagelab, read through a second view of resident pages;
 *   dirty       pagelab, write to a page mapped read-only.
 * Each access is timed alone (CLOCK_MONOTONIC around one load or store);
 * per row the median and p99 in ns and median / floor median.  REPS runs
 * (default 5) of NPAGES pages (default 4096; hugetlbfs: NPAGES/64), each
 * row's figure is the median over runs of the run's median (and p99).
 * A benchmark, not a test: nothing is asserted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "real/virtmem.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif

enum { ROW_KERNEL, ROW_FLOOR, ROW_LOAD, ROW_LOADW, ROW_MAP, ROW_DIRTY, NROWS };
static const char *const row_name[] = { "kernel", "floor", "load", "load-w", "map", "dirty" };
static const char *const row_help[] = {
	"minor fault, populated memfd mapping",
	"bare SIGSEGV handler + mmap of one page",
	"pagelab read fault, loadblk of zeros",
	"pagelab write fault on an unloaded page",
	"pagelab read, resident page, second view",
	"pagelab write to a page mapped read-only",
};

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts v; the q-quantile. */
static uint64_t quantile(uint64_t *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);

	qsort(v, n, sizeof(*v), cmp_u64);
	return v[i];
}

static inline void rd(const char *p)
{
	(void)*(const volatile char *)p;
}
static inline void wr(char *p)
{
	*(volatile char *)p = 1;
}

/* Time one read (write = 0) or write per page of [base, base + n * ps). */
static void time_pages(char *base, size_t ps, size_t n, int write, uint64_t *ns)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		if (write)
			wr(base + i * ps);
		else
			rd(base + i * ps);
		ns[i] = now_ns() - t0;
	}
}

/* --- the floor: a bare handler mapping one page ----------------------------- */

static char *floor_base;
static size_t floor_ps, floor_len;
static int floor_fd;

static void floor_handler(int sig, siginfo_t *si, void *uc)
{
	char *a = si->si_addr;

	(void)sig; (void)uc;
	if (a < floor_base || a >= floor_base + floor_len)
		abort();
	a = floor_base + (size_t)(a - floor_base) / floor_ps * floor_ps;
	if (mmap(a, floor_ps, PROT_READ, MAP_SHARED | MAP_FIXED, floor_fd,
		 a - floor_base) == MAP_FAILED)
		abort();
}

/* A memfd of n pages, every page allocated; -1 with a message on error. */
static int populated_memfd(size_t ps, size_t n, int huge)
{
	int fd = memfd_create("bench-fault", MFD_CLOEXEC | (huge ? MFD_HUGETLB : 0));

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)(ps * n)) < 0 || fallocate(fd, 0, 0, (off_t)(ps * n)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int run_kernel_and_floor(size_t ps, size_t n, int huge, uint64_t *kns, uint64_t *fns)
{
	struct sigaction sa, old;
	char *m;
	int fd = populated_memfd(ps, n, huge);

	if (fd < 0)
		return -1;
	/* kernel: fresh mapping of populated pages, touch each once */
	m = mmap(NULL, ps * n, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return -1;
	}
	time_pages(m, ps, n, 0, kns);
	munmap(m, ps * n);

	/* floor: a PROT_NONE reservation, the handler maps each page */
	floor_len = ps * n;
	floor_ps = ps;
	floor_fd = fd;
	m = mmap(NULL, floor_len + ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return -1;
	}
	floor_base = (char *)(((uintptr_t)m + ps - 1) & ~(uintptr_t)(ps - 1));
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = floor_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, &old);
	time_pages(floor_base, ps, n, 0, fns);
	sigaction(SIGSEGV, &old, NULL);
	munmap(m, floor_len + ps);
	close(fd);
	return 0;
}

static int run_pagelab(struct ram *ram, size_t n, uint64_t *ns[NROWS], char *err, size_t errlen)
{
	struct bigfile *zero = bigfile_zero_new(0);
	struct fileh *fh = fileh_open(zero, ram, NULL, err, errlen);
	struct vma *v, *v2, *w;
	size_t ps = ram->pagesize;

	if (!fh)
		return -1;
	v = fileh_mmap(fh, 0, n, err, errlen);
	v2 = fileh_mmap(fh, 0, n, err, errlen);
	w = fileh_mmap(fh, n, n, err, errlen);
	if (!v || !v2 || !w)
		return -1;
	time_pages(vma_addr(v), ps, n, 0, ns[ROW_LOAD]);
	time_pages(vma_addr(w), ps, n, 1, ns[ROW_LOADW]);
	time_pages(vma_addr(v2), ps, n, 0, ns[ROW_MAP]);
	time_pages(vma_addr(v), ps, n, 1, ns[ROW_DIRTY]);
	fileh_dirty_discard(fh);
	vma_unmap(v);
	vma_unmap(v2);
	vma_unmap(w);
	fileh_close(fh);
	bigfile_release(zero);
	return 0;
}

static void bench_type(const char *type, size_t n, size_t reps)
{
	char err[256];
	struct ram *ram = ram_new(type, NULL, err, sizeof(err));
	uint64_t *ns[NROWS], *med[NROWS], *p99[NROWS];
	uint64_t m[NROWS], p[NROWS];
	size_t r, k, ps;

	if (!ram) {
		printf("# %s: skipped: %s\n", type, err);
		return;
	}
	ps = ram->pagesize;
	if (strcmp(type, "shmfs")) {
		size_t avail = ram_get_current_maxsize(ram) / ps;

		/* 2 file views' worth of RAM plus the populated memfd */
		n = n / 64 ? n / 64 : 1;
		if (avail < 3 * n + 1)
			n = avail > 4 ? (avail - 1) / 3 : 0;
		if (n == 0) {
			printf("# %s: skipped: only %zu free huge pages (echo 64 > "
			       "/proc/sys/vm/nr_hugepages)\n", type, avail);
			ram_close(ram);
			return;
		}
	}
	for (k = 0; k < NROWS; k++) {
		ns[k] = malloc(n * sizeof(uint64_t));
		med[k] = malloc(reps * sizeof(uint64_t));
		p99[k] = malloc(reps * sizeof(uint64_t));
	}
	for (r = 0; r < reps; r++) {
		if (run_kernel_and_floor(ps, n, strcmp(type, "shmfs") != 0, ns[ROW_KERNEL],
					 ns[ROW_FLOOR])) {
			printf("# %s: skipped: cannot set up the floor: %s\n", type, strerror(errno));
			goto out;
		}
		if (run_pagelab(ram, n, ns, err, sizeof(err))) {
			printf("# %s: skipped: %s\n", type, err);
			goto out;
		}
		for (k = 0; k < NROWS; k++) {
			med[k][r] = quantile(ns[k], n, 0.5);
			p99[k][r] = quantile(ns[k], n, 0.99);
		}
	}
	for (k = 0; k < NROWS; k++) {
		m[k] = quantile(med[k], reps, 0.5);
		p[k] = quantile(p99[k], reps, 0.5);
	}
	printf("# %s: %zu pages of %zu KiB, median of %zu runs\n", type, n, ps >> 10, reps);
	printf("%-10s %-8s %10s %10s %9s  %s\n", "ram", "fault", "median_ns", "p99_ns",
	       "x_floor", "what");
	for (k = 0; k < NROWS; k++)
		printf("%-10s %-8s %10llu %10llu %9.2f  %s\n", type, row_name[k],
		       (unsigned long long)m[k], (unsigned long long)p[k],
		       (double)m[k] / (double)m[ROW_FLOOR], row_help[k]);
out:
	for (k = 0; k < NROWS; k++) {
		free(ns[k]);
		free(med[k]);
		free(p99[k]);
	}
	ram_close(ram);
}

int main(int argc, char **argv)
{
	size_t n = 4096, reps = 5;
	int i;

	for (i = 1; i < argc; i += 2) {
		char *end;
		unsigned long long v;

		if (i + 1 >= argc || (strcmp(argv[i], "-n") && strcmp(argv[i], "-r"))) {
			fprintf(stderr, "usage: bench_fault [-n NPAGES] [-r REPS]\n");
			return 2;
		}
		errno = 0;
		v = strtoull(argv[i + 1], &end, 0);
		if (errno || *end || v == 0 || argv[i + 1][0] == '-') {
			fprintf(stderr, "bench_fault: bad value '%s' for %s\n", argv[i + 1], argv[i]);
			return 2;
		}
		if (argv[i][1] == 'n')
			n = v;
		else
			reps = v;
	}
	bench_type("shmfs", n, reps);
	bench_type("hugetlbfs", n, reps);
	return 0;
}

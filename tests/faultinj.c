/*
 * tests/faultinj.c — the allocation shim of the whole-command fault loop
 * (scripts/fault-loop.sh, `make test-faults`).
 *
 * As SQLite's malloc tests do: the N-th allocation the program makes fails,
 * for N = 1, 2, ... until a run makes fewer than N allocations (it then
 * succeeded with nothing injected).  This object is linked only into the
 * test build of pagelab (build-asan/faultinj/pagelab), with
 *
 *     -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,
 *     --wrap=aligned_alloc,--wrap=posix_memalign,--wrap=mmap
 *
 * so every such call made by our code (not by libc's or libzstd's
 * internals) comes here first.  The environment says what to do:
 *
 *   PAGELAB_FAIL_AT=N      fail the N-th call (0 or unset: count only)
 *   PAGELAB_FAIL_STATE=F   at exit, write "calls=K injected=0|1" to F
 *   PAGELAB_FAIL_WHERE=1   print the failing call's stack to stderr (to
 *                          find what a broken run failed in)
 *
 * The counter lives in a MAP_SHARED page, so the children `pagelab sim`
 * forks for its jobs count on the same sequence as the parent, and the
 * state file says whether the N-th call happened in any of them.  The
 * state is written by the process that loaded first (the command), after
 * its children were reaped.
 */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__real_aligned_alloc(size_t a, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void *__wrap_aligned_alloc(size_t a, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

struct fi_shared {
	unsigned long long calls;
	int injected;
};

static struct fi_shared *fi;
static unsigned long long fi_at;
static pid_t fi_owner;

__attribute__((constructor)) static void fi_init(void)
{
	const char *s = getenv("PAGELAB_FAIL_AT");
	void *p;

	fi_at = s ? strtoull(s, NULL, 10) : 0;
	p = __real_mmap(NULL, sizeof(*fi), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();	/* the test harness itself cannot run */
	fi = p;
	fi_owner = getpid();
}

__attribute__((destructor)) static void fi_fini(void)
{
	const char *path = getenv("PAGELAB_FAIL_STATE");
	char line[96];
	int fd, n;

	if (!path || getpid() != fi_owner)
		return;
	n = snprintf(line, sizeof(line), "calls=%llu injected=%d\n",
		     __atomic_load_n(&fi->calls, __ATOMIC_RELAXED),
		     __atomic_load_n(&fi->injected, __ATOMIC_RELAXED));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) != n)
			n = -1;
		close(fd);
	}
}

/* Count one call; 1 if this one must fail. */
static int fi_fail(void)
{
	unsigned long long k;

	if (!fi)
		return 0;	/* before the constructor (the loader) */
	k = __atomic_add_fetch(&fi->calls, 1, __ATOMIC_RELAXED);
	if (k != fi_at)
		return 0;
	__atomic_store_n(&fi->injected, 1, __ATOMIC_RELAXED);
	if (getenv("PAGELAB_FAIL_WHERE")) {
		void *bt[32];

		backtrace_symbols_fd(bt, backtrace(bt, 32), 2);
	}
	errno = ENOMEM;
	return 1;
}

void *__wrap_malloc(size_t n)
{
	return fi_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
	return fi_fail() ? NULL : __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fi_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return fi_fail() ? NULL : __real_strdup(s);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
	return fi_fail() ? NULL : __real_aligned_alloc(a, n);
}

int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
	return fi_fail() ? ENOMEM : __real_posix_memalign(p, a, n);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return fi_fail() ? MAP_FAILED : __real_mmap(addr, len, prot, flags, fd, off);
}

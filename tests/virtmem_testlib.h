/*
 * tests/virtmem_testlib.h — shared pieces of the real virtmem tests: a
 * recording BigFile (pattern content, counts and logs every call), volatile
 * accessors, and a runner for code that must die of a signal (forked child).
 */
#ifndef PAGELAB_TESTS_VIRTMEM_TESTLIB_H
#define PAGELAB_TESTS_VIRTMEM_TESTLIB_H

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/bug.h"
#include "real/virtmem.h"

#define REC_LOG 4096

/* Pattern content (bigfile_pattern_word); block content can be overridden
 * per test by load_hook. */
struct recfile {
	struct bigfile base;
	uint64_t nload, nstore;		/* atomics */
	uint64_t store_blk[REC_LOG];	/* storeblk order */
	uint64_t store_w0[REC_LOG];	/* first word stored */
	int load_err, store_err;	/* -errno to return (0: succeed) */
	uint64_t err_blk;		/* ... for this block only (UINT64_MAX: all) */
	int (*load_hook)(struct recfile *r, uint64_t blk, void *buf, size_t blksize);
	void *arg;
};

static int rec_loadblk(struct bigfile *f, uint64_t blk, void *buf, size_t blksize)
{
	struct recfile *r = container_of(f, struct recfile, base);
	uint64_t *w = buf;
	size_t i;

	__atomic_add_fetch(&r->nload, 1, __ATOMIC_RELAXED);
	errno = EIO;	/* the handler must restore the application's errno */
	if (r->load_err && (r->err_blk == UINT64_MAX || r->err_blk == blk))
		return r->load_err;
	if (r->load_hook)
		return r->load_hook(r, blk, buf, blksize);
	for (i = 0; i < blksize / 8; i++)
		w[i] = bigfile_pattern_word(blk, i);
	return 0;
}

static int rec_storeblk(struct bigfile *f, uint64_t blk, const void *buf, size_t blksize)
{
	struct recfile *r = container_of(f, struct recfile, base);
	uint64_t n = r->nstore;

	(void)blksize;
	if (r->store_err && (r->err_blk == UINT64_MAX || r->err_blk == blk))
		return r->store_err;
	if (n < REC_LOG) {
		r->store_blk[n] = blk;
		r->store_w0[n] = *(const uint64_t *)buf;
	}
	r->nstore = n + 1;
	return 0;
}

static const struct bigfile_ops rec_ops = {
	.loadblk = rec_loadblk,
	.storeblk = rec_storeblk,
};

static inline void rec_init(struct recfile *r)
{
	memset(r, 0, sizeof(*r));
	r->base.ops = &rec_ops;
	r->err_blk = UINT64_MAX;
}

static inline uint64_t rd(const void *p)
{
	return *(const volatile uint64_t *)p;
}
static inline void wr(void *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

static inline char *pg_addr(struct vma *v, size_t ps, uint64_t i)
{
	return (char *)vma_addr(v) + i * ps;
}

/* Whole page i of v equals block blk's pattern. */
static inline int page_is_pattern(struct vma *v, size_t ps, uint64_t i, uint64_t blk)
{
	const volatile uint64_t *w = (const volatile uint64_t *)pg_addr(v, ps, i);
	size_t k;

	for (k = 0; k < ps / 8; k++)
		if (w[k] != bigfile_pattern_word(blk, k))
			return 0;
	return 1;
}

static inline uint64_t fault_count(struct ram *ram, int cls)
{
	struct counters c;

	ram_counters(ram, &c);
	return cls < 0 ? c.faults : c.by_class[cls];
}

static inline const char *t_sanitizer(void)
{
	const char *s = getenv("PAGELAB_SANITIZER");
	return s && *s ? s : NULL;
}

/* A RAM, a recording file handle on it and (npages > 0) one view of file
 * pages [0, npages). */
struct env {
	struct ram *ram;
	struct recfile rf;
	struct fileh *fh;
	struct vma *v;
	size_t ps;
	uint64_t n;
};

static inline int env_open_full(struct env *e, const char *type, uint64_t limit,
				const char *reclaim, unsigned batch, const char *observe,
				uint64_t npages)
{
	char msg[256];

	memset(e, 0, sizeof(*e));
	e->ram = ram_new(type, NULL, msg, sizeof(msg));
	if (!e->ram || ram_configure(e->ram, limit, reclaim, batch, observe, msg, sizeof(msg)))
		goto fail;
	rec_init(&e->rf);
	e->fh = fileh_open(&e->rf.base, e->ram, NULL, msg, sizeof(msg));
	if (!e->fh)
		goto fail;
	if (npages && !(e->v = fileh_mmap(e->fh, 0, npages, msg, sizeof(msg))))
		goto fail;
	e->ps = e->ram->pagesize;
	e->n = npages;
	return 0;
fail:
	fprintf(stderr, "env_open: %s\n", msg);
	return -1;
}

/* Unmap the view, close the handle (its result), close the RAM. */
static inline int env_close(struct env *e)
{
	int ret;

	vma_unmap(e->v);
	ret = fileh_close(e->fh);
	ram_close(e->ram);
	return ret;
}

/* Run fn(arg) in a forked child; its wait status. */
static inline int run_child(void (*fn)(void *), void *arg)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* A SIGBUS handler for children: exit 40 + (si_addr == expected). */
static void *volatile t_bus_expect;
static void t_bus_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	_exit(si->si_addr == t_bus_expect ? 41 : 40);
}
static inline void t_catch_sigbus(void *expect)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = t_bus_handler;
	sa.sa_flags = SA_SIGINFO;
	t_bus_expect = expect;
	sigaction(SIGBUS, &sa, NULL);
}

#endif

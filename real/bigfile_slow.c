/*
 * real/bigfile_slow.c — a wrapper BigFile for experiments and error tests:
 * every loadblk/storeblk first waits a fixed latency (a slow device), and
 * chosen blocks fail with EIO.  The error set can change at any time (a test
 * makes a store fail, then lets the retry through), so it is read and
 * written atomically: loadblk runs concurrently from several faulting
 * threads.
 */
#define _GNU_SOURCE
#include "real/bigfile.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "common/bug.h"

#define SLOW_MAX_ERR 64

struct bigfile_slow {
	struct bigfile base;
	struct bigfile *inner;
	uint64_t latency_ns;
	/* blk + 1 of failing blocks, 0 = empty slot; [0] loads, [1] stores */
	uint64_t err_blk[2][SLOW_MAX_ERR];
};

static int slow_fails(struct bigfile_slow *s, int store, uint64_t blk)
{
	size_t i;

	for (i = 0; i < SLOW_MAX_ERR; i++)
		if (__atomic_load_n(&s->err_blk[store][i], __ATOMIC_ACQUIRE) == blk + 1)
			return 1;
	return 0;
}

static void slow_wait(struct bigfile_slow *s)
{
	struct timespec ts = {
		.tv_sec = (time_t)(s->latency_ns / 1000000000u),
		.tv_nsec = (long)(s->latency_ns % 1000000000u),
	};

	if (s->latency_ns)
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
}

static int slow_loadblk(struct bigfile *f, uint64_t blk, void *buf, size_t blksize)
{
	struct bigfile_slow *s = container_of(f, struct bigfile_slow, base);

	slow_wait(s);
	if (slow_fails(s, 0, blk))
		return -EIO;
	return s->inner->ops->loadblk(s->inner, blk, buf, blksize);
}

static int slow_storeblk(struct bigfile *f, uint64_t blk, const void *buf, size_t blksize)
{
	struct bigfile_slow *s = container_of(f, struct bigfile_slow, base);

	slow_wait(s);
	if (slow_fails(s, 1, blk))
		return -EIO;
	return s->inner->ops->storeblk(s->inner, blk, buf, blksize);
}

static void slow_release(struct bigfile *f)
{
	struct bigfile_slow *s = container_of(f, struct bigfile_slow, base);

	bigfile_release(s->inner);
	free(s);
}

static const struct bigfile_ops bigfile_slow_ops = {
	.loadblk = slow_loadblk,
	.storeblk = slow_storeblk,
	.release = slow_release,
};

struct bigfile *bigfile_slow_new(struct bigfile *inner, uint64_t latency_ns)
{
	struct bigfile_slow *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->base.ops = &bigfile_slow_ops;
	s->inner = inner;
	s->latency_ns = latency_ns;
	return &s->base;
}

int bigfile_slow_set_error(struct bigfile *f, int store, uint64_t blk, int on)
{
	struct bigfile_slow *s = container_of(f, struct bigfile_slow, base);
	size_t i;

	BUG_ON(f->ops != &bigfile_slow_ops);
	store = !!store;
	for (i = 0; i < SLOW_MAX_ERR; i++) {
		uint64_t *slot = &s->err_blk[store][i];
		uint64_t v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

		if (on && v == 0) {
			__atomic_store_n(slot, blk + 1, __ATOMIC_RELEASE);
			return 0;
		}
		if (!on && v == blk + 1)
			__atomic_store_n(slot, 0, __ATOMIC_RELEASE);
	}
	return on ? -ENOSPC : 0;
}

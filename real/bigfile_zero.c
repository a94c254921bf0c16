/*
 * real/bigfile_zero.c — the zero BigFile: every block reads as zeros, or as
 * a deterministic per-block pattern (bigfile_pattern_word) so tests can
 * check that the right block landed at the right address.  storeblk accepts
 * and forgets.  The fault benchmark uses it to time the engine, not a disk.
 */
#include "real/bigfile.h"

#include <stdlib.h>
#include <string.h>

#include "common/bug.h"

struct bigfile_zero {
	struct bigfile base;
	unsigned flags;
};

static int zero_loadblk(struct bigfile *f, uint64_t blk, void *buf, size_t blksize)
{
	struct bigfile_zero *z = container_of(f, struct bigfile_zero, base);
	uint64_t *w = buf;
	size_t i;

	if (!(z->flags & BIGFILE_ZERO_PATTERN)) {
		memset(buf, 0, blksize);
		return 0;
	}
	for (i = 0; i < blksize / sizeof(*w); i++)
		w[i] = bigfile_pattern_word(blk, i);
	return 0;
}

static int zero_storeblk(struct bigfile *f, uint64_t blk, const void *buf, size_t blksize)
{
	(void)f; (void)blk; (void)buf; (void)blksize;
	return 0;
}

static void zero_release(struct bigfile *f)
{
	free(container_of(f, struct bigfile_zero, base));
}

static const struct bigfile_ops bigfile_zero_ops = {
	.loadblk = zero_loadblk,
	.storeblk = zero_storeblk,
	.release = zero_release,
};

struct bigfile *bigfile_zero_new(unsigned flags)
{
	struct bigfile_zero *z = calloc(1, sizeof(*z));

	if (!z)
		return NULL;
	z->base.ops = &bigfile_zero_ops;
	z->flags = flags;
	return &z->base;
}

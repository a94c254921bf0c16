/*
 * real/bigfile_synth.c — the synth BigFile: block blk reads as
 * synth_page(params, file, blk, wcount) (workloads/synth.h), pages of a
 * chosen compressibility that the simulator can make too; wcount is how
 * many times storeblk wrote the block.  storeblk counts the write and
 * forgets the bytes (like the zero backend), so the next load of the block
 * gives the bytes of its next write count.
 *
 * Write counts live in a radix pagemap keyed by block, as the count
 * itself cast to a pointer (absent = 0), so a file that is only read holds
 * no table at all.
 */
#include "real/bigfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/bug.h"
#include "policies/pagemap.h"

struct bigfile_synth {
	struct bigfile base;
	struct synth_params params;
	uint64_t file;
	struct pagemap *wcount;		/* blk -> (void *)(uintptr_t)count */
};

static uint64_t synth_wcount(const struct bigfile_synth *s, uint64_t blk)
{
	return (uintptr_t)pagemap_get(s->wcount, blk);
}

static int synth_loadblk(struct bigfile *f, uint64_t blk, void *buf,
			 size_t blksize)
{
	struct bigfile_synth *s = container_of(f, struct bigfile_synth, base);

	synth_page(&s->params, s->file, blk, synth_wcount(s, blk), buf,
		   blksize);
	return 0;
}

static int synth_storeblk(struct bigfile *f, uint64_t blk, const void *buf,
			  size_t blksize)
{
	struct bigfile_synth *s = container_of(f, struct bigfile_synth, base);
	uint64_t n = synth_wcount(s, blk) + 1;

	(void)buf;
	(void)blksize;
	return pagemap_set(s->wcount, blk, (void *)(uintptr_t)n);
}

static void synth_release(struct bigfile *f)
{
	struct bigfile_synth *s = container_of(f, struct bigfile_synth, base);

	pagemap_destroy(s->wcount);
	free(s);
}

static const struct bigfile_ops bigfile_synth_ops = {
	.loadblk = synth_loadblk,
	.storeblk = synth_storeblk,
	.release = synth_release,
};

struct bigfile *bigfile_synth_new(const struct synth_params *params,
				  uint64_t file)
{
	struct bigfile_synth *s = calloc(1, sizeof(*s));
	char err[128];

	if (!s)
		return NULL;
	s->wcount = pagemap_create("radix", &(const struct pagemap_params){
					   .mem = &mem_default }, err, sizeof(err));
	if (!s->wcount) {
		free(s);
		return NULL;
	}
	s->base.ops = &bigfile_synth_ops;
	s->params = *params;
	s->file = file;
	return &s->base;
}

uint64_t bigfile_synth_wcount(struct bigfile *f, uint64_t blk)
{
	return synth_wcount(container_of(f, struct bigfile_synth, base), blk);
}

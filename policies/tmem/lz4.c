/*
 * policies/tmem/lz4.c — `lz4`: the page store that compresses with liblz4
 * (Collet's LZ4 block format), zswap's and zram's usual choice for speed.
 *
 * The compressor's hash table (LZ4_sizeofState() bytes) comes from the mem
 * source at create, so compress never allocates and never puts 16 KiB on
 * the stack of a signal handler.  A page LZ4 cannot fit into one page is
 * refused.  Argument: accel=N (LZ4's acceleration, 1 = best ratio).
 */
#include "policies/tmem.h"

#include <errno.h>
#include <lz4.h>
#include <stdio.h>

#include "common/args.h"
#include "common/bug.h"

struct lz4_store {
	struct tmem_store base;
	uint64_t accel;
	size_t state_bytes;
	void *state;
};

static struct tmem_store *lz4_create(const char *args, size_t page_bytes,
				     const struct mem_source *mem, char *err,
				     size_t errlen)
{
	uint64_t accel = 1;
	const struct arg_spec specs[] = {
		{ "accel", ARG_U64, &accel, 1, 65537, NULL,
		  "LZ4 acceleration (1: best ratio)" },
	};
	struct lz4_store *z;

	if (args_parse("tmem store lz4", args, specs, ARRAY_SIZE(specs), err,
		       errlen))
		return NULL;
	z = mem_alloc(mem, sizeof(*z), 0);
	if (z) {
		z->state_bytes = (size_t)LZ4_sizeofState();
		z->state = mem_alloc(mem, z->state_bytes, 0);
		if (!z->state) {
			mem_free(mem, z, sizeof(*z), 0);
			z = NULL;
		}
	}
	if (!z) {
		snprintf(err, errlen, "tmem store lz4: out of memory");
		return NULL;
	}
	z->base.page_bytes = page_bytes;
	z->base.mem = mem;
	z->accel = accel;
	return &z->base;
}

static void lz4_destroy(struct tmem_store *s)
{
	struct lz4_store *z = container_of(s, struct lz4_store, base);

	mem_free(s->mem, z->state, z->state_bytes, 0);
	mem_free(s->mem, z, sizeof(*z), 0);
}

static size_t lz4_compress(struct tmem_store *s, const void *page, void *dst,
			   size_t dst_cap)
{
	struct lz4_store *z = container_of(s, struct lz4_store, base);
	int n = LZ4_compress_fast_extState(z->state, page, dst,
					   (int)s->page_bytes, (int)dst_cap,
					   (int)z->accel);

	return n > 0 ? (size_t)n : 0;
}

static int lz4_decompress(struct tmem_store *s, const void *src,
			  size_t src_bytes, void *page)
{
	int n = LZ4_decompress_safe(src, page, (int)src_bytes,
				    (int)s->page_bytes);

	return n == (int)s->page_bytes ? 0 : -EIO;
}

const struct tmem_store_ops tmem_store_lz4 = {
	.name = "lz4",
	.help = "LZ4 block compression (liblz4)",
	.create = lz4_create,
	.destroy = lz4_destroy,
	.compress = lz4_compress,
	.decompress = lz4_decompress,
};

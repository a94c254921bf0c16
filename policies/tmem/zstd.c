/*
 * policies/tmem/zstd.c — `zstd`: the page store that compresses with
 * libzstd (Collet's Zstandard, RFC 8878) at a fast level: better ratios
 * than LZ4 for more CPU, zswap's other common choice.
 *
 * One compression and one decompression context per store, made at
 * create, their memory from the store's source through libzstd's custom
 * allocator (which frees without a size: each block keeps its size in a
 * 16-byte header).  A first compression of a page at create sizes the
 * context's work space, and later ones at the same level and page size
 * reuse it, so compress and decompress never allocate.  A page that does
 * not fit into one page is refused.  Argument: level=N (1..19, default 1).
 */
#include "policies/tmem.h"

#include <errno.h>
#include <stdio.h>
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_customMem */
#include <zstd.h>

#include "common/args.h"
#include "common/bug.h"

struct zstd_store {
	struct tmem_store base;
	uint64_t level;
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
};

#define ZSTD_HDR 16	/* keeps the block's size; malloc's alignment */

static void *zstd_mem_alloc(void *opaque, size_t bytes)
{
	const struct mem_source *mem = opaque;
	size_t *p = mem_alloc(mem, bytes + ZSTD_HDR, 0);

	if (!p)
		return NULL;
	*p = bytes + ZSTD_HDR;
	return (char *)p + ZSTD_HDR;
}

static void zstd_mem_free(void *opaque, void *addr)
{
	size_t *p = (size_t *)(void *)((char *)addr - ZSTD_HDR);

	if (addr)
		mem_free(opaque, p, *p, 0);
}

static size_t zstd_compress(struct tmem_store *s, const void *page, void *dst,
			    size_t dst_cap)
{
	struct zstd_store *z = container_of(s, struct zstd_store, base);
	size_t n = ZSTD_compressCCtx(z->cctx, dst, dst_cap, page, s->page_bytes,
				     (int)z->level);

	return ZSTD_isError(n) ? 0 : n;
}

static void zstd_destroy(struct tmem_store *s)
{
	struct zstd_store *z = container_of(s, struct zstd_store, base);

	ZSTD_freeCCtx(z->cctx);
	ZSTD_freeDCtx(z->dctx);
	mem_free(s->mem, z, sizeof(*z), 0);
}

static struct tmem_store *zstd_create(const char *args, size_t page_bytes,
				      const struct mem_source *mem, char *err,
				      size_t errlen)
{
	uint64_t level = 1;
	const struct arg_spec specs[] = {
		{ "level", ARG_U64, &level, 1, 19, NULL,
		  "zstd compression level" },
	};
	struct zstd_store *z;
	void *page, *dst;
	size_t warm = 0;

	if (args_parse("tmem store zstd", args, specs, ARRAY_SIZE(specs), err,
		       errlen))
		return NULL;
	z = mem_alloc(mem, sizeof(*z), 0);
	if (!z) {
		snprintf(err, errlen, "tmem store zstd: out of memory");
		return NULL;
	}
	z->base.page_bytes = page_bytes;
	z->base.mem = mem;
	z->level = level;
	{
		ZSTD_customMem cm = { zstd_mem_alloc, zstd_mem_free,
				      (void *)mem };

		z->cctx = ZSTD_createCCtx_advanced(cm);
		z->dctx = ZSTD_createDCtx_advanced(cm);
	}
	page = mem_alloc(mem, page_bytes, 0);
	dst = mem_alloc(mem, page_bytes, 0);
	if (z->cctx && z->dctx && page && dst)	/* size the work space now */
		warm = zstd_compress(&z->base, page, dst, page_bytes);
	if (page)
		mem_free(mem, page, page_bytes, 0);
	if (dst)
		mem_free(mem, dst, page_bytes, 0);
	if (!warm) {
		zstd_destroy(&z->base);
		snprintf(err, errlen, "tmem store zstd: out of memory");
		return NULL;
	}
	return &z->base;
}

static int zstd_decompress(struct tmem_store *s, const void *src,
			   size_t src_bytes, void *page)
{
	struct zstd_store *z = container_of(s, struct zstd_store, base);
	size_t n = ZSTD_decompressDCtx(z->dctx, page, s->page_bytes, src,
				       src_bytes);

	return !ZSTD_isError(n) && n == s->page_bytes ? 0 : -EIO;
}

const struct tmem_store_ops tmem_store_zstd = {
	.name = "zstd",
	.help = "Zstandard compression at a fast level (libzstd)",
	.create = zstd_create,
	.destroy = zstd_destroy,
	.compress = zstd_compress,
	.decompress = zstd_decompress,
};

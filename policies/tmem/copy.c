/*
 * policies/tmem/copy.c — `copy`: the page store that keeps the page as it
 * is (the seed's simplest PAM).  The baseline the compressing stores are
 * measured against; every page fits, so it refuses nothing.
 */
#include "policies/tmem.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/args.h"

static struct tmem_store *copy_create(const char *args, size_t page_bytes,
				      const struct mem_source *mem, char *err,
				      size_t errlen)
{
	struct tmem_store *s;

	if (args_parse("tmem store copy", args, NULL, 0, err, errlen))
		return NULL;
	s = mem_alloc(mem, sizeof(*s), 0);
	if (!s) {
		snprintf(err, errlen, "tmem store copy: out of memory");
		return NULL;
	}
	s->page_bytes = page_bytes;
	s->mem = mem;
	return s;
}

static void copy_destroy(struct tmem_store *s)
{
	mem_free(s->mem, s, sizeof(*s), 0);
}

static size_t copy_compress(struct tmem_store *s, const void *page, void *dst,
			    size_t dst_cap)
{
	if (dst_cap < s->page_bytes)
		return 0;
	memcpy(dst, page, s->page_bytes);
	return s->page_bytes;
}

static int copy_decompress(struct tmem_store *s, const void *src,
			   size_t src_bytes, void *page)
{
	if (src_bytes != s->page_bytes)
		return -EIO;
	memcpy(page, src, src_bytes);
	return 0;
}

const struct tmem_store_ops tmem_store_copy = {
	.name = "copy",
	.help = "the page as it is (no compression)",
	.create = copy_create,
	.destroy = copy_destroy,
	.compress = copy_compress,
	.decompress = copy_decompress,
};

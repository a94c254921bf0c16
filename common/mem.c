/*
 * common/mem.c — the default memory source (mem.h): calloc, or
 * aligned_alloc for aligned blocks, and hugemem for large ones.
 */
#include "common/mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/hugemem.h"

static bool mem_default_huge(size_t bytes, unsigned flags)
{
	return (flags & MEM_LARGE) && bytes >= HUGEMEM_BYTES;
}

static void *mem_default_alloc(const struct mem_source *ms, size_t bytes,
			       unsigned flags)
{
	size_t align = flags & MEM_PAGE ? 4096 : flags & MEM_LINE ? 64 : 0;
	void *p;

	(void)ms;
	if (mem_default_huge(bytes, flags))
		return hugemem_alloc(bytes, true);	/* zeroed, 2 MiB aligned */
	if (!align)
		return calloc(1, bytes ? bytes : 1);
	if (bytes > SIZE_MAX - align)
		return NULL;
	/* aligned_alloc wants a multiple of the alignment */
	p = aligned_alloc(align, bytes ? (bytes + align - 1) & ~(align - 1) : align);
	if (p)
		memset(p, 0, bytes);
	return p;
}

static void mem_default_free(const struct mem_source *ms, void *p, size_t bytes,
			     unsigned flags)
{
	(void)ms;
	if (mem_default_huge(bytes, flags))
		hugemem_free(p, bytes, true);
	else
		free(p);
}

const struct mem_source mem_default = {
	.alloc = mem_default_alloc,
	.free = mem_default_free,
};

/*
 * common/tmem_libc.c — the C library as a memory source for the tmem tier
 * (policies/tmem.h: struct tmem_mem): calloc and free.  Policies never call
 * the allocator themselves; engines and tests hand them this source (or
 * their own).
 */
#include "policies/tmem.h"

#include <stdlib.h>

static void *libc_alloc(const struct tmem_mem *m, size_t bytes)
{
	(void)m;
	return calloc(1, bytes);
}

static void libc_free(const struct tmem_mem *m, void *p, size_t bytes)
{
	(void)m;
	(void)bytes;
	free(p);
}

const struct tmem_mem tmem_mem_libc = {
	.alloc = libc_alloc,
	.free = libc_free,
};

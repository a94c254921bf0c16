/*
 * common/mem.h — the memory source: where a policy gets its memory.
 *
 * Every policy (pagemap, reclaim, allocator) is created with a memory
 * source in its params struct and allocates only through it: policies make
 * no OS calls of their own (no malloc, no mmap).  The engine decides what
 * memory its policies live in; both engines pass mem_default today.  A test
 * passes a source that refuses the n-th allocation, to check that a policy
 * fails cleanly (SQLite's pcache fault injection, through the method table
 * production code uses).
 *
 * A block is asked for with flags that say what it is for, and freed with
 * the same size and flags:
 *
 *   MEM_LINE   aligned to a cache line (64 bytes);
 *   MEM_PAGE   aligned to 4096 bytes (radix's tagged node pointers);
 *   MEM_LARGE  read at random and possibly big (a hash table, a ghost
 *              index, a slab of nodes): from HUGEMEM_BYTES up the default
 *              source maps it on transparent huge pages (common/hugemem.h),
 *              2 MiB aligned.
 *
 * Which policy ops may ask the source, and why that is allowed in the real
 * engine's SIGSEGV handler: docs/ENGINE.md "Memory".
 */
#ifndef PAGELAB_COMMON_MEM_H
#define PAGELAB_COMMON_MEM_H

#include <stddef.h>
#include <stdint.h>

#define MEM_LINE	0x1u
#define MEM_PAGE	0x2u
#define MEM_LARGE	0x4u

struct mem_source {
	/* bytes zeroed, aligned as flags say (at least as malloc aligns),
	 * or NULL when out of memory.  bytes may be 0 (a unique block). */
	void *(*alloc)(const struct mem_source *ms, size_t bytes, unsigned flags);
	/* Give back p (not NULL) from alloc() with the same bytes and flags. */
	void (*free)(const struct mem_source *ms, void *p, size_t bytes,
		     unsigned flags);
};

/* malloc for small blocks, common/hugemem.h for large ones.  Any thread;
 * see docs/ENGINE.md "Memory" for the SIGSEGV handler. */
extern const struct mem_source mem_default;

static inline void *mem_alloc(const struct mem_source *ms, size_t bytes,
			      unsigned flags)
{
	return ms->alloc(ms, bytes, flags);
}

/* n elements of size bytes, zeroed; NULL when out of memory or n * size
 * overflows.  Freed with mem_free_array(ms, p, n, size, flags). */
static inline void *mem_alloc_array(const struct mem_source *ms, size_t n,
				    size_t size, unsigned flags)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return ms->alloc(ms, n * size, flags);
}

/* Nothing for NULL. */
static inline void mem_free(const struct mem_source *ms, void *p, size_t bytes,
			    unsigned flags)
{
	if (p)
		ms->free(ms, p, bytes, flags);
}

static inline void mem_free_array(const struct mem_source *ms, void *p,
				  size_t n, size_t size, unsigned flags)
{
	mem_free(ms, p, n * size, flags);
}

#endif

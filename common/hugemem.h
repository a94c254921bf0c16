/*
 * common/hugemem.h — big zeroed blocks of anonymous memory, on transparent
 * huge pages where that pays.
 *
 * The idea.  A big array read at random, one access each (the simulator's
 * page tables and pages, a pagemap's hash table, a ghost index), misses
 * the TLB on nearly every access with 4 KiB pages.  From HUGEMEM_BYTES
 * (2 MiB) up such a block is an anonymous mapping aligned to 2 MiB and
 * advised to transparent huge pages (madvise MADV_HUGEPAGE: advice only,
 * where the kernel has them; nothing changes otherwise), so each 2 MiB
 * costs one TLB entry.  A block that must stay sparse (a page table whose
 * trace touches a few scattered words) asks for no huge pages: touching
 * one word would make 2 MiB resident.
 *
 * Blocks are MAP_NORESERVE mappings, zeroed by the kernel page by page as
 * they are first touched: only the touched part costs memory.  This is the
 * one place in pagelab that maps anonymous memory for its own structures;
 * the simulator uses it directly and the policies through common/mem.h.
 *
 * Context: any thread; the calls are mmap, munmap and madvise, which are
 * async-signal-safe system calls, so also the real engine's SIGSEGV
 * handler (docs/ENGINE.md "Memory").
 */
#ifndef PAGELAB_COMMON_HUGEMEM_H
#define PAGELAB_COMMON_HUGEMEM_H

#include <stdbool.h>
#include <stddef.h>

#define HUGEMEM_BYTES ((size_t)2 << 20)	/* a transparent huge page */

/* A zeroed block of bytes (> 0), page aligned; with huge and bytes >=
 * HUGEMEM_BYTES, 2 MiB aligned and advised to huge pages.  NULL when the
 * kernel refuses. */
void *hugemem_alloc(size_t bytes, bool huge);

/* Unmap a block from hugemem_alloc() with the same bytes and huge. */
void hugemem_free(void *p, size_t bytes, bool huge);

/* The memory granule a touched part of such a block costs: HUGEMEM_BYTES
 * for a huge block, else 4096. */
size_t hugemem_granule(size_t bytes, bool huge);

#endif

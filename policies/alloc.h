/*
 * policies/alloc.h — the allocator policy: ranges of integers out of an
 * arena [base, base+size) in multiples of a quantum.
 *
 * Used for RAM page offsets (quantum 1, addresses are page offsets inside a
 * RAM handle's file) and for address ranges (quantum = page size).  The
 * choice of offsets decides how many kernel VMAs a mapping needs: adjacent
 * file pages merge into one VMA only when their RAM offsets are contiguous,
 * which is why alloc() takes a hint.
 *
 * Policies (one file each under policies/alloc/, listed in
 * policies/alloc/registry.c):
 *   vmem    Bonwick & Adams, USENIX 2001 (policies/vmem.h has the full API);
 *           fit=instant|best|next;
 *   bitmap  first-fit or best-fit over a bitmap, like Linux genalloc;
 *   first-fit  address-ordered first fit (Knuth), on a vmem arena.
 *
 * Memory: everything comes from the memory source in alloc_params
 * (common/mem.h).  The alloc and release ops may take or give back memory
 * (boundary tags, tables, bitmap chunks); alloc reports running out as
 * -ENOMEM with nothing changed, release cannot fail (docs/ENGINE.md
 * "Memory").
 *
 * Context: alloc and release run with the engine's lock held, in the real
 * virtmem possibly inside the SIGSEGV handler.  They report failure, never
 * exit.
 */
#ifndef PAGELAB_POLICIES_ALLOC_H
#define PAGELAB_POLICIES_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "common/mem.h"

#define ALLOC_NOHINT UINT64_MAX

struct alloc_stats {
	uint64_t in_use;	/* bytes (units) allocated now */
	uint64_t total;		/* units in the arena's spans */
	uint64_t imported;	/* units imported from a source (vmem) */
	uint64_t allocs, frees;	/* calls that succeeded */
	uint64_t segments;	/* segments or runs visited, cumulative (fit cost) */
};

struct alloc_ops;

/* What an allocator is created with: the arena [base, base+size) in
 * multiples of quantum (> 0, dividing base and size), and the memory
 * source of its own bookkeeping. */
struct alloc_params {
	uint64_t base, size, quantum;
	const struct mem_source *mem;
};

/* Base of every allocator; a policy embeds it as its first member. */
struct alloc {
	const struct alloc_ops *ops;
	uint64_t base, size, quantum;	/* from alloc_params */
	const struct mem_source *mem;
};

struct alloc_ops {
	const char *name;	/* --alloc NAME */
	const char *help;	/* one line for --list */
	void (*describe_args)(char *buf, size_t buflen);
	/* An allocator over p's arena.  Bad args: NULL and a one-line
	 * message; never exits.  Allocates through p->mem only. */
	struct alloc *(*create)(const char *args, const struct alloc_params *p,
				char *err, size_t errlen);
	/* Give back everything, the instance included, to a->mem. */
	void (*destroy)(struct alloc *a);
	/* Allocate size units (a multiple of quantum).  If hint is not
	 * ALLOC_NOHINT and [hint, hint+size) is free, that range is returned;
	 * otherwise the policy's own choice.  0 and *addrp, or -ENOMEM. */
	int (*alloc)(struct alloc *a, uint64_t size, uint64_t hint, uint64_t *addrp);
	/* Give back a range returned by alloc with the same size
	 * (alloc_free(); the op is not called free, so that a grep for the C
	 * library's free under policies/ finds only that). */
	void (*release)(struct alloc *a, uint64_t addr, uint64_t size);
	void (*stats)(const struct alloc *a, struct alloc_stats *st);
	/* Optional (NULL: none), simulator only: the real engine never
	 * calls it.  A hint, for speed alone, that alloc with hint addr, or
	 * alloc_free of addr, comes soon: start loading what it will read (a CPU
	 * prefetch).  Changes nothing, never allocates; any addr is allowed;
	 * any context. */
	void (*hint)(const struct alloc *a, uint64_t addr);
};

/* NULL-terminated, in the order --list shows them. */
extern const struct alloc_ops *const alloc_registry[];

/* Create from a spec "NAME[:K=V...]" with p (p->mem required); NULL and a
 * message on error (also for an arena that is not a non-empty multiple of
 * its quantum). */
struct alloc *alloc_create(const char *spec, const struct alloc_params *p,
			   char *err, size_t errlen);

static inline int alloc_alloc(struct alloc *a, uint64_t size, uint64_t hint,
			      uint64_t *addrp)
{
	return a->ops->alloc(a, size, hint, addrp);
}
static inline void alloc_free(struct alloc *a, uint64_t addr, uint64_t size)
{
	a->ops->release(a, addr, size);
}
static inline void alloc_hint(const struct alloc *a, uint64_t addr)
{
	if (a->ops->hint)
		a->ops->hint(a, addr);
}
static inline void alloc_destroy(struct alloc *a)
{
	if (a)
		a->ops->destroy(a);
}

#endif

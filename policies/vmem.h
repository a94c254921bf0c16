/*
 * policies/vmem.h — vmem resource arenas after Bonwick & Adams, "Magazines
 * and Vmem: Extending the Slab Allocator to Many CPUs and Arbitrary
 * Resources" (USENIX 2001), its vmem half.
 *
 * An arena manages integer ranges ("segments") in multiples of a quantum.
 * Its spans come from vmem_add() or are imported from a source arena on
 * demand (and given back when an imported span becomes wholly free).  Every
 * segment has a boundary tag; tags of one arena sit in one address-ordered
 * list, span markers in front of their segments.  Free segments are on
 * power-of-two freelists (list i holds sizes in [2^i, 2^(i+1))), allocated
 * segments in a hash table keyed by address, so vmem_free() is O(1).
 *
 * Fit policies (chosen per arena at creation, or per call by flag):
 *   VM_INSTANTFIT  take the head of the first non-empty freelist whose
 *                  every segment is large enough: O(1), one segment looked
 *                  at (the paper's default);
 *   VM_BESTFIT     the smallest segment that fits;
 *   VM_NEXTFIT     a rotor moves through the arena: the first free segment
 *                  that fits at or after the previous allocation, wrapping;
 *   VM_FIRSTFIT    (pagelab's addition) Knuth's address-ordered first fit:
 *                  the lowest address that fits, walking the address treap.
 *
 * Besides the paper's structures, free segments are also kept in an
 * address-ordered treap so that an exact-address request (minaddr ==
 * maxaddr - size, the allocator hint of policies/alloc.h) finds the free
 * segment containing it in O(log n) without scanning (policies/alloc/:
 * vmem.c the arena, vmem_index.c the treap and its fingers).
 *
 * Return convention: 0 or -errno (-ENOMEM, -EINVAL); nothing exits.
 * Memory: from the memory source given at creation (common/mem.h):
 * boundary-tag refills and hash growth in allocations, nothing in frees.
 * Context: single-threaded; the caller serializes (the engines hold their
 * lock).
 */
#ifndef PAGELAB_POLICIES_VMEM_H
#define PAGELAB_POLICIES_VMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/mem.h"

struct vmem;

/* Flags (vmflag).  Without a fit flag the arena's default fit is used. */
#define VM_INSTANTFIT	0x1
#define VM_BESTFIT	0x2
#define VM_NEXTFIT	0x4
#define VM_FIRSTFIT	0x8	/* not in the paper: lowest address that fits */
#define VM_FITMASK	(VM_INSTANTFIT | VM_BESTFIT | VM_NEXTFIT | VM_FIRSTFIT)

/*
 * Import functions (the paper's afunc/ffunc): get a span of at least size
 * units from source, give it back.  vmem_alloc()/vmem_free() with a vmem
 * source are the usual pair; vmem_create() uses them when afunc is NULL
 * and source is not.
 */
typedef int vmem_afunc_t(struct vmem *source, uint64_t size, int vmflag,
			 uint64_t *addrp);
typedef void vmem_ffunc_t(struct vmem *source, uint64_t addr, uint64_t size);

struct vmem_stats {
	uint64_t in_use;	/* units in allocated segments (qcached included) */
	uint64_t qcached;	/* units sitting in quantum caches */
	uint64_t imported;	/* units in spans imported from the source */
	uint64_t total;		/* units in all spans */
	uint64_t allocs, frees;	/* successful alloc/xalloc and free calls */
	uint64_t segments;	/* free segments examined by allocations, cumulative */
	uint64_t imports, releases;	/* spans imported / given back */
	uint64_t nfree, nalloc;	/* free and allocated segments now */
};

/*
 * Create an arena named name over [base, base+size) (size 0: no initial
 * span) with the given quantum (> 0; base and size multiples of it).
 * fit is VM_INSTANTFIT, VM_BESTFIT, VM_NEXTFIT or VM_FIRSTFIT.  Requests that find no
 * space import from source through afunc/ffunc (source NULL: no import).
 * Sizes up to qcache_max (rounded down to a multiple of quantum; 0: none)
 * are served by vmem_alloc() from per-size quantum caches.  The arena's
 * own memory comes from mem.  NULL and a one-line message in err on bad
 * arguments or no memory.
 */
struct vmem *vmem_create(const char *name, uint64_t base, uint64_t size,
			 uint64_t quantum, vmem_afunc_t *afunc,
			 vmem_ffunc_t *ffunc, struct vmem *source,
			 uint64_t qcache_max, int fit, const struct mem_source *mem,
			 char *err, size_t errlen);

/* Free the arena; imported spans still held go back to the source. */
void vmem_destroy(struct vmem *vm);

/* Add the span [base, base+size) (not overlapping any span). */
int vmem_add(struct vmem *vm, uint64_t base, uint64_t size);

/* size units (a multiple of quantum), quantum aligned, with the arena's fit
 * or the one in vmflag; sizes up to qcache_max come from the caches. */
int vmem_alloc(struct vmem *vm, uint64_t size, int vmflag, uint64_t *addrp);
void vmem_free(struct vmem *vm, uint64_t addr, uint64_t size);

/*
 * Constrained allocation: addr % align == phase, [addr, addr+size) does not
 * cross a multiple of nocross, and minaddr <= addr, addr + size <= maxaddr.
 * align: 0 (quantum) or a power of two that is a multiple of quantum;
 * phase < align (or < quantum when align is 0), a multiple of quantum;
 * nocross: 0 (none) or a power of two >= size; minaddr/maxaddr: 0 for no
 * bound.  Exact address A: minaddr = A, maxaddr = A + size.
 * Never uses the quantum caches.  -EINVAL on bad constraints.
 */
int vmem_xalloc(struct vmem *vm, uint64_t size, uint64_t align, uint64_t phase,
		uint64_t nocross, uint64_t minaddr, uint64_t maxaddr, int vmflag,
		uint64_t *addrp);
/* Free what vmem_xalloc() returned (vmem_free() accepts it too). */
void vmem_xfree(struct vmem *vm, uint64_t addr, uint64_t size);

void vmem_stats(const struct vmem *vm, struct vmem_stats *st);
const char *vmem_name(const struct vmem *vm);
uint64_t vmem_quantum(const struct vmem *vm);

/* Segment types for vmem_walk(). */
enum vmem_seg_type { VMEM_SPAN, VMEM_FREE, VMEM_ALLOC };

/* Call fn for every span marker and segment in address order (span
 * markers first); imported is 1 for imported spans. */
void vmem_walk(const struct vmem *vm,
	       void (*fn)(void *arg, enum vmem_seg_type type, uint64_t start,
			  uint64_t size, int imported),
	       void *arg);

/*
 * Check every invariant: spans sorted and disjoint, each tiled exactly by
 * its segments, no two adjacent free segments, freelists, hash and treap
 * consistent with the segment list, no imported span wholly free, and the
 * stats add up.  0, or -1 and a message in err.  O(n); for tests.
 */
int vmem_check(const struct vmem *vm, char *err, size_t errlen);

#endif

/*
 * policies/alloc/vmem_int.h — the inside of a vmem arena, shared by the
 * files that implement it (not a public header: policies/vmem.h is).
 *
 *   vmem.c         the arena of Bonwick & Adams (boundary tags, freelists,
 *                  the allocated-segment hash, spans and import, the fits,
 *                  quantum caches);
 *   vmem_index.c   pagelab's address index of free segments (a treap) and
 *                  the fingers, for requests bounded to an address window;
 *   vmem_policy.c  the `vmem` allocator policy: an arena plus one-quantum
 *                  slabs.
 *
 * Context: single-threaded, as policies/vmem.h says.
 */
#ifndef PAGELAB_POLICIES_ALLOC_VMEM_INT_H
#define PAGELAB_POLICIES_ALLOC_VMEM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policies/vmem.h"

enum { SEG_SPAN = VMEM_SPAN, SEG_FREE = VMEM_FREE, SEG_ALLOC = VMEM_ALLOC,
       SEG_SENTINEL };

#define VMEM_TAGS_PER_OP	4	/* split (2) + import (span, segment) */
#define VMEM_TAG_CHUNK		64
#define VMEM_QCACHE_DEPTH	32
#define VMEM_HASH_MIN_SHIFT	6
#define VMEM_FINGER_GRAIN	4	/* a finger per 2^4 quanta (hashed) */
#define VMEM_FINGER_STEPS	16	/* address-list steps from a finger */

struct vmem_seg {
	uint64_t start, size;
	struct vmem_seg *anext, *aprev;	/* all tags, address order */
	/* FREE: freelist; ALLOC: hash chain (fnext); SPAN: span list */
	struct vmem_seg *fnext, *fprev;
	struct vmem_seg *tl, *tr, *tp;	/* FREE: treap children, parent */
	uint32_t prio;			/* FREE: treap heap priority */
	uint8_t type;
	uint8_t imported;		/* SPAN */
};

struct vmem_tag_chunk {
	struct vmem_tag_chunk *next;
	struct vmem_seg tags[VMEM_TAG_CHUNK];
};

struct vmem_qcache {
	unsigned n;
	uint64_t addr[VMEM_QCACHE_DEPTH];
};

struct vmem {
	char name[32];
	uint64_t quantum;
	int fit;
	struct vmem_seg head;		/* sentinel of the address list */
	struct vmem_seg span_head;	/* sentinel of the span list */
	struct vmem_seg *freelist[64];
	uint64_t freemap;
	struct vmem_seg *root;		/* treap of free segments */
	struct vmem_seg **hash;
	unsigned hash_shift;
	struct vmem_seg **finger;	/* 1 << finger_shift guesses, or NULL */
	unsigned finger_shift;
	unsigned grain_shift;		/* log2(quantum) + VMEM_FINGER_GRAIN */
	uint64_t rotor;
	struct vmem_seg *tag_free;
	size_t ntag_free;
	struct vmem_tag_chunk *chunks;
	vmem_afunc_t *afunc;
	vmem_ffunc_t *ffunc;
	struct vmem *source;
	uint64_t qcache_max;
	size_t nqcache;
	struct vmem_qcache *qcache;
	const struct mem_source *mem;
	uint64_t prio_state;
	struct vmem_stats st;
};



static inline size_t vmem_hash_idx(unsigned shift, uint64_t addr)
{
	return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> (64 - shift));
}

/* ---- vmem.c: the arena's own, for the slab layer ---- */

/* Make sure n boundary tags are free.  0, or -ENOMEM. */
int vmem_tags_reserve(struct vmem *vm, size_t n);
/* Take [addr, addr+size) out of the quantum cache if it sits there. */
bool vmem_qcache_take(struct vmem *vm, uint64_t addr, uint64_t size);
/* Give back to the arena the cached segments overlapping [addr,
 * addr+size).  True if any was given back. */
bool vmem_qcache_flush_range(struct vmem *vm, uint64_t addr, uint64_t size);

/* ---- vmem_index.c: the treap of free segments on their start ---- */

/* Insert free segment n, searching its place from the root. */
void vmem_treap_insert(struct vmem *vm, struct vmem_seg *n);
/* Insert n right after pred in address order (nothing free between). */
void vmem_treap_insert_after(struct vmem *vm, struct vmem_seg *n,
			     struct vmem_seg *pred);
void vmem_treap_remove(struct vmem *vm, struct vmem_seg *n);
/* The free segment with the largest start <= addr, or NULL. */
struct vmem_seg *vmem_treap_floor(const struct vmem *vm, uint64_t addr);
/* The free segment with the smallest start >= addr, or NULL. */
struct vmem_seg *vmem_treap_ceil(const struct vmem *vm, uint64_t addr);
/* The next free segment in address order after s, or NULL. */
struct vmem_seg *vmem_free_next(struct vmem_seg *s);
/* Check the treap: sorted, heap-ordered, parent links right, free
 * segments only; *count gets their number.  0 or -1. */
int vmem_treap_check(const struct vmem *vm, uint64_t *count);

/* ---- vmem_index.c: fingers ---- */

/* The finger of addr's range of quanta. */
static inline struct vmem_seg **vmem_finger_slot(const struct vmem *vm,
						 uint64_t addr)
{
	return &vm->finger[vmem_hash_idx(vm->finger_shift, addr >> vm->grain_shift)];
}

/* Remember s as the segment the last operation at addr left. */
static inline void vmem_finger_set(struct vmem *vm, uint64_t addr,
				   struct vmem_seg *s)
{
	if (vm->finger)
		*vmem_finger_slot(vm, addr) = s;
}

/* A new, empty table of 1 << shift fingers (on no memory the old one
 * stays: fingers are guesses). */
void vmem_finger_resize(struct vmem *vm, unsigned shift);
/* The segment (FREE or ALLOC) holding addr, found from its finger, or
 * NULL when the finger does not lead there quickly. */
struct vmem_seg *vmem_finger_find(const struct vmem *vm, uint64_t addr);

#endif

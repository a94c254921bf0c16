/*
 * policies/alloc/vmem_policy.c — the `vmem` allocator policy
 * (policies/alloc.h): a vmem arena (policies/vmem.h) and, in front of it,
 * a slab layer for single quanta; also the arena-only functions `first-fit`
 * shares (policies/alloc/vmem_policy.h).
 *
 * Slabs of single quanta, for the engines' pattern (one quantum at a time,
 * hint = the page's own offset, nearly always free).  Following the paper's
 * quantum caches, which are object caches importing slabs of quanta from
 * the arena, the policy takes from the arena aligned slabs of
 * VMEM_SLAB_QUANTA quanta and hands out their quanta itself, one bit each:
 * a hinted one-quantum alloc whose slab exists is one hash probe and a bit
 * set, its free a bit clear; no boundary tag, tree or segment hash is
 * touched.  A slab is taken only when its whole range is free in the arena
 * (an exact-window xalloc).  A slab whose last quantum is freed stays, for
 * the next hint there, while at most half the slabs are empty; beyond,
 * it goes back to the arena.
 *
 * The hint rule is unchanged: a free hinted quantum is returned, whether
 * its slab exists, can be made, or neither (then the arena's exact window
 * answers as before).  What slabs change is only where requests without a
 * usable hint land (the fit never picks a quantum inside a slab), and
 * before any request would fail, or a multi-quantum hinted window overlaps
 * a slab, slabs are dissolved back into single-quantum arena segments
 * (slab_dissolve_all), so that nothing fails or misses its hint while
 * space exists.  stats() counts quanta handed out, not slabs.
 *
 * Used with fit=instant/best/next and no quantum caches (qcache=0, the
 * default); first-fit (address-ordered by definition) and qcache runs go
 * straight to the arena.  The slab table's memory comes from the policy's
 * memory source.
 *
 * Fast paths (quantum 1, the engines' case): vmem_policy_alloc() of one
 * unit whose hint is free in an existing slab, and vmem_policy_free() of
 * a unit whose slab keeps other units (or empties and is kept), are
 * handled inline: the probe of the slab table and a bit set or cleared,
 * touching the policy's first cache line and the slab's entry, with no
 * call.  They do exactly what slab_alloc()/slab_free() would; every other
 * case takes the slow path, which is the code below unchanged, so results
 * are the same with or without them (vmem_policy_set_fast() in
 * vmem_test.h turns them off for tests/t_vmem_slab.c).
 */
#include "policies/alloc/vmem_int.h"

#include <errno.h>
#include <stdio.h>

#include "common/args.h"
#include "common/bug.h"
#include "policies/alloc.h"
#include "policies/alloc/vmem_policy.h"
#include "policies/alloc/vmem_test.h"

#define VMEM_SLAB_SHIFT		6
#define VMEM_SLAB_QUANTA	(1u << VMEM_SLAB_SHIFT)

struct vmem_slab {
	uint64_t idx;		/* slab number + 1 (0: empty entry) */
	uint64_t used;		/* bit i: quantum i handed out */
};

/* The table before the first slab: one empty entry, never written. */
static struct vmem_slab vmem_slab_none[1];

/*
 * The fields the fast paths read come first, so that a hinted one-quantum
 * alloc or free touches this line, the slab entry and nothing else.
 */
struct vmem_policy {
	struct alloc base;
	/* fast paths: with quantum 1 (the engines'), addr - base.base below
	 * fast_span is a unit a slab may hold (fast_span 0: no fast path) */
	uint64_t fast_span;
	bool slabs;			/* slabs in use (see above) */
	struct vmem_slab *slab;		/* open addressing, linear probing */
	size_t slab_mask;		/* slab_cap - 1, or 0 */
	size_t slab_omask;		/* the same in bytes: mask * entry size */
	size_t nslabs;
	size_t nempty;			/* slabs with no quantum handed out */
	uint64_t slab_allocs, slab_frees;	/* of quanta */
	/* colder */
	struct vmem *vm;
	size_t slab_cap;		/* 0 (vmem_slab_none) or a power of two */
	uint64_t slab_dissolved;	/* quanta handed back by dissolving */
	uint64_t slab_xallocs, slab_xfrees;	/* of slabs, in the arena */
};

static inline size_t slab_home(const struct vmem_policy *p, uint64_t idx)
{
	return (size_t)(idx * 0x9e3779b97f4a7c15ull) & p->slab_mask;
}

/* The entry of key (slab number + 1), or NULL; also on vmem_slab_none.
 * Offsets in bytes: slab_home() times the entry size, with the multiplier
 * and the mask (slab_omask) scaled, so that no step converts. */
#define VMEM_SLAB_HASH_BYTES	(0x9e3779b97f4a7c15ull * sizeof(struct vmem_slab))

static inline size_t slab_home_bytes(const struct vmem_policy *p, uint64_t key)
{
	return (size_t)(key * VMEM_SLAB_HASH_BYTES) & p->slab_omask;
}

/* The lookup key of the slab holding unit (offset from the arena base in
 * quanta): its slab number + 1 (0 marks an empty entry). */
static inline uint64_t slab_key(uint64_t unit)
{
	return (unit >> VMEM_SLAB_SHIFT) + 1;
}

static inline struct vmem_slab *slab_lookup(const struct vmem_policy *p,
					    uint64_t key)
{
	for (size_t o = slab_home_bytes(p, key);;
	     o = (o + sizeof(struct vmem_slab)) & p->slab_omask) {
		struct vmem_slab *e = (struct vmem_slab *)((char *)p->slab + o);
		if (e->idx == key)
			return e;
		if (!e->idx)
			return NULL;
	}
}

static struct vmem_slab *slab_find(const struct vmem_policy *p, uint64_t idx)
{
	return slab_lookup(p, idx + 1);
}

/* Room for one more slab (load <= 1/2).  0, or -ENOMEM. */
static int slab_reserve(struct vmem_policy *p)
{
	size_t cap = p->slab_cap ? 2 * p->slab_cap : 64;
	struct vmem_slab *t, *old = p->slab;
	size_t oldcap = p->slab_cap;

	if (2 * (p->nslabs + 1) <= p->slab_cap)
		return 0;
	t = mem_alloc_array(p->base.mem, cap, sizeof(*t), 0);
	if (!t)
		return -ENOMEM;
	p->slab = t;
	p->slab_cap = cap;
	p->slab_mask = cap - 1;
	p->slab_omask = (cap - 1) * sizeof(*t);
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].idx)
			continue;
		size_t j = slab_home(p, old[i].idx);
		while (t[j].idx)
			j = (j + 1) & (cap - 1);
		t[j] = old[i];
	}
	if (oldcap)
		mem_free_array(p->base.mem, old, oldcap, sizeof(*old), 0);
	return 0;
}

/* Remove entry e (backward-shift deletion keeps probe chains whole). */
static void slab_erase(struct vmem_policy *p, struct vmem_slab *e)
{
	size_t mask = p->slab_cap - 1, i = (size_t)(e - p->slab), j = i;

	for (;;) {
		j = (j + 1) & mask;
		if (!p->slab[j].idx)
			break;
		size_t h = slab_home(p, p->slab[j].idx);
		/* move j back to i unless its home lies cyclically in (i, j] */
		if (((j - h) & mask) >= ((j - i) & mask)) {
			p->slab[i] = p->slab[j];
			i = j;
		}
	}
	p->slab[i] = (struct vmem_slab){ 0, 0 };
	p->nslabs--;
}

static inline uint64_t slab_start(const struct vmem_policy *p, uint64_t idx)
{
	return p->base.base + (idx << VMEM_SLAB_SHIFT) * p->base.quantum;
}

/*
 * Give slab e back to the arena, keeping its handed-out quanta allocated
 * there as single-quantum segments.  0, or -ENOMEM (nothing changed) when
 * the boundary tags cannot be reserved.
 */
static int slab_dissolve(struct vmem_policy *p, struct vmem_slab *e)
{
	struct vmem *vm = p->vm;
	uint64_t q = p->base.quantum, start = slab_start(p, e->idx - 1), used = e->used, a;

	/* each quantum carved out may split a free segment: two tags each */
	if (vmem_tags_reserve(vm, 2 * VMEM_SLAB_QUANTA + VMEM_TAGS_PER_OP))
		return -ENOMEM;
	vmem_xfree(vm, start, VMEM_SLAB_QUANTA * q);
	p->slab_xfrees++;
	p->nempty -= !used;
	p->slab_dissolved += (uint64_t)__builtin_popcountll(used);
	for (; used; used &= used - 1) {
		uint64_t at = start + (uint64_t)__builtin_ctzll(used) * q;
		BUG_ON(vmem_xalloc(vm, q, 0, 0, 0, at, at + q, 0, &a) || a != at);
	}
	slab_erase(p, e);
	return 0;
}

/* Dissolve every slab (before a request would fail).  True if any was. */
static bool slab_dissolve_all(struct vmem_policy *p)
{
	bool any = false;

	for (size_t i = 0; i < p->slab_cap && p->nslabs;) {
		if (p->slab[i].idx) {
			if (slab_dissolve(p, &p->slab[i]))
				return any;
			any = true;
			continue;	/* backward shift may have moved one into i */
		}
		i++;
	}
	return any;
}

/* Dissolve the slabs overlapping [addr, addr + size).  True if any was. */
static bool slab_dissolve_range(struct vmem_policy *p, uint64_t addr, uint64_t size)
{
	uint64_t q = p->base.quantum, lo, hi;
	bool any = false;

	if (!p->nslabs)
		return false;
	lo = ((addr - p->base.base) / q) >> VMEM_SLAB_SHIFT;
	hi = ((addr - p->base.base + size - 1) / q) >> VMEM_SLAB_SHIFT;
	if (hi - lo >= p->nslabs)
		return slab_dissolve_all(p);
	for (uint64_t i = lo; i <= hi; i++) {
		struct vmem_slab *e = slab_find(p, i);
		if (e && !slab_dissolve(p, e))
			any = true;
	}
	return any;
}

/* The hinted one-quantum path: 1 with *addrp = hint when served from a
 * slab, 0 when the arena must answer. */
static int slab_alloc(struct vmem_policy *p, uint64_t hint, uint64_t *addrp)
{
	uint64_t q = p->base.quantum, unit = (hint - p->base.base) / q;
	uint64_t idx = unit >> VMEM_SLAB_SHIFT, bit = 1ull << (unit & (VMEM_SLAB_QUANTA - 1));
	struct vmem_slab *e = slab_find(p, idx);
	uint64_t start = slab_start(p, idx), a;

	if (!e) {
		if (slab_reserve(p))
			return 0;
		if (vmem_xalloc(p->vm, VMEM_SLAB_QUANTA * q, 0, 0, 0, start,
				start + VMEM_SLAB_QUANTA * q, 0, &a))
			return 0;	/* not wholly free (or beyond the arena) */
		p->slab_xallocs++;
		size_t i = slab_home(p, idx + 1);
		while (p->slab[i].idx)
			i = (i + 1) & p->slab_mask;
		e = &p->slab[i];
		*e = (struct vmem_slab){ idx + 1, 0 };
		p->nslabs++;
	} else if (e->used & bit) {
		return 0;	/* taken: the arena picks another place */
	} else if (!e->used) {
		p->nempty--;
	}
	e->used |= bit;
	p->slab_allocs++;
	*addrp = hint;
	return 1;
}

/* 1 when addr was handed out from a slab (and is now freed), else 0. */
static int slab_free(struct vmem_policy *p, uint64_t addr)
{
	uint64_t q = p->base.quantum, unit = (addr - p->base.base) / q;
	struct vmem_slab *e = slab_find(p, unit >> VMEM_SLAB_SHIFT);
	uint64_t bit = 1ull << (unit & (VMEM_SLAB_QUANTA - 1));

	if (!e)
		return 0;
	BUG_ON(!(e->used & bit));	/* freeing what was not allocated */
	e->used &= ~bit;
	p->slab_frees++;
	if (!e->used) {
		if (2 * (p->nempty + 1) <= p->nslabs) {
			p->nempty++;	/* kept for the next hint there */
		} else {
			vmem_xfree(p->vm, slab_start(p, e->idx - 1),
				   VMEM_SLAB_QUANTA * q);
			p->slab_xfrees++;
			slab_erase(p, e);
		}
	}
	return 1;
}

static const char *const vmem_fit_names[] = { "instant", "best", "next", NULL };
static const int vmem_fit_flags[] = { VM_INSTANTFIT, VM_BESTFIT, VM_NEXTFIT };

#define VMEM_POLICY_SPECS(fit, qc)                                           \
	{                                                                    \
		{ "fit", ARG_CHOICE, (fit), 0, 0, vmem_fit_names,            \
		  "instant, best or next fit" },                             \
		{ "qcache", ARG_U64, (qc), 0, 64, NULL,                      \
		  "sizes up to N quanta served from quantum caches" },       \
	}

static void vmem_policy_describe(char *buf, size_t buflen)
{
	int fit = 0;
	uint64_t qc = 0;
	const struct arg_spec specs[] = VMEM_POLICY_SPECS(&fit, &qc);

	args_describe(specs, ARRAY_SIZE(specs), buf, buflen);
}

struct alloc *vmem_policy_new(const struct alloc_params *ap, int fit,
			      uint64_t qcache_max, char *err, size_t errlen)
{
	struct vmem_policy *p = mem_alloc(ap->mem, sizeof(*p), 0);
	uint64_t quantum = ap->quantum;

	if (!p) {
		snprintf(err, errlen, "alloc: out of memory");
		return NULL;
	}
	p->vm = vmem_create("alloc", ap->base, ap->size, quantum, NULL, NULL,
			    NULL, qcache_max, fit, ap->mem, err, errlen);
	if (!p->vm) {
		mem_free(ap->mem, p, sizeof(*p), 0);
		return NULL;
	}
	p->base.base = ap->base;
	p->base.size = ap->size;
	p->base.quantum = quantum;
	p->base.mem = ap->mem;
	p->slabs = fit != VM_FIRSTFIT && qcache_max < quantum;
	p->slab = vmem_slab_none;
	vmem_policy_set_fast(&p->base, true);
	return &p->base;
}

void vmem_policy_set_fast(struct alloc *a, bool on)
{
	struct vmem_policy *p = container_of(a, struct vmem_policy, base);

	/* vmem_create() keeps base + size <= UINT64_MAX: every unit below
	 * fast_span is a hint the slow path takes (hint + 1 does not wrap)
	 * and ALLOC_NOHINT is never below it */
	p->fast_span = on && p->slabs && a->quantum == 1 ? a->size : 0;
}

struct vmem *vmem_policy_arena(struct alloc *a)
{
	return container_of(a, struct vmem_policy, base)->vm;
}

static struct alloc *vmem_policy_create(const char *args,
					const struct alloc_params *ap,
					char *err, size_t errlen)
{
	int fit = 0;
	uint64_t qc = 0;
	const struct arg_spec specs[] = VMEM_POLICY_SPECS(&fit, &qc);

	if (args_parse("alloc vmem", args, specs, ARRAY_SIZE(specs), err, errlen))
		return NULL;
	return vmem_policy_new(ap, vmem_fit_flags[fit], qc * ap->quantum, err,
			       errlen);
}

void vmem_policy_destroy(struct alloc *a)
{
	struct vmem_policy *p = container_of(a, struct vmem_policy, base);

	vmem_destroy(p->vm);
	if (p->slab_cap)
		mem_free_array(a->mem, p->slab, p->slab_cap, sizeof(*p->slab), 0);
	mem_free(a->mem, p, sizeof(*p), 0);
}

/* Everything but the fast path's case (vmem_policy_alloc() below). */
static __attribute__((noinline)) int
policy_alloc_slow(struct vmem_policy *p, uint64_t size, uint64_t unit,
		  uint64_t *addrp)
{
	struct alloc *a = &p->base;
	uint64_t hint = a->base + unit;

	if (hint != ALLOC_NOHINT && hint % a->quantum == 0 &&
	    hint >= a->base && size <= UINT64_MAX - hint) {
		if (p->slabs && size == a->quantum && hint - a->base < a->size &&
		    slab_alloc(p, hint, addrp))
			return 0;
		if (vmem_qcache_take(p->vm, hint, size)) {
			*addrp = hint;
			return 0;
		}
		if (vmem_xalloc(p->vm, size, 0, 0, 0, hint, hint + size, 0,
				addrp) == 0)
			return 0;
		/* the range may be held only by the quantum caches or slabs */
		if ((vmem_qcache_flush_range(p->vm, hint, size) ||
		     (size > a->quantum && hint - a->base < a->size &&
		      slab_dissolve_range(p, hint, size))) &&
		    vmem_xalloc(p->vm, size, 0, 0, 0, hint, hint + size, 0,
				addrp) == 0)
			return 0;
	}
	if (vmem_alloc(p->vm, size, 0, addrp) == 0)
		return 0;
	if (slab_dissolve_all(p) && vmem_alloc(p->vm, size, 0, addrp) == 0)
		return 0;
	return -ENOMEM;
}

/* Engine context: under the engine lock, possibly in the SIGSEGV handler
 * (docs/ENGINE.md "Memory").  A one-quantum hint is served from its slab;
 * other hints are tried as an exact window first (O(1) from a finger or a
 * neighbouring allocated page, else one treap lookup).
 *
 * The fast path is the engines' common case, a free hinted quantum in a
 * slab that exists: one table probe and a bit set, without a call.  It
 * does exactly what slab_alloc() would; every other case goes to the slow
 * path, which decides as before. */
int vmem_policy_alloc(struct alloc *a, uint64_t size, uint64_t hint,
		      uint64_t *addrp)
{
	struct vmem_policy *p = container_of(a, struct vmem_policy, base);
	uint64_t unit = hint - a->base, used;
	struct vmem_slab *e;

	if (unit >= p->fast_span || size != 1)
		return policy_alloc_slow(p, size, unit, addrp);
	e = slab_lookup(p, slab_key(unit));
	if (!e)
		return policy_alloc_slow(p, 1, unit, addrp);
	used = e->used;
	if (used & 1ull << (unit & (VMEM_SLAB_QUANTA - 1)))
		return policy_alloc_slow(p, 1, unit, addrp);
	if (__builtin_expect(!used, 0))
		p->nempty--;
	e->used = used | 1ull << (unit & (VMEM_SLAB_QUANTA - 1));
	p->slab_allocs++;
	*addrp = a->base + unit;
	return 0;
}

static __attribute__((noinline)) void
policy_free_slow(struct vmem_policy *p, uint64_t addr, uint64_t size)
{
	struct alloc *a = &p->base;

	if (p->nslabs && size == a->quantum && addr >= a->base &&
	    slab_free(p, addr))
		return;
	vmem_free(p->vm, addr, size);
}

/* Engine context as alloc().  Fast path: a quantum of a slab that keeps
 * other quanta handed out is a bit clear; a slab becoming empty (kept or
 * given back) and everything else take the slow path. */
void vmem_policy_free(struct alloc *a, uint64_t addr, uint64_t size)
{
	struct vmem_policy *p = container_of(a, struct vmem_policy, base);
	uint64_t unit = addr - a->base, used;
	struct vmem_slab *e;
	unsigned b = unit & (VMEM_SLAB_QUANTA - 1);

	if (unit >= p->fast_span || size != 1)
		goto slow;
	e = slab_lookup(p, slab_key(unit));
	if (!e || !((used = e->used) >> b & 1))
		goto slow;
	used &= ~(1ull << b);
	if (__builtin_expect(!used, 0)) {
		/* the slab empties: kept, as slab_free() decides */
		if (2 * (p->nempty + 1) > p->nslabs)
			goto slow;
		p->nempty++;
	}
	e->used = used;
	p->slab_frees++;
	return;
slow:
	policy_free_slow(p, addr, size);
}

/* The hint (any context): the slab-table slot a one-quantum alloc at hint
 * addr or a free of addr probes first. */
static void vmem_policy_hint(const struct alloc *a, uint64_t addr)
{
	const struct vmem_policy *p = container_of(a, const struct vmem_policy, base);
	uint64_t unit = addr - a->base;

	if (unit < p->fast_span)
		__builtin_prefetch((const char *)p->slab +
				   slab_home_bytes(p, slab_key(unit)), 1);
}

void vmem_policy_stats(const struct alloc *a, struct alloc_stats *st)
{
	const struct vmem_policy *p = container_of(a, struct vmem_policy, base);
	struct vmem_stats vs;

	vmem_stats(p->vm, &vs);
	st->in_use = vs.in_use - vs.qcached -
		     p->nslabs * VMEM_SLAB_QUANTA * a->quantum +
		     (p->slab_allocs - p->slab_frees - p->slab_dissolved) *
		     a->quantum;
	st->total = vs.total;
	st->imported = vs.imported;
	/* a dissolved slab's quanta were counted when handed out */
	st->allocs = vs.allocs - p->slab_xallocs - p->slab_dissolved +
		     p->slab_allocs;
	st->frees = vs.frees - p->slab_xfrees + p->slab_frees;
	st->segments = vs.segments;
}

const struct alloc_ops alloc_vmem = {
	.name = "vmem",
	.help = "vmem arena (Bonwick & Adams 2001): instant/best/next fit, hint = exact address",
	.describe_args = vmem_policy_describe,
	.create = vmem_policy_create,
	.destroy = vmem_policy_destroy,
	.alloc = vmem_policy_alloc,
	.release = vmem_policy_free,
	.hint = vmem_policy_hint,
	.stats = vmem_policy_stats,
};

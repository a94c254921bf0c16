/*
 * policies/alloc/vmem.c — vmem resource arenas, after Bonwick & Adams,
 * "Magazines and Vmem: Extending the Slab Allocator to Many CPUs and
 * Arbitrary Resources" (USENIX 2001), its vmem half (policies/vmem.h).
 *
 * The idea (from the paper): an arena hands out integer ranges.  Each
 * segment, free or allocated, has a boundary tag; all tags of an arena are
 * kept in one doubly linked list in address order, each span's marker in
 * front of the segments that tile it:
 *
 *   sentinel -> [SPAN 0..100) -> [ALLOC 0..8) -> [FREE 8..40) -> [ALLOC 40..100)
 *            -> [SPAN 200..300, imported) -> [FREE 200..300) -> sentinel
 *
 * Free segments sit on freelist[i] for sizes in [2^i, 2^(i+1)); a bitmap
 * says which lists are non-empty.  Instant fit rounds the request up to the
 * next power of two 2^k and takes the head of the first non-empty list >= k:
 * every segment there is large enough, so one segment is looked at.  Best
 * fit searches from list floor(log2 size) upward and stops at the first
 * list holding any fit.  Next fit walks free segments in address order from
 * a rotor left behind the previous allocation, wrapping around.
 *
 * Allocated segments are found again by vmem_free() through a hash table on
 * the start address (O(1)).  Freeing coalesces with free neighbours inside
 * the same span (span markers separate spans, so coalescing never crosses
 * them); an imported span that becomes wholly free goes back to its source.
 *
 * Every operation reserves the boundary tags it can need (2 to split a
 * segment, 2 more to import a span) before it changes anything, from a pool
 * refilled in chunks, so running out of memory never leaves a half-done
 * operation.  Memory comes from the memory source the arena was created
 * with (common/mem.h); tests make a chosen allocation fail through it.
 *
 * Quantum caches (the paper's quantum caching): vmem_alloc() of sizes up to
 * qcache_max first pops a per-size stack of recently freed segments;
 * vmem_free() pushes onto it while there is room.  Cached segments stay
 * allocated in the arena.
 *
 * pagelab's additions live in vmem_index.c: free segments are also kept in
 * an address-ordered treap, so that a request bounded to an address window
 * (the allocator hint of policies/alloc.h is the tightest, an exact
 * address) and VM_FIRSTFIT walk free segments in address order, and
 * fingers answer an exact-address request in O(1); an exact window next to
 * an allocated segment is answered here from the boundary tags.
 */
#include "policies/alloc/vmem_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/bug.h"
#include "common/mem.h"

/* A request, with defaults filled in. */
struct vmem_req {
	uint64_t size, align, phase, nocross, minaddr, maxaddr;
};

/* ---- boundary tag pool ---- */

int vmem_tags_reserve(struct vmem *vm, size_t n)
{
	while (vm->ntag_free < n) {
		struct vmem_tag_chunk *c = mem_alloc(vm->mem, sizeof(*c), 0);
		if (!c)
			return -ENOMEM;
		c->next = vm->chunks;
		vm->chunks = c;
		for (size_t i = 0; i < VMEM_TAG_CHUNK; i++) {
			c->tags[i].anext = vm->tag_free;
			vm->tag_free = &c->tags[i];
		}
		vm->ntag_free += VMEM_TAG_CHUNK;
	}
	return 0;
}

static struct vmem_seg *tag_get(struct vmem *vm)
{
	struct vmem_seg *s = vm->tag_free;

	BUG_ON(!s);	/* callers reserve first */
	vm->tag_free = s->anext;
	vm->ntag_free--;
	memset(s, 0, sizeof(*s));
	return s;
}

static void tag_put(struct vmem *vm, struct vmem_seg *s)
{
	s->type = SEG_SENTINEL;
	s->anext = vm->tag_free;
	vm->tag_free = s;
	vm->ntag_free++;
}

/* ---- address list ---- */

static void alist_insert_after(struct vmem_seg *s, struct vmem_seg *prev)
{
	s->aprev = prev;
	s->anext = prev->anext;
	prev->anext->aprev = s;
	prev->anext = s;
}

static void alist_remove(struct vmem_seg *s)
{
	s->aprev->anext = s->anext;
	s->anext->aprev = s->aprev;
}

/* ---- freelists ---- */

static inline unsigned flist_idx(uint64_t size)
{
	return 63u - (unsigned)__builtin_clzll(size);
}

static void flist_insert(struct vmem *vm, struct vmem_seg *s)
{
	unsigned i = flist_idx(s->size);

	s->fprev = NULL;
	s->fnext = vm->freelist[i];
	if (s->fnext)
		s->fnext->fprev = s;
	vm->freelist[i] = s;
	vm->freemap |= 1ull << i;
}

static void flist_remove(struct vmem *vm, struct vmem_seg *s)
{
	unsigned i = flist_idx(s->size);

	if (s->fprev)
		s->fprev->fnext = s->fnext;
	else
		vm->freelist[i] = s->fnext;
	if (s->fnext)
		s->fnext->fprev = s->fprev;
	if (!vm->freelist[i])
		vm->freemap &= ~(1ull << i);
}

/* ---- free segments: on their freelist and in the index ---- */

static void free_insert(struct vmem *vm, struct vmem_seg *s)
{
	s->type = SEG_FREE;
	vmem_treap_insert(vm, s);
	flist_insert(vm, s);
	vm->st.nfree++;
}

/* Like free_insert() for s right after free segment pred in address order
 * (pred's end <= s's start, nothing free between them). */
static void free_insert_after(struct vmem *vm, struct vmem_seg *s,
			      struct vmem_seg *pred)
{
	s->type = SEG_FREE;
	vmem_treap_insert_after(vm, s, pred);
	flist_insert(vm, s);
	vm->st.nfree++;
}

static void free_remove(struct vmem *vm, struct vmem_seg *s)
{
	vmem_treap_remove(vm, s);
	flist_remove(vm, s);
	vm->st.nfree--;
}

/* ---- hash of allocated segments ---- */

static void hash_grow(struct vmem *vm)
{
	unsigned shift = vm->hash_shift + 1;
	size_t n = (size_t)1 << shift;
	struct vmem_seg **h = mem_alloc_array(vm->mem, n, sizeof(*h), 0);

	if (!h)
		return;	/* keep the smaller table: slower, still correct */
	for (size_t i = 0; i < ((size_t)1 << vm->hash_shift); i++) {
		struct vmem_seg *s = vm->hash[i], *next;
		for (; s; s = next) {
			size_t j = vmem_hash_idx(shift, s->start);
			next = s->fnext;
			s->fnext = h[j];
			h[j] = s;
		}
	}
	mem_free_array(vm->mem, vm->hash, (size_t)1 << vm->hash_shift, sizeof(*h), 0);
	vm->hash = h;
	vm->hash_shift = shift;
	vmem_finger_resize(vm, shift);
}

static void hash_insert(struct vmem *vm, struct vmem_seg *s)
{
	size_t i = vmem_hash_idx(vm->hash_shift, s->start);

	s->type = SEG_ALLOC;
	s->fnext = vm->hash[i];
	vm->hash[i] = s;
	vm->st.nalloc++;
	vm->st.in_use += s->size;
	if (vm->st.nalloc > ((uint64_t)1 << vm->hash_shift) && vm->hash_shift < 40)
		hash_grow(vm);
}

static struct vmem_seg *hash_find(const struct vmem *vm, uint64_t addr)
{
	struct vmem_seg *h = vm->hash[vmem_hash_idx(vm->hash_shift, addr)];

	while (h && h->start != addr)
		h = h->fnext;
	return h;
}

static struct vmem_seg *hash_remove(struct vmem *vm, uint64_t addr)
{
	struct vmem_seg **pp = &vm->hash[vmem_hash_idx(vm->hash_shift, addr)];

	for (; *pp; pp = &(*pp)->fnext) {
		struct vmem_seg *s = *pp;
		if (s->start == addr) {
			*pp = s->fnext;
			vm->st.nalloc--;
			vm->st.in_use -= s->size;
			return s;
		}
	}
	return NULL;
}

/* ---- spans ---- */

/* Add [base, base+size) as a span with one free segment; two tags must be
 * reserved.  -EINVAL if it overlaps a span. */
static int span_add(struct vmem *vm, uint64_t base, uint64_t size, int imported)
{
	struct vmem_seg *next, *sp, *s;

	for (next = vm->span_head.fnext; next != &vm->span_head; next = next->fnext)
		if (next->start >= base)
			break;
	if (next != &vm->span_head && next->start < base + size)
		return -EINVAL;
	if (next->fprev != &vm->span_head &&
	    next->fprev->start + next->fprev->size > base)
		return -EINVAL;
	sp = tag_get(vm);
	sp->type = SEG_SPAN;
	sp->start = base;
	sp->size = size;
	sp->imported = (uint8_t)imported;
	/* span list */
	sp->fnext = next;
	sp->fprev = next->fprev;
	next->fprev->fnext = sp;
	next->fprev = sp;
	/* address list: in front of the next span's marker */
	alist_insert_after(sp, next == &vm->span_head ? vm->head.aprev : next->aprev);
	s = tag_get(vm);
	s->start = base;
	s->size = size;
	alist_insert_after(s, sp);
	free_insert(vm, s);
	vm->st.total += size;
	if (imported) {
		vm->st.imported += size;
		vm->st.imports++;
	}
	return 0;
}

/* Give a wholly free imported span back to its source.  s is free. */
static void span_release_if_free(struct vmem *vm, struct vmem_seg *s)
{
	struct vmem_seg *sp = s->aprev;

	if (sp->type != SEG_SPAN || !sp->imported || sp->start != s->start ||
	    sp->size != s->size)
		return;
	free_remove(vm, s);
	alist_remove(s);
	alist_remove(sp);
	sp->fprev->fnext = sp->fnext;
	sp->fnext->fprev = sp->fprev;
	vm->st.total -= sp->size;
	vm->st.imported -= sp->size;
	vm->st.releases++;
	vm->ffunc(vm->source, sp->start, sp->size);
	tag_put(vm, s);
	tag_put(vm, sp);
}

int vmem_add(struct vmem *vm, uint64_t base, uint64_t size)
{
	int r;

	if (size == 0 || base % vm->quantum || size % vm->quantum ||
	    size > UINT64_MAX - base)
		return -EINVAL;
	r = vmem_tags_reserve(vm, 2);
	if (r)
		return r;
	return span_add(vm, base, size, 0);
}

/* ---- fitting ---- */

/* The first address >= x that is phase modulo align (a power of two). */
static inline uint64_t phase_up(uint64_t x, uint64_t align, uint64_t phase)
{
	return phase - ((phase - x) & -align);
}

/* Where r fits in free segment s, if it does. */
static bool seg_fit(const struct vmem_seg *s, const struct vmem_req *r,
		    uint64_t *addrp)
{
	uint64_t lo = s->start, hi = s->start + s->size, a;

	if (lo < r->minaddr)
		lo = r->minaddr;
	if (hi > r->maxaddr)
		hi = r->maxaddr;
	if (lo >= hi || hi - lo < r->size)
		return false;
	a = phase_up(lo, r->align, r->phase);
	if (a < lo)
		return false;
	if (r->nocross && ((a ^ (a + r->size - 1)) & -r->nocross)) {
		uint64_t b = (a | (r->nocross - 1)) + 1;	/* next boundary */
		if (b == 0)
			return false;
		a = phase_up(b, r->align, r->phase);
		if (a < b || ((a ^ (a + r->size - 1)) & -r->nocross))
			return false;
	}
	if (a > hi || hi - a < r->size)
		return false;
	*addrp = a;
	return true;
}

/* The search state of first and best fit. */
struct vmem_pick {
	struct vmem_seg *seg;
	uint64_t addr;
};

/* Count a visit to free segment s; true when the search is over: first
 * fit found a fit, or best fit found one of exactly the size asked (none
 * can be smaller).  Otherwise best fit keeps the smallest fit, the lowest
 * address on ties. */
static bool pick_consider(struct vmem *vm, struct vmem_seg *s,
			  const struct vmem_req *r, int fit, struct vmem_pick *pk)
{
	uint64_t a;

	vm->st.segments++;
	if (!seg_fit(s, r, &a))
		return false;
	if (!pk->seg || s->size < pk->seg->size ||
	    (s->size == pk->seg->size && s->start < pk->seg->start)) {
		pk->seg = s;
		pk->addr = a;
	}
	return fit != VM_BESTFIT || s->size == r->size;
}

/*
 * An exact window [minaddr, maxaddr) next to an allocated segment: the
 * boundary tags answer in O(1), whether the window is free or not (the
 * engines fill files page by page, so a hint usually has an allocated
 * neighbour).  Sets *known when it could tell; returns the free segment
 * holding the window or NULL.
 */
static struct vmem_seg *exact_by_neighbour(const struct vmem *vm,
					   const struct vmem_req *r, bool *known)
{
	struct vmem_seg *n = hash_find(vm, r->maxaddr), *p, *s;

	*known = true;
	if (n && n->aprev->type != SEG_SPAN) {
		s = n->aprev;	/* the segment ending at maxaddr */
		return s->type == SEG_FREE && s->start <= r->minaddr ? s : NULL;
	}
	if (r->minaddr >= vm->quantum &&
	    (p = hash_find(vm, r->minaddr - vm->quantum)) &&
	    p->size == vm->quantum && p->anext->type != SEG_SPAN &&
	    p->anext->type != SEG_SENTINEL) {
		s = p->anext;	/* the segment starting at minaddr */
		return s->type == SEG_FREE && s->start + s->size >= r->maxaddr ?
		       s : NULL;
	}
	*known = false;
	return NULL;
}

/* Bounded window: walk the free segments overlapping it in address order. */
static struct vmem_seg *fit_window(struct vmem *vm, const struct vmem_req *r,
				   int fit, uint64_t *addrp)
{
	struct vmem_seg *s;
	struct vmem_pick pk = { NULL, 0 };
	bool known;

	if (r->maxaddr - r->minaddr == r->size) {
		s = vmem_finger_find(vm, r->minaddr);
		if (s) {
			/* the only segment that can hold the window */
			if (s->type == SEG_FREE)
				pick_consider(vm, s, r, fit, &pk);
			*addrp = pk.addr;
			return pk.seg;
		}
		s = exact_by_neighbour(vm, r, &known);
		if (known) {
			if (s)
				pick_consider(vm, s, r, fit, &pk);
			*addrp = pk.addr;
			return pk.seg;
		}
	}
	s = vmem_treap_floor(vm, r->minaddr);
	if (!s || s->start + s->size <= r->minaddr)
		s = vmem_treap_ceil(vm, r->minaddr);
	for (; s && s->start < r->maxaddr; s = vmem_free_next(s))
		if (pick_consider(vm, s, r, fit, &pk))
			break;
	*addrp = pk.addr;
	return pk.seg;
}

/* Scan freelists [from, to): first fit, or best fit stopping at the first
 * list holding a fit (every later list holds only larger segments). */
static struct vmem_seg *fit_scan(struct vmem *vm, const struct vmem_req *r,
				 int fit, unsigned from, unsigned to,
				 uint64_t *addrp)
{
	struct vmem_pick pk = { NULL, 0 };

	for (unsigned i = from; i < to && !pk.seg; i++) {
		if (!(vm->freemap & (1ull << i)))
			continue;
		for (struct vmem_seg *s = vm->freelist[i]; s; s = s->fnext)
			if (pick_consider(vm, s, r, fit, &pk))
				break;
	}
	*addrp = pk.addr;
	return pk.seg;
}

static struct vmem_seg *fit_instant(struct vmem *vm, const struct vmem_req *r,
				    uint64_t *addrp)
{
	uint64_t need = r->size + (r->align > 1 ? r->align - vm->quantum : 0);
	unsigned lo = flist_idx(r->size), k;
	uint64_t m;

	if (need < r->size)
		return NULL;
	/* smallest k with 2^k >= need */
	k = (need & (need - 1)) ? flist_idx(need) + 1 : flist_idx(need);
	if (!r->nocross && k < 64) {
		m = vm->freemap & ~((1ull << k) - 1);
		if (m) {
			struct vmem_seg *s = vm->freelist[__builtin_ctzll(m)];
			vm->st.segments++;
			if (seg_fit(s, r, addrp))
				return s;
			BUG_ON(1);	/* the size class guarantees a fit */
		}
		/* only the lists below k can still hold a fit */
		return fit_scan(vm, r, VM_INSTANTFIT, lo, k, addrp);
	}
	return fit_scan(vm, r, VM_INSTANTFIT, lo, 64, addrp);
}

static struct vmem_seg *fit_next(struct vmem *vm, const struct vmem_req *r,
				 uint64_t *addrp)
{
	struct vmem_seg *first = vmem_treap_floor(vm, vm->rotor), *s;
	struct vmem_req rr = *r;

	if (!first || first->start + first->size <= vm->rotor)
		first = vmem_treap_ceil(vm, vm->rotor);
	if (!first)
		first = vmem_treap_ceil(vm, 0);
	if (!first)
		return NULL;
	/* the segment holding the rotor: only the part after it, for now */
	if (rr.minaddr < vm->rotor)
		rr.minaddr = vm->rotor;
	vm->st.segments++;
	if (seg_fit(first, &rr, addrp))
		return first;
	for (s = vmem_free_next(first);; s = vmem_free_next(s)) {
		if (!s)
			s = vmem_treap_ceil(vm, 0);	/* wrap around */
		vm->st.segments++;
		if (seg_fit(s, r, addrp))
			return s;
		if (s == first)
			return NULL;
	}
}

static struct vmem_seg *fit_find(struct vmem *vm, const struct vmem_req *r,
				 int fit, uint64_t *addrp)
{
	if (r->minaddr > 0 || r->maxaddr < UINT64_MAX)
		return fit_window(vm, r, fit, addrp);
	if (fit == VM_FIRSTFIT)
		return fit_window(vm, r, fit, addrp);
	if (fit == VM_NEXTFIT)
		return fit_next(vm, r, addrp);
	if (fit == VM_BESTFIT)
		return fit_scan(vm, r, VM_BESTFIT, flist_idx(r->size), 64, addrp);
	return fit_instant(vm, r, addrp);
}

/* Allocate [addr, addr+size) out of free segment f.  Two tags reserved. */
static struct vmem_seg *seg_carve(struct vmem *vm, struct vmem_seg *f,
				  uint64_t addr, uint64_t size)
{
	uint64_t fend = f->start + f->size, aend = addr + size;
	struct vmem_seg *a;

	if (addr == f->start && aend == fend) {
		free_remove(vm, f);
		a = f;
	} else {
		a = tag_get(vm);
		a->type = SEG_ALLOC;
		a->start = addr;
		a->size = size;
		flist_remove(vm, f);
		if (addr > f->start) {
			/* f stays as the left part */
			f->size = addr - f->start;
			flist_insert(vm, f);
			alist_insert_after(a, f);
			if (aend < fend) {
				struct vmem_seg *rt = tag_get(vm);
				rt->start = aend;
				rt->size = fend - aend;
				alist_insert_after(rt, a);
				free_insert_after(vm, rt, f);
			}
		} else {
			/* f becomes the right part: its key moves up in place,
			 * still between the same neighbours */
			f->start = aend;
			f->size = fend - aend;
			flist_insert(vm, f);
			alist_insert_after(a, f->aprev);
		}
	}
	hash_insert(vm, a);
	return a;
}

/* ---- public allocation API ---- */

static int fit_of(const struct vmem *vm, int vmflag)
{
	int f = vmflag & VM_FITMASK;

	return f == VM_BESTFIT || f == VM_NEXTFIT || f == VM_INSTANTFIT ||
	       f == VM_FIRSTFIT ? f : vm->fit;
}

static bool qcache_reap(struct vmem *vm);

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int vmem_import(struct vmem *vm, const struct vmem_req *r, int fit,
		       struct vmem_seg **segp, uint64_t *addrp)
{
	uint64_t isz = r->size + (r->align > 1 ? r->align - vm->quantum : 0);
	uint64_t sq = vm->source ? vmem_quantum(vm->source) : vm->quantum;
	uint64_t base;
	struct vmem_seg *s;
	int ret;

	if (!vm->afunc || isz < r->size)
		return -ENOMEM;
	/* nocross: a larger span makes a boundary-free place likelier; the
	 * retry below tells whether it worked */
	if (r->nocross && isz < r->nocross)
		isz = isz * 2 < r->nocross ? isz * 2 : r->nocross;
	if (isz % sq) {
		if (isz > UINT64_MAX - sq)
			return -ENOMEM;
		isz += sq - isz % sq;
	}
	ret = vm->afunc(vm->source, isz, 0, &base);
	if (ret)
		return ret;
	if (base % vm->quantum || span_add(vm, base, isz, 1)) {
		vm->ffunc(vm->source, base, isz);
		return -ENOMEM;
	}
	s = fit_find(vm, r, fit, addrp);
	if (s) {
		*segp = s;
		return 0;
	}
	/* constraints the new span cannot meet: give it back */
	span_release_if_free(vm, vmem_treap_floor(vm, base));
	return -ENOMEM;
}

int vmem_xalloc(struct vmem *vm, uint64_t size, uint64_t align, uint64_t phase,
		uint64_t nocross, uint64_t minaddr, uint64_t maxaddr, int vmflag,
		uint64_t *addrp)
{
	struct vmem_req r;
	struct vmem_seg *s;
	uint64_t addr;
	int fit = fit_of(vm, vmflag), ret;

	if (size == 0 || size % vm->quantum)
		return -EINVAL;
	if (align && (!is_pow2(align) || align % vm->quantum))
		return -EINVAL;
	if (phase >= (align ? align : vm->quantum) || phase % vm->quantum)
		return -EINVAL;
	if (nocross && (!is_pow2(nocross) || nocross < size))
		return -EINVAL;
	r.size = size;
	r.align = align ? align : 1;
	r.phase = phase;
	r.nocross = nocross;
	r.minaddr = minaddr;
	r.maxaddr = maxaddr ? maxaddr : UINT64_MAX;
	if (r.maxaddr <= r.minaddr || r.maxaddr - r.minaddr < size)
		return -EINVAL;
	ret = vmem_tags_reserve(vm, VMEM_TAGS_PER_OP);
	if (ret)
		return ret;
	s = fit_find(vm, &r, fit, &addr);
	if (!s && vmem_import(vm, &r, fit, &s, &addr)) {
		if (!qcache_reap(vm))
			return -ENOMEM;
		s = fit_find(vm, &r, fit, &addr);
		if (!s && vmem_import(vm, &r, fit, &s, &addr))
			return -ENOMEM;
	}
	vmem_finger_set(vm, addr, seg_carve(vm, s, addr, size));
	if (fit == VM_NEXTFIT)
		vm->rotor = addr + size;
	vm->st.allocs++;
	*addrp = addr;
	return 0;
}

void vmem_xfree(struct vmem *vm, uint64_t addr, uint64_t size)
{
	struct vmem_seg *a = hash_remove(vm, addr), *p, *n;

	BUG_ON(!a || a->size != size);	/* freeing what was not allocated */
	vm->st.frees++;
	p = a->aprev;
	n = a->anext;
	if (p->type == SEG_FREE) {
		flist_remove(vm, p);
		p->size += a->size;
		alist_remove(a);
		tag_put(vm, a);
		a = p;
		if (n->type == SEG_FREE) {
			free_remove(vm, n);
			a->size += n->size;
			alist_remove(n);
			tag_put(vm, n);
		}
		flist_insert(vm, a);
	} else if (n->type == SEG_FREE) {
		/* n's key moves down in place, still above p's segment */
		flist_remove(vm, n);
		n->start = a->start;
		n->size += a->size;
		alist_remove(a);
		tag_put(vm, a);
		a = n;
		flist_insert(vm, a);
	} else {
		free_insert(vm, a);
	}
	vmem_finger_set(vm, addr, a);
	span_release_if_free(vm, a);
}

int vmem_alloc(struct vmem *vm, uint64_t size, int vmflag, uint64_t *addrp)
{
	if (size && size <= vm->qcache_max && size % vm->quantum == 0) {
		struct vmem_qcache *qc = &vm->qcache[size / vm->quantum - 1];
		if (qc->n) {
			*addrp = qc->addr[--qc->n];
			vm->st.qcached -= size;
			vm->st.allocs++;
			return 0;
		}
	}
	return vmem_xalloc(vm, size, 0, 0, 0, 0, 0, vmflag, addrp);
}

void vmem_free(struct vmem *vm, uint64_t addr, uint64_t size)
{
	if (size && size <= vm->qcache_max && size % vm->quantum == 0) {
		struct vmem_qcache *qc = &vm->qcache[size / vm->quantum - 1];
		if (qc->n < VMEM_QCACHE_DEPTH) {
			qc->addr[qc->n++] = addr;
			vm->st.qcached += size;
			vm->st.frees++;
			return;
		}
	}
	vmem_xfree(vm, addr, size);
}

/* Give every cached segment back to the arena.  Called before an
 * allocation fails, so that cached segments never cause -ENOMEM. */
static bool qcache_reap(struct vmem *vm)
{
	bool any = false;

	for (size_t i = 0; i < vm->nqcache; i++) {
		struct vmem_qcache *qc = &vm->qcache[i];
		while (qc->n) {
			vm->st.qcached -= (i + 1) * vm->quantum;
			vm->st.frees--;	/* counted when it entered the cache */
			vmem_xfree(vm, qc->addr[--qc->n], (i + 1) * vm->quantum);
			any = true;
		}
	}
	return any;
}

/* Remove cached segment [addr, addr+size) from its cache; false if absent. */
static bool qcache_remove(struct vmem *vm, uint64_t addr, uint64_t size)
{
	struct vmem_qcache *qc;

	if (!size || size > vm->qcache_max || size % vm->quantum)
		return false;
	qc = &vm->qcache[size / vm->quantum - 1];
	for (unsigned i = 0; i < qc->n; i++) {
		if (qc->addr[i] == addr) {
			qc->addr[i] = qc->addr[--qc->n];
			vm->st.qcached -= size;
			return true;
		}
	}
	return false;
}

/* Give back to the arena the cached segments overlapping [addr, addr+size):
 * candidates start less than qcache_max before addr, and the hash finds
 * them by start.  True if any was given back. */
bool vmem_qcache_flush_range(struct vmem *vm, uint64_t addr, uint64_t size)
{
	uint64_t from = addr >= vm->qcache_max ? addr - vm->qcache_max + vm->quantum : 0;
	bool any = false;

	if (!vm->st.qcached)
		return false;
	for (uint64_t s = from; s < addr + size; s += vm->quantum) {
		struct vmem_seg *h = hash_find(vm, s);

		if (h && h->start + h->size > addr && qcache_remove(vm, s, h->size)) {
			vm->st.frees--;
			vmem_xfree(vm, s, h->size);
			any = true;
		}
	}
	return any;
}

/* Take [addr, addr+size) out of the quantum cache if it sits there. */
bool vmem_qcache_take(struct vmem *vm, uint64_t addr, uint64_t size)
{
	if (!qcache_remove(vm, addr, size))
		return false;
	vm->st.allocs++;
	return true;
}

/* ---- create, destroy, introspection ---- */

static int vmem_afunc_default(struct vmem *src, uint64_t size, int vmflag,
			      uint64_t *addrp)
{
	return vmem_alloc(src, size, vmflag, addrp);
}

static void vmem_ffunc_default(struct vmem *src, uint64_t addr, uint64_t size)
{
	vmem_free(src, addr, size);
}

struct vmem *vmem_create(const char *name, uint64_t base, uint64_t size,
			 uint64_t quantum, vmem_afunc_t *afunc,
			 vmem_ffunc_t *ffunc, struct vmem *source,
			 uint64_t qcache_max, int fit, const struct mem_source *mem,
			 char *err, size_t errlen)
{
	struct vmem *vm;

	if (quantum == 0 || base % quantum || size % quantum ||
	    size > UINT64_MAX - base) {
		snprintf(err, errlen,
			 "vmem %s: span [%llu, +%llu) not a multiple of quantum %llu",
			 name, (unsigned long long)base, (unsigned long long)size,
			 (unsigned long long)quantum);
		return NULL;
	}
	if (fit != VM_INSTANTFIT && fit != VM_BESTFIT && fit != VM_NEXTFIT &&
	    fit != VM_FIRSTFIT) {
		snprintf(err, errlen, "vmem %s: fit must be instant, best, next or first",
			 name);
		return NULL;
	}
	if (source && vmem_quantum(source) % quantum) {
		snprintf(err, errlen,
			 "vmem %s: source %s quantum %llu not a multiple of %llu",
			 name, vmem_name(source),
			 (unsigned long long)vmem_quantum(source),
			 (unsigned long long)quantum);
		return NULL;
	}
	if (qcache_max / quantum > 1024) {
		snprintf(err, errlen, "vmem %s: qcache_max above 1024 quanta", name);
		return NULL;
	}
	vm = mem_alloc(mem, sizeof(*vm), 0);
	if (!vm)
		goto nomem;
	vm->mem = mem;
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->quantum = quantum;
	vm->fit = fit;
	vm->head.type = SEG_SENTINEL;
	vm->head.anext = vm->head.aprev = &vm->head;
	vm->span_head.type = SEG_SENTINEL;
	vm->span_head.fnext = vm->span_head.fprev = &vm->span_head;
	vm->source = source;
	vm->afunc = afunc ? afunc : source ? vmem_afunc_default : NULL;
	vm->ffunc = ffunc ? ffunc : source ? vmem_ffunc_default : NULL;
	vm->prio_state = 0x853c49e6748fea9bull ^ (uintptr_t)vm;
	if (!vm->prio_state)
		vm->prio_state = 1;
	vm->hash_shift = VMEM_HASH_MIN_SHIFT;
	vm->hash = mem_alloc_array(mem, (size_t)1 << vm->hash_shift,
				   sizeof(*vm->hash), 0);
	vm->grain_shift = (63u - (unsigned)__builtin_clzll(quantum)) + VMEM_FINGER_GRAIN;
	vm->finger = mem_alloc_array(mem, (size_t)1 << vm->hash_shift,
				     sizeof(*vm->finger), 0);
	vm->finger_shift = vm->hash_shift;
	vm->qcache_max = qcache_max - qcache_max % quantum;
	vm->nqcache = vm->qcache_max / quantum;
	if (vm->nqcache)
		vm->qcache = mem_alloc_array(mem, vm->nqcache, sizeof(*vm->qcache), 0);
	if (!vm->hash || !vm->finger || (vm->nqcache && !vm->qcache) ||
	    vmem_tags_reserve(vm, 2))
		goto nomem;
	if (size && span_add(vm, base, size, 0))
		BUG();	/* first span of an empty arena */
	return vm;
nomem:
	vmem_destroy(vm);
	snprintf(err, errlen, "vmem %s: out of memory", name);
	return NULL;
}

void vmem_destroy(struct vmem *vm)
{
	struct vmem_tag_chunk *c, *next;

	if (!vm)
		return;
	if (vm->qcache) {
		for (size_t i = 0; i < vm->nqcache; i++)
			while (vm->qcache[i].n)
				vmem_xfree(vm, vm->qcache[i].addr[--vm->qcache[i].n],
					   (i + 1) * vm->quantum);
	}
	if (vm->span_head.fnext) {
		for (struct vmem_seg *sp = vm->span_head.fnext;
		     sp != &vm->span_head; sp = sp->fnext)
			if (sp->imported)
				vm->ffunc(vm->source, sp->start, sp->size);
	}
	for (c = vm->chunks; c; c = next) {
		next = c->next;
		mem_free(vm->mem, c, sizeof(*c), 0);
	}
	mem_free_array(vm->mem, vm->qcache, vm->nqcache, sizeof(*vm->qcache), 0);
	mem_free_array(vm->mem, vm->hash, (size_t)1 << vm->hash_shift,
		       sizeof(*vm->hash), 0);
	mem_free_array(vm->mem, vm->finger, (size_t)1 << vm->finger_shift,
		       sizeof(*vm->finger), 0);
	mem_free(vm->mem, vm, sizeof(*vm), 0);
}

void vmem_stats(const struct vmem *vm, struct vmem_stats *st)
{
	*st = vm->st;
}

const char *vmem_name(const struct vmem *vm)
{
	return vm->name;
}

uint64_t vmem_quantum(const struct vmem *vm)
{
	return vm->quantum;
}

void vmem_walk(const struct vmem *vm,
	       void (*fn)(void *arg, enum vmem_seg_type type, uint64_t start,
			  uint64_t size, int imported),
	       void *arg)
{
	for (const struct vmem_seg *s = vm->head.anext; s != &vm->head;
	     s = s->anext)
		fn(arg, (enum vmem_seg_type)s->type, s->start, s->size,
		   s->imported);
}

/* In-order treap walk: sorted, heap-ordered, parent links right, only
 * free segments. */
#define CHECK_FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int vmem_check(const struct vmem *vm, char *err, size_t errlen)
{
	const struct vmem_seg *s, *sp = NULL, *prev_span = NULL;
	uint64_t next_addr = 0, total = 0, imported = 0, in_use = 0;
	uint64_t nfree = 0, nalloc = 0, nfl = 0, nhash = 0, ntreap = 0, ncached = 0;
	uint64_t qcached = 0;
	const struct vmem_seg *span_it = vm->span_head.fnext;

	for (s = vm->head.anext; s != &vm->head; s = s->anext) {
		if (s->anext->aprev != s)
			CHECK_FAIL("%s: broken address list at %#llx", vm->name,
				   (unsigned long long)s->start);
		if (s->size == 0 || s->start % vm->quantum || s->size % vm->quantum)
			CHECK_FAIL("%s: segment %#llx+%#llx not in quanta", vm->name,
				   (unsigned long long)s->start,
				   (unsigned long long)s->size);
		if (s->type == SEG_SPAN) {
			if (sp && next_addr != sp->start + sp->size)
				CHECK_FAIL("%s: span %#llx not tiled", vm->name,
					   (unsigned long long)sp->start);
			if (prev_span && prev_span->start + prev_span->size > s->start)
				CHECK_FAIL("%s: spans overlap at %#llx", vm->name,
					   (unsigned long long)s->start);
			if (s != span_it)
				CHECK_FAIL("%s: span list out of order at %#llx",
					   vm->name, (unsigned long long)s->start);
			span_it = span_it->fnext;
			sp = prev_span = s;
			next_addr = s->start;
			total += s->size;
			if (s->imported)
				imported += s->size;
			continue;
		}
		if (!sp)
			CHECK_FAIL("%s: segment before the first span", vm->name);
		if (s->start != next_addr)
			CHECK_FAIL("%s: segment %#llx does not follow %#llx (gap or overlap)",
				   vm->name, (unsigned long long)s->start,
				   (unsigned long long)next_addr);
		if (s->start + s->size > sp->start + sp->size)
			CHECK_FAIL("%s: segment %#llx runs past its span", vm->name,
				   (unsigned long long)s->start);
		next_addr = s->start + s->size;
		if (s->type == SEG_FREE) {
			nfree++;
			if (s->aprev->type == SEG_FREE)
				CHECK_FAIL("%s: free segments %#llx and %#llx not coalesced",
					   vm->name, (unsigned long long)s->aprev->start,
					   (unsigned long long)s->start);
			if (sp->imported && s->aprev == sp &&
			    s->size == sp->size)
				CHECK_FAIL("%s: imported span %#llx wholly free, not released",
					   vm->name, (unsigned long long)sp->start);
			if (vmem_treap_floor(vm, s->start) != s)
				CHECK_FAIL("%s: free segment %#llx not in the treap",
					   vm->name, (unsigned long long)s->start);
		} else if (s->type == SEG_ALLOC) {
			const struct vmem_seg *h;
			nalloc++;
			in_use += s->size;
			for (h = vm->hash[vmem_hash_idx(vm->hash_shift, s->start)]; h;
			     h = h->fnext)
				if (h == s)
					break;
			if (!h)
				CHECK_FAIL("%s: allocated %#llx not in the hash",
					   vm->name, (unsigned long long)s->start);
		} else {
			CHECK_FAIL("%s: bad segment type %d", vm->name, s->type);
		}
	}
	if (sp && next_addr != sp->start + sp->size)
		CHECK_FAIL("%s: last span %#llx not tiled", vm->name,
			   (unsigned long long)sp->start);
	if (span_it != &vm->span_head)
		CHECK_FAIL("%s: span list has spans not in the address list", vm->name);
	for (unsigned i = 0; i < 64; i++) {
		if (!!vm->freelist[i] != !!(vm->freemap & (1ull << i)))
			CHECK_FAIL("%s: freemap bit %u wrong", vm->name, i);
		for (s = vm->freelist[i]; s; s = s->fnext) {
			if (s->type != SEG_FREE || flist_idx(s->size) != i)
				CHECK_FAIL("%s: freelist %u holds %#llx+%#llx", vm->name,
					   i, (unsigned long long)s->start,
					   (unsigned long long)s->size);
			if (s->fnext && s->fnext->fprev != s)
				CHECK_FAIL("%s: freelist %u links broken", vm->name, i);
			nfl++;
		}
	}
	for (size_t i = 0; i < ((size_t)1 << vm->hash_shift); i++)
		for (s = vm->hash[i]; s; s = s->fnext) {
			if (s->type != SEG_ALLOC)
				CHECK_FAIL("%s: hash holds a non-allocated segment",
					   vm->name);
			nhash++;
		}
	if (vmem_treap_check(vm, &ntreap))
		CHECK_FAIL("%s: treap out of order", vm->name);
	for (size_t i = 0; i < vm->nqcache; i++) {
		ncached += vm->qcache[i].n;
		qcached += vm->qcache[i].n * (i + 1) * vm->quantum;
	}
	if (nfl != nfree || ntreap != nfree || nfree != vm->st.nfree)
		CHECK_FAIL("%s: %llu free segments, %llu on freelists, %llu in treap, stats %llu",
			   vm->name, (unsigned long long)nfree,
			   (unsigned long long)nfl, (unsigned long long)ntreap,
			   (unsigned long long)vm->st.nfree);
	if (nhash != nalloc || nalloc != vm->st.nalloc)
		CHECK_FAIL("%s: %llu allocated segments, %llu hashed, stats %llu",
			   vm->name, (unsigned long long)nalloc,
			   (unsigned long long)nhash, (unsigned long long)vm->st.nalloc);
	if (total != vm->st.total || imported != vm->st.imported ||
	    in_use != vm->st.in_use || qcached != vm->st.qcached)
		CHECK_FAIL("%s: stats total %llu/%llu imported %llu/%llu in_use %llu/%llu qcached %llu/%llu",
			   vm->name, (unsigned long long)total,
			   (unsigned long long)vm->st.total,
			   (unsigned long long)imported,
			   (unsigned long long)vm->st.imported,
			   (unsigned long long)in_use,
			   (unsigned long long)vm->st.in_use,
			   (unsigned long long)qcached,
			   (unsigned long long)vm->st.qcached);
	if (vm->st.allocs - vm->st.frees + ncached != nalloc)
		CHECK_FAIL("%s: allocs %llu - frees %llu + cached %llu != %llu allocated",
			   vm->name, (unsigned long long)vm->st.allocs,
			   (unsigned long long)vm->st.frees,
			   (unsigned long long)ncached, (unsigned long long)nalloc);
	return 0;
}


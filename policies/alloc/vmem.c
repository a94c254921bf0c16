/*
 * policies/alloc/vmem.c — vmem resource arenas (Bonwick & Adams, USENIX
 * 2001) and the `vmem` allocator policy on top of them.
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
 * Added for pagelab's allocator hint: free segments are also kept in a
 * treap (a randomized binary search tree, with parent links) on their
 * start address.  A request with a bounded [minaddr, maxaddr) window (the
 * exact-address hint is the tightest window) finds the first free segment
 * of the window in O(log n) and walks on in address order instead of
 * scanning freelists; VM_FIRSTFIT is that walk over the whole arena.
 * Splitting and coalescing move a free segment's start only between its
 * unchanged neighbours, so the tree order survives in-place key updates;
 * the piece split off after a segment is inserted next to it and a
 * coalesced-away segment is rotated out where it is: expected O(1) each.
 *
 * Fingers, for pagelab's exact-address hints: a direct-mapped table, as
 * large as the hash, remembers per small address range (16 quanta) the
 * boundary tag the last operation there left (the allocated segment, or
 * the free segment a free coalesced into).  A hinted request starts from
 * that tag and walks the address list a few steps to the segment holding
 * the hint: O(1) and a few cache lines where the treap costs O(log n)
 * dependent loads.  A finger is only a guess: it is checked (a live
 * FREE or ALLOC tag, same span, covering the address within 16 steps) and
 * the treap answers when it fails.  Tags are never freed before the arena,
 * so a stale finger points to a tag in the pool (type sentinel) or to some
 * other live tag, both of which the check handles.
 *
 * Quantum caches (the paper's quantum caching): vmem_alloc() of sizes up to
 * qcache_max first pops a per-size stack of recently freed segments;
 * vmem_free() pushes onto it while there is room.  Cached segments stay
 * allocated in the arena.
 */
#include "policies/vmem.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/args.h"
#include "common/bug.h"
#include "policies/alloc.h"

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

/* A request, with defaults filled in. */
struct vmem_req {
	uint64_t size, align, phase, nocross, minaddr, maxaddr;
};

/* ---- boundary tag pool ---- */

static int tags_reserve(struct vmem *vm, size_t n)
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

/* ---- treap of free segments on start ---- */

static uint32_t prio_next(struct vmem *vm)
{
	uint64_t x = vm->prio_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	vm->prio_state = x;
	return (uint32_t)(x >> 32);
}

/* The pointer that holds x: its parent's child link, or the root. */
static struct vmem_seg **treap_link(struct vmem *vm, struct vmem_seg *x)
{
	if (!x->tp)
		return &vm->root;
	return x->tp->tl == x ? &x->tp->tl : &x->tp->tr;
}

/* Rotate x above its parent, keeping the in-order sequence. */
static void treap_rotate_up(struct vmem *vm, struct vmem_seg *x)
{
	struct vmem_seg *p = x->tp, **link = treap_link(vm, p);

	if (p->tl == x) {
		p->tl = x->tr;
		if (x->tr)
			x->tr->tp = p;
		x->tr = p;
	} else {
		p->tr = x->tl;
		if (x->tl)
			x->tl->tp = p;
		x->tl = p;
	}
	x->tp = p->tp;
	p->tp = x;
	*link = x;
}

/* Hang n as a leaf under parent (NULL: the root), then restore the heap
 * order on priorities by rotating it up. */
static void treap_attach(struct vmem *vm, struct vmem_seg *n,
			 struct vmem_seg *parent, bool left)
{
	n->tl = n->tr = NULL;
	n->tp = parent;
	n->prio = prio_next(vm);
	if (!parent)
		vm->root = n;
	else if (left)
		parent->tl = n;
	else
		parent->tr = n;
	while (n->tp && n->tp->prio < n->prio)
		treap_rotate_up(vm, n);
}

/* Insert n, searching its place from the root. */
static void treap_insert(struct vmem *vm, struct vmem_seg *n)
{
	struct vmem_seg *t = vm->root, *parent = NULL;
	bool left = false;

	while (t) {
		parent = t;
		left = n->start < t->start;
		t = left ? t->tl : t->tr;
	}
	treap_attach(vm, n, parent, left);
}

/* Insert n right after pred in address order: the leftmost place of
 * pred's right subtree, expected O(1) steps from pred. */
static void treap_insert_after(struct vmem *vm, struct vmem_seg *n,
			       struct vmem_seg *pred)
{
	struct vmem_seg *t = pred->tr;

	if (!t) {
		treap_attach(vm, n, pred, false);
		return;
	}
	while (t->tl)
		t = t->tl;
	treap_attach(vm, n, t, true);
}

/* Remove n: rotate it down below its higher-priority child until it has
 * at most one child, then splice it out.  Expected O(1) rotations. */
static void treap_remove(struct vmem *vm, struct vmem_seg *n)
{
	struct vmem_seg *c;

	while (n->tl && n->tr)
		treap_rotate_up(vm, n->tl->prio > n->tr->prio ? n->tl : n->tr);
	c = n->tl ? n->tl : n->tr;
	*treap_link(vm, n) = c;
	if (c)
		c->tp = n->tp;
}

static void free_insert(struct vmem *vm, struct vmem_seg *s)
{
	s->type = SEG_FREE;
	treap_insert(vm, s);
	flist_insert(vm, s);
	vm->st.nfree++;
}

/* Like free_insert() for s right after free segment pred in address order
 * (pred's end <= s's start, nothing free between them). */
static void free_insert_after(struct vmem *vm, struct vmem_seg *s,
			      struct vmem_seg *pred)
{
	s->type = SEG_FREE;
	treap_insert_after(vm, s, pred);
	flist_insert(vm, s);
	vm->st.nfree++;
}

static void free_remove(struct vmem *vm, struct vmem_seg *s)
{
	treap_remove(vm, s);
	flist_remove(vm, s);
	vm->st.nfree--;
}

/* The free segment with the largest start <= addr, or NULL. */
static struct vmem_seg *treap_floor(const struct vmem *vm, uint64_t addr)
{
	struct vmem_seg *t = vm->root, *best = NULL;

	while (t) {
		if (t->start <= addr) {
			best = t;
			t = t->tr;
		} else {
			t = t->tl;
		}
	}
	return best;
}

/* The free segment with the smallest start >= addr, or NULL. */
static struct vmem_seg *treap_ceil(const struct vmem *vm, uint64_t addr)
{
	struct vmem_seg *t = vm->root, *best = NULL;

	while (t) {
		if (t->start >= addr) {
			best = t;
			t = t->tl;
		} else {
			t = t->tr;
		}
	}
	return best;
}

/* The next free segment in address order after s, or NULL: the in-order
 * successor through the parent links, O(1) amortized along a walk. */
static struct vmem_seg *free_next(struct vmem_seg *s)
{
	if (s->tr) {
		s = s->tr;
		while (s->tl)
			s = s->tl;
		return s;
	}
	while (s->tp && s->tp->tr == s)
		s = s->tp;
	return s->tp;
}

/* ---- hash of allocated segments ---- */

static inline size_t hash_idx(unsigned shift, uint64_t addr)
{
	return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> (64 - shift));
}

/* ---- fingers ---- */

static inline struct vmem_seg **finger_slot(const struct vmem *vm, uint64_t addr)
{
	return &vm->finger[hash_idx(vm->finger_shift, addr >> vm->grain_shift)];
}

/* A new, empty table of 1 << shift fingers (they are guesses: on no memory
 * the old table stays). */
static void finger_resize(struct vmem *vm, unsigned shift)
{
	struct vmem_seg **t = mem_alloc_array(vm->mem, (size_t)1 << shift,
					      sizeof(*t), 0);

	if (!t)
		return;
	mem_free_array(vm->mem, vm->finger, (size_t)1 << vm->finger_shift,
		       sizeof(*t), 0);
	vm->finger = t;
	vm->finger_shift = shift;
}

static inline void finger_set(struct vmem *vm, uint64_t addr, struct vmem_seg *s)
{
	if (vm->finger)
		*finger_slot(vm, addr) = s;
}

/* The segment (FREE or ALLOC) holding addr, found from its finger, or
 * NULL when the finger does not lead there quickly. */
static struct vmem_seg *finger_find(const struct vmem *vm, uint64_t addr)
{
	struct vmem_seg *f;

	if (!vm->finger)
		return NULL;
	f = *finger_slot(vm, addr);
	for (unsigned k = 0; f && k < VMEM_FINGER_STEPS; k++) {
		if (f->type != SEG_FREE && f->type != SEG_ALLOC)
			return NULL;	/* a span marker, sentinel or pooled tag */
		if (addr < f->start)
			f = f->aprev;
		else if (addr - f->start >= f->size)
			f = f->anext;
		else
			return f;
	}
	return NULL;
}

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
			size_t j = hash_idx(shift, s->start);
			next = s->fnext;
			s->fnext = h[j];
			h[j] = s;
		}
	}
	mem_free_array(vm->mem, vm->hash, (size_t)1 << vm->hash_shift, sizeof(*h), 0);
	vm->hash = h;
	vm->hash_shift = shift;
	finger_resize(vm, shift);
}

static void hash_insert(struct vmem *vm, struct vmem_seg *s)
{
	size_t i = hash_idx(vm->hash_shift, s->start);

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
	struct vmem_seg *h = vm->hash[hash_idx(vm->hash_shift, addr)];

	while (h && h->start != addr)
		h = h->fnext;
	return h;
}

static struct vmem_seg *hash_remove(struct vmem *vm, uint64_t addr)
{
	struct vmem_seg **pp = &vm->hash[hash_idx(vm->hash_shift, addr)];

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
	r = tags_reserve(vm, 2);
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
		s = finger_find(vm, r->minaddr);
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
	s = treap_floor(vm, r->minaddr);
	if (!s || s->start + s->size <= r->minaddr)
		s = treap_ceil(vm, r->minaddr);
	for (; s && s->start < r->maxaddr; s = free_next(s))
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
	struct vmem_seg *first = treap_floor(vm, vm->rotor), *s;
	struct vmem_req rr = *r;

	if (!first || first->start + first->size <= vm->rotor)
		first = treap_ceil(vm, vm->rotor);
	if (!first)
		first = treap_ceil(vm, 0);
	if (!first)
		return NULL;
	/* the segment holding the rotor: only the part after it, for now */
	if (rr.minaddr < vm->rotor)
		rr.minaddr = vm->rotor;
	vm->st.segments++;
	if (seg_fit(first, &rr, addrp))
		return first;
	for (s = free_next(first);; s = free_next(s)) {
		if (!s)
			s = treap_ceil(vm, 0);	/* wrap around */
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
	span_release_if_free(vm, treap_floor(vm, base));
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
	ret = tags_reserve(vm, VMEM_TAGS_PER_OP);
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
	finger_set(vm, addr, seg_carve(vm, s, addr, size));
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
	finger_set(vm, addr, a);
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
static bool qcache_flush_range(struct vmem *vm, uint64_t addr, uint64_t size)
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
static bool qcache_take(struct vmem *vm, uint64_t addr, uint64_t size)
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
	    tags_reserve(vm, 2))
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
static int treap_check(const struct vmem_seg *t, uint64_t *count,
		       const struct vmem_seg **prev)
{
	if (!t)
		return 0;
	if (t->tl && (t->tl->prio > t->prio || t->tl->tp != t))
		return -1;
	if (t->tr && (t->tr->prio > t->prio || t->tr->tp != t))
		return -1;
	if (treap_check(t->tl, count, prev))
		return -1;
	if (t->type != SEG_FREE || (*prev && (*prev)->start >= t->start))
		return -1;
	*prev = t;
	(*count)++;
	return treap_check(t->tr, count, prev);
}

#define CHECK_FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int vmem_check(const struct vmem *vm, char *err, size_t errlen)
{
	const struct vmem_seg *s, *sp = NULL, *prev_span = NULL;
	const struct vmem_seg *tprev = NULL;
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
			if (treap_floor(vm, s->start) != s)
				CHECK_FAIL("%s: free segment %#llx not in the treap",
					   vm->name, (unsigned long long)s->start);
		} else if (s->type == SEG_ALLOC) {
			const struct vmem_seg *h;
			nalloc++;
			in_use += s->size;
			for (h = vm->hash[hash_idx(vm->hash_shift, s->start)]; h;
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
	if ((vm->root && vm->root->tp) || treap_check(vm->root, &ntreap, &tprev))
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

/* ---- the `vmem` allocator policy (policies/alloc.h) ---- */

/*
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
 * (VMEM_SLAB_DISSOLVE_ALL), so that nothing fails or misses its hint while
 * space exists.  stats() counts quanta handed out, not slabs.
 *
 * Used with fit=instant/best/next and no quantum caches (qcache=0, the
 * default); first-fit (address-ordered by definition) and qcache runs go
 * straight to the arena.
 *
 * Fast paths (quantum 1, the engines' case): vmem_policy_alloc() of one
 * unit whose hint is free in an existing slab, and vmem_policy_free() of
 * a unit whose slab keeps other units (or empties and is kept), are
 * handled inline: the probe of the slab table and a bit set or cleared,
 * touching the policy's first cache line and the slab's entry, with no
 * call.  They do exactly what slab_alloc()/slab_free() would; every other
 * case takes the slow path, which is the code above unchanged, so results
 * are the same with or without them (vmem_policy_set_fast(), for tests).
 */
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
	if (tags_reserve(vm, 2 * VMEM_SLAB_QUANTA + VMEM_TAGS_PER_OP))
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
		if (qcache_take(p->vm, hint, size)) {
			*addrp = hint;
			return 0;
		}
		if (vmem_xalloc(p->vm, size, 0, 0, 0, hint, hint + size, 0,
				addrp) == 0)
			return 0;
		/* the range may be held only by the quantum caches or slabs */
		if ((qcache_flush_range(p->vm, hint, size) ||
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

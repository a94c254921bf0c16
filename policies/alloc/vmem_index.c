/*
 * policies/alloc/vmem_index.c — the address index of a vmem arena's free
 * segments: pagelab's addition to Bonwick & Adams (vmem_int.h).
 *
 * The paper finds free segments by size (power-of-two freelists), which
 * serves the fits; an allocation bounded to an address window
 * ([minaddr, maxaddr), the allocator hint of policies/alloc.h is the
 * tightest window) wants them by address.  Free segments are therefore also
 * kept in a treap (a randomized binary search tree, Aragon & Seidel 1989)
 * on their start, with parent links: the first free segment of a window is
 * found in O(log n) and the walk on in address order is O(1) amortized per
 * segment (vmem_free_next); VM_FIRSTFIT is that walk over the whole arena.
 * Splitting and coalescing move a free segment's start only between its
 * unchanged neighbours, so the order survives in-place key updates; the
 * piece split off after a segment is inserted next to it and a
 * coalesced-away segment is rotated out where it is: expected O(1) each.
 *
 * Fingers, for exact-address requests: a direct-mapped table, as large as
 * the segment hash, remembers per small address range (2^VMEM_FINGER_GRAIN
 * quanta) the boundary tag the last operation there left (the allocated
 * segment, or the free segment a free coalesced into).  A hinted request
 * starts from that tag and walks the address list a few steps to the
 * segment holding the hint: O(1) and a few cache lines where the treap
 * costs O(log n) dependent loads.  A finger is only a guess: it is checked
 * (a live FREE or ALLOC tag covering the address within VMEM_FINGER_STEPS
 * steps) and the treap answers when it fails.  Tags are never freed before
 * the arena, so a stale finger points to a tag in the pool (type sentinel)
 * or to some other live tag, both of which the check handles.
 */
#include "policies/alloc/vmem_int.h"

#include "common/mem.h"

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
void vmem_treap_insert(struct vmem *vm, struct vmem_seg *n)
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
void vmem_treap_insert_after(struct vmem *vm, struct vmem_seg *n,
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
void vmem_treap_remove(struct vmem *vm, struct vmem_seg *n)
{
	struct vmem_seg *c;

	while (n->tl && n->tr)
		treap_rotate_up(vm, n->tl->prio > n->tr->prio ? n->tl : n->tr);
	c = n->tl ? n->tl : n->tr;
	*treap_link(vm, n) = c;
	if (c)
		c->tp = n->tp;
}

struct vmem_seg *vmem_treap_floor(const struct vmem *vm, uint64_t addr)
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
struct vmem_seg *vmem_treap_ceil(const struct vmem *vm, uint64_t addr)
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
struct vmem_seg *vmem_free_next(struct vmem_seg *s)
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

static int treap_check_from(const struct vmem_seg *t, uint64_t *count,
		       const struct vmem_seg **prev)
{
	if (!t)
		return 0;
	if (t->tl && (t->tl->prio > t->prio || t->tl->tp != t))
		return -1;
	if (t->tr && (t->tr->prio > t->prio || t->tr->tp != t))
		return -1;
	if (treap_check_from(t->tl, count, prev))
		return -1;
	if (t->type != SEG_FREE || (*prev && (*prev)->start >= t->start))
		return -1;
	*prev = t;
	(*count)++;
	return treap_check_from(t->tr, count, prev);
}

int vmem_treap_check(const struct vmem *vm, uint64_t *count)
{
	const struct vmem_seg *prev = NULL;

	*count = 0;
	if (vm->root && vm->root->tp)
		return -1;
	return treap_check_from(vm->root, count, &prev);
}

/* ---- fingers ---- */

/* A new, empty table of 1 << shift fingers (they are guesses: on no memory
 * the old table stays). */
void vmem_finger_resize(struct vmem *vm, unsigned shift)
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

/* The segment (FREE or ALLOC) holding addr, found from its finger, or
 * NULL when the finger does not lead there quickly. */
struct vmem_seg *vmem_finger_find(const struct vmem *vm, uint64_t addr)
{
	struct vmem_seg *f;

	if (!vm->finger)
		return NULL;
	f = *vmem_finger_slot(vm, addr);
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

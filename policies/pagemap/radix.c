/*
 * policies/pagemap/radix.c — `radix`: a radix tree of hardware-page-sized
 * tables, after Wendelin.core's bigfile pagemap (pgoffset -> page).
 *
 * The idea.  A 64-bit key is cut into 9-bit digits; each tree node is one
 * 4 KiB table of 512 8-byte slots indexed by one digit.  A tree of height h
 * covers keys below 2^(9h); leaves (level 1) hold the values, interior nodes
 * hold their children:
 *
 *     key = ... | d3 (9 bits) | d2 (9 bits) | d1 (9 bits)       (height 3)
 *
 *     root[d3] --> node[d2] --> leaf[d1] = value
 *
 * get() is one load per level and nothing else: no division, no recursion,
 * no allocation.  The height grows with the largest key present (a new root
 * whose slot 0 holds the old one) and shrinks back when the root is left with
 * only slot 0, so dense keys up to 2^27 need 3 levels while any 64-bit key
 * works (8 levels; the top digit is then one bit).
 *
 * Population counts, and why the nodes stay exactly 4 KiB.  Each node knows
 * how many of its 512 slots are used, so that deleting the last entry frees
 * it (and then its parent if that was its last child, up to the root).  Nodes
 * are 4096-byte aligned, so the low 12 bits of a pointer to one are zero: the
 * slot that points to a child (or the root pointer in struct radix) keeps the
 * child's population count minus one (0..511) in those bits — a "tag":
 *
 *     tag = (uintptr_t)child | (npopulated(child) - 1)
 *
 * A node only exists while it has at least one entry, so count-1 fits.  get()
 * masks the low bits off at each level, one AND.
 *
 * Memory: one 4 KiB node per populated 512-key range at each level, plus the
 * struct: proportional to the populated ranges, sizeof(struct radix) when
 * empty.  Dense keys cost 8 bytes each and a node per 512 keys per level;
 * isolated 64-bit keys cost one node per level each (~21 KiB a key), which
 * is what this structure is not for.  mem_bytes counts the nodes; the
 * default memory source (aligned_alloc) may leave up to a page of padding
 * before a node that only smaller blocks can reuse.
 *
 * Fast paths.  Every op starts with the same walk to the key's leaf: one
 * load per level with a constant shift, unrolled, and for heights 3 and 2
 * (keys below 2^27: any file up to 512 GiB of 4 KiB pages) with no jump on
 * the height either.  When the leaf exists, set() and del() touch only its
 * slot and its count (one add to the tag); making nodes, growing, freeing
 * and shrinking are out-of-line slow paths, so the common case has no
 * stack frame and no per-level bookkeeping.
 *
 * Big maps.  A get() on a big map misses the cache at its leaf, and with
 * 4 KiB nodes the TLB too.  Once a map holds RADIX_SLAB_MIN nodes (512 KiB),
 * further nodes come from 2 MiB slabs, large blocks of the memory source
 * (on transparent huge pages where it has them); a slab node freed goes to
 * the map's pool for reuse, and the slabs go back when the map is empty.
 * mem_bytes counts the pool too.  A map with max_bytes set does not use
 * slabs.
 *
 * Arguments: max_bytes=N caps mem_bytes (0: no cap); a set() that would need
 * more fails with -ENOMEM and leaves the map unchanged.  It serves both as a
 * memory budget and as fault injection for the callers' error paths.
 *
 * Context: all methods run under the caller's lock (for the real virtmem,
 * possibly inside the SIGSEGV handler); none take locks.  set() takes
 * nodes from the memory source; del() and clear() give them back; get()
 * never allocates.
 */
#include "policies/pagemap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/args.h"
#include "common/bug.h"

#define RADIX_NODE_BYTES	4096u
#define RADIX_SHIFT		9u
#define RADIX_FANOUT		(1u << RADIX_SHIFT)		/* 512 slots */
#define RADIX_DIGIT_MASK	((uint64_t)RADIX_FANOUT - 1)
#define RADIX_TAG_MASK		((uintptr_t)RADIX_NODE_BYTES - 1)
#define RADIX_MAX_HEIGHT	8u	/* 9 * 8 = 72 >= 64 key bits */

struct radix {
	struct pagemap pm;
	uintptr_t root;		/* tag of the root node; 0 when empty */
	unsigned height;	/* levels; 0 when empty */
	uintptr_t *root3;	/* the root node while the height is 3, else NULL */
	uintptr_t *root2;	/* the root node while the height is 2, else NULL */
	unsigned top_shift;	/* 9 * (height - 1): shift of the root digit */
	uint64_t out_mask;	/* key bits the tree does not cover */
	size_t nnodes;
	uint64_t max_bytes;	/* 0: no cap */
	/* node slabs (see "Big maps" above) */
	uintptr_t *pool;	/* free slab nodes, linked through slot 0 */
	size_t npool;
	uintptr_t *slabs;	/* slab bases, ascending */
	size_t nslabs, slab_cap;
};

static inline struct radix *to_radix(struct pagemap *pm)
{
	return container_of(pm, struct radix, pm);
}

static inline const struct radix *to_radix_c(const struct pagemap *pm)
{
	return container_of(pm, const struct radix, pm);
}

static inline uintptr_t *tag_node(uintptr_t tag)
{
	return (uintptr_t *)(tag & ~RADIX_TAG_MASK);
}

/* Levels needed for key: 1 for keys < 512, 3 for keys < 2^27, 8 for 2^63. */
static unsigned radix_height_for(uint64_t key)
{
	unsigned nbits = key ? 64u - (unsigned)__builtin_clzll(key) : 1u;

	return (nbits + RADIX_SHIFT - 1) / RADIX_SHIFT;
}

static void radix_set_height(struct radix *r, unsigned height)
{
	r->height = height;
	r->top_shift = height ? RADIX_SHIFT * (height - 1) : 0;
	if (height == 0)
		r->out_mask = ~(uint64_t)0;
	else if (RADIX_SHIFT * height >= 64)
		r->out_mask = 0;
	else
		r->out_mask = ~(((uint64_t)1 << (RADIX_SHIFT * height)) - 1);
}

/* After the root or the height changed: the fast paths' view of them. */
static void radix_sync_fast(struct radix *r)
{
	r->root3 = r->height == 3 ? tag_node(r->root) : NULL;
	r->root2 = r->height == 2 ? tag_node(r->root) : NULL;
}

static size_t radix_mem_bytes_for(size_t nnodes)
{
	return sizeof(struct radix) + nnodes * RADIX_NODE_BYTES;
}

#define RADIX_SLAB_BYTES	((size_t)2 << 20)
#define RADIX_SLAB_NODES	(RADIX_SLAB_BYTES / RADIX_NODE_BYTES)
#define RADIX_SLAB_MIN		128	/* nodes (512 KiB) before slabs */
#define RADIX_NODE_MEM		MEM_PAGE		/* tags need 4 KiB alignment */
#define RADIX_SLAB_MEM		(MEM_PAGE | MEM_LARGE)

/* A new slab's nodes into the pool.  0, or -ENOMEM. */
static int radix_slab_add(struct radix *r)
{
	const struct mem_source *mem = r->pm.mem;
	char *q;
	size_t i;

	if (r->nslabs == r->slab_cap) {
		size_t cap = r->slab_cap ? 2 * r->slab_cap : 8;
		uintptr_t *n = mem_alloc_array(mem, cap, sizeof(*n), 0);
		if (!n)
			return -ENOMEM;
		if (r->nslabs)
			memcpy(n, r->slabs, r->nslabs * sizeof(*n));
		mem_free_array(mem, r->slabs, r->slab_cap, sizeof(*n), 0);
		r->slabs = n;
		r->slab_cap = cap;
	}
	q = mem_alloc(mem, RADIX_SLAB_BYTES, RADIX_SLAB_MEM);
	if (!q)
		return -ENOMEM;
	for (i = r->nslabs; i > 0 && r->slabs[i - 1] > (uintptr_t)q; i--)
		r->slabs[i] = r->slabs[i - 1];
	r->slabs[i] = (uintptr_t)q;
	r->nslabs++;
	for (i = RADIX_SLAB_NODES; i-- > 0;) {
		uintptr_t *node = (uintptr_t *)(q + i * RADIX_NODE_BYTES);
		node[0] = (uintptr_t)r->pool;
		r->pool = node;
	}
	r->npool += RADIX_SLAB_NODES;
	return 0;
}

static bool radix_in_slab(const struct radix *r, const uintptr_t *node)
{
	size_t lo = 0, hi = r->nslabs;

	while (lo < hi) {	/* first base > node */
		size_t mid = (lo + hi) / 2;
		if (r->slabs[mid] <= (uintptr_t)node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && (uintptr_t)node - r->slabs[lo - 1] < RADIX_SLAB_BYTES;
}

/* A zeroed node (not yet counted in nnodes), or NULL. */
static uintptr_t *radix_node_alloc(struct radix *r)
{
	uintptr_t *node;

	if (!r->pool && !r->max_bytes && r->nnodes >= RADIX_SLAB_MIN)
		(void)radix_slab_add(r);	/* else one node at a time */
	if (r->pool) {
		node = r->pool;
		r->pool = (uintptr_t *)node[0];
		r->npool--;
		memset(node, 0, RADIX_NODE_BYTES);
		return node;
	}
	node = mem_alloc(r->pm.mem, RADIX_NODE_BYTES, RADIX_NODE_MEM);	/* zeroed */
	BUG_ON((uintptr_t)node & RADIX_TAG_MASK);
	return node;
}

/* Give back a node that nnodes does not count. */
static void radix_node_put(struct radix *r, uintptr_t *node)
{
	if (r->nslabs && radix_in_slab(r, node)) {
		node[0] = (uintptr_t)r->pool;
		r->pool = node;
		r->npool++;
	} else {
		mem_free(r->pm.mem, node, RADIX_NODE_BYTES, RADIX_NODE_MEM);
	}
}

static void radix_node_free(struct radix *r, uintptr_t *node)
{
	BUG_ON(r->nnodes == 0);
	r->nnodes--;
	radix_node_put(r, node);
	if (r->nnodes == 0 && r->nslabs) {
		/* empty: every slab node is in the pool; give them back */
		BUG_ON(r->npool != r->nslabs * RADIX_SLAB_NODES);
		for (size_t i = 0; i < r->nslabs; i++)
			mem_free(r->pm.mem, (void *)r->slabs[i], RADIX_SLAB_BYTES,
				 RADIX_SLAB_MEM);
		mem_free_array(r->pm.mem, r->slabs, r->slab_cap, sizeof(*r->slabs), 0);
		r->slabs = NULL;
		r->nslabs = r->slab_cap = 0;
		r->pool = NULL;
		r->npool = 0;
	}
}

static struct pagemap *radix_create(const char *args,
				    const struct pagemap_params *p, char *err,
				    size_t errlen)
{
	uint64_t max_bytes = 0;
	const struct arg_spec specs[] = {
		{ "max_bytes", ARG_U64, &max_bytes, 0, 0x1p64, NULL,
		  "cap on the map's memory, set fails with -ENOMEM beyond (0: none)" },
	};
	struct radix *r;

	if (args_parse("radix", args, specs, ARRAY_SIZE(specs), err, errlen))
		return NULL;
	r = mem_alloc(p->mem, sizeof(*r), 0);
	if (!r) {
		snprintf(err, errlen, "radix: out of memory");
		return NULL;
	}
	radix_set_height(r, 0);
	r->max_bytes = max_bytes;
	return &r->pm;
}

/*
 * The walk every op starts with: a pointer to the tag of key's leaf (the
 * slot in its parent that holds it, or r->root for a tree of height 1), or
 * NULL when key is above the tree or a node on its path is missing.  Per
 * level one load with a constant shift: no loop counter, no bookkeeping.
 * Heights 3 (keys below 2^27, any file of up to 512 GiB of 4 KiB pages) and
 * 2 (below 2^18, 1 GiB) are tested first, through root3 and root2, and need
 * no jump on the height; the others take one, out of line.
 * r is only written through the result.
 */
#define RADIX_DOWN(level) do {						\
	tagp = &tag_node(*tagp)[(key >> (RADIX_SHIFT * ((level) - 1))) &	\
				RADIX_DIGIT_MASK];			\
	if (unlikely(!*tagp))						\
		return NULL;						\
} while (0)

static uintptr_t *radix_leaf_tagp_any(const struct radix *r, uint64_t key)
{
	uintptr_t *tagp = (uintptr_t *)&r->root;

	if (unlikely(key & r->out_mask))	/* all ones when empty */
		return NULL;
	switch (r->height) {
	case 8: RADIX_DOWN(8); __attribute__((fallthrough));
	case 7: RADIX_DOWN(7); __attribute__((fallthrough));
	case 6: RADIX_DOWN(6); __attribute__((fallthrough));
	case 5: RADIX_DOWN(5); __attribute__((fallthrough));
	case 4: RADIX_DOWN(4); __attribute__((fallthrough));
	case 3: RADIX_DOWN(3); __attribute__((fallthrough));
	case 2: RADIX_DOWN(2); __attribute__((fallthrough));
	case 1: return tagp;
	default: return NULL;	/* empty (key 0 gets here) */
	}
}

/* The same for a tree of height h, 2 or 3, whose root node is root. */
static inline __attribute__((always_inline)) uintptr_t *
radix_leaf_tagp_h(const uintptr_t *root, uint64_t key, unsigned h)
{
	uint64_t top = key >> (RADIX_SHIFT * (h - 1));
	uintptr_t *tagp;

	if (unlikely(top >= RADIX_FANOUT))
		return NULL;
	tagp = (uintptr_t *)&root[top];
	if (unlikely(!*tagp))
		return NULL;
	if (h == 3)
		RADIX_DOWN(2);
	return tagp;
}

/*
 * The walk at heights 3 and 2: true with the walk's result in *tagpp, or
 * false for the other heights (and the empty tree).
 */
static inline __attribute__((always_inline)) bool
radix_leaf_tagp_fast(const struct radix *r, uint64_t key, uintptr_t **tagpp)
{
	if (likely(r->root3 != NULL)) {
		*tagpp = radix_leaf_tagp_h(r->root3, key, 3);
		return true;
	}
	if (likely(r->root2 != NULL)) {
		*tagpp = radix_leaf_tagp_h(r->root2, key, 2);
		return true;
	}
	return false;
}

static inline __attribute__((always_inline)) uintptr_t *
radix_leaf_tagp(const struct radix *r, uint64_t key)
{
	uintptr_t *tagp;

	if (unlikely(!radix_leaf_tagp_fast(r, key, &tagp)))
		tagp = radix_leaf_tagp_any(r, key);
	return tagp;
}

/* The simulator's per-access hot path. */
static void *radix_get(const struct pagemap *pm, uint64_t key)
{
	const uintptr_t *tagp = radix_leaf_tagp(to_radix_c(pm), key);

	if (unlikely(!tagp))
		return NULL;
	return (void *)tag_node(*tagp)[key & RADIX_DIGIT_MASK];
}

/*
 * The hint: prefetch key's leaf slot.  The interior nodes are few and stay
 * cached, so the walk down is loads that hit; the leaf slot is the miss
 * worth starting early.  Nothing when the path is missing.
 */
static void radix_hint(const struct pagemap *pm, uint64_t key)
{
	const uintptr_t *tagp = radix_leaf_tagp(to_radix_c(pm), key);

	if (likely(tagp != NULL))
		__builtin_prefetch(&tag_node(*tagp)[key & RADIX_DIGIT_MASK], 1);
}

/*
 * Nodes a set() of key would create: new levels on top plus the missing part
 * of the key's path.  A fresh node is always made to hold exactly one entry.
 */
static unsigned radix_nodes_needed(const struct radix *r, uint64_t key)
{
	unsigned need = radix_height_for(key);
	unsigned shift = r->top_shift, level;
	const uintptr_t *node;
	uintptr_t slot;

	if (!r->root)
		return need;
	if (need > r->height)	/* key's top digit is non-zero: a new path */
		return (need - r->height) + (need - 1);
	node = tag_node(r->root);
	for (level = r->height; level > 1; level--) {
		slot = node[(key >> shift) & RADIX_DIGIT_MASK];
		if (!slot)
			return level - 1;
		node = tag_node(slot);
		shift -= RADIX_SHIFT;
	}
	return 0;
}

/*
 * set() when key's leaf is missing: nodes to make, maybe levels to add.
 * It works for any set(), and checks what the fast path leaves to it.
 * Out of line, so that the common set() needs no stack frame.
 */
static __attribute__((noinline)) int
radix_set_slow(struct radix *r, uint64_t key, void *value)
{
	struct pagemap *pm = &r->pm;
	uintptr_t *spare[2 * RADIX_MAX_HEIGHT];
	unsigned nspare, used = 0, need, level, shift;
	uintptr_t *tagp, *node, *slotp;
	bool fresh;

	BUG_ON(!value);
	nspare = radix_nodes_needed(r, key);
	BUG_ON(nspare > ARRAY_SIZE(spare));
	if (nspare && r->max_bytes &&
	    radix_mem_bytes_for(r->nnodes + nspare) > r->max_bytes)
		return -ENOMEM;
	for (unsigned i = 0; i < nspare; i++) {
		spare[i] = radix_node_alloc(r);
		if (!spare[i]) {
			while (i--)
				radix_node_put(r, spare[i]);
			return -ENOMEM;
		}
	}
	/* From here on nothing can fail. */
	r->nnodes += nspare;

	need = radix_height_for(key);
	if (!r->root) {
		radix_set_height(r, need);
	} else {
		/* Grow: each new root holds the old one in slot 0. */
		while (r->height < need) {
			node = spare[used++];
			node[0] = r->root;
			r->root = (uintptr_t)node;	/* one entry: tag 0 */
			radix_set_height(r, r->height + 1);
		}
	}

	/*
	 * Walk down.  tagp points at the tag of the current node; fresh says
	 * whether the node was made in this call (born with count 1 for the
	 * one entry this set() puts under it).  Filling an empty slot of an
	 * existing node adds one to its count.
	 */
	tagp = &r->root;
	fresh = false;
	if (!*tagp) {
		*tagp = (uintptr_t)spare[used++];
		fresh = true;
	}
	shift = r->top_shift;
	for (level = r->height; level > 1; level--) {
		node = tag_node(*tagp);
		slotp = &node[(key >> shift) & RADIX_DIGIT_MASK];
		if (!*slotp) {
			*slotp = (uintptr_t)spare[used++];
			if (!fresh) {
				BUG_ON((*tagp & RADIX_TAG_MASK) >= RADIX_FANOUT - 1);
				++*tagp;
			}
			fresh = true;
		}
		tagp = slotp;
		shift -= RADIX_SHIFT;
	}
	BUG_ON(used != nspare);
	radix_sync_fast(r);
	node = tag_node(*tagp);
	slotp = &node[key & RADIX_DIGIT_MASK];
	if (!*slotp) {
		if (!fresh) {
			BUG_ON((*tagp & RADIX_TAG_MASK) >= RADIX_FANOUT - 1);
			++*tagp;
		}
		pm->count++;
	}
	*slotp = (uintptr_t)value;
	return 0;
}

/*
 * The common set(): key's leaf exists (its tag at tagp), so its slot is
 * filled or overwritten and, when it was empty, the leaf's count (the tag
 * below its pointer) goes up by one.
 */
static inline __attribute__((always_inline)) int
radix_set_in_leaf(struct radix *r, uintptr_t *tagp, uint64_t key, void *value)
{
	uintptr_t *slotp = &tag_node(*tagp)[key & RADIX_DIGIT_MASK];

	if (!*slotp) {
		/* an empty slot: the count was at most 511 (tag 510); if not,
		 * the slow path's check reports it */
		uintptr_t tag = *tagp + 1;

		if (unlikely((tag & RADIX_TAG_MASK) >= RADIX_FANOUT))
			return radix_set_slow(r, key, value);
		*tagp = tag;
		r->pm.count++;
	}
	*slotp = (uintptr_t)value;
	return 0;
}

/* set() in a tree of height 1 or above 3, or an empty one. */
static __attribute__((noinline)) int
radix_set_any(struct radix *r, uint64_t key, void *value)
{
	uintptr_t *tagp = radix_leaf_tagp_any(r, key);

	if (unlikely(!tagp || !value))
		return radix_set_slow(r, key, value);
	return radix_set_in_leaf(r, tagp, key, value);
}

/*
 * The ops below test the height and tail-call the general case, so that
 * the common one needs no stack frame.
 */
static int radix_set(struct pagemap *pm, uint64_t key, void *value)
{
	struct radix *r = to_radix(pm);
	uintptr_t *tagp;

	if (unlikely(!radix_leaf_tagp_fast(r, key, &tagp)))
		return radix_set_any(r, key, value);
	if (unlikely(!tagp || !value))	/* the slow path reports !value */
		return radix_set_slow(r, key, value);
	return radix_set_in_leaf(r, tagp, key, value);
}

/*
 * del() of a present key that is its leaf's last: free the leaf, and its
 * parent if that was its last child, up to the root; shrink the tree.
 */
static __attribute__((noinline)) void *
radix_del_slow(struct radix *r, uint64_t key)
{
	struct pagemap *pm = &r->pm;
	uintptr_t *path[RADIX_MAX_HEIGHT];	/* path[i]: tag of level i+1 */
	unsigned shift = r->top_shift, level;
	uintptr_t *node, old;

	BUG_ON((key & r->out_mask) || !r->root);
	path[r->height - 1] = &r->root;
	for (level = r->height; level > 1; level--) {
		node = tag_node(*path[level - 1]);
		path[level - 2] = &node[(key >> shift) & RADIX_DIGIT_MASK];
		BUG_ON(!*path[level - 2]);
		shift -= RADIX_SHIFT;
	}
	node = tag_node(*path[0]);
	old = node[key & RADIX_DIGIT_MASK];
	BUG_ON(!old || (*path[0] & RADIX_TAG_MASK));
	node[key & RADIX_DIGIT_MASK] = 0;
	pm->count--;

	/* The node lost one entry; free it if that was its last, and so on up. */
	for (level = 1; level <= r->height; level++) {
		uintptr_t *tagp = path[level - 1];

		if (*tagp & RADIX_TAG_MASK) {
			--*tagp;
			break;
		}
		radix_node_free(r, tag_node(*tagp));
		*tagp = 0;
	}

	if (!r->root) {
		BUG_ON(r->nnodes || pm->count);
		radix_set_height(r, 0);
		radix_sync_fast(r);
		return (void *)old;
	}
	/* Shrink while the root holds only slot 0. */
	while (r->height > 1 && !(r->root & RADIX_TAG_MASK) &&
	       tag_node(r->root)[0]) {
		node = tag_node(r->root);
		r->root = node[0];
		radix_node_free(r, node);
		radix_set_height(r, r->height - 1);
	}
	radix_sync_fast(r);
	return (void *)old;
}

/* The common del(): the leaf keeps other entries, nothing to free. */
static inline __attribute__((always_inline)) void *
radix_del_in_leaf(struct radix *r, uintptr_t *tagp, uint64_t key)
{
	uintptr_t *slotp = &tag_node(*tagp)[key & RADIX_DIGIT_MASK];
	uintptr_t old = *slotp;

	if (unlikely(!old))
		return NULL;
	if (unlikely(!(*tagp & RADIX_TAG_MASK)))
		return radix_del_slow(r, key);
	*slotp = 0;
	--*tagp;
	r->pm.count--;
	return (void *)old;
}

/* del() in a tree of height 1 or above 3, or an empty one. */
static __attribute__((noinline)) void *
radix_del_any(struct radix *r, uint64_t key)
{
	uintptr_t *tagp = radix_leaf_tagp_any(r, key);

	if (unlikely(!tagp))
		return NULL;
	return radix_del_in_leaf(r, tagp, key);
}

static void *radix_del(struct pagemap *pm, uint64_t key)
{
	struct radix *r = to_radix(pm);
	uintptr_t *tagp;

	if (unlikely(!radix_leaf_tagp_fast(r, key, &tagp)))
		return radix_del_any(r, key);
	if (unlikely(!tagp))
		return NULL;
	return radix_del_in_leaf(r, tagp, key);
}

static void radix_free_subtree(struct radix *r, uintptr_t *node, unsigned level)
{
	if (level > 1)
		for (unsigned i = 0; i < RADIX_FANOUT; i++)
			if (node[i])
				radix_free_subtree(r, tag_node(node[i]), level - 1);
	radix_node_free(r, node);
}

static void radix_clear(struct pagemap *pm)
{
	struct radix *r = to_radix(pm);

	if (r->root)
		radix_free_subtree(r, tag_node(r->root), r->height);
	BUG_ON(r->nnodes);
	r->root = 0;
	radix_set_height(r, 0);
	radix_sync_fast(r);
	pm->count = 0;
}

static void radix_destroy(struct pagemap *pm)
{
	radix_clear(pm);
	mem_free(pm->mem, to_radix(pm), sizeof(struct radix), 0);
}

/* Slots in increasing index order give keys in increasing order. */
static int radix_walk(const uintptr_t *node, unsigned level, uint64_t prefix,
		      pagemap_fn fn, void *arg)
{
	int ret;

	for (unsigned i = 0; i < RADIX_FANOUT; i++) {
		uint64_t key = (prefix << RADIX_SHIFT) | i;

		if (!node[i])
			continue;
		if (level == 1)
			ret = fn(key, (void *)node[i], arg);
		else
			ret = radix_walk(tag_node(node[i]), level - 1, key, fn,
					 arg);
		if (ret)
			return ret;
	}
	return 0;
}

static int radix_for_each(const struct pagemap *pm, pagemap_fn fn, void *arg)
{
	const struct radix *r = to_radix_c(pm);

	if (!r->root)
		return 0;
	return radix_walk(tag_node(r->root), r->height, 0, fn, arg);
}

static size_t radix_mem_bytes(const struct pagemap *pm)
{
	const struct radix *r = to_radix_c(pm);

	return radix_mem_bytes_for(r->nnodes + r->npool);
}

const struct pagemap_ops pagemap_radix = {
	.name = "radix",
	.help = "radix tree of 4 KiB tables of 512 slots (Wendelin.core); args: max_bytes",
	.create = radix_create,
	.destroy = radix_destroy,
	.get = radix_get,
	.set = radix_set,
	.del = radix_del,
	.clear = radix_clear,
	.for_each = radix_for_each,
	.mem_bytes = radix_mem_bytes,
	.hint = radix_hint,
};

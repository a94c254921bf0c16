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
 * is what this structure is not for.  mem_bytes counts the nodes; glibc's
 * aligned_alloc may leave up to a page of padding before a node that only
 * smaller mallocs can reuse.
 *
 * Arguments: max_bytes=N caps mem_bytes (0: no cap); a set() that would need
 * more fails with -ENOMEM and leaves the map unchanged.  It serves both as a
 * memory budget and as fault injection for the callers' error paths.
 *
 * Context: all methods run under the caller's lock (for the real virtmem,
 * possibly inside the SIGSEGV handler); none take locks.  set() allocates
 * with aligned_alloc(); get() and del() never allocate.
 */
#include "policies/pagemap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
	unsigned top_shift;	/* 9 * (height - 1): shift of the root digit */
	uint64_t out_mask;	/* key bits the tree does not cover */
	size_t nnodes;
	uint64_t max_bytes;	/* 0: no cap */
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

static size_t radix_mem_bytes_for(size_t nnodes)
{
	return sizeof(struct radix) + nnodes * RADIX_NODE_BYTES;
}

static uintptr_t *radix_node_alloc(void)
{
	uintptr_t *node = aligned_alloc(RADIX_NODE_BYTES, RADIX_NODE_BYTES);

	if (!node)
		return NULL;
	BUG_ON((uintptr_t)node & RADIX_TAG_MASK);
	memset(node, 0, RADIX_NODE_BYTES);
	return node;
}

static void radix_node_free(struct radix *r, uintptr_t *node)
{
	BUG_ON(r->nnodes == 0);
	r->nnodes--;
	free(node);
}

static struct pagemap *radix_create(const char *args, char *err, size_t errlen)
{
	uint64_t max_bytes = 0;
	const struct arg_spec specs[] = {
		{ "max_bytes", ARG_U64, &max_bytes, 0, 0x1p64, NULL,
		  "cap on the map's memory, set fails with -ENOMEM beyond (0: none)" },
	};
	struct radix *r;

	if (args_parse("radix", args, specs, ARRAY_SIZE(specs), err, errlen))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "radix: out of memory");
		return NULL;
	}
	radix_set_height(r, 0);
	r->max_bytes = max_bytes;
	return &r->pm;
}

/* The simulator's per-access hot path. */
static void *radix_get(const struct pagemap *pm, uint64_t key)
{
	const struct radix *r = to_radix_c(pm);
	unsigned shift = r->top_shift;
	const uintptr_t *node;
	uintptr_t slot;

	if (unlikely((key & r->out_mask) || !r->root))
		return NULL;
	node = tag_node(r->root);
	for (;;) {
		slot = node[(key >> shift) & RADIX_DIGIT_MASK];
		if (shift == 0)
			return (void *)slot;
		if (!slot)
			return NULL;
		node = tag_node(slot);
		shift -= RADIX_SHIFT;
	}
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

static int radix_set(struct pagemap *pm, uint64_t key, void *value)
{
	struct radix *r = to_radix(pm);
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
		spare[i] = radix_node_alloc();
		if (!spare[i]) {
			while (i--)
				free(spare[i]);
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

static void *radix_del(struct pagemap *pm, uint64_t key)
{
	struct radix *r = to_radix(pm);
	uintptr_t *path[RADIX_MAX_HEIGHT];	/* path[i]: tag of level i+1 */
	unsigned shift = r->top_shift, level;
	uintptr_t *node, old;

	if ((key & r->out_mask) || !r->root)
		return NULL;
	path[r->height - 1] = &r->root;
	for (level = r->height; level > 1; level--) {
		node = tag_node(*path[level - 1]);
		path[level - 2] = &node[(key >> shift) & RADIX_DIGIT_MASK];
		if (!*path[level - 2])
			return NULL;
		shift -= RADIX_SHIFT;
	}
	node = tag_node(*path[0]);
	old = node[key & RADIX_DIGIT_MASK];
	if (!old)
		return NULL;
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
	return (void *)old;
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
	pm->count = 0;
}

static void radix_destroy(struct pagemap *pm)
{
	radix_clear(pm);
	free(to_radix(pm));
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
	return radix_mem_bytes_for(to_radix_c(pm)->nnodes);
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
};

/*
 * policies/pagemap/hash.c — `hash`: an open-addressing hash table with
 * linear probing and backward-shift deletion.
 *
 * The idea.  One flat array of (key, value) slots, its size a power of two;
 * an empty slot has value NULL (values are never NULL).  A key's home slot is
 * given by Fibonacci hashing (Knuth, TAOCP vol. 3, 6.4):
 *
 *     home(key) = (key * 0x9e3779b97f4a7c15) >> (64 - log2(cap))
 *
 * and a key sits at the first slot from home on (cyclically) that held no
 * other key when it was inserted.  get() probes from home to the key or to an
 * empty slot.  del() does not leave a tombstone: it shifts later entries of
 * the probe run back into the hole when their home allows it (Knuth's
 * Algorithm R), so probe runs stay as short as if the key had never been
 * inserted and no periodic cleaning is needed.
 *
 * Growth: set() doubles the table and rehashes every entry when the count
 * would exceed load * cap (load=0.75 by default).  The table never shrinks in
 * del() (which must not allocate), except that deleting the last key frees
 * it, as clear() does: an empty map holds only its struct.  Lookups land
 * anywhere in the table: it is a large block of the memory source (huge
 * pages from 2 MiB up, sparing a TLB miss per lookup).
 *
 * Ordered for_each: a hash table has no order, so for_each copies the
 * entries into a temporary array and sorts it: O(n log n) time and 16 bytes
 * per key from the memory source for the duration (if that fails it falls
 * back to an O(n * cap) selection scan that allocates nothing).  Not a hot
 * path.
 *
 * Arguments: load=F (0.25..0.95), max_bytes=N caps mem_bytes (0: no cap; a
 * set() that would need more fails with -ENOMEM, map unchanged).
 *
 * Context: all methods run under the caller's lock (for the real virtmem,
 * possibly inside the SIGSEGV handler); none take locks.  set() may take a
 * bigger table from the memory source; get() and del() never allocate.
 */
#include "policies/pagemap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/args.h"
#include "common/bug.h"

#define HASH_MIN_CAP	16u
#define HASH_MUL	0x9e3779b97f4a7c15ull
#define HASH_MEM	MEM_LARGE	/* the table: read at random */

struct hash_slot {
	uint64_t key;
	void *value;		/* NULL: empty */
};

struct hash {
	struct pagemap pm;
	struct hash_slot *slots;	/* NULL when cap == 0 */
	size_t cap;			/* 0 or a power of two >= HASH_MIN_CAP */
	size_t mask;			/* cap - 1 */
	unsigned shift;			/* 64 - log2(cap) */
	size_t grow_at;			/* most keys before doubling */
	double load;
	uint64_t max_bytes;		/* 0: no cap */
};

static inline struct hash *to_hash(struct pagemap *pm)
{
	return container_of(pm, struct hash, pm);
}

static inline const struct hash *to_hash_c(const struct pagemap *pm)
{
	return container_of(pm, const struct hash, pm);
}

static inline size_t hash_home(const struct hash *h, uint64_t key)
{
	return (size_t)((key * HASH_MUL) >> h->shift);
}

static size_t hash_mem_bytes_for(size_t cap)
{
	return sizeof(struct hash) + cap * sizeof(struct hash_slot);
}

static struct pagemap *hash_create(const char *args,
				   const struct pagemap_params *p, char *err,
				   size_t errlen)
{
	uint64_t max_bytes = 0;
	double load = 0.75;
	const struct arg_spec specs[] = {
		{ "load", ARG_DOUBLE, &load, 0.25, 0.95, NULL,
		  "largest fill fraction before the table doubles" },
		{ "max_bytes", ARG_U64, &max_bytes, 0, 0x1p64, NULL,
		  "cap on the map's memory, set fails with -ENOMEM beyond (0: none)" },
	};
	struct hash *h;

	if (args_parse("hash", args, specs, ARRAY_SIZE(specs), err, errlen))
		return NULL;
	h = mem_alloc(p->mem, sizeof(*h), 0);
	if (!h) {
		snprintf(err, errlen, "hash: out of memory");
		return NULL;
	}
	h->load = load;
	h->max_bytes = max_bytes;
	return &h->pm;
}

/* The simulator's per-access hot path. */
static void *hash_get(const struct pagemap *pm, uint64_t key)
{
	const struct hash *h = to_hash_c(pm);
	const struct hash_slot *s;
	size_t i;

	if (unlikely(!h->slots))
		return NULL;
	for (i = hash_home(h, key);; i = (i + 1) & h->mask) {
		s = &h->slots[i];
		if (!s->value || s->key == key)
			return s->value;
	}
}

/* The hint: prefetch the key's home slot (its probe sequence starts there). */
static void hash_hint(const struct pagemap *pm, uint64_t key)
{
	const struct hash *h = to_hash_c(pm);

	if (h->slots)
		__builtin_prefetch(&h->slots[hash_home(h, key)], 1);
}

/* Index of key's slot, or of the empty slot where it would go. */
static size_t hash_find(const struct hash *h, uint64_t key)
{
	size_t i;

	for (i = hash_home(h, key);; i = (i + 1) & h->mask)
		if (!h->slots[i].value || h->slots[i].key == key)
			return i;
}

static void hash_set_table(struct hash *h, struct hash_slot *slots, size_t cap)
{
	h->slots = slots;
	h->cap = cap;
	h->mask = cap ? cap - 1 : 0;
	h->shift = cap ? 64u - (unsigned)__builtin_ctzll(cap) : 0;
	h->grow_at = (size_t)(h->load * (double)cap);
	if (cap && h->grow_at >= cap)
		h->grow_at = cap - 1;	/* always keep one empty slot */
}

/* Move every entry into a table of newcap slots; -ENOMEM leaves h as it was. */
static int hash_resize(struct hash *h, size_t newcap)
{
	struct hash_slot *old = h->slots, *slots;
	size_t oldcap = h->cap;

	if (h->max_bytes && hash_mem_bytes_for(newcap) > h->max_bytes)
		return -ENOMEM;
	slots = mem_alloc_array(h->pm.mem, newcap, sizeof(*slots), HASH_MEM);
	if (!slots)
		return -ENOMEM;
	hash_set_table(h, slots, newcap);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].value)
			slots[hash_find(h, old[i].key)] = old[i];
	mem_free_array(h->pm.mem, old, oldcap, sizeof(*old), HASH_MEM);
	return 0;
}

static int hash_set(struct pagemap *pm, uint64_t key, void *value)
{
	struct hash *h = to_hash(pm);
	size_t i;
	int ret;

	BUG_ON(!value);
	if (h->slots) {
		i = hash_find(h, key);
		if (h->slots[i].value) {
			h->slots[i].value = value;	/* overwrite */
			return 0;
		}
	}
	if (!h->slots || pm->count + 1 > h->grow_at) {
		ret = hash_resize(h, h->cap ? 2 * h->cap : HASH_MIN_CAP);
		if (ret)
			return ret;
	}
	i = hash_find(h, key);
	h->slots[i].key = key;
	h->slots[i].value = value;
	pm->count++;
	return 0;
}

static void hash_free_table(struct hash *h)
{
	mem_free_array(h->pm.mem, h->slots, h->cap, sizeof(*h->slots), HASH_MEM);
	hash_set_table(h, NULL, 0);
}

static void *hash_del(struct pagemap *pm, uint64_t key)
{
	struct hash *h = to_hash(pm);
	size_t hole, j, home;
	void *old;

	if (!h->slots)
		return NULL;
	hole = hash_find(h, key);
	old = h->slots[hole].value;
	if (!old)
		return NULL;
	pm->count--;
	if (pm->count == 0) {
		hash_free_table(h);
		return old;
	}
	/*
	 * Backward shift: an entry later in the run may fill the hole when
	 * the hole lies between its home and where it sits (cyclically).
	 */
	for (j = (hole + 1) & h->mask; h->slots[j].value; j = (j + 1) & h->mask) {
		home = hash_home(h, h->slots[j].key);
		if (((j - home) & h->mask) >= ((j - hole) & h->mask)) {
			h->slots[hole] = h->slots[j];
			hole = j;
		}
	}
	h->slots[hole].value = NULL;
	h->slots[hole].key = 0;
	return old;
}

static void hash_clear(struct pagemap *pm)
{
	hash_free_table(to_hash(pm));
	pm->count = 0;
}

static void hash_destroy(struct pagemap *pm)
{
	hash_clear(pm);
	mem_free(pm->mem, to_hash(pm), sizeof(struct hash), 0);
}

static int hash_slot_cmp(const void *a, const void *b)
{
	uint64_t ka = ((const struct hash_slot *)a)->key;
	uint64_t kb = ((const struct hash_slot *)b)->key;

	return (ka > kb) - (ka < kb);
}

/* The no-allocation fallback: one pass over the table per key, O(n * cap). */
static int hash_for_each_scan(const struct hash *h, pagemap_fn fn, void *arg)
{
	uint64_t last = 0;
	int ret;

	for (size_t n = 0; n < h->pm.count; n++) {
		const struct hash_slot *next = NULL;

		for (size_t i = 0; i < h->cap; i++) {
			const struct hash_slot *s = &h->slots[i];

			if (!s->value || (n && s->key <= last))
				continue;
			if (!next || s->key < next->key)
				next = s;
		}
		BUG_ON(!next);
		last = next->key;
		ret = fn(next->key, next->value, arg);
		if (ret)
			return ret;
	}
	return 0;
}

static int hash_for_each(const struct pagemap *pm, pagemap_fn fn, void *arg)
{
	const struct hash *h = to_hash_c(pm);
	size_t n = pm->count, k = 0;
	struct hash_slot *sorted;
	int ret = 0;

	if (!n)
		return 0;
	sorted = mem_alloc_array(pm->mem, n, sizeof(*sorted), 0);
	if (!sorted)
		return hash_for_each_scan(h, fn, arg);
	for (size_t i = 0; i < h->cap; i++)
		if (h->slots[i].value)
			sorted[k++] = h->slots[i];
	BUG_ON(k != n);
	qsort(sorted, n, sizeof(*sorted), hash_slot_cmp);
	for (size_t i = 0; i < n && !ret; i++)
		ret = fn(sorted[i].key, sorted[i].value, arg);
	mem_free_array(pm->mem, sorted, n, sizeof(*sorted), 0);
	return ret;
}

static size_t hash_mem_bytes(const struct pagemap *pm)
{
	return hash_mem_bytes_for(to_hash_c(pm)->cap);
}

const struct pagemap_ops pagemap_hash = {
	.name = "hash",
	.help = "open addressing, linear probing, backward-shift delete; args: load, max_bytes",
	.create = hash_create,
	.destroy = hash_destroy,
	.get = hash_get,
	.set = hash_set,
	.del = hash_del,
	.clear = hash_clear,
	.for_each = hash_for_each,
	.mem_bytes = hash_mem_bytes,
	.hint = hash_hint,
};

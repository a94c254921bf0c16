/*
 * tests/t_pagemap.c — the pagemap contract, run over every entry of
 * pagemap_registry, and every policy against a naive reference map.
 *
 *  - contract(): VIRTMEM-CHECKLIST item 1 — round trip inside one node and
 *    across nodes, get on empty, overwrite keeps the count, deleting an absent
 *    key changes nothing, deleting a node's last entry frees it up to the root
 *    (seen through mem_bytes returning to the empty value), a full 512-key
 *    node filled and emptied, ordered for_each over sparse keys and its early
 *    stop, clear frees everything; plus -ENOMEM through max_bytes (map
 *    unchanged) and bad specs.
 *  - against_reference(): 1.02e6 seeded random set/get/del operations with
 *    for_each spot checks over sequential, random-dense and sparse 64-bit
 *    keys, compared with refmap (a sorted array searched by bisection);
 *    memory back to the empty value after deleting everything and after
 *    clear; hints (pagemap_ops.hint) before half the gets.  Then hash:load=0.95 once
 *    more, for long probe runs.
 *  - radix_shape(): radix-only: the height and node count that the keys
 *    call for (3 levels for keys below 2^27, 8 for 64-bit keys).
 *  - radix_paths(): radix-only: each op down its fast path (the key's leaf
 *    exists) and its slow one (nodes made or freed, the tree growing or
 *    shrinking) at every height 1..8, node counts exact.
 * Every map takes its memory from one counting memory source
 * (tests/memtest.h): when every map is destroyed, every block has been
 * given back with the size it was taken with.
 */
#include <errno.h>
#include <string.h>

#include "common/bug.h"
#include "common/rng.h"
#include "policies/pagemap.h"
#include "tests/memtest.h"
#include "tests/testhelp.h"

#define V(x) ((void *)(uintptr_t)(x))
#define NODE_BYTES 4096u

static const uint64_t across_keys[] = {
	0, 1, 511, 512, 513, 262143, 262144, (1ull << 27) - 1, 1ull << 27,
	(1ull << 36) + 7, 1ull << 45, (1ull << 54) + 3, (1ull << 63) - 1,
	1ull << 63, ~0ull - 1, ~0ull,
};

/* for_each callback: record keys and values, stop after stop_at calls. */
struct collect {
	uint64_t *keys;
	void **vals;
	size_t n, cap;
	size_t stop_at;		/* 0: never stop */
	int stop_ret;
};

static int collect_fn(uint64_t key, void *value, void *arg)
{
	struct collect *c = arg;

	if (c->n < c->cap) {
		c->keys[c->n] = key;
		c->vals[c->n] = value;
	}
	c->n++;
	if (c->stop_at && c->n == c->stop_at)
		return c->stop_ret;
	return 0;
}

static void collect_init(struct collect *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->keys = malloc(cap * sizeof(*c->keys));
	c->vals = malloc(cap * sizeof(*c->vals));
	c->cap = cap;
	if (!c->keys || !c->vals) {
		fprintf(stderr, "t_pagemap: out of memory\n");
		exit(1);
	}
}

static void collect_free(struct collect *c)
{
	free(c->keys);
	free(c->vals);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sort and drop duplicates; returns the new length. */
static size_t sort_unique(uint64_t *k, size_t n)
{
	size_t m = 0;

	qsort(k, n, sizeof(*k), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || k[m - 1] != k[i])
			k[m++] = k[i];
	return m;
}

static void shuffle(struct rng *r, uint64_t *k, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_below(r, i);
		uint64_t t = k[i - 1];
		k[i - 1] = k[j];
		k[j] = t;
	}
}

static struct memtest pm_mem = MEMTEST_INIT;
static const struct pagemap_params pm_params = { .mem = &pm_mem.ms };

static struct pagemap *create_or_die(const char *spec)
{
	char err[256];
	struct pagemap *pm = pagemap_create(spec, &pm_params, err, sizeof(err));

	REQUIRE_MSG(pm != NULL, "pagemap_create(%s): %s", spec, err);
	return pm;
}

static size_t mem(const struct pagemap *pm)
{
	return pm->ops->mem_bytes(pm);
}

/* clear: no key left, memory back to the empty map's. */
static void clear_and_check(struct pagemap *pm, size_t empty,
			    const uint64_t *keys, size_t n)
{
	size_t bad = 0;

	pagemap_clear(pm);
	CHECK_EQ(pm->count, 0);
	CHECK_EQ(mem(pm), empty);
	for (size_t i = 0; i < n; i++)
		bad += pagemap_get(pm, keys[i]) != NULL;
	CHECK_EQ(bad, 0);
}

/* ---- the contract, for one policy ---- */

static void contract_empty_and_round_trip(struct pagemap *pm, size_t empty)
{
	struct collect c;
	size_t bad = 0, n = ARRAY_SIZE(across_keys);

	/* get on empty is NULL, del on empty changes nothing */
	for (size_t i = 0; i < n; i++) {
		bad += pagemap_get(pm, across_keys[i]) != NULL;
		bad += pagemap_del(pm, across_keys[i]) != NULL;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(pm->count, 0);
	CHECK_EQ(mem(pm), empty);
	collect_init(&c, 4);
	CHECK_EQ(pagemap_for_each(pm, collect_fn, &c), 0);
	CHECK_EQ(c.n, 0);
	collect_free(&c);

	/* inside one node: keys 1024..1535 share one leaf */
	for (uint64_t i = 0; i < 512; i++)
		bad += pagemap_set(pm, 1024 + i, V(i + 1)) != 0;
	for (uint64_t i = 0; i < 512; i++)
		bad += pagemap_get(pm, 1024 + i) != V(i + 1);
	CHECK_EQ(bad, 0);
	CHECK_EQ(pm->count, 512);
	CHECK(pagemap_get(pm, 1023) == NULL);
	CHECK(pagemap_get(pm, 1536) == NULL);

	/* across nodes and levels, up to the largest 64-bit key */
	for (size_t i = 0; i < n; i++)
		bad += pagemap_set(pm, across_keys[i], V(across_keys[i] | 1)) != 0;
	for (size_t i = 0; i < n; i++)
		bad += pagemap_get(pm, across_keys[i]) != V(across_keys[i] | 1);
	CHECK_EQ(bad, 0);
	CHECK_EQ(pm->count, 512 + n);
	for (uint64_t i = 0; i < 512; i++)	/* the first node is intact */
		bad += pagemap_get(pm, 1024 + i) != V(i + 1);
	CHECK_EQ(bad, 0);
	CHECK(pagemap_get(pm, 2) == NULL);
	CHECK(pagemap_get(pm, (1ull << 27) + 1) == NULL);
	CHECK(pagemap_get(pm, (1ull << 63) + 1) == NULL);
	CHECK(pagemap_get(pm, 1ull << 62) == NULL);

	clear_and_check(pm, empty, across_keys, n);
}

static void contract_overwrite_and_absent(struct pagemap *pm, size_t empty)
{
	const uint64_t k = (5ull << 20) | 7, k2 = k + 1;
	size_t m1, m2;

	/* overwriting does not change the count: one del still frees all */
	CHECK_EQ(pagemap_set(pm, k, V(1)), 0);
	m1 = mem(pm);
	CHECK(m1 > empty);
	CHECK_EQ(pagemap_set(pm, k, V(2)), 0);
	CHECK_EQ(pagemap_set(pm, k, V(3)), 0);
	CHECK_EQ(pm->count, 1);
	CHECK_EQ(mem(pm), m1);
	CHECK(pagemap_get(pm, k) == V(3));
	CHECK(pagemap_del(pm, k) == V(3));
	CHECK_EQ(pm->count, 0);
	CHECK_EQ(mem(pm), empty);
	CHECK(pagemap_get(pm, k) == NULL);

	/* the same with a neighbour in the node */
	CHECK_EQ(pagemap_set(pm, k, V(1)), 0);
	CHECK_EQ(pagemap_set(pm, k2, V(5)), 0);
	CHECK_EQ(pagemap_set(pm, k, V(2)), 0);
	CHECK_EQ(pm->count, 2);
	CHECK(pagemap_del(pm, k) == V(2));
	CHECK(pagemap_get(pm, k2) == V(5));
	CHECK(pagemap_del(pm, k2) == V(5));
	CHECK_EQ(mem(pm), empty);

	/* deleting an absent key changes nothing: in a populated node, in an
	 * absent node under the root, beyond the tree's height, at the ends */
	CHECK_EQ(pagemap_set(pm, 1000, V(10)), 0);
	CHECK_EQ(pagemap_set(pm, 1ull << 30, V(11)), 0);
	m2 = mem(pm);
	CHECK(pagemap_del(pm, 1001) == NULL);
	CHECK(pagemap_del(pm, 999) == NULL);
	CHECK(pagemap_del(pm, 1ull << 20) == NULL);
	CHECK(pagemap_del(pm, (1ull << 30) + 512) == NULL);
	CHECK(pagemap_del(pm, 1ull << 40) == NULL);
	CHECK(pagemap_del(pm, ~0ull) == NULL);
	CHECK(pagemap_del(pm, 0) == NULL);
	CHECK_EQ(pm->count, 2);
	CHECK_EQ(mem(pm), m2);
	CHECK(pagemap_get(pm, 1000) == V(10));
	CHECK(pagemap_get(pm, 1ull << 30) == V(11));
	pagemap_clear(pm);
}

static void contract_free_up_to_root(struct pagemap *pm, size_t empty)
{
	size_t bad = 0, m_a;

	/* one key alone: its del frees every node it needed */
	for (size_t i = 0; i < ARRAY_SIZE(across_keys); i++) {
		uint64_t k = across_keys[i];

		bad += pagemap_set(pm, k, V(7)) != 0;
		bad += !(mem(pm) > empty);
		bad += pagemap_del(pm, k) != V(7);
		bad += mem(pm) != empty;
		bad += pm->count != 0;
	}
	CHECK_EQ(bad, 0);

	/* a far key next to a near one: deleting it gives back all it took */
	CHECK_EQ(pagemap_set(pm, 3, V(3)), 0);
	m_a = mem(pm);
	for (size_t i = 0; i < ARRAY_SIZE(across_keys); i++) {
		uint64_t k = across_keys[i];

		if (k == 3)
			continue;
		bad += pagemap_set(pm, k, V(9)) != 0;
		bad += pagemap_del(pm, k) != V(9);
		bad += mem(pm) != m_a;
		bad += pagemap_get(pm, 3) != V(3);
	}
	CHECK_EQ(bad, 0);
	CHECK(pagemap_del(pm, 3) == V(3));
	CHECK_EQ(mem(pm), empty);
}

static void contract_full_node(struct pagemap *pm, size_t empty, struct rng *r)
{
	const uint64_t base = (3ull << 18) | (5ull << 9);	/* one leaf, depth 3 */
	uint64_t order[512];
	size_t bad = 0, prev;

	for (uint64_t i = 0; i < 512; i++)
		order[i] = base + i;
	shuffle(r, order, 512);
	for (size_t i = 0; i < 512; i++) {
		bad += pagemap_set(pm, order[i], V(order[i])) != 0;
		bad += pm->count != i + 1;
	}
	/* overwriting inside the full node keeps it full, not more */
	for (size_t i = 0; i < 512; i += 7)
		bad += pagemap_set(pm, order[i], V(order[i])) != 0;
	CHECK_EQ(pm->count, 512);
	for (uint64_t i = 0; i < 512; i++)
		bad += pagemap_get(pm, base + i) != V(base + i);
	CHECK(pagemap_get(pm, base - 1) == NULL);
	CHECK(pagemap_get(pm, base + 512) == NULL);
	CHECK_EQ(bad, 0);

	shuffle(r, order, 512);
	prev = mem(pm);
	for (size_t i = 0; i < 512; i++) {
		bad += pagemap_del(pm, order[i]) != V(order[i]);
		bad += pagemap_get(pm, order[i]) != NULL;
		bad += pm->count != 511 - i;
		bad += mem(pm) > prev;		/* never grows on del */
		prev = mem(pm);
		if (i + 1 < 512) {
			bad += !(mem(pm) > empty);	/* node still there */
			bad += pagemap_get(pm, order[i + 1]) != V(order[i + 1]);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(mem(pm), empty);
}

static void contract_for_each(struct pagemap *pm, size_t empty, struct rng *r)
{
	enum { NK = 3000 };
	uint64_t *keys = malloc((NK + 3) * sizeof(*keys));
	size_t n = 0, nu, bad = 0;
	struct collect c;

	if (!keys)
		exit(1);
	for (int i = 0; i < 1000; i++)
		keys[n++] = rng_next(r);		/* sparse 64-bit */
	for (int i = 0; i < 1000; i++)
		keys[n++] = rng_below(r, 1u << 20);	/* dense-ish */
	for (int i = 0; i < 10; i++) {			/* clusters */
		uint64_t b = rng_next(r) & ~(uint64_t)0xff;
		for (int j = 0; j < 100; j++)
			keys[n++] = b + rng_below(r, 300);
	}
	keys[n++] = 0;
	keys[n++] = ~0ull;
	keys[n++] = 1ull << 63;
	shuffle(r, keys, n);
	for (size_t i = 0; i < n; i++)
		bad += pagemap_set(pm, keys[i], V((keys[i] << 1) | 1)) != 0;
	CHECK_EQ(bad, 0);
	nu = sort_unique(keys, n);
	CHECK_EQ(pm->count, nu);

	collect_init(&c, nu + 1);
	CHECK_EQ(pagemap_for_each(pm, collect_fn, &c), 0);
	CHECK_EQ(c.n, nu);
	for (size_t i = 0; i < nu && i < c.n; i++) {
		bad += c.keys[i] != keys[i];
		bad += c.vals[i] != V((keys[i] << 1) | 1);
	}
	CHECK_EQ(bad, 0);

	/* a non-zero return stops the walk and is returned */
	c.n = 0;
	c.stop_at = 5;
	c.stop_ret = 42;
	CHECK_EQ(pagemap_for_each(pm, collect_fn, &c), 42);
	CHECK_EQ(c.n, 5);
	CHECK(c.keys[4] == keys[4]);
	c.n = 0;
	c.stop_at = 1;
	c.stop_ret = -3;
	CHECK_EQ(pagemap_for_each(pm, collect_fn, &c), -3);
	CHECK_EQ(c.n, 1);
	CHECK(c.keys[0] == 0);
	c.n = 0;
	c.stop_at = nu;
	c.stop_ret = 1;
	CHECK_EQ(pagemap_for_each(pm, collect_fn, &c), 1);
	CHECK_EQ(c.n, nu);
	CHECK(c.keys[nu - 1] == ~0ull);

	/* clear frees every node; the map stays usable */
	CHECK(mem(pm) > empty);
	clear_and_check(pm, empty, keys, nu);
	c.n = 0;
	c.stop_at = 0;
	CHECK_EQ(pagemap_for_each(pm, collect_fn, &c), 0);
	CHECK_EQ(c.n, 0);
	CHECK_EQ(pagemap_set(pm, keys[nu / 2], V(1)), 0);
	CHECK(pagemap_get(pm, keys[nu / 2]) == V(1));
	CHECK_EQ(pm->count, 1);
	pagemap_clear(pm);
	pagemap_clear(pm);		/* clearing an empty map is fine */
	CHECK_EQ(mem(pm), empty);
	collect_free(&c);
	free(keys);
}

/* max_bytes: set fails with -ENOMEM and leaves the map as it was. */
static void contract_enomem(const struct pagemap_ops *ops, size_t empty)
{
	char spec[128];
	struct pagemap *pm;
	size_t nok = 0, before = 0, bad = 0;
	int ret = 0;
	uint64_t i;
	struct collect c;

	snprintf(spec, sizeof(spec), "%s:max_bytes=%zu", ops->name,
		 empty + 4 * NODE_BYTES);
	pm = create_or_die(spec);
	for (i = 0; i < 100000; i++) {
		before = mem(pm);
		ret = pagemap_set(pm, i * 1000003, V(i + 1));
		if (ret)
			break;
		nok++;
	}
	CHECK_EQ(ret, -ENOMEM);
	CHECK(nok > 0);
	CHECK_EQ(pm->count, nok);
	CHECK_EQ(mem(pm), before);
	CHECK(mem(pm) <= empty + 4 * NODE_BYTES);
	CHECK(pagemap_get(pm, i * 1000003) == NULL);
	for (uint64_t j = 0; j < nok; j++)
		bad += pagemap_get(pm, j * 1000003) != V(j + 1);
	CHECK_EQ(bad, 0);
	collect_init(&c, nok + 1);
	CHECK_EQ(pagemap_for_each(pm, collect_fn, &c), 0);
	CHECK_EQ(c.n, nok);
	/* overwriting needs no memory and still works */
	CHECK_EQ(pagemap_set(pm, 0, V(77)), 0);
	CHECK(pagemap_get(pm, 0) == V(77));
	CHECK_EQ(pm->count, nok);
	collect_free(&c);
	pagemap_destroy(pm);
}

static void contract_bad_specs(const struct pagemap_ops *ops)
{
	char spec[128], err[256];

	snprintf(spec, sizeof(spec), "%s:bogus=1", ops->name);
	err[0] = '\0';
	CHECK(pagemap_create(spec, &pm_params, err, sizeof(err)) == NULL);
	CHECK_MSG(strstr(err, "bogus") != NULL, "err='%s'", err);
	snprintf(spec, sizeof(spec), "%s:max_bytes=lots", ops->name);
	CHECK(pagemap_create(spec, &pm_params, err, sizeof(err)) == NULL);
	CHECK_MSG(strstr(err, "max_bytes") != NULL, "err='%s'", err);
}

static void contract(const struct pagemap_ops *ops, struct rng *r)
{
	struct pagemap *pm = create_or_die(ops->name);
	size_t empty = mem(pm);

	CHECK(pm->ops == ops);
	CHECK_EQ(pm->count, 0);
	CHECK(empty > 0);
	contract_empty_and_round_trip(pm, empty);
	contract_overwrite_and_absent(pm, empty);
	contract_free_up_to_root(pm, empty);
	contract_full_node(pm, empty, r);
	contract_for_each(pm, empty, r);
	pagemap_destroy(pm);
	contract_enomem(ops, empty);
	contract_bad_specs(ops);
}

/* ---- a deliberately naive reference map ---- */

/*
 * A fixed, sorted universe of keys with one value slot each (NULL: absent),
 * looked up by bisection.  Only keys of the universe are ever set.
 */
struct refmap {
	uint64_t *keys;
	void **vals;
	size_t n, count;
};

static long ref_find(const struct refmap *rm, uint64_t key)
{
	size_t lo = 0, hi = rm->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rm->keys[mid] == key)
			return (long)mid;
		if (rm->keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void *ref_get(const struct refmap *rm, uint64_t key)
{
	long i = ref_find(rm, key);

	return i < 0 ? NULL : rm->vals[i];
}

static void ref_set(struct refmap *rm, uint64_t key, void *v)
{
	long i = ref_find(rm, key);

	if (i < 0) {
		fprintf(stderr, "t_pagemap: key outside the universe\n");
		exit(1);
	}
	rm->count += rm->vals[i] == NULL;
	rm->vals[i] = v;
}

static void *ref_del(struct refmap *rm, uint64_t key)
{
	long i = ref_find(rm, key);
	void *old;

	if (i < 0 || !rm->vals[i])
		return NULL;
	old = rm->vals[i];
	rm->vals[i] = NULL;
	rm->count--;
	return old;
}

enum pattern { PAT_SEQ, PAT_DENSE, PAT_SPARSE, PAT_N };
static const char *const pattern_name[] = { "sequential", "random-dense",
					    "sparse-64bit" };

static void ref_universe(struct refmap *rm, enum pattern pat, struct rng *r)
{
	size_t n = 0, cap = 1u << 17;

	rm->keys = malloc((cap + 8) * sizeof(*rm->keys));
	if (!rm->keys)
		exit(1);
	switch (pat) {
	case PAT_SEQ: {		/* crosses 2^27: the radix grows a level */
		uint64_t base = (1ull << 27) - (1ull << 16);
		for (size_t i = 0; i < cap; i++)
			rm->keys[n++] = base + i;
		break;
	}
	case PAT_DENSE:
		for (size_t i = 0; i < (1u << 16); i++)
			rm->keys[n++] = rng_below(r, 1u << 22);
		break;
	case PAT_SPARSE:
		/* a radix tree spends ~6 nodes on each isolated key */
		for (size_t i = 0; i < 2048; i++)
			rm->keys[n++] = rng_next(r);
		for (size_t b = 0; b < 512; b++) {
			uint64_t base = rng_next(r);
			for (size_t i = 0; i < 64; i++)
				rm->keys[n++] = base + i;	/* may wrap */
		}
		rm->keys[n++] = 0;
		rm->keys[n++] = ~0ull;
		rm->keys[n++] = 1ull << 63;
		rm->keys[n++] = (1ull << 63) - 1;
		break;
	default:
		exit(1);
	}
	rm->n = sort_unique(rm->keys, n);
	rm->vals = calloc(rm->n, sizeof(*rm->vals));
	rm->count = 0;
	if (!rm->vals)
		exit(1);
}

/* The whole map against the reference, through for_each. */
static size_t full_compare(const struct pagemap *pm, const struct refmap *rm,
			   struct collect *c)
{
	size_t bad = 0, j = 0;

	c->n = 0;
	c->stop_at = 0;
	bad += pagemap_for_each(pm, collect_fn, c) != 0;
	bad += c->n != rm->count || pm->count != rm->count;
	for (size_t i = 0; i < rm->n && j < c->n && j < c->cap; i++) {
		if (!rm->vals[i])
			continue;
		bad += c->keys[j] != rm->keys[i] || c->vals[j] != rm->vals[i];
		j++;
	}
	return bad;
}

/* for_each stopped after k entries yields the reference's first k. */
static size_t spot_compare(const struct pagemap *pm, const struct refmap *rm,
			   struct collect *c, size_t k)
{
	size_t bad = 0, j = 0, want = k < rm->count ? k : rm->count;
	int ret;

	c->n = 0;
	c->stop_at = k;
	c->stop_ret = 9;
	ret = pagemap_for_each(pm, collect_fn, c);
	bad += ret != (rm->count >= k ? 9 : 0);
	bad += c->n != want;
	for (size_t i = 0; i < rm->n && j < want && j < c->n; i++) {
		if (!rm->vals[i])
			continue;
		bad += c->keys[j] != rm->keys[i] || c->vals[j] != rm->vals[i];
		j++;
	}
	c->stop_at = 0;
	return bad;
}

#define NOPS_PER_PATTERN 340000u

static void against_reference(const char *spec, enum pattern pat,
			      uint64_t seed)
{
	struct pagemap *pm = create_or_die(spec);
	size_t empty = mem(pm);
	struct refmap rm;
	struct rng r;
	struct collect c;
	size_t bad_get = 0, bad_set = 0, bad_del = 0, bad_cnt = 0, bad_each = 0;
	size_t head = 0, tail = 0, nfull = 0, nspot = 0, bad = 0;
	uint64_t *order;

	rng_seed(&r, seed);
	ref_universe(&rm, pat, &r);
	collect_init(&c, rm.n + 1);

	for (uint64_t op = 1; op <= NOPS_PER_PATTERN; op++) {
		unsigned what = (unsigned)rng_below(&r, 100000);
		size_t idx;
		uint64_t key;

		if (pat == PAT_SEQ) {	/* a window sliding through the keys */
			if (what < 40000)
				idx = head++ % rm.n;
			else if (what < 70000)
				idx = tail++ % rm.n;
			else
				idx = (tail + rng_below(&r, head - tail + 64)) % rm.n;
		} else {
			idx = rng_below(&r, rm.n);
		}
		key = rm.keys[idx];

		if (what < 45000) {
			void *v = V((op << 1) | 1);
			bad_set += pagemap_set(pm, key, v) != 0;
			ref_set(&rm, key, v);
		} else if (what < 70000) {
			bad_del += pagemap_del(pm, key) != ref_del(&rm, key);
		} else if (what < 99990) {
			if (what & 1)	/* a key most likely outside the universe */
				key = pat == PAT_SPARSE ? rng_next(&r) :
				      rng_below(&r, 1ull << 28);
			if (what & 2)	/* a hint that changes nothing */
				pagemap_hint(pm, key);
			bad_get += pagemap_get(pm, key) != ref_get(&rm, key);
		} else {
			bad_each += spot_compare(pm, &rm, &c,
						 1 + rng_below(&r, 64));
			nspot++;
		}
		bad_cnt += pm->count != rm.count;
		if (op % 100000 == 0) {
			bad_each += full_compare(pm, &rm, &c);
			nfull++;
		}
	}
	CHECK_MSG(bad_set + bad_get + bad_del + bad_cnt + bad_each == 0,
		  "%s %s: %zu set, %zu get, %zu del, %zu count, %zu for_each "
		  "mismatches", spec, pattern_name[pat], bad_set, bad_get,
		  bad_del, bad_cnt, bad_each);
	CHECK(nfull > 0 && nspot > 0);
	CHECK(rm.count > 0);
	CHECK_EQ(full_compare(pm, &rm, &c), 0);

	/* delete everything one by one, in random order: memory comes back */
	order = malloc(rm.n * sizeof(*order));
	REQUIRE(order != NULL);
	memcpy(order, rm.keys, rm.n * sizeof(*order));
	shuffle(&r, order, rm.n);
	for (size_t i = 0; i < rm.n; i++)
		bad += pagemap_del(pm, order[i]) != ref_del(&rm, order[i]);
	CHECK_EQ(bad, 0);
	CHECK_EQ(pm->count, 0);
	CHECK_MSG(mem(pm) == empty, "%s %s: %zu bytes left, empty is %zu",
		  spec, pattern_name[pat], mem(pm), empty);

	/* refill half, then clear: memory comes back */
	for (size_t i = 0; i < rm.n; i += 2)
		bad += pagemap_set(pm, order[i], V(i | 1)) != 0;
	CHECK_EQ(bad, 0);
	CHECK_EQ(pm->count, (rm.n + 1) / 2);
	CHECK(mem(pm) > empty);
	clear_and_check(pm, empty, order, rm.n);

	free(order);
	collect_free(&c);
	free(rm.keys);
	free(rm.vals);
	pagemap_destroy(pm);
}

/* ---- radix only: the shape the keys call for ---- */

static void radix_shape(void)
{
	static const struct {
		uint64_t key;
		size_t nnodes;	/* one node per level */
	} cases[] = {
		{ 0, 1 }, { 511, 1 }, { 512, 2 }, { (1ull << 18) - 1, 2 },
		{ 1ull << 18, 3 }, { (1ull << 27) - 1, 3 }, { 1ull << 27, 4 },
		{ (1ull << 63) - 1, 7 }, { 1ull << 63, 8 }, { ~0ull, 8 },
	};
	struct pagemap *pm = create_or_die("radix");
	size_t empty = mem(pm);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK_EQ(pagemap_set(pm, cases[i].key, V(1)), 0);
		CHECK_MSG(mem(pm) == empty + cases[i].nnodes * NODE_BYTES,
			  "key %#" PRIx64 ": %zu bytes", cases[i].key, mem(pm));
		pagemap_del(pm, cases[i].key);
	}
	/* dense keys below 2^27: a full leaf costs one node per level */
	for (uint64_t k = 0; k < 512; k++)
		pagemap_set(pm, (1ull << 26) + k, V(1));
	CHECK_EQ(mem(pm), empty + 3 * NODE_BYTES);
	pagemap_set(pm, (1ull << 26) + 512, V(1));	/* a second leaf */
	CHECK_EQ(mem(pm), empty + 4 * NODE_BYTES);
	/* a far key grows the tree; deleting it shrinks it back */
	pagemap_set(pm, 1ull << 40, V(1));
	CHECK_EQ(mem(pm), empty + (4 + 2 + 4) * NODE_BYTES);
	pagemap_del(pm, 1ull << 40);
	CHECK_EQ(mem(pm), empty + 4 * NODE_BYTES);
	CHECK(pagemap_get(pm, (1ull << 26) + 511) == V(1));
	pagemap_destroy(pm);
}

/*
 * radix only: every op down both of its paths at each height 1..8.  The
 * fast paths (the key's leaf exists: fill, overwrite, delete a non-last
 * entry, get, hint) and the slow ones (nodes to make, levels to add; a
 * leaf's last entry gone, nodes freed up to the root, the tree shrinking),
 * with keys at the edges of what each height covers.  Node counts are
 * exact: mem_bytes is empty + 4096 per node below the slab threshold.
 */
struct paths_state {
	struct pagemap *pm;
	size_t empty;
	unsigned h;
	size_t bad;
};

static void paths_expect(struct paths_state *ps, int line, size_t nnodes,
			 size_t count)
{
	if (mem(ps->pm) != ps->empty + nnodes * NODE_BYTES ||
	    ps->pm->count != count) {
		fprintf(stderr, "FAIL radix_paths height %u line %d: %zu bytes, "
			"%zu keys; want %zu nodes, %zu keys\n", ps->h, line,
			mem(ps->pm), ps->pm->count, nnodes, count);
		ps->bad++;
	}
}

#define EXPECT(nnodes, count) paths_expect(&ps, __LINE__, (nnodes), (count))

static void radix_paths(void)
{
	struct paths_state ps = { .pm = create_or_die("radix") };
	struct pagemap *pm = ps.pm;
	size_t bad = 0;

	ps.empty = mem(pm);
	for (unsigned h = 1; h <= 8; h++) {
		/* a: the smallest key needing height h; top: the largest */
		uint64_t a = h == 1 ? 0 : 1ull << (9 * (h - 1));
		uint64_t top = h == 8 ? ~0ull : (1ull << (9 * h)) - 1;
		/* top's own nodes: below the root (at height 8, where the
		 * root digit is one bit, below the root's child too) */
		size_t ntop = h == 1 ? 0 : h == 8 ? h - 2 : h - 1;
		const uint64_t probe[] = { a, a + 1, a + 2, a + 512, top,
					   top - 1, top + 1, 1ull << 63, ~0ull };

		ps.h = h;
		bad += pagemap_set(pm, a, V(1)) != 0;		/* slow: new */
		EXPECT(h, 1);
		bad += pagemap_set(pm, a + 1, V(2)) != 0;	/* fast: fill */
		bad += pagemap_set(pm, a + 1, V(3)) != 0;	/* overwrite */
		EXPECT(h, 2);
		bad += pagemap_set(pm, top, V(4)) != 0;		/* another path */
		EXPECT(h + ntop, 3);

		/* the hint changes nothing, whatever the key */
		for (size_t i = 0; i < ARRAY_SIZE(probe); i++)
			pagemap_hint(pm, probe[i]);
		EXPECT(h + ntop, 3);
		bad += pagemap_get(pm, a) != V(1);
		bad += pagemap_get(pm, a + 1) != V(3);
		bad += pagemap_get(pm, top) != V(4);

		/* absent: in a leaf, under a missing node, above the tree */
		bad += pagemap_get(pm, a + 2) != NULL;
		bad += pagemap_get(pm, top - 1) != NULL;
		bad += pagemap_get(pm, a + 512) != NULL;
		bad += pagemap_del(pm, a + 2) != NULL;
		bad += pagemap_del(pm, top - 1) != NULL;
		bad += pagemap_del(pm, a + 512) != NULL;
		if (h < 8) {
			bad += pagemap_get(pm, top + 1) != NULL;
			bad += pagemap_del(pm, top + 1) != NULL;
		}
		EXPECT(h + ntop, 3);

		bad += pagemap_del(pm, a + 1) != V(3);		/* fast: not last */
		EXPECT(h + ntop, 2);
		bad += pagemap_del(pm, top) != V(4);		/* slow: frees */
		EXPECT(h, 1);
		bad += pagemap_get(pm, a) != V(1);

		if (h < 8) {
			/* grow by one level and shrink back */
			uint64_t b = top + 1;

			bad += pagemap_set(pm, b, V(5)) != 0;
			EXPECT(1 + h + h, 2);
			bad += pagemap_set(pm, a + 7, V(6)) != 0;  /* fast, h+1 */
			EXPECT(1 + h + h, 3);
			bad += pagemap_del(pm, b) != V(5);
			EXPECT(h, 2);
			bad += pagemap_get(pm, a + 7) != V(6);
			bad += pagemap_del(pm, a + 7) != V(6);	/* fast, h */
			EXPECT(h, 1);
		}
		if (h > 1) {
			/* a small key beside a: deleting a shrinks to one level */
			bad += pagemap_set(pm, 5, V(7)) != 0;
			EXPECT(h + h - 1, 2);
			bad += pagemap_del(pm, a) != V(1);
			EXPECT(1, 1);
			bad += pagemap_set(pm, 6, V(8)) != 0;	/* fast, height 1 */
			EXPECT(1, 2);
			bad += pagemap_get(pm, 5) != V(7);
			bad += pagemap_del(pm, 5) != V(7);
			bad += pagemap_del(pm, 6) != V(8);
		} else {
			bad += pagemap_del(pm, a) != V(1);
		}
		EXPECT(0, 0);
		bad += pagemap_get(pm, a) != NULL;
	}

	/* around 2^40 (height 5), grown from height 1 */
	ps.h = 5;
	bad += pagemap_set(pm, 3, V(1)) != 0;
	bad += pagemap_set(pm, 1ull << 40, V(2)) != 0;
	EXPECT(1 + 4 + 4, 2);			/* 4 roots, 4 path nodes */
	bad += pagemap_set(pm, (1ull << 40) - 1, V(3)) != 0;
	EXPECT(1 + 4 + 4 + 4, 3);		/* shares the root only */
	bad += pagemap_set(pm, (1ull << 40) + 1, V(4)) != 0;	/* fast */
	EXPECT(1 + 4 + 4 + 4, 4);
	bad += pagemap_get(pm, (1ull << 40) + 2) != NULL;
	bad += pagemap_del(pm, 1ull << 40) != V(2);		/* fast */
	bad += pagemap_del(pm, (1ull << 40) + 1) != V(4);	/* slow */
	EXPECT(1 + 4 + 4, 2);
	bad += pagemap_del(pm, (1ull << 40) - 1) != V(3);	/* shrinks */
	EXPECT(1, 1);
	bad += pagemap_get(pm, 3) != V(1);
	bad += pagemap_del(pm, 3) != V(1);
	EXPECT(0, 0);

	CHECK_EQ(bad, 0);
	CHECK_EQ(ps.bad, 0);
	pagemap_destroy(pm);
}

int main(void)
{
	char err[256];
	struct rng r;
	size_t npolicies = 0;

	T_BEGIN("pagemap");
	rng_seed(&r, 20260522);

	for (size_t i = 0; pagemap_registry[i]; i++, npolicies++) {
		const struct pagemap_ops *ops = pagemap_registry[i];

		CHECK(ops->name && ops->help && ops->create && ops->destroy &&
		      ops->get && ops->set && ops->del && ops->clear &&
		      ops->for_each && ops->mem_bytes);
		contract(ops, &r);
		for (int p = 0; p < PAT_N; p++)
			against_reference(ops->name, p, 1000 * i + p);
	}
	CHECK(npolicies >= 2);
	/* long probe runs stress the hash's backward-shift delete */
	against_reference("hash:load=0.95", PAT_DENSE, 77);

	/* bad names: the message lists the valid ones */
	err[0] = '\0';
	CHECK(pagemap_create("nope", &pm_params, err, sizeof(err)) == NULL);
	CHECK_MSG(strstr(err, "nope") != NULL, "err='%s'", err);
	for (size_t i = 0; pagemap_registry[i]; i++)
		CHECK_MSG(strstr(err, pagemap_registry[i]->name) != NULL,
			  "err='%s'", err);
	CHECK(pagemap_create("", &pm_params, err, sizeof(err)) == NULL);
	CHECK(pagemap_create(":max_bytes=1", &pm_params, err, sizeof(err)) == NULL);

	radix_shape();
	radix_paths();
	CHECK_MSG(pm_mem.bytes == 0 && pm_mem.blocks == 0,
		  "%lld bytes in %lld blocks not given back",
		  (long long)pm_mem.bytes, (long long)pm_mem.blocks);
	return T_END();
}

/*
 * tests/t_u64map.c — the u64 -> u64 map (common/u64map.h).
 *
 *  - seeded random insert/find/delete sequences against a naive reference
 *    (an unsorted array searched linearly), over key pools that include 0
 *    and UINT64_MAX and keys that share a home slot, so long runs, runs
 *    that wrap around the table's end and backward-shift deletion inside
 *    them all happen; after every step the count agrees and every slot
 *    holds a key reachable from its home without crossing an empty slot
 *    (the invariant lookups rely on);
 *  - growth keeps every key and value;
 *  - u64map_id numbers keys 0, 1, 2, ... in first-seen order.
 */
#include <string.h>

#include "common/bug.h"
#include "common/rng.h"
#include "common/u64map.h"
#include "tests/testhelp.h"

struct ref {
	uint64_t key[4096], val[4096];
	size_t n;
};

static long ref_find(const struct ref *r, uint64_t key)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->key[i] == key)
			return (long)i;
	return -1;
}

/* Every occupied slot is reachable from its home: no empty slot between. */
static bool runs_ok(const struct u64map *m)
{
	for (size_t i = 0; i <= m->mask; i++) {
		if (!m->slots[i].key)
			continue;
		for (size_t j = u64map_home(m, m->slots[i].key); j != i;
		     j = (j + 1) & m->mask)
			if (!m->slots[j].key)
				return false;
	}
	return true;
}

/* n keys whose home slot in a table of cap slots is one of the homes[]. */
static void colliding_keys(uint64_t *keys, size_t n, size_t cap,
			   const size_t *homes, size_t nhomes)
{
	struct u64map probe = { .mask = cap - 1 };
	size_t got = 0;

	for (uint64_t k = 1; got < n; k++) {
		size_t h = u64map_home(&probe, k);
		for (size_t i = 0; i < nhomes && got < n; i++)
			if (h == homes[i]) {
				keys[got++] = k;
				break;
			}
	}
}

/* Random operations over pool[npool] against the reference; the map
 * starts sized for init_keys. */
static void random_ops(const uint64_t *pool, size_t npool, size_t init_keys,
		       size_t steps, uint64_t seed, const char *what)
{
	static struct ref r;
	struct u64map m;
	struct rng g;
	bool ok_find = true, ok_count = true, ok_runs = true, ok_del = true;

	rng_seed(&g, seed);
	r.n = 0;
	BUG_ON(u64map_init(&m, init_keys));
	for (size_t s = 0; s < steps; s++) {
		uint64_t key = pool[rng_next(&g) % npool];
		uint64_t op = rng_next(&g) % 8, v = rng_next(&g);
		long at = ref_find(&r, key);
		uint64_t *p;
		bool isnew;

		if (op < 4) {			/* insert (and overwrite) */
			p = u64map_insert(&m, key, v, &isnew);
			BUG_ON(!p);
			ok_find &= isnew == (at < 0);
			ok_find &= *p == (at < 0 ? v : r.val[at]);
			*p = ~v;
			if (at < 0) {
				BUG_ON(r.n == ARRAY_SIZE(r.key));
				at = (long)r.n++;
				r.key[at] = key;
			}
			r.val[at] = ~v;
		} else if (op < 6) {		/* delete */
			ok_del &= u64map_del(&m, key) == (at >= 0);
			if (at >= 0) {
				r.n--;
				r.key[at] = r.key[r.n];
				r.val[at] = r.val[r.n];
			}
		} else {			/* find */
			p = u64map_find(&m, key);
			ok_find &= at < 0 ? !p : p && *p == r.val[at];
		}
		ok_count &= m.n == r.n;
		if (s % 64 == 0 || s == steps - 1) {
			ok_runs &= runs_ok(&m);
			for (size_t i = 0; i < r.n; i++) {
				p = u64map_find(&m, r.key[i]);
				ok_find &= p && *p == r.val[i];
			}
		}
	}
	CHECK_MSG(ok_find, "%s: a lookup disagrees with the reference", what);
	CHECK_MSG(ok_del, "%s: a delete disagrees with the reference", what);
	CHECK_MSG(ok_count, "%s: the key count disagrees", what);
	CHECK_MSG(ok_runs, "%s: a key is cut off from its home", what);
	u64map_free(&m);
}

static void random_pools(void)
{
	static uint64_t pool[3000];
	struct rng g;

	/* sparse keys, 0 and UINT64_MAX among them; growth from 16 slots */
	rng_seed(&g, 1);
	for (size_t i = 0; i < 3000; i++)
		pool[i] = rng_next(&g);
	pool[0] = 0;
	pool[1] = UINT64_MAX;
	random_ops(pool, 3000, 0, 60000, 2, "sparse keys");

	/* page keys: file << 40 | pgoff, dense in their low bits */
	for (size_t i = 0; i < 3000; i++)
		pool[i] = (uint64_t)(i % 3) << 40 | i / 3;
	random_ops(pool, 3000, 100, 60000, 3, "page keys");

	/* a few keys at most, all homed at the last two slots and the first
	 * of a 64-slot table (kept at 64 slots: at most 32 keys), so the run
	 * wraps around the end and deletes shift across it */
	{
		const size_t homes[] = { 62, 63, 0 };
		colliding_keys(pool, 24, 64, homes, 3);
		pool[24] = 0;
		random_ops(pool, 25, 32, 20000, 4, "colliding keys");
	}
}

static void growth_keeps_everything(void)
{
	struct u64map m;
	bool isnew, ok = true;
	size_t caps = 0, last_cap;

	BUG_ON(u64map_init(&m, 0));
	last_cap = m.mask + 1;
	for (uint64_t k = 0; k < 100000; k++) {
		uint64_t *p = u64map_insert(&m, k * 0x10001, k, &isnew);
		BUG_ON(!p);
		ok &= isnew;
		if (m.mask + 1 != last_cap) {
			caps++;
			last_cap = m.mask + 1;
		}
	}
	CHECK(ok);
	CHECK_EQ(m.n, 100000);
	CHECK(caps >= 10);			/* 16 slots -> 256 Ki slots */
	CHECK(2 * m.n <= m.mask + 1);		/* load at most 1/2 */
	for (uint64_t k = 0; k < 100000; k++) {
		uint64_t *p = u64map_find(&m, k * 0x10001);
		ok &= p && *p == k;
	}
	CHECK(ok);
	CHECK(u64map_find(&m, 3) == NULL);
	CHECK(u64map_grow(&m, 10) == 0 && m.mask + 1 == last_cap);
	u64map_free(&m);
}

static void dense_ids(void)
{
	static const uint64_t keys[] = { 7, 0, 7, UINT64_MAX, 5, 0, 5, 9, 7 };
	static const uint64_t want[] = { 0, 1, 0, 2, 3, 1, 3, 4, 0 };
	struct u64map m;
	struct rng g;
	bool ok = true;

	BUG_ON(u64map_init(&m, 0));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		CHECK_EQ(u64map_id(&m, keys[i]), want[i]);
	CHECK_EQ(m.n, 5);
	u64map_free(&m);

	/* 50000 draws from 5000 keys: ids against first-seen positions */
	{
		static uint64_t seen[5000];
		uint64_t nseen = 0;

		rng_seed(&g, 5);
		BUG_ON(u64map_init(&m, 0));
		for (size_t i = 0; i < 50000; i++) {
			uint64_t k = rng_next(&g) % 5000 * 0x9e3779b97f4a7c15ull;
			uint64_t id = u64map_id(&m, k), j;

			for (j = 0; j < nseen && seen[j] != k; j++)
				;
			if (j == nseen)
				seen[nseen++] = k;
			ok &= id == j;
		}
		CHECK(ok);
		CHECK_EQ(m.n, nseen);
		u64map_free(&m);
	}
}

int main(void)
{
	T_BEGIN("u64map");
	random_pools();
	growth_keeps_everything();
	dense_ids();
	return T_END();
}

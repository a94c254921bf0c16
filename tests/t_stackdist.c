/*
 * tests/t_stackdist.c — exact stack distances (common/stackdist.h).
 *
 * Every access's distance against a naive LRU stack (an array, most recent
 * first: the distance is the key's position + 1) on seeded streams that
 * make the slots compact many times, with and without growth: a few keys
 * over a long stream, keys arriving steadily (the slots double), a loop
 * (every distance the loop's length), keys 0 and UINT64_MAX among sparse
 * ones, and forgotten keys (then counted as new again).
 */
#include <stdbool.h>
#include <string.h>

#include "common/bug.h"
#include "common/rng.h"
#include "common/stackdist.h"
#include "tests/testhelp.h"

#define REF_MAX 5000

struct lru_stack {
	uint64_t key[REF_MAX];
	size_t n;
};

/* The reference distance of an access to key (0: new), and move it to
 * the top. */
static uint64_t ref_access(struct lru_stack *st, uint64_t key)
{
	size_t i;
	bool isnew;

	for (i = 0; i < st->n && st->key[i] != key; i++)
		;
	isnew = i == st->n;
	if (isnew) {
		BUG_ON(st->n == REF_MAX);
		st->n++;
	}
	memmove(&st->key[1], &st->key[0], i * sizeof(st->key[0]));
	st->key[0] = key;
	return isnew ? 0 : i + 1;
}

static void ref_forget(struct lru_stack *st, uint64_t key)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->key[i] == key) {
			memmove(&st->key[i], &st->key[i + 1],
				(st->n - i - 1) * sizeof(st->key[0]));
			st->n--;
			return;
		}
}

/* Keys drawn by next(), forget_every-th access forgets a random held key
 * (0: never). */
static void against_reference(const char *what, size_t n,
			      uint64_t (*next)(struct rng *, size_t),
			      size_t forget_every, uint64_t seed)
{
	static struct lru_stack st;
	struct stackdist *s = stackdist_create();
	struct rng g;
	bool ok = true, ok_n = true;
	size_t first_bad = 0;

	BUG_ON(!s);
	rng_seed(&g, seed);
	st.n = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t key = next(&g, i);
		uint64_t want = ref_access(&st, key);
		uint64_t got = stackdist_access(s, key);

		if (got != want && ok) {
			first_bad = i;
			fprintf(stderr, "%s: access %zu to %llu: distance %llu, "
				"want %llu\n", what, i, (unsigned long long)key,
				(unsigned long long)got, (unsigned long long)want);
		}
		ok &= got == want;
		if (forget_every && i % forget_every == forget_every - 1) {
			uint64_t k = st.key[rng_next(&g) % st.n];
			ref_forget(&st, k);
			stackdist_forget(s, k);
		}
		ok_n &= stackdist_nkeys(s) == st.n;
	}
	CHECK_MSG(ok, "%s: distances differ from access %zu on", what, first_bad);
	CHECK_MSG(ok_n, "%s: key count differs", what);
	stackdist_destroy(s);
}

static uint64_t few_keys(struct rng *g, size_t i)
{
	(void)i;
	return rng_next(g) % 50;
}

static uint64_t arriving_keys(struct rng *g, size_t i)
{
	/* recent keys mostly, a new one now and then: 4000 keys by the end */
	uint64_t span = i / 10 + 1;

	return i / 10 - rng_next(g) % (span < 300 ? span : 300);
}

static uint64_t loop_keys(struct rng *g, size_t i)
{
	(void)g;
	return i % 777;
}

static uint64_t sparse_keys(struct rng *g, size_t i)
{
	uint64_t k = rng_next(g) % 600;

	(void)i;
	if (k == 0)
		return 0;
	if (k == 1)
		return UINT64_MAX;
	return k * 0x9e3779b97f4a7c15ull;
}

int main(void)
{
	T_BEGIN("stackdist");
	against_reference("few keys", 200000, few_keys, 0, 1);
	against_reference("arriving keys", 40000, arriving_keys, 0, 2);
	against_reference("loop", 20000, loop_keys, 0, 3);
	against_reference("sparse keys", 60000, sparse_keys, 0, 4);
	against_reference("sparse keys, forgetting", 60000, sparse_keys, 7, 5);
	against_reference("arriving keys, forgetting", 40000, arriving_keys, 5, 6);
	return T_END();
}

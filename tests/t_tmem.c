/*
 * tests/t_tmem.c — the tmem tier (policies/tmem.h): every store's round
 * trip, one-word pages, the checksum, each of the seed's coherency rules,
 * capacity and refusal, the persistent pool's eviction of ephemeral pages,
 * failure injection in a store and in the mem source; and the synthetic
 * page contents (workloads/synth.h) with their BigFile.
 *
 * Each rule has a check that fails when the rule is broken: e.g. rule 4
 * ("once a get has failed, later gets fail until the next put") is checked
 * with a store whose decompression fails once and then works again, so a
 * tier that kept the bad copy would hand it out on the second get.
 */
#include <errno.h>
#include <string.h>

#include "common/bug.h"
#include "policies/tmem.h"
#include "real/bigfile.h"
#include "tests/memtest.h"
#include "tests/testhelp.h"
#include "workloads/synth.h"

#define PB 4096

static const char *const stores[] = { "copy", "lz4", "zstd", "lz4:accel=8",
				      "zstd:level=3" };

static struct tmem *tier(const char *spec, size_t cap)
{
	char err[256];
	struct tmem_store *s = tmem_store_create(spec, PB, NULL, err,
						 sizeof(err));
	struct tmem *t;

	BUG_ON(!s);
	t = tmem_create(cap, s, err, sizeof(err));
	BUG_ON(!t);
	return t;
}

static void fill(void *page, double ratio, uint64_t pgoff)
{
	struct synth_params p = { ratio, 7 };

	synth_page(&p, 3, pgoff, 0, page, PB);
}

/* ---- memory: only from the source, none in compress or decompress ----- */

static void test_memory(void)
{
	static unsigned char in[PB], out[PB];

	fill(in, 3, 1);
	for (size_t s = 0; s < ARRAY_SIZE(stores); s++) {
		struct memtest mt = MEMTEST_INIT;
		char err[256];
		struct tmem_store *st = tmem_store_create(stores[s], PB, &mt.ms,
							  err, sizeof(err));
		struct tmem *t = tmem_create(1 << 20, st, err, sizeof(err));
		int per = tmem_new_pool(t, TMEM_PERSISTENT);
		uint64_t allocs;

		CHECK_EQ(tmem_put(t, per, 1, 1, in), 0);
		allocs = mt.allocs;
		CHECK(tmem_stored_size(t, in) > 0);	/* compress */
		CHECK_EQ(tmem_get(t, per, 1, 1, out), 0);	/* decompress */
		CHECK_MSG(mt.allocs == allocs, "%s: %llu allocations",
			  stores[s], (unsigned long long)(mt.allocs - allocs));
		/* a put over a page of a live object keeps the object */
		CHECK_EQ(tmem_put(t, per, 1, 2, in), 0);
		allocs = mt.allocs;
		CHECK_EQ(tmem_put(t, per, 1, 1, in), 0);
		CHECK_MSG(mt.allocs == allocs + 1, "%s: %llu allocations",
			  stores[s], (unsigned long long)(mt.allocs - allocs));
		tmem_destroy(t);
		CHECK_MSG(mt.bytes == 0 && mt.blocks == 0, "%s: %lld bytes left",
			  stores[s], (long long)mt.bytes);
	}
}

/* ---- stores: round trip, one-word pages ------------------------------- */

static void test_round_trip(void)
{
	static unsigned char in[PB], out[PB];
	const double ratios[] = { 1.5, 2, 3, 4, 8, 32 };

	for (size_t s = 0; s < ARRAY_SIZE(stores); s++) {
		struct tmem *t = tier(stores[s], 1 << 20);
		int pool = tmem_new_pool(t, TMEM_PERSISTENT);

		CHECK(pool >= 0);
		for (size_t i = 0; i < ARRAY_SIZE(ratios); i++) {
			fill(in, ratios[i], i);
			CHECK_EQ(tmem_put(t, pool, 1, i, in), 0);
			memset(out, 0, PB);
			CHECK_EQ(tmem_get(t, pool, 1, i, out), 0);
			CHECK_MSG(!memcmp(in, out, PB), "%s ratio %g",
				  stores[s], ratios[i]);
		}
		/* a compressor's stored size is about PB / ratio */
		fill(in, 4, 99);
		if (strcmp(stores[s], "copy")) {
			size_t n = tmem_stored_size(t, in);

			CHECK_MSG(n > PB / 4 && n < PB / 4 + PB / 16,
				  "%s stores a ratio-4 page in %zu", stores[s], n);
		} else {
			CHECK_EQ(tmem_stored_size(t, in), PB);
		}
		tmem_destroy(t);
	}
}

static void test_incompressible(void)
{
	static unsigned char in[PB], out[PB];

	fill(in, 0.5, 1);	/* random bytes */
	for (size_t s = 0; s < ARRAY_SIZE(stores); s++) {
		struct tmem *t = tier(stores[s], 1 << 20);
		int pool = tmem_new_pool(t, TMEM_EPHEMERAL);
		bool copy = !strcmp(stores[s], "copy");
		int rc = tmem_put(t, pool, 1, 1, in);

		/* lz4 fits random bytes into a page only by luck; zstd falls
		 * back to a raw block a few bytes over a page: refused */
		if (copy) {
			CHECK_EQ(rc, 0);
			CHECK_EQ(tmem_get(t, pool, 1, 1, out), 0);
			CHECK(!memcmp(in, out, PB));
		} else if (rc) {
			CHECK_EQ(rc, -E2BIG);
			CHECK_EQ(tmem_stats(t)->put_refused, 1);
			CHECK_EQ(tmem_stats(t)->pages, 0);
			CHECK_EQ(tmem_get(t, pool, 1, 1, out), -ENOENT);
		} else {
			CHECK_EQ(tmem_get(t, pool, 1, 1, out), 0);
			CHECK(!memcmp(in, out, PB));
		}
		tmem_destroy(t);
	}
}

static void test_word_pages(void)
{
	static uint64_t in[PB / 8], out[PB / 8];
	const uint64_t words[] = { 0, 0xdeadbeefcafef00dull, ~0ull };

	for (size_t s = 0; s < ARRAY_SIZE(stores); s++) {
		struct tmem *t = tier(stores[s], 1 << 20);
		int pool = tmem_new_pool(t, TMEM_PERSISTENT);

		for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
			for (size_t j = 0; j < PB / 8; j++)
				in[j] = words[i];
			CHECK_EQ(tmem_put(t, pool, 9, i, in), 0);
			CHECK_EQ(tmem_get(t, pool, 9, i, out), 0);
			CHECK(!memcmp(in, out, PB));
			CHECK_EQ(tmem_stored_size(t, in), 8);
		}
		CHECK_EQ(tmem_stats(t)->word_pages, 3);
		CHECK_EQ(tmem_stats(t)->bytes, 3 * 8);
		/* one word different: not a one-word page */
		in[PB / 8 - 1] ^= 1;
		CHECK(tmem_stored_size(t, in) != 8);
		CHECK_EQ(tmem_put(t, pool, 9, 7, in), 0);
		CHECK_EQ(tmem_stats(t)->word_pages, 3);
		CHECK_EQ(tmem_get(t, pool, 9, 7, out), 0);
		CHECK(!memcmp(in, out, PB));
		tmem_destroy(t);
	}
}

/* ---- the checksum ------------------------------------------------------ */

static void test_checksum(void)
{
	static unsigned char in[PB], out[PB];
	static uint64_t zero[PB / 8];

	/* every single-byte change of a compressed page changes the sum */
	fill(in, 3, 5);
	{
		uint32_t c0 = tmem_checksum(in, 1371);
		size_t missed = 0;

		for (size_t i = 0; i < 1371; i++) {
			in[i] ^= 0x10;
			missed += tmem_checksum(in, 1371) == c0;
			in[i] ^= 0x10;
		}
		CHECK_EQ(missed, 0);
	}
	/* a flipped stored byte is found by get, for data and word pages */
	for (size_t s = 0; s < ARRAY_SIZE(stores); s++) {
		for (int kind = 0; kind < 2; kind++) {
			struct tmem *t = tier(stores[s], 1 << 20);
			int pool = tmem_new_pool(t, kind ? TMEM_PERSISTENT :
						 TMEM_EPHEMERAL);
			unsigned char *b;
			size_t n = 0;

			CHECK_EQ(tmem_put(t, pool, 2, 40, in), 0);
			CHECK_EQ(tmem_put(t, pool, 2, 41, zero), 0);
			b = tmem_stored_bytes(t, pool, 2, 40, &n);
			CHECK(b && n > 0);
			b[n / 2] ^= 0x04;
			b = tmem_stored_bytes(t, pool, 2, 41, &n);
			CHECK(b && n == 8);
			b[3] ^= 0x80;
			CHECK_EQ(tmem_get(t, pool, 2, 40, out), -EIO);
			CHECK_EQ(tmem_get(t, pool, 2, 41, out), -EIO);
			CHECK_EQ(tmem_stats(t)->get_corrupt, 2);
			CHECK_EQ(tmem_stats(t)->get_hits, 0);
			/* rule 4 (a bad copy is gone) */
			CHECK_EQ(tmem_get(t, pool, 2, 40, out), -ENOENT);
			CHECK_EQ(tmem_stats(t)->pages, 0);
			CHECK_EQ(tmem_stats(t)->bytes, 0);
			tmem_destroy(t);
		}
	}
}

/* ---- failure injection: a store that fails on demand ------------------ */

struct flaky {
	struct tmem_store base;
	struct tmem_store *inner;
	int fail_compress;	/* the next N compress calls fail */
	int fail_decompress;	/* the next N decompress calls fail */
};

static struct flaky *flaky_of(struct tmem_store *s)
{
	return container_of(s, struct flaky, base);
}

static void flaky_destroy(struct tmem_store *s)
{
	tmem_store_destroy(flaky_of(s)->inner);
	free(flaky_of(s));
}

static size_t flaky_compress(struct tmem_store *s, const void *page,
			     void *dst, size_t cap)
{
	struct flaky *f = flaky_of(s);

	if (f->fail_compress > 0) {
		f->fail_compress--;
		return 0;
	}
	return f->inner->ops->compress(f->inner, page, dst, cap);
}

static int flaky_decompress(struct tmem_store *s, const void *src, size_t n,
			    void *page)
{
	struct flaky *f = flaky_of(s);

	if (f->fail_decompress > 0) {
		f->fail_decompress--;
		return -EIO;
	}
	return f->inner->ops->decompress(f->inner, src, n, page);
}

static const struct tmem_store_ops flaky_ops = {
	.name = "flaky",
	.destroy = flaky_destroy,
	.compress = flaky_compress,
	.decompress = flaky_decompress,
};

static struct tmem *flaky_tier(struct flaky **fp, struct memtest *mt,
			       size_t cap)
{
	char err[256];
	struct flaky *f = calloc(1, sizeof(*f));

	BUG_ON(!f);
	f->inner = tmem_store_create("lz4", PB, &mt->ms, err, sizeof(err));
	BUG_ON(!f->inner);
	f->base = (struct tmem_store){ &flaky_ops, PB, &mt->ms };
	*fp = f;
	return tmem_create(cap, &f->base, err, sizeof(err));
}

static void test_failures(void)
{
	static unsigned char a[PB], b[PB], out[PB];
	struct memtest mt = MEMTEST_INIT;
	struct flaky *f;
	struct tmem *t;
	int eph, per;

	t = flaky_tier(&f, &mt, 1 << 20);
	CHECK(t != NULL);
	eph = tmem_new_pool(t, TMEM_EPHEMERAL);
	per = tmem_new_pool(t, TMEM_PERSISTENT);
	fill(a, 2, 1);
	fill(b, 3, 2);

	/* a failing store refuses the put; nothing is stored */
	f->fail_compress = 1;
	CHECK_EQ(tmem_put(t, per, 1, 1, a), -E2BIG);
	CHECK_EQ(tmem_stats(t)->pages, 0);
	CHECK_EQ(tmem_get(t, per, 1, 1, out), -ENOENT);

	/* rule 1 with a refusal: the old copy is gone, not served stale */
	CHECK_EQ(tmem_put(t, per, 1, 2, a), 0);
	f->fail_compress = 1;
	CHECK_EQ(tmem_put(t, per, 1, 2, b), -E2BIG);
	CHECK_EQ(tmem_get(t, per, 1, 2, out), -ENOENT);
	CHECK_EQ(tmem_stats(t)->pages, 0);

	/* rule 4: a get that failed once keeps failing until the next put,
	 * even though the store would decode the copy the second time */
	for (int i = 0; i < 2; i++) {
		int pool = i ? per : eph;

		CHECK_EQ(tmem_put(t, pool, 4, 4, a), 0);
		f->fail_decompress = 1;
		CHECK_EQ(tmem_get(t, pool, 4, 4, out), -EIO);
		CHECK_EQ(tmem_get(t, pool, 4, 4, out), -ENOENT);
		CHECK_EQ(tmem_get(t, pool, 4, 4, out), -ENOENT);
		CHECK_EQ(tmem_put(t, pool, 4, 4, b), 0);
		CHECK_EQ(tmem_get(t, pool, 4, 4, out), 0);
		CHECK(!memcmp(out, b, PB));
	}

	/* the mem source refuses the n-th allocation of a put (a new
	 * object: its record, its map; a page: its record): the put is
	 * refused and the tier holds what it held, until n is past them */
	for (uint64_t obj = 77; obj <= 78; obj++) {
		uint64_t n, pages = tmem_stats(t)->pages;
		int64_t blocks;
		int rc;

		if (obj == 78)		/* the object exists: the page only */
			CHECK_EQ(tmem_put(t, per, obj, 0, b), 0);
		pages = tmem_stats(t)->pages;
		blocks = mt.blocks;
		for (n = 1;; n++) {
			mt.fail_in = n;
			rc = tmem_put(t, per, obj, 1, a);
			if (!rc)
				break;
			CHECK_EQ(rc, -ENOMEM);
			CHECK_EQ(tmem_stats(t)->pages, pages);
			CHECK_EQ(mt.blocks, blocks);
			CHECK_EQ(tmem_get(t, per, obj, 1, out), -ENOENT);
		}
		mt.fail_in = 0;
		CHECK_MSG(obj == 77 ? n >= 3 : n == 2, "%llu allocations",
			  (unsigned long long)n);
		CHECK_EQ(tmem_get(t, per, obj, 1, out), 0);
		CHECK(!memcmp(out, a, PB));
	}
	tmem_destroy(t);
	CHECK_EQ(mt.bytes, 0);
	CHECK_EQ(mt.blocks, 0);

	/* create fails cleanly when memory does */
	{
		char err[256];
		struct tmem_store *s = tmem_store_create("zstd", PB, &mt.ms, err,
							 sizeof(err));

		CHECK(s != NULL);
		for (uint64_t n = 1; n <= 2; n++) {
			if (!s)
				s = tmem_store_create("copy", PB, &mt.ms, err,
						      sizeof(err));
			mt.fail_in = n;	/* the tier, its scratch page */
			CHECK(tmem_create(1 << 20, s, err, sizeof(err)) == NULL);
			CHECK(strstr(err, "out of memory") != NULL);
			CHECK_EQ(mt.fail_in, 0);	/* it asked n times */
			s = NULL;
		}
		mt.fail_in = 1;
		CHECK(tmem_store_create("lz4", PB, &mt.ms, err, sizeof(err)) == NULL);
		mt.fail_in = 2;
		CHECK(tmem_store_create("lz4", PB, &mt.ms, err, sizeof(err)) == NULL);
		mt.fail_in = 0;
		CHECK_EQ(mt.bytes, 0);
		CHECK_EQ(mt.blocks, 0);
	}
}

/* ---- rules 1-3, flushes ----------------------------------------------- */

static void test_rules(void)
{
	static unsigned char a[PB], b[PB], out[PB];
	struct tmem *t = tier("lz4", 1 << 20);
	int eph = tmem_new_pool(t, TMEM_EPHEMERAL);
	int per = tmem_new_pool(t, TMEM_PERSISTENT);
	size_t sa, sb;

	CHECK(eph >= 0 && per >= 0 && eph != per);
	fill(a, 2, 1);
	fill(b, 8, 2);
	sa = tmem_stored_size(t, a);
	sb = tmem_stored_size(t, b);
	CHECK(sa != sb);

	/* rule 1: put over a handle replaces, the old copy's bytes go */
	CHECK_EQ(tmem_put(t, per, 5, 6, a), 0);
	CHECK_EQ(tmem_put(t, per, 5, 6, b), 0);
	CHECK_EQ(tmem_stats(t)->pages, 1);
	CHECK_EQ(tmem_stats(t)->bytes, sb);
	CHECK_EQ(tmem_stats(t)->put_replaced, 1);
	CHECK_EQ(tmem_get(t, per, 5, 6, out), 0);
	CHECK(!memcmp(out, b, PB));

	/* rule 3: a persistent get keeps the copy */
	CHECK_EQ(tmem_get(t, per, 5, 6, out), 0);
	CHECK(!memcmp(out, b, PB));
	CHECK_EQ(tmem_stats(t)->pages, 1);

	/* rule 2: an ephemeral get is exclusive */
	CHECK_EQ(tmem_put(t, eph, 5, 6, a), 0);
	CHECK_EQ(tmem_get(t, eph, 5, 6, out), 0);
	CHECK(!memcmp(out, a, PB));
	CHECK_EQ(tmem_get(t, eph, 5, 6, out), -ENOENT);
	CHECK_EQ(tmem_stats(t)->pages, 1);	/* the persistent one */

	/* pools and objects are separate name spaces */
	CHECK_EQ(tmem_put(t, eph, 5, 7, a), 0);
	CHECK_EQ(tmem_get(t, per, 5, 7, out), -ENOENT);
	CHECK_EQ(tmem_get(t, eph, 6, 7, out), -ENOENT);

	/* flush_page, flush_object */
	CHECK_EQ(tmem_flush_page(t, eph, 5, 7), 1);
	CHECK_EQ(tmem_flush_page(t, eph, 5, 7), 0);
	CHECK_EQ(tmem_get(t, eph, 5, 7, out), -ENOENT);
	for (uint64_t i = 0; i < 10; i++)
		CHECK_EQ(tmem_put(t, per, 8, i << 20, i & 1 ? a : b), 0);
	CHECK_EQ(tmem_put(t, per, 9, 0, a), 0);
	CHECK_EQ(tmem_flush_object(t, per, 8), 10);
	CHECK_EQ(tmem_flush_object(t, per, 8), 0);
	CHECK_EQ(tmem_get(t, per, 8, 3 << 20, out), -ENOENT);
	CHECK_EQ(tmem_get(t, per, 9, 0, out), 0);
	CHECK_EQ(tmem_stats(t)->flushes, 11);
	CHECK_EQ(tmem_stats(t)->pages, 2);
	CHECK_EQ(tmem_stats(t)->bytes, sa + sb);

	/* the index grows with objects and pages, and shrinks back */
	{
		size_t base = tmem_index_bytes(t), more;

		for (uint64_t i = 0; i < 64; i++)
			CHECK_EQ(tmem_put(t, per, 100 + i % 4, i, a), 0);
		more = tmem_index_bytes(t);
		CHECK_MSG(more >= base + 64 * 48, "%zu -> %zu", base, more);
		for (uint64_t i = 0; i < 4; i++)
			CHECK_EQ(tmem_flush_object(t, per, 100 + i), 16);
		CHECK_EQ(tmem_index_bytes(t), base);
		CHECK_EQ(tmem_capacity_bytes(t), 1 << 20);
	}

	/* destroy_pool drops its pages and frees the id for reuse */
	tmem_destroy_pool(t, per);
	CHECK_EQ(tmem_stats(t)->pages, 0);
	CHECK_EQ(tmem_stats(t)->flushes, 13 + 64);
	CHECK_EQ(tmem_new_pool(t, TMEM_EPHEMERAL), per);
	for (int i = 2; i < TMEM_MAX_POOLS; i++)
		CHECK(tmem_new_pool(t, TMEM_PERSISTENT) >= 0);
	CHECK_EQ(tmem_new_pool(t, TMEM_PERSISTENT), -ENOSPC);
	tmem_destroy(t);
}

/* ---- capacity ---------------------------------------------------------- */

static void test_capacity(void)
{
	static unsigned char a[PB], out[PB];
	struct tmem *t = tier("copy", 4 * PB);
	int eph = tmem_new_pool(t, TMEM_EPHEMERAL);
	int per = tmem_new_pool(t, TMEM_PERSISTENT);

	fill(a, 2, 1);
	/* ephemeral: the fifth page is refused, the tier unchanged */
	for (uint64_t i = 0; i < 4; i++)
		CHECK_EQ(tmem_put(t, eph, 1, i, a), 0);
	CHECK_EQ(tmem_put(t, eph, 1, 4, a), -ENOSPC);
	CHECK_EQ(tmem_stats(t)->put_refused, 1);
	CHECK_EQ(tmem_stats(t)->bytes, 4 * PB);
	CHECK_EQ(tmem_stats(t)->bytes_peak, 4 * PB);
	/* a one-word page still fits nowhere once the bytes are all used */
	{
		static uint64_t zero[PB / 8];

		CHECK_EQ(tmem_put(t, eph, 1, 5, zero), -ENOSPC);
	}
	/* persistent: evicts the oldest ephemeral pages, in put order */
	CHECK_EQ(tmem_put(t, per, 2, 0, a), 0);
	CHECK_EQ(tmem_stats(t)->evictions, 1);
	CHECK_EQ(tmem_get(t, eph, 1, 0, out), -ENOENT);
	CHECK_EQ(tmem_put(t, per, 2, 1, a), 0);
	CHECK_EQ(tmem_get(t, eph, 1, 1, out), -ENOENT);
	CHECK_EQ(tmem_get(t, eph, 1, 3, out), 0);	/* newest kept */
	CHECK_EQ(tmem_stats(t)->evictions, 2);
	/* one ephemeral page (index 2) and two persistent ones left: a third
	 * persistent put evicts it, a fourth fits, a fifth is refused */
	CHECK_EQ(tmem_put(t, per, 2, 2, a), 0);
	CHECK_EQ(tmem_put(t, per, 2, 3, a), 0);
	CHECK_EQ(tmem_stats(t)->evictions, 3);
	CHECK_EQ(tmem_put(t, per, 2, 4, a), -ENOSPC);
	for (uint64_t i = 0; i < 4; i++)
		CHECK_EQ(tmem_get(t, per, 2, i, out), 0);
	CHECK_EQ(tmem_stats(t)->bytes_peak, 4 * PB);
	tmem_destroy(t);

	/* a persistent put that eviction cannot make room for evicts nothing */
	t = tier("copy", 2 * PB);
	eph = tmem_new_pool(t, TMEM_EPHEMERAL);
	per = tmem_new_pool(t, TMEM_PERSISTENT);
	{
		static unsigned char big[PB];

		fill(big, 0.5, 3);
		CHECK_EQ(tmem_put(t, per, 1, 0, big), 0);
		CHECK_EQ(tmem_put(t, eph, 1, 0, big), 0);
		CHECK_EQ(tmem_stats(t)->bytes, 2 * PB);
		CHECK_EQ(tmem_put(t, per, 1, 1, big), 0);	/* evicts eph */
		CHECK_EQ(tmem_stats(t)->evictions, 1);
		CHECK_EQ(tmem_put(t, eph, 1, 1, big), -ENOSPC);
		CHECK_EQ(tmem_put(t, per, 1, 2, big), -ENOSPC);
		CHECK_EQ(tmem_stats(t)->evictions, 1);
	}
	tmem_destroy(t);
}

/* ---- stores by name ----------------------------------------------------- */

static void test_store_specs(void)
{
	char err[256];

	CHECK(tmem_store_create("lz5", PB, NULL, err, sizeof(err)) == NULL);
	CHECK_MSG(strstr(err, "copy, lz4, zstd") != NULL, "%s", err);
	CHECK(tmem_store_create("zstd:level=0", PB, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "level") != NULL);
	CHECK(tmem_store_create("lz4:speed=2", PB, NULL, err, sizeof(err)) == NULL);
	CHECK(tmem_store_create("copy:x=1", PB, NULL, err, sizeof(err)) == NULL);
	{
		struct tmem_store *s = tmem_store_create("copy", PB, NULL, err,
							 sizeof(err));

		CHECK(s != NULL);
		CHECK(tmem_create(0, s, err, sizeof(err)) == NULL);
		CHECK(strstr(err, "capacity") != NULL);
	}
}

/* ---- --tmem SIZE[:store=...][:pool=...] -------------------------------- */

static void test_spec(void)
{
	struct tmem_spec sp;
	char err[256];
	const char *bad[][2] = {
		{ "", "SIZE is required" },
		{ ":store=lz4", "SIZE is required" },
		{ "64M:store=lz5", "unknown tmem store policy 'lz5' (valid: copy, lz4, zstd)" },
		{ "64M:pool=shared", "pool 'shared' is not ephemeral, persistent or both" },
		{ "64M:store=zstd:level=99", "level" },
		{ "64M:colour=red", "unknown part 'colour=red'" },
		{ "64M:pool=both:level=3", "unknown part 'level=3'" },
	};

	CHECK_EQ(tmem_spec_parse("64M", &sp, err, sizeof(err)), 0);
	CHECK(!strcmp(sp.size, "64M") && !strcmp(sp.store, "lz4"));
	CHECK(sp.ephemeral && !sp.persistent);
	CHECK_EQ(tmem_spec_parse("25%:store=zstd:level=3:pool=both", &sp, err,
				 sizeof(err)), 0);
	CHECK(!strcmp(sp.size, "25%") && !strcmp(sp.store, "zstd:level=3"));
	CHECK(sp.ephemeral && sp.persistent);
	CHECK_EQ(tmem_spec_parse("1000:pool=persistent:store=copy", &sp, err,
				 sizeof(err)), 0);
	CHECK(!strcmp(sp.store, "copy") && !sp.ephemeral && sp.persistent);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		CHECK_MSG(tmem_spec_parse(bad[i][0], &sp, err, sizeof(err)) == -1,
			  "%s", bad[i][0]);
		CHECK_MSG(!strncmp(err, "--tmem: ", 8) && strstr(err, bad[i][1]),
			  "'%s': %s", bad[i][0], err);
	}
}

/* ---- the simulator's dataless pages -------------------------------------- */

static void test_put_size(void)
{
	static unsigned char a[PB], out[PB];
	struct tmem *t = tier("copy", 2 * PB + 8);
	int eph = tmem_new_pool(t, TMEM_EPHEMERAL);
	int per = tmem_new_pool(t, TMEM_PERSISTENT);
	size_t n;

	fill(a, 2, 1);
	CHECK_EQ(tmem_put_size(t, eph, 1, 1, PB), 0);
	CHECK_EQ(tmem_put_size(t, eph, 1, 2, 8), 0);
	CHECK_EQ(tmem_put_size(t, eph, 1, 3, PB), 0);
	CHECK_EQ(tmem_stats(t)->word_pages, 1);
	CHECK_EQ(tmem_put_size(t, eph, 1, 4, 100), -ENOSPC);
	CHECK_EQ(tmem_put_size(t, eph, 1, 4, 0), -E2BIG);
	CHECK(tmem_stored_bytes(t, eph, 1, 1, &n) == NULL);	/* no bytes */
	CHECK_EQ(tmem_put(t, per, 1, 1, a), 0);	/* evicts the oldest */
	CHECK_EQ(tmem_stats(t)->evictions, 1);
	CHECK_EQ(tmem_get(t, eph, 1, 1, NULL), -ENOENT);
	CHECK_EQ(tmem_get(t, eph, 1, 2, NULL), 0);
	CHECK_EQ(tmem_get(t, eph, 1, 2, NULL), -ENOENT);
	CHECK_EQ(tmem_get(t, eph, 1, 3, NULL), 0);
	CHECK_EQ(tmem_get(t, per, 1, 1, out), 0);
	CHECK(!memcmp(a, out, PB));
	CHECK_EQ(tmem_stats(t)->bytes, PB);
	tmem_destroy(t);
}

/* ---- synthetic pages and their BigFile ---------------------------------- */

static void test_synth(void)
{
	static unsigned char p1[PB], p2[PB], out[PB];
	struct synth_params p = { 0, 0 };
	char err[256];
	const char *bad[] = { "ratio=0", "ratio=64", "ratio=-1", "ratio=70",
			      "", "seed=3", "ratio=2:color=red", "ratio=x" };

	CHECK_EQ(synth_parse("ratio=2.5:seed=9", &p, err, sizeof(err)), 0);
	CHECK(p.ratio == 2.5 && p.seed == 9);
	CHECK_EQ(synth_parse("ratio=63.9", &p, err, sizeof(err)), 0);
	CHECK_EQ(p.seed, 1);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		CHECK_MSG(synth_parse(bad[i], &p, err, sizeof(err)) == -1, "%s",
			  bad[i]);
		CHECK_MSG(strstr(err, "--file synth") && !strchr(err, '\n'),
			  "%s: %s", bad[i], err);
	}

	/* a pure function of (ratio, seed, file, page, write count) */
	p = (struct synth_params){ 3, 5 };
	synth_page(&p, 1, 2, 0, p1, PB);
	synth_page(&p, 1, 2, 0, p2, PB);
	CHECK(!memcmp(p1, p2, PB));
	synth_page(&p, 1, 2, 1, p2, PB);
	CHECK(memcmp(p1, p2, PB));
	synth_page(&p, 1, 3, 0, p2, PB);
	CHECK(memcmp(p1, p2, PB));
	synth_page(&p, 0, 2, 0, p2, PB);
	CHECK(memcmp(p1, p2, PB));
	p.seed = 6;
	synth_page(&p, 1, 2, 0, p2, PB);
	CHECK(memcmp(p1, p2, PB));

	/* the BigFile serves those bytes, the write count moving on store */
	{
		struct bigfile *bf = bigfile_synth_new(&p, 4);

		CHECK(bf != NULL);
		CHECK_EQ(bf->ops->loadblk(bf, 10, out, PB), 0);
		synth_page(&p, 4, 10, 0, p1, PB);
		CHECK(!memcmp(out, p1, PB));
		CHECK_EQ(bf->ops->storeblk(bf, 10, out, PB), 0);
		CHECK_EQ(bf->ops->storeblk(bf, 10, out, PB), 0);
		CHECK_EQ(bigfile_synth_wcount(bf, 10), 2);
		CHECK_EQ(bigfile_synth_wcount(bf, 11), 0);
		CHECK_EQ(bf->ops->loadblk(bf, 10, out, PB), 0);
		synth_page(&p, 4, 10, 2, p1, PB);
		CHECK(!memcmp(out, p1, PB));
		bigfile_release(bf);
	}
}

int main(void)
{
	T_BEGIN("tmem");
	test_memory();
	test_round_trip();
	test_incompressible();
	test_word_pages();
	test_checksum();
	test_failures();
	test_rules();
	test_capacity();
	test_store_specs();
	test_spec();
	test_put_size();
	test_synth();
	return T_END();
}

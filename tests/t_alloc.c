/*
 * tests/t_alloc.c — the allocator contract (policies/alloc.h), run over
 * every entry of alloc_registry with its default arguments and every
 * documented fit: round trips, the hint rule, no overlap against a naive
 * unit map on seeded random sequences, clean exhaustion, the 2^40-page
 * arena the engines use, and the bad-input messages.  Every allocator
 * takes its memory from a counting memory source (tests/memtest.h): what
 * the engines' arena holds follows what is allocated, and destroy() gives
 * every block back.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/rng.h"
#include "policies/alloc.h"
#include "tests/memtest.h"
#include "tests/testhelp.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char err[512];
static struct memtest amem = MEMTEST_INIT;

/* spec over [base, base + size) in quanta of q, memory from amem. */
static struct alloc *new_alloc(const char *spec, uint64_t base, uint64_t size,
			       uint64_t q)
{
	const struct alloc_params p = {
		.base = base, .size = size, .quantum = q, .mem = &amem.ms,
	};

	return alloc_create(spec, &p, err, sizeof(err));
}

/* Specs to test per policy: the defaults plus each fit choice. */
static const char *const extra_specs[] = {
	"vmem:fit=best", "vmem:fit=next", "vmem:qcache=4", "bitmap:fit=best",
	NULL,
};

/* ---- naive model: one byte per unit ---- */

#define NUNITS	512u
#define Q	4096ull
#define BASE	(64 * Q)
#define MAX_UNITS (1u << 20)

static unsigned char used[MAX_UNITS];

/* A random workload: arena [base, base + nunits*q), sizes 1..small_max
 * units, or 1..large_max with probability large_pct/100; hints at random
 * units, or just below a multiple of hint_align when it is not 0. */
struct workload {
	uint64_t base, q, nunits;
	unsigned steps, small_max, large_max, large_pct;
	uint64_t hint_align;
};

static bool model_free(const struct workload *w, uint64_t u, uint64_t n)
{
	if (u + n > w->nunits)
		return false;
	for (uint64_t i = u; i < u + n; i++)
		if (used[i])
			return false;
	return true;
}

static bool model_any_run(const struct workload *w, uint64_t n)
{
	uint64_t run = 0;

	for (uint64_t u = 0; u < w->nunits; u++) {
		run = used[u] ? 0 : run + 1;
		if (run >= n)
			return true;
	}
	return false;
}

struct live {
	uint64_t addr, size;
};

static void random_ops(const char *spec, uint64_t seed, const struct workload *w)
{
	struct alloc *a = new_alloc(spec, w->base, w->nunits * w->q, w->q);
	static struct live live[4096];
	size_t nlive = 0;
	struct rng rng;
	uint64_t bad = 0, overlap = 0, hint_missed = 0, false_enomem = 0;
	uint64_t enomem = 0, hints_taken = 0, model_use = 0;
	struct alloc_stats st;

	REQUIRE_MSG(a != NULL, "%s: %s", spec, err);
	memset(used, 0, w->nunits);
	rng_seed(&rng, seed);
	for (unsigned step = 0; step < w->steps; step++) {
		if (nlive == ARRAY_LEN(live) ||
		    (nlive && rng_below(&rng, 100) < 48)) {
			size_t i = rng_below(&rng, nlive);
			uint64_t u = (live[i].addr - w->base) / w->q;
			alloc_free(a, live[i].addr, live[i].size);
			memset(used + u, 0, live[i].size / w->q);
			model_use -= live[i].size;
			live[i] = live[--nlive];
		} else {
			bool large = rng_below(&rng, 100) < w->large_pct;
			uint64_t n = 1 + rng_below(&rng, large ? w->large_max : w->small_max);
			uint64_t hint = ALLOC_NOHINT, addr, u;
			bool hint_free = false;
			int r;

			if (rng_below(&rng, 2)) {
				u = rng_below(&rng, w->nunits);
				if (w->hint_align && u > w->hint_align)
					u = u / w->hint_align * w->hint_align -
					    rng_below(&rng, 3);
				hint = w->base + u * w->q;
				hint_free = model_free(w, u, n);
			}
			r = alloc_alloc(a, n * w->q, hint, &addr);
			if (r) {
				enomem++;
				if (r != -ENOMEM || model_any_run(w, n))
					false_enomem++;
				continue;
			}
			if (addr < w->base || (addr - w->base) % w->q ||
			    (addr - w->base) / w->q + n > w->nunits) {
				bad++;
				continue;
			}
			u = (addr - w->base) / w->q;
			if (!model_free(w, u, n))
				overlap++;
			if (hint_free && addr != hint)
				hint_missed++;
			hints_taken += hint_free;
			memset(used + u, 1, n);
			model_use += n * w->q;
			live[nlive].addr = addr;
			live[nlive++].size = n * w->q;
		}
	}
	CHECK_MSG(bad == 0, "%s: %llu out of the arena", spec, (unsigned long long)bad);
	CHECK_MSG(overlap == 0, "%s: %llu overlaps", spec, (unsigned long long)overlap);
	CHECK_MSG(hint_missed == 0, "%s: %llu free hints not honoured", spec,
		  (unsigned long long)hint_missed);
	CHECK_MSG(false_enomem == 0, "%s: %llu -ENOMEM with room left", spec,
		  (unsigned long long)false_enomem);
	CHECK_MSG(enomem > 0, "%s: never exhausted", spec);
	CHECK_MSG(hints_taken > w->steps / 20, "%s: %llu free hints", spec,
		  (unsigned long long)hints_taken);
	a->ops->stats(a, &st);
	CHECK_EQ(st.in_use, model_use);
	CHECK_EQ(st.total, w->nunits * w->q);
	CHECK_EQ(st.allocs - st.frees, nlive);
	while (nlive) {
		nlive--;
		alloc_free(a, live[nlive].addr, live[nlive].size);
	}
	a->ops->stats(a, &st);
	CHECK_EQ(st.in_use, 0);
	alloc_destroy(a);
}

/* Small arena, small sizes: exhaustion and holes all the time. */
static const struct workload small_wl = {
	BASE, Q, NUNITS, 20000, 4, 40, 25, 0,
};
/* 2^20 units, runs across the bitmap's 2^15-bit chunks, hints near chunk
 * boundaries. */
static const struct workload large_wl = {
	0, 1, MAX_UNITS, 3000, 64, 70000, 30, 1u << 15,
};

static void basics(const char *spec)
{
	struct alloc *a = new_alloc(spec, BASE, NUNITS * Q, Q);
	struct alloc_stats st;
	uint64_t x, y, all[NUNITS];
	unsigned n = 0;
	int r;

	REQUIRE_MSG(a != NULL, "%s: %s", spec, err);
	/* round trip */
	CHECK_EQ(alloc_alloc(a, Q, ALLOC_NOHINT, &x), 0);
	CHECK(x >= BASE && x < BASE + NUNITS * Q && x % Q == 0);
	a->ops->stats(a, &st);
	CHECK_EQ(st.in_use, Q);
	CHECK_EQ(st.allocs, 1);
	alloc_free(a, x, Q);
	a->ops->stats(a, &st);
	CHECK_EQ(st.in_use, 0);
	CHECK_EQ(st.frees, 1);
	/* the hint, free: honoured; taken: something else */
	CHECK_EQ(alloc_alloc(a, 3 * Q, BASE + 100 * Q, &x), 0);
	CHECK_EQ(x, BASE + 100 * Q);
	CHECK_EQ(alloc_alloc(a, Q, BASE + 101 * Q, &y), 0);
	CHECK(y < BASE + 100 * Q || y >= BASE + 103 * Q);
	alloc_free(a, y, Q);
	alloc_free(a, x, 3 * Q);
	/* a hint outside the arena or past its end is ignored */
	CHECK_EQ(alloc_alloc(a, 2 * Q, BASE + (NUNITS - 1) * Q, &x), 0);
	CHECK(x + 2 * Q <= BASE + NUNITS * Q);
	alloc_free(a, x, 2 * Q);
	CHECK_EQ(alloc_alloc(a, Q, 0, &x), 0);
	CHECK(x >= BASE);
	alloc_free(a, x, Q);
	/* exhaustion: exactly NUNITS single units, then -ENOMEM */
	while (n < NUNITS && alloc_alloc(a, Q, ALLOC_NOHINT, &all[n]) == 0)
		n++;
	CHECK_EQ(n, NUNITS);
	CHECK_EQ(alloc_alloc(a, Q, ALLOC_NOHINT, &x), -ENOMEM);
	CHECK_EQ(alloc_alloc(a, Q, BASE, &x), -ENOMEM);
	a->ops->stats(a, &st);
	CHECK_EQ(st.in_use, NUNITS * Q);
	alloc_free(a, all[7], Q);
	CHECK_EQ(alloc_alloc(a, 2 * Q, ALLOC_NOHINT, &x), -ENOMEM);
	r = alloc_alloc(a, Q, ALLOC_NOHINT, &x);
	CHECK_EQ(r, 0);
	CHECK_EQ(x, all[7]);
	for (unsigned i = 0; i < n; i++)
		alloc_free(a, all[i], Q);
	a->ops->stats(a, &st);
	CHECK_EQ(st.in_use, 0);
	/* too big for the arena; not a size at all */
	CHECK_EQ(alloc_alloc(a, (NUNITS + 1) * Q, ALLOC_NOHINT, &x), -ENOMEM);
	CHECK_EQ(alloc_alloc(a, 0, ALLOC_NOHINT, &x), -ENOMEM);
	CHECK_EQ(alloc_alloc(a, Q / 2, BASE, &x), -ENOMEM);
	a->ops->stats(a, &st);
	CHECK_EQ(st.in_use, 0);
	alloc_destroy(a);
}

/* The engines' use: [0, 2^40) pages, quantum 1, one page at hint = pgoff. */
static void engine_arena(const char *spec)
{
	int64_t bytes0 = amem.bytes;
	struct alloc *a = new_alloc(spec, 0, 1ull << 40, 1);
	struct alloc_stats st;
	uint64_t x;
	int seq_ok = 1, far_ok = 1;

	REQUIRE_MSG(a != NULL, "%s: %s", spec, err);
	for (uint64_t i = 0; i < 20000; i++)
		seq_ok &= alloc_alloc(a, 1, i, &x) == 0 && x == i;
	CHECK(seq_ok);
	for (uint64_t i = 0; i < 64; i++) {
		uint64_t h = (1ull << 40) - 1 - i * 0x12345679ull;
		far_ok &= alloc_alloc(a, 1, h, &x) == 0 && x == h;
	}
	CHECK(far_ok);
	/* memory follows what is allocated, not the 2^40 arena: about 20000
	 * pages in a row and 64 scattered ones (each may cost a bitmap
	 * chunk of 4 KiB and a directory block of 4 KiB) */
	CHECK_MSG(amem.bytes - bytes0 < (8 << 20), "%s: %lld bytes", spec,
		  (long long)(amem.bytes - bytes0));
	CHECK_EQ(alloc_alloc(a, 1, 5, &x), 0);	/* taken: another page */
	CHECK(x != 5);
	a->ops->stats(a, &st);
	CHECK_EQ(st.in_use, 20000 + 64 + 1);
	CHECK_EQ(st.total, 1ull << 40);
	alloc_free(a, x, 1);
	/* a large range across bitmap directory blocks (2^24 units each) */
	{
		uint64_t big = 3ull << 24, h = (1ull << 30) - 5, y;
		CHECK_EQ(alloc_alloc(a, big, h, &x), 0);
		CHECK_EQ(x, h);
		CHECK_EQ(alloc_alloc(a, 1, h + big - 1, &y), 0);
		CHECK(y != h + big - 1);
		alloc_free(a, y, 1);
		CHECK_EQ(alloc_alloc(a, 1, h + big, &y), 0);
		CHECK_EQ(y, h + big);
		alloc_free(a, y, 1);
		alloc_free(a, x, big);
		CHECK_EQ(alloc_alloc(a, 1, h + (1ull << 24), &y), 0);
		CHECK_EQ(y, h + (1ull << 24));
		alloc_free(a, y, 1);
	}
	for (uint64_t i = 0; i < 20000; i += 2)
		alloc_free(a, i, 1);
	for (uint64_t i = 0; i < 20000; i += 2)
		seq_ok &= alloc_alloc(a, 1, i, &x) == 0 && x == i;
	CHECK(seq_ok);
	alloc_destroy(a);
	CHECK_MSG(amem.bytes == bytes0, "%s: %lld bytes not given back", spec,
		  (long long)(amem.bytes - bytes0));
}

static void bad_input(void)
{
	struct alloc *a;

	a = new_alloc("nosuch", 0, 1024, 1);
	CHECK(a == NULL);
	for (size_t i = 0; alloc_registry[i]; i++)
		CHECK_MSG(strstr(err, alloc_registry[i]->name) != NULL,
			  "'%s' not listed in: %s", alloc_registry[i]->name, err);
	for (size_t i = 0; alloc_registry[i]; i++) {
		const struct alloc_ops *o = alloc_registry[i];
		char spec[128], desc[512];

		snprintf(spec, sizeof(spec), "%s:bogus=1", o->name);
		a = new_alloc(spec, 0, 1024, 1);
		CHECK(a == NULL);
		CHECK_MSG(strstr(err, "valid") && strstr(err, "bogus"), "%s: %s",
			  spec, err);
		snprintf(spec, sizeof(spec), "%s:fit=nosuchfit", o->name);
		a = new_alloc(spec, 0, 1024, 1);
		CHECK(a == NULL);
		CHECK_MSG(strstr(err, "fit") != NULL, "%s: %s", spec, err);
		/* the quantum must divide the arena */
		a = new_alloc(o->name, 0, 1000, 64);
		CHECK(a == NULL);
		CHECK(strstr(err, "quantum") != NULL);
		desc[0] = '\0';
		if (o->describe_args)
			o->describe_args(desc, sizeof(desc));
		CHECK(o->help && *o->help);
		CHECK(!o->describe_args || strstr(desc, "fit") != NULL);
	}
}

int main(void)
{
	char spec[64];

	T_BEGIN("alloc");
	CHECK(alloc_registry[0] != NULL);
	for (size_t i = 0; alloc_registry[i]; i++) {
		snprintf(spec, sizeof(spec), "%s", alloc_registry[i]->name);
		basics(spec);
		random_ops(spec, 100 + i, &small_wl);
		random_ops(spec, 300 + i, &large_wl);
		engine_arena(spec);
	}
	for (size_t i = 0; extra_specs[i]; i++) {
		basics(extra_specs[i]);
		random_ops(extra_specs[i], 200 + i, &small_wl);
		random_ops(extra_specs[i], 400 + i, &large_wl);
		engine_arena(extra_specs[i]);
	}
	bad_input();
	CHECK_MSG(amem.bytes == 0 && amem.blocks == 0,
		  "%lld bytes in %lld blocks not given back",
		  (long long)amem.bytes, (long long)amem.blocks);
	return T_END();
}

/*
 * tests/t_vmem.c — vmem arenas (policies/vmem.h): a randomized
 * alloc/xalloc/free stress against a naive unit map with vmem_check()
 * after every step, import and release, each fit policy's defining
 * behaviour, quantum caches, injected allocation failures.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/rng.h"
#include "policies/vmem.h"
#include "tests/memtest.h"
#include "tests/testhelp.h"

static char err[512];

/* The arenas' memory: counted, given back by vmem_destroy(); the inject
 * tests make their arena's allocations fail through their own source. */
static struct memtest vmem_mem = MEMTEST_INIT;
static struct memtest inject_mem = MEMTEST_INIT, isrc_mem = MEMTEST_INIT;

#define VCHECK(vm)                                                        \
	do {                                                              \
		int r_ = vmem_check((vm), err, sizeof(err));              \
		CHECK_MSG(r_ == 0, "%s", err);                            \
	} while (0)

/* ---- randomized stress against a naive map of units ---- */

#define Q	8ull
#define BASE	0x1000ull
#define NUNITS	4000u
#define SPAN1_U	0u
#define SPAN1_N	2048u
#define SPAN2_U	3000u
#define SPAN2_N	1000u

struct live {
	uint64_t addr, size;
};

static unsigned char in_span[NUNITS], used[NUNITS];

static bool range_ok(uint64_t addr, uint64_t size, uint64_t align,
		     uint64_t phase, uint64_t nocross, uint64_t minaddr,
		     uint64_t maxaddr)
{
	uint64_t u = (addr - BASE) / Q, n = size / Q;

	if (addr < BASE || (addr - BASE) % Q || u + n > NUNITS)
		return false;
	if (align && addr % align != phase)
		return false;
	if (nocross && ((addr ^ (addr + size - 1)) & -nocross))
		return false;
	if (addr < minaddr || (maxaddr && addr + size > maxaddr))
		return false;
	for (uint64_t i = u; i < u + n; i++)
		if (!in_span[i] || used[i])
			return false;
	return true;
}

/* Does any placement satisfy the constraints?  Brute force over units. */
static bool feasible(uint64_t size, uint64_t align, uint64_t phase,
		     uint64_t nocross, uint64_t minaddr, uint64_t maxaddr)
{
	for (uint64_t u = 0; u < NUNITS; u++)
		if (range_ok(BASE + u * Q, size, align, phase, nocross, minaddr,
			     maxaddr))
			return true;
	return false;
}

static void mark(uint64_t addr, uint64_t size, unsigned char v)
{
	for (uint64_t u = (addr - BASE) / Q; u < (addr - BASE + size) / Q; u++)
		used[u] = v;
}

static void stress(int fit, uint64_t qcache_max, uint64_t seed, int steps)
{
	struct vmem *vm = vmem_create("stress", BASE + SPAN1_U * Q, SPAN1_N * Q,
				      Q, NULL, NULL, NULL, qcache_max, fit, &vmem_mem.ms, err,
				      sizeof(err));
	static struct live live[NUNITS];
	size_t nlive = 0;
	struct rng rng;
	uint64_t bad = 0, mism = 0, enomem = 0, falsefail = 0;
	struct vmem_stats st;

	REQUIRE_MSG(vm != NULL, "%s", err);
	REQUIRE_EQ(vmem_add(vm, BASE + SPAN2_U * Q, SPAN2_N * Q), 0);
	CHECK_EQ(vmem_add(vm, BASE + (SPAN2_U + 10) * Q, Q), -EINVAL);	/* overlap */
	memset(in_span, 0, sizeof(in_span));
	memset(used, 0, sizeof(used));
	memset(in_span + SPAN1_U, 1, SPAN1_N);
	memset(in_span + SPAN2_U, 1, SPAN2_N);
	rng_seed(&rng, seed);
	for (int step = 0; step < steps; step++) {
		uint64_t x = rng_below(&rng, 100);

		if (nlive && (x < 45 || nlive > 600)) {
			size_t i = rng_below(&rng, nlive);
			if (rng_below(&rng, 2))
				vmem_free(vm, live[i].addr, live[i].size);
			else
				vmem_xfree(vm, live[i].addr, live[i].size);
			mark(live[i].addr, live[i].size, 0);
			live[i] = live[--nlive];
		} else {
			uint64_t size = (1 + rng_below(&rng, x < 90 ? 8 : 300)) * Q;
			uint64_t align = 0, phase = 0, nocross = 0, minaddr = 0,
				 maxaddr = 0, addr = 0;
			int r;

			if (x < 60) {
				r = vmem_alloc(vm, size, 0, &addr);
			} else {
				if (rng_below(&rng, 2)) {
					align = Q << rng_below(&rng, 7);
					phase = rng_below(&rng, align / Q) * Q;
				}
				if (rng_below(&rng, 3) == 0) {
					nocross = Q;
					while (nocross < size)
						nocross <<= 1;
					nocross <<= rng_below(&rng, 3);
				}
				if (rng_below(&rng, 3) == 0)
					minaddr = BASE + rng_below(&rng, NUNITS) * Q;
				if (rng_below(&rng, 3) == 0) {
					maxaddr = minaddr + size +
						  rng_below(&rng, NUNITS / 2) * Q;
				} else if (minaddr && rng_below(&rng, 2)) {
					/* exact: often next to allocations */
					if (nlive && rng_below(&rng, 2))
						minaddr = live[rng_below(&rng, nlive)].addr +
							  live[0].size;
					maxaddr = minaddr + size;
					align = phase = nocross = 0;
				}
				r = vmem_xalloc(vm, size, align, phase, nocross,
						minaddr, maxaddr, 0, &addr);
			}
			if (r == 0) {
				if (!range_ok(addr, size, align, phase, nocross,
					      minaddr, maxaddr))
					bad++;
				mark(addr, size, 1);
				live[nlive].addr = addr;
				live[nlive++].size = size;
			} else {
				enomem++;
				if (r != -ENOMEM ||
				    feasible(size, align, phase, nocross, minaddr,
					     maxaddr))
					falsefail++;
			}
		}
		if (vmem_check(vm, err, sizeof(err))) {
			mism++;
			if (mism < 3)
				fprintf(stderr, "step %d: %s\n", step, err);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(mism, 0);
	CHECK_EQ(falsefail, 0);
	CHECK(enomem > 0);	/* the constraints did reach exhaustion */
	vmem_stats(vm, &st);
	{
		uint64_t model_use = 0;
		for (size_t i = 0; i < nlive; i++)
			model_use += live[i].size;
		CHECK_EQ(st.in_use - st.qcached, model_use);
		CHECK_EQ(st.total, (SPAN1_N + SPAN2_N) * Q);
	}
	while (nlive) {
		nlive--;
		vmem_free(vm, live[nlive].addr, live[nlive].size);
	}
	VCHECK(vm);
	vmem_stats(vm, &st);
	CHECK_EQ(st.in_use, st.qcached);
	if (!qcache_max)
		CHECK_EQ(st.nfree, 2);	/* everything coalesced: one per span */
	vmem_destroy(vm);
}

/* ---- import from a source arena, release of free imported spans ---- */

static void test_import(void)
{
	struct vmem *src = vmem_create("src", 0x100000, 0x100000, 0x1000, NULL,
				       NULL, NULL, 0, VM_INSTANTFIT, &vmem_mem.ms, err,
				       sizeof(err));
	struct vmem *child = vmem_create("child", 0, 0, 0x100, NULL, NULL, src,
					 0, VM_BESTFIT, &vmem_mem.ms, err, sizeof(err));
	struct vmem_stats ss, cs;
	uint64_t a[64];
	int ok = 1;

	REQUIRE_MSG(src && child, "%s", err);
	vmem_stats(child, &cs);
	CHECK_EQ(cs.total, 0);
	for (int i = 0; i < 64; i++) {
		ok &= vmem_alloc(child, 0x300, 0, &a[i]) == 0;
		VCHECK(child);
		VCHECK(src);
	}
	CHECK(ok);
	vmem_stats(child, &cs);
	vmem_stats(src, &ss);
	CHECK(cs.imports > 0);
	CHECK_EQ(cs.imported, cs.total);
	CHECK_EQ(ss.in_use, cs.imported);	/* the source sees the spans */
	CHECK(a[0] >= 0x100000 && a[0] < 0x200000);
	/* xalloc whose alignment the current spans cannot meet imports */
	{
		uint64_t x;
		CHECK_EQ(vmem_xalloc(child, 0x100, 0x10000, 0x100, 0, 0, 0, 0, &x), 0);
		CHECK_EQ(x % 0x10000, 0x100);
		VCHECK(child);
		vmem_xfree(child, x, 0x100);
		VCHECK(child);
	}
	/* a window outside everything the source has: import, then release */
	{
		uint64_t x, rel;
		vmem_stats(child, &cs);
		rel = cs.releases;
		CHECK_EQ(vmem_xalloc(child, 0x100, 0, 0, 0, 0x10, 0x1000, 0, &x),
			 -ENOMEM);
		vmem_stats(child, &cs);
		CHECK_EQ(cs.releases, rel + 1);
		VCHECK(child);
		VCHECK(src);
	}
	for (int i = 0; i < 64; i++) {
		vmem_free(child, a[i], 0x300);
		VCHECK(child);
		VCHECK(src);
	}
	vmem_stats(child, &cs);
	vmem_stats(src, &ss);
	CHECK_EQ(cs.total, 0);		/* every imported span went back */
	CHECK_EQ(cs.imported, 0);
	CHECK_EQ(cs.releases, cs.imports);
	CHECK_EQ(ss.in_use, 0);
	/* the source runs dry: the child fails cleanly */
	{
		uint64_t x;
		CHECK_EQ(vmem_alloc(child, 0x200000, 0, &x), -ENOMEM);
		vmem_stats(child, &cs);
		CHECK_EQ(cs.total, 0);
		VCHECK(child);
	}
	/* destroy gives held spans back */
	CHECK_EQ(vmem_alloc(child, 0x100, 0, &a[0]), 0);
	vmem_destroy(child);
	vmem_stats(src, &ss);
	CHECK_EQ(ss.in_use, 0);
	VCHECK(src);
	vmem_destroy(src);
}

/* ---- the fit policies ---- */

/* Free holes of the given sizes (units of Q), separated by allocated units,
 * with everything else allocated: the fixture of the fit tests (REQUIRE).
 * Returns the arena; the hole addresses in at. */
static struct vmem *holes(int fit, const uint64_t *sizes, int n, uint64_t *at)
{
	struct vmem *vm = vmem_create("holes", 0, 1 << 20, 1, NULL, NULL, NULL,
				      0, fit, &vmem_mem.ms, err, sizeof(err));
	uint64_t addr = 0, x;

	REQUIRE_MSG(vm != NULL, "%s", err);
	for (int i = 0; i < n; i++) {
		at[i] = addr;
		REQUIRE_EQ(vmem_xalloc(vm, sizes[i], 0, 0, 0, addr, addr + sizes[i],
				       0, &x), 0);
		REQUIRE_EQ(vmem_xalloc(vm, 1, 0, 0, 0, addr + sizes[i],
				       addr + sizes[i] + 1, 0, &x), 0);
		addr += sizes[i] + 1;
	}
	REQUIRE_EQ(vmem_xalloc(vm, (1 << 20) - addr, 0, 0, 0, addr, 1 << 20, 0,
			       &x), 0);
	for (int i = 0; i < n; i++)
		vmem_free(vm, at[i], sizes[i]);
	REQUIRE_MSG(vmem_check(vm, err, sizeof(err)) == 0, "%s", err);
	return vm;
}

static void test_bestfit(void)
{
	static const uint64_t sizes[] = { 7, 3, 12, 5, 4, 6 };
	uint64_t at[6], x;
	struct vmem *vm = holes(VM_BESTFIT, sizes, 6, at);

	CHECK_EQ(vmem_alloc(vm, 4, 0, &x), 0);
	CHECK_EQ(x, at[4]);	/* the 4-hole, not the 7, 12, 5 or 6 */
	CHECK_EQ(vmem_alloc(vm, 3, 0, &x), 0);
	CHECK_EQ(x, at[1]);
	CHECK_EQ(vmem_alloc(vm, 5, 0, &x), 0);
	CHECK_EQ(x, at[3]);
	CHECK_EQ(vmem_alloc(vm, 2, 0, &x), 0);
	CHECK_EQ(x, at[5]);	/* smallest left holding 2: the 6 */
	CHECK_EQ(vmem_alloc(vm, 8, 0, &x), 0);
	CHECK_EQ(x, at[2]);
	CHECK_EQ(vmem_alloc(vm, 13, 0, &x), -ENOMEM);
	VCHECK(vm);
	vmem_destroy(vm);
}

static void test_firstfit(void)
{
	static const uint64_t sizes[] = { 3, 7, 12, 5, 4 };
	uint64_t at[5], x;
	struct vmem *vm = holes(VM_FIRSTFIT, sizes, 5, at);

	CHECK_EQ(vmem_alloc(vm, 4, 0, &x), 0);
	CHECK_EQ(x, at[1]);	/* the lowest hole holding 4: the 7 */
	CHECK_EQ(vmem_alloc(vm, 3, 0, &x), 0);
	CHECK_EQ(x, at[0]);
	CHECK_EQ(vmem_alloc(vm, 3, 0, &x), 0);
	CHECK_EQ(x, at[1] + 4);	/* the rest of the 7 */
	CHECK_EQ(vmem_alloc(vm, 5, 0, &x), 0);
	CHECK_EQ(x, at[2]);
	VCHECK(vm);
	vmem_destroy(vm);
}

static void test_nextfit(void)
{
	struct vmem *vm = vmem_create("next", 0, 16, 1, NULL, NULL, NULL, 0,
				      VM_NEXTFIT, &vmem_mem.ms, err, sizeof(err));
	uint64_t a[16], x;
	int inorder = 1;

	REQUIRE_MSG(vm != NULL, "%s", err);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(vmem_alloc(vm, 1, 0, &a[i]), 0);
	CHECK_EQ(a[0], 0);
	CHECK_EQ(a[2], 2);
	vmem_free(vm, a[0], 1);		/* 0 is free again ... */
	CHECK_EQ(vmem_alloc(vm, 1, 0, &x), 0);
	CHECK_EQ(x, 3);			/* ... but the rotor moves on */
	for (uint64_t i = 4; i < 16; i++) {
		inorder &= vmem_alloc(vm, 1, 0, &x) == 0 && x == i;
		VCHECK(vm);
	}
	CHECK(inorder);
	CHECK_EQ(vmem_alloc(vm, 1, 0, &x), 0);
	CHECK_EQ(x, 0);			/* wrapped around to the hole */
	vmem_free(vm, 5, 1);
	vmem_free(vm, 9, 1);
	CHECK_EQ(vmem_alloc(vm, 1, 0, &x), 0);
	CHECK_EQ(x, 5);			/* first hole after the rotor (at 1) */
	CHECK_EQ(vmem_alloc(vm, 1, 0, &x), 0);
	CHECK_EQ(x, 9);
	VCHECK(vm);
	vmem_destroy(vm);
}

/* Many 2-unit holes (freelist 1), then requests of 3 units. */
static uint64_t visits_per_alloc(int fit, uint64_t *first_addr)
{
	enum { NH = 2000 };
	static uint64_t sizes[NH], at[NH];
	struct vmem *vm;
	struct vmem_stats a, b;
	uint64_t x;

	for (int i = 0; i < NH; i++)
		sizes[i] = 2;
	sizes[NH - 1] = 5000;	/* one hole large enough */
	vm = holes(fit, sizes, NH, at);
	vmem_stats(vm, &a);
	for (int i = 0; i < 100; i++)
		REQUIRE_EQ(vmem_alloc(vm, 3, 0, &x), 0);
	vmem_stats(vm, &b);
	*first_addr = at[NH - 1];
	VCHECK(vm);
	vmem_destroy(vm);
	return (b.segments - a.segments) / 100;
}

static void test_instantfit(void)
{
	uint64_t at, vi = visits_per_alloc(VM_INSTANTFIT, &at);
	uint64_t vb = visits_per_alloc(VM_BESTFIT, &at);

	CHECK_EQ(vi, 1);	/* O(1): the head of a list where all fit */
	CHECK(vb >= 1000);	/* best fit walks the 2-unit holes first */
}

/* ---- quantum caches ---- */

static void test_qcache(void)
{
	struct vmem *vm = vmem_create("qc", 0x10000, 0x100000, 0x1000, NULL,
				      NULL, NULL, 4 * 0x1000, VM_INSTANTFIT, &vmem_mem.ms, err,
				      sizeof(err));
	struct vmem_stats a, b;
	uint64_t x, y, many[40];

	REQUIRE_MSG(vm != NULL, "%s", err);
	CHECK_EQ(vmem_alloc(vm, 0x2000, 0, &x), 0);
	vmem_free(vm, x, 0x2000);
	vmem_stats(vm, &a);
	CHECK_EQ(a.qcached, 0x2000);
	CHECK_EQ(a.in_use, 0x2000);	/* cached segments stay allocated */
	VCHECK(vm);
	CHECK_EQ(vmem_alloc(vm, 0x2000, 0, &y), 0);
	vmem_stats(vm, &b);
	CHECK_EQ(y, x);			/* straight from the cache */
	CHECK_EQ(b.segments, a.segments);	/* no arena search */
	CHECK_EQ(b.qcached, 0);
	vmem_free(vm, y, 0x2000);
	/* above qcache_max: straight to the arena */
	CHECK_EQ(vmem_alloc(vm, 0x5000, 0, &x), 0);
	vmem_free(vm, x, 0x5000);
	vmem_stats(vm, &a);
	CHECK_EQ(a.qcached, 0x2000);
	/* a full cache overflows into the arena */
	for (int i = 0; i < 40; i++)
		REQUIRE_EQ(vmem_alloc(vm, 0x1000, 0, &many[i]), 0);
	for (int i = 0; i < 40; i++)
		vmem_free(vm, many[i], 0x1000);
	vmem_stats(vm, &a);
	CHECK(a.qcached < 0x2000 + 40 * 0x1000);
	CHECK(a.qcached > 0x2000);
	VCHECK(vm);
	/* xalloc bypasses the caches */
	CHECK_EQ(vmem_xalloc(vm, 0x1000, 0x1000, 0, 0, 0, 0, 0, &x), 0);
	vmem_stats(vm, &b);
	CHECK_EQ(b.qcached, a.qcached);
	vmem_xfree(vm, x, 0x1000);
	VCHECK(vm);
	/* running out reaps the caches first: the whole arena in one piece */
	CHECK(a.qcached > 0);
	CHECK_EQ(vmem_alloc(vm, 0x100000, 0, &x), 0);
	vmem_stats(vm, &b);
	CHECK_EQ(b.qcached, 0);
	CHECK_EQ(b.in_use, 0x100000);
	VCHECK(vm);
	vmem_free(vm, x, 0x100000);
	CHECK_EQ(vmem_alloc(vm, 0x1000, 0, &x), 0);
	vmem_free(vm, x, 0x1000);	/* leave one cached for destroy */
	vmem_destroy(vm);	/* ASan: cached segments are not leaked */
}

/* ---- injected failures ---- */

struct snap {
	size_t n;
	uint64_t v[4 * 4096];
};

static void snap_fn(void *arg, enum vmem_seg_type type, uint64_t start,
		    uint64_t size, int imported)
{
	struct snap *s = arg;

	if (s->n + 4 <= sizeof(s->v) / sizeof(s->v[0])) {
		s->v[s->n++] = (uint64_t)type;
		s->v[s->n++] = start;
		s->v[s->n++] = size;
		s->v[s->n++] = (uint64_t)imported;
	}
}

static void take_snap(const struct vmem *vm, struct snap *s, struct vmem_stats *st)
{
	s->n = 0;
	vmem_walk(vm, snap_fn, s);
	vmem_stats(vm, st);
}

static void test_inject(void)
{
	static struct snap before, after;
	struct vmem_stats sb, sa;
	struct vmem *vm = vmem_create("inject", 0, 1 << 20, 1, NULL, NULL, NULL,
				      0, VM_INSTANTFIT, &inject_mem.ms, err, sizeof(err));
	struct rng rng;
	uint64_t addrs[1500], x;
	int n = 0, failures = 0, unchanged = 1, retried = 1;

	REQUIRE_MSG(vm != NULL, "%s", err);
	rng_seed(&rng, 7);
	for (int i = 0; i < 1500; i++) {
		uint64_t size = 1 + rng_below(&rng, 50);
		int r;

		take_snap(vm, &before, &sb);
		inject_mem.fail_in = 1;
		r = vmem_xalloc(vm, size, 0, 0, 0, 0, 0, 0, &x);
		inject_mem.fail_in = 0;
		if (r == 0) {
			addrs[n++] = x;
			vmem_xfree(vm, x, size);	/* keep fragmentation up: */
			REQUIRE_EQ(vmem_xalloc(vm, size, 0, 0, 0, 0, 0, 0, &x), 0);
			addrs[n - 1] = x;
			if (i % 3 == 0) {
				vmem_xfree(vm, x, size);
				n--;
			}
		} else {
			failures++;
			take_snap(vm, &after, &sa);
			unchanged &= r == -ENOMEM && before.n == after.n &&
				     !memcmp(before.v, after.v,
					     before.n * sizeof(before.v[0])) &&
				     !memcmp(&sb, &sa, sizeof(sb));
			/* the next attempt, without injection, succeeds */
			retried &= vmem_xalloc(vm, size, 0, 0, 0, 0, 0, 0, &x) == 0;
			vmem_xfree(vm, x, size);
		}
		if (vmem_check(vm, err, sizeof(err)))
			unchanged = 0;
	}
	CHECK(failures > 0);
	CHECK(unchanged);
	CHECK(retried);
	/* vmem_add fails cleanly too */
	{
		int r = 0;
		for (int i = 0; i < 200 && r == 0; i++) {
			inject_mem.fail_in = 1;
			take_snap(vm, &before, &sb);
			r = vmem_add(vm, (2ull << 20) + (uint64_t)i * 16, 8);
		}
		take_snap(vm, &after, &sa);
		CHECK_EQ(r, -ENOMEM);
		CHECK(before.n == after.n && !memcmp(&sb, &sa, sizeof(sb)));
	}
	inject_mem.fail_in = 0;
	VCHECK(vm);
	(void)addrs;
	vmem_destroy(vm);
}

/* A failure inside the source while importing: both arenas unchanged. */
static void test_inject_import(void)
{
	static struct snap cb, ca, sb_, sa_;
	struct vmem_stats c0, c1, s0, s1;
	struct vmem *src = vmem_create("isrc", 0x100000, 0x1000000, 0x100, NULL,
				       NULL, NULL, 0, VM_INSTANTFIT, &isrc_mem.ms, err,
				       sizeof(err));
	struct vmem *child = vmem_create("ichild", 0, 0, 0x100, NULL, NULL, src,
					 0, VM_INSTANTFIT, &vmem_mem.ms, err, sizeof(err));
	int failures = 0, unchanged = 1;
	uint64_t x;

	REQUIRE_MSG(src && child, "%s", err);
	for (int i = 0; i < 300; i++) {
		int r;

		take_snap(child, &cb, &c0);
		take_snap(src, &sb_, &s0);
		isrc_mem.fail_in = 1;
		r = vmem_alloc(child, 0x1000, 0, &x);	/* imports every time */
		isrc_mem.fail_in = 0;
		if (r) {
			failures++;
			take_snap(child, &ca, &c1);
			take_snap(src, &sa_, &s1);
			unchanged &= r == -ENOMEM && cb.n == ca.n && sb_.n == sa_.n &&
				     !memcmp(cb.v, ca.v, cb.n * sizeof(cb.v[0])) &&
				     !memcmp(sb_.v, sa_.v, sb_.n * sizeof(sb_.v[0])) &&
				     !memcmp(&c0, &c1, sizeof(c0)) &&
				     !memcmp(&s0, &s1, sizeof(s0));
		}
		if (vmem_check(child, err, sizeof(err)) ||
		    vmem_check(src, err, sizeof(err)))
			unchanged = 0;
	}
	CHECK(failures > 0);
	CHECK(unchanged);
	vmem_destroy(child);
	vmem_stats(src, &s1);
	CHECK_EQ(s1.in_use, 0);
	vmem_destroy(src);
}

static void test_bad_args(void)
{
	struct vmem *vm = vmem_create("bad", 0, 1 << 16, 16, NULL, NULL, NULL, 0,
				      VM_INSTANTFIT, &vmem_mem.ms, err, sizeof(err));
	uint64_t x;

	REQUIRE_MSG(vm != NULL, "%s", err);
	CHECK_EQ(vmem_xalloc(vm, 0, 0, 0, 0, 0, 0, 0, &x), -EINVAL);
	CHECK_EQ(vmem_xalloc(vm, 17, 0, 0, 0, 0, 0, 0, &x), -EINVAL);
	CHECK_EQ(vmem_xalloc(vm, 16, 48, 0, 0, 0, 0, 0, &x), -EINVAL);
	CHECK_EQ(vmem_xalloc(vm, 16, 64, 64, 0, 0, 0, 0, &x), -EINVAL);
	CHECK_EQ(vmem_xalloc(vm, 64, 0, 0, 32, 0, 0, 0, &x), -EINVAL);
	CHECK_EQ(vmem_xalloc(vm, 64, 0, 0, 0, 100, 120, 0, &x), -EINVAL);
	CHECK_EQ(vmem_add(vm, 1 << 16, 8), -EINVAL);
	VCHECK(vm);
	vmem_destroy(vm);
	CHECK(vmem_create("q0", 0, 16, 0, NULL, NULL, NULL, 0, VM_BESTFIT, &vmem_mem.ms, err,
			  sizeof(err)) == NULL);
	CHECK(strstr(err, "quantum") != NULL);
	CHECK(vmem_create("fit", 0, 16, 1, NULL, NULL, NULL, 0, 0, &vmem_mem.ms, err,
			  sizeof(err)) == NULL);
	CHECK(strstr(err, "instant, best, next or first") != NULL);
}

int main(void)
{
	T_BEGIN("vmem");
	stress(VM_INSTANTFIT, 0, 1, 20000);
	stress(VM_BESTFIT, 0, 2, 20000);
	stress(VM_NEXTFIT, 0, 3, 20000);
	stress(VM_FIRSTFIT, 0, 5, 20000);
	stress(VM_INSTANTFIT, 4 * Q, 4, 20000);
	test_import();
	test_bestfit();
	test_nextfit();
	test_firstfit();
	test_instantfit();
	test_qcache();
	test_inject();
	test_inject_import();
	test_bad_args();
	/* every arena destroyed: every block given back, with its size */
	CHECK_EQ(vmem_mem.bytes + inject_mem.bytes + isrc_mem.bytes, 0);
	CHECK_EQ(vmem_mem.blocks + inject_mem.blocks + isrc_mem.blocks, 0);
	return T_END();
}

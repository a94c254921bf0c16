/*
 * tests/t_vmem_slab.c — the `vmem` allocator policy's one-quantum slabs and
 * the fast paths of its hinted one-quantum alloc and its free.
 *
 * The fast paths must not change a single result.  Each seeded sequence
 * runs on three policies side by side: fast paths on, fast paths off (the
 * slow path alone decides, as before the fast paths existed), and one
 * toggling them every few calls (both paths on the same state) and given
 * a prefetch hint (alloc_ops.prefetch) before every call.  Every
 * call must return the same code and offset on all three; the arenas must
 * pass vmem_check(); offsets are checked against a naive unit map (in the
 * arena, no overlap, a free hint honoured, -ENOMEM only when no run of the
 * size is free); the stats must agree with the map.  Sequences: small
 * arenas that run out (slabs dissolved), multi-quantum hints across slabs,
 * slabs emptied and refilled, and the engines' pattern on [0, 2^40).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/rng.h"
#include "policies/alloc.h"
#include "policies/alloc/vmem_test.h"
#include "tests/testhelp.h"

#define NPOL	3	/* fast, slow, toggling */
#define MAXLIVE	8192

static char err[512];

/* The `vmem` policy over [base, base + nunits), quantum 1. */
static struct alloc *new_vmem(const char *spec, uint64_t base, uint64_t nunits)
{
	const struct alloc_params p = {
		.base = base, .size = nunits, .quantum = 1, .mem = &mem_default,
	};

	return alloc_create(spec, &p, err, sizeof(err));
}

struct live {
	uint64_t addr, size;
};

struct run {
	const char *spec;
	uint64_t base, nunits;		/* arena [base, base + nunits), quantum 1 */
	uint64_t hint_units;		/* hints fall in [0, hint_units) */
	unsigned steps, check_every;
	bool model;			/* keep a unit map (small arenas) */
};

static unsigned char used[1u << 16];
static struct live live[MAXLIVE];

/* The length of the free run at unit u, up to n. */
static uint64_t free_len(const struct run *r, uint64_t u, uint64_t n)
{
	uint64_t len = 0;

	while (len < n && u + len < r->nunits && !used[u + len])
		len++;
	return len;
}

static bool model_free(const struct run *r, uint64_t u, uint64_t n)
{
	return u < r->nunits && free_len(r, u, n) == n;
}

/* Is any run of n units free?  Each step skips the run it measured. */
static bool model_any_run(const struct run *r, uint64_t n)
{
	for (uint64_t u = 0, len; u < r->nunits; u += len + 1) {
		len = free_len(r, u, n);
		if (len == n)
			return true;
	}
	return false;
}

/* A digest of an arena's segment list (vmem_walk), order included. */
static void walk_digest(void *arg, enum vmem_seg_type type, uint64_t start,
			uint64_t size, int imported)
{
	uint64_t *h = arg;

	*h = (*h ^ ((uint64_t)type << 60 ^ (uint64_t)imported << 59 ^ start)) *
	     0x100000001b3ull;
	*h = (*h ^ size) * 0x100000001b3ull;
}

/* vmem_check() on every arena, and the same segments in all of them (the
 * slabs held, kept and given back alike).  The number of failures. */
static unsigned check_arenas(struct alloc *const a[NPOL])
{
	uint64_t h[NPOL];
	unsigned bad = 0;

	for (int k = 0; k < NPOL; k++) {
		if (vmem_check(vmem_policy_arena(a[k]), err, sizeof(err))) {
			fprintf(stderr, "policy %d: %s\n", k, err);
			bad++;
		}
		h[k] = 0xcbf29ce484222325ull;
		vmem_walk(vmem_policy_arena(a[k]), walk_digest, &h[k]);
		if (h[k] != h[0]) {
			fprintf(stderr, "policy %d: arena segments differ\n", k);
			bad++;
		}
	}
	return bad;
}

/* A skewed unit in [0, n): small ones far more often, like hot pages. */
static uint64_t skewed(struct rng *g, uint64_t n)
{
	return rng_below(g, rng_below(g, n) + 1);
}

static void run_seq(const struct run *r, uint64_t seed)
{
	struct alloc *a[NPOL];
	struct alloc_stats st[NPOL];
	struct rng g;
	size_t nlive = 0;
	uint64_t differ = 0, bad = 0, overlap = 0, hint_missed = 0;
	uint64_t false_enomem = 0, enomem = 0, hints_taken = 0, frees = 0;
	uint64_t bad_checks = 0, in_use = 0;

	for (int k = 0; k < NPOL; k++) {
		a[k] = new_vmem(r->spec, r->base, r->nunits);
		REQUIRE_MSG(a[k] != NULL, "%s: %s", r->spec, err);
	}
	vmem_policy_set_fast(a[1], false);
	if (r->model)
		memset(used, 0, r->nunits);
	rng_seed(&g, seed);
	for (unsigned step = 0; step < r->steps; step++) {
		unsigned op = (unsigned)rng_below(&g, 100);

		if (step % 7 == 0)
			vmem_policy_set_fast(a[2], (step / 7) & 1);
		/* the prefetch hint, anywhere (even outside the arena), on
		 * the third policy only: it must change nothing */
		alloc_hint(a[2], r->base + (step * 2654435761u) % (2 * r->nunits + 1));
		if (nlive == MAXLIVE || (nlive && op < 30)) {
			/* free: mostly one, sometimes a burst (slabs empty) */
			unsigned n = op < 1 ? 1 + (unsigned)rng_below(&g, 64) : 1;
			for (; n && nlive; n--) {
				size_t i = rng_below(&g, nlive);
				for (int k = 0; k < NPOL; k++)
					alloc_free(a[k], live[i].addr, live[i].size);
				if (r->model)
					memset(used + (live[i].addr - r->base), 0,
					       live[i].size);
				in_use -= live[i].size;
				live[i] = live[--nlive];
				frees++;
			}
		} else {
			uint64_t size = 1, hint = ALLOC_NOHINT, addr[NPOL], u;
			bool hint_free = false;
			int ret[NPOL];

			if (op < 85) {
				hint = r->base + skewed(&g, r->hint_units);
			} else if (op < 93) {
				size = 1 + rng_below(&g, 8);
			} else {
				/* a multi-unit hint, often across slabs */
				size = 2 + rng_below(&g, 150);
				hint = r->base + rng_below(&g, r->hint_units);
			}
			if (r->model && hint != ALLOC_NOHINT)
				hint_free = model_free(r, hint - r->base, size);
			for (int k = 0; k < NPOL; k++) {
				addr[k] = UINT64_MAX;
				ret[k] = alloc_alloc(a[k], size, hint, &addr[k]);
			}
			for (int k = 1; k < NPOL; k++)
				differ += ret[k] != ret[0] ||
					  (!ret[0] && addr[k] != addr[0]);
			if (ret[0]) {
				enomem++;
				if (ret[0] != -ENOMEM ||
				    (r->model && model_any_run(r, size)))
					false_enomem++;
				continue;
			}
			if (addr[0] < r->base || addr[0] - r->base >= r->nunits ||
			    size > r->nunits - (addr[0] - r->base)) {
				bad++;
				for (int k = 0; k < NPOL; k++)
					alloc_free(a[k], addr[k], size);
				continue;
			}
			u = addr[0] - r->base;
			if (r->model) {
				if (!model_free(r, u, size))
					overlap++;
				memset(used + u, 1, size);
			}
			if (hint_free && addr[0] != hint)
				hint_missed++;
			hints_taken += hint_free;
			in_use += size;
			live[nlive].addr = addr[0];
			live[nlive++].size = size;
		}
		if (step % r->check_every == 0)
			bad_checks += check_arenas(a);
	}
	bad_checks += check_arenas(a);
	CHECK_MSG(differ == 0, "%s: %llu results differ with the fast paths off",
		  r->spec, (unsigned long long)differ);
	CHECK_MSG(bad_checks == 0, "%s: vmem_check failed %llu times", r->spec,
		  (unsigned long long)bad_checks);
	CHECK_MSG(bad == 0, "%s: %llu offsets outside the arena", r->spec,
		  (unsigned long long)bad);
	CHECK_MSG(overlap == 0, "%s: %llu overlaps", r->spec,
		  (unsigned long long)overlap);
	CHECK_MSG(hint_missed == 0, "%s: %llu free hints not honoured", r->spec,
		  (unsigned long long)hint_missed);
	CHECK_MSG(false_enomem == 0, "%s: %llu -ENOMEM with room left", r->spec,
		  (unsigned long long)false_enomem);
	CHECK_MSG(frees > r->steps / 4, "%s: %llu frees", r->spec,
		  (unsigned long long)frees);
	if (r->model && r->nunits <= 4096) {
		CHECK_MSG(enomem > 0, "%s: never exhausted", r->spec);
		CHECK_MSG(hints_taken > r->steps / 10, "%s: %llu free hints",
			  r->spec, (unsigned long long)hints_taken);
	}
	for (int k = 0; k < NPOL; k++) {
		a[k]->ops->stats(a[k], &st[k]);
		CHECK_EQ(st[k].in_use, in_use);
		CHECK_EQ(st[k].allocs - st[k].frees, nlive);
		if (k == 0)
			continue;	/* the others against the first */
		CHECK_EQ(st[k].allocs, st[0].allocs);
		CHECK_EQ(st[k].segments, st[0].segments);
	}
	while (nlive) {
		nlive--;
		for (int k = 0; k < NPOL; k++)
			alloc_free(a[k], live[nlive].addr, live[nlive].size);
	}
	CHECK_EQ(check_arenas(a), 0);
	for (int k = 0; k < NPOL; k++) {
		a[k]->ops->stats(a[k], &st[k]);
		CHECK_EQ(st[k].in_use, 0);
		alloc_destroy(a[k]);
	}
}

/* The fast path's own cases, one by one, against the slow path. */
static void fast_cases(void)
{
	struct alloc *f = new_vmem("vmem", 1000, 1 << 12);
	struct alloc *s = new_vmem("vmem", 1000, 1 << 12);
	uint64_t x, y;

	REQUIRE(f && s);
	vmem_policy_set_fast(s, false);
	/* first hint of a slab (made by the slow path), then its neighbours
	 * (the fast path), a taken one (the arena picks another place) */
	for (uint64_t h = 1000; h < 1000 + 70; h++) {
		CHECK(alloc_alloc(f, 1, h, &x) == 0 && x == h);
		CHECK(alloc_alloc(s, 1, h, &y) == 0 && y == h);
	}
	CHECK(alloc_alloc(f, 1, 1010, &x) == 0 && x != 1010);
	CHECK(alloc_alloc(s, 1, 1010, &y) == 0 && y == x);
	/* a hint past the arena's end, the no-hint value, other sizes */
	CHECK(alloc_alloc(f, 1, 1000 + (1 << 12), &x) == 0);
	CHECK(alloc_alloc(s, 1, 1000 + (1 << 12), &y) == 0 && y == x);
	CHECK(alloc_alloc(f, 1, ALLOC_NOHINT, &x) == 0);
	CHECK(alloc_alloc(s, 1, ALLOC_NOHINT, &y) == 0 && y == x);
	CHECK(alloc_alloc(f, 2, 1100, &x) == 0 && x == 1100);
	CHECK(alloc_alloc(s, 2, 1100, &y) == 0 && y == 1100);
	CHECK_EQ(alloc_alloc(f, 0, 1200, &x), -ENOMEM);
	CHECK_EQ(alloc_alloc(s, 0, 1200, &y), -ENOMEM);
	/* free a whole slab back (its last quantum takes the slow path) */
	for (uint64_t h = 1000; h < 1000 + 64; h++) {
		alloc_free(f, h, 1);
		alloc_free(s, h, 1);
	}
	CHECK_EQ(vmem_check(vmem_policy_arena(f), err, sizeof(err)), 0);
	CHECK_EQ(vmem_check(vmem_policy_arena(s), err, sizeof(err)), 0);
	CHECK(alloc_alloc(f, 1, 1005, &x) == 0 && x == 1005);
	CHECK(alloc_alloc(s, 1, 1005, &y) == 0 && y == 1005);
	alloc_destroy(f);
	alloc_destroy(s);

	/* an arena ending at UINT64_MAX = ALLOC_NOHINT: its last unit is a
	 * hint, the no-hint value just past the end is not */
	{
		const uint64_t base = UINT64_MAX - (1 << 12);
		f = new_vmem("vmem", base, 1 << 12);
		s = new_vmem("vmem", base, 1 << 12);
		REQUIRE(f && s);
		vmem_policy_set_fast(s, false);
		for (uint64_t h = UINT64_MAX - 3; h < UINT64_MAX; h++) {
			CHECK(alloc_alloc(f, 1, h, &x) == 0 && x == h);
			CHECK(alloc_alloc(s, 1, h, &y) == 0 && y == h);
		}
		CHECK(alloc_alloc(f, 1, ALLOC_NOHINT, &x) == 0 && x < UINT64_MAX - 3);
		CHECK(alloc_alloc(s, 1, ALLOC_NOHINT, &y) == 0 && y == x);
		alloc_free(f, UINT64_MAX - 1, 1);
		alloc_free(s, UINT64_MAX - 1, 1);
		CHECK(alloc_alloc(f, 1, UINT64_MAX - 1, &x) == 0 && x == UINT64_MAX - 1);
		CHECK(alloc_alloc(s, 1, UINT64_MAX - 1, &y) == 0 && y == x);
		CHECK_EQ(vmem_check(vmem_policy_arena(f), err, sizeof(err)), 0);
		CHECK_EQ(vmem_check(vmem_policy_arena(s), err, sizeof(err)), 0);
		alloc_destroy(f);
		alloc_destroy(s);
	}
}

int main(void)
{
	static const char *const specs[] = {
		"vmem", "vmem:fit=best", "vmem:fit=next", "vmem:qcache=4",
		"first-fit", NULL,
	};

	T_BEGIN("vmem_slab");
	fast_cases();
	for (size_t i = 0; specs[i]; i++) {
		/* small arenas: exhaustion, dissolving, multi-unit hints;
		 * a base that is not a multiple of the slab size */
		struct run small = { specs[i], 5000, 2048, 2048, 20000, 5, true };
		struct run mid = { specs[i], 0, 1u << 16, 1u << 16, 30000, 499, true };
		/* the engines' arena, hints over 2^18 pages */
		struct run engine = { specs[i], 0, 1ull << 40, 1u << 18, 60000,
				      9973, false };

		run_seq(&small, 11 + i);
		run_seq(&mid, 21 + i);
		run_seq(&engine, 31 + i);
	}
	return T_END();
}

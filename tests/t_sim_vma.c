/*
 * tests/t_sim_vma.c — the simulator's kernel VMA model and fault classes on
 * hand-written event sequences whose kernel VMA counts are worked out by
 * hand (docs/ENGINE.md "Kernel VMA count").  Notation in the comments, per
 * VMA of ours: [R0-1] pages 0..1 mapped read-only in one kernel VMA, [RW2]
 * read-write, [S3] protected by the sampler, [N4-9] the PROT_NONE
 * reservation.
 */
#include <string.h>

#include "common/bug.h"
#include "sim/sim.h"
#include "tests/testhelp.h"

#define MMAP(v, f, off, n) { .type = EV_MMAP, .vma = (v), .file = (f), .page = (off), .npages = (n) }
#define RD(v, p)  { .type = EV_ACCESS, .vma = (v), .page = (p) }
#define WR(v, p)  { .type = EV_ACCESS, .vma = (v), .page = (p), .write = 1 }
#define UNMAP(v)  { .type = EV_UNMAP, .vma = (v) }
#define WRITEOUT(f, fl) { .type = EV_WRITEOUT, .file = (f), .flags = (fl) }
#define DISCARD(f) { .type = EV_DISCARD, .file = (f) }
#define INVAL(f, off) { .type = EV_INVALIDATE, .file = (f), .page = (off) }

struct step {
	struct event ev;
	uint64_t vmas;		/* kernel VMAs after the event */
};

static struct sim *mk(uint64_t ram, struct observe o, uint32_t page_size,
		      uint32_t batch)
{
	struct sim_config c = {
		.reclaim = "lru", .pagemap = "radix", .alloc = "vmem",
		.ram_pages = ram, .observe = o, .page_size = page_size,
		.reclaim_batch = batch,
	};
	char err[256];
	struct sim *s = sim_create(&c, err, sizeof(err));

	REQUIRE_MSG(s != NULL, "sim_create: %s", err);
	return s;
}

static void play(struct sim *s, const struct step *st, size_t n, const char *name)
{
	char err[256];

	for (size_t i = 0; i < n; i++) {
		struct counters c;

		if (sim_apply(s, &st[i].ev, 1, i, err, sizeof(err))) {
			CHECK_MSG(0, "%s step %zu: %s", name, i, err);
			return;
		}
		sim_counters(s, &c);
		CHECK_MSG(c.vmas == st[i].vmas, "%s step %zu: %llu kernel VMAs, expected %llu",
			  name, i, (unsigned long long)c.vmas,
			  (unsigned long long)st[i].vmas);
		if (sim_check(s, err, sizeof(err)))
			CHECK_MSG(0, "%s step %zu: %s", name, i, err);
	}
}

static void test_merge_rules(void)
{
	static const struct step st[] = {
		{ MMAP(0, 0, 0, 10), 1 },	/* [N0-9] */
		{ RD(0, 0), 2 },		/* [R0][N1-9] */
		{ RD(0, 1), 2 },		/* [R0-1][N2-9] */
		{ RD(0, 3), 4 },		/* [R0-1][N2][R3][N4-9] */
		{ RD(0, 2), 2 },		/* [R0-3][N4-9] */
		{ WR(0, 1), 4 },		/* dirty fault: [R0][RW1][R2-3][N] */
		{ WR(0, 2), 4 },		/* [R0][RW1-2][R3][N] */
		{ RD(0, 1), 4 },		/* hit */
		{ WRITEOUT(0, EV_STORE), 4 },	/* stored, still dirty */
		{ WRITEOUT(0, EV_STORE | EV_MARKSTORED), 2 },	/* [R0-3][N] */
		{ MMAP(1, 0, 2, 4), 3 },	/* v1 over file pgoffs 2..5: [N0-3] */
		{ RD(1, 0), 4 },		/* map fault: v1 [R0][N1-3] */
		{ RD(1, 1), 4 },		/* map fault: v1 [R0-1][N2-3] */
		{ WR(1, 0), 5 },		/* dirty fault, RW in v1 only: v1 [RW0][R1][N] */
		{ WR(0, 2), 7 },		/* v0's own dirty fault: v0 [R0-1][RW2][R3][N] */
		{ INVAL(0, 2), 7 },		/* v0 [R0-1][N2][R3][N4-9], v1 [N0][R1][N2-3] */
		{ RD(0, 2), 5 },		/* load fault, RAM offset 2 again: v0 [R0-3][N] */
		{ UNMAP(0), 3 },		/* v1 only */
		{ RD(1, 0), 2 },		/* map fault: v1 [R0-1][N2-3] */
		{ DISCARD(0), 2 },		/* nothing dirty */
		{ WR(1, 3), 3 },		/* load fault, written: v1 [R0-1][N2][RW3] */
		{ DISCARD(0), 2 },		/* pgoff 5 dropped: v1 [R0-1][N2-3] */
	};
	struct sim *s = mk(100, (struct observe){ OBSERVE_FAULTS, 0 }, 4096, 1);
	struct counters c;

	play(s, st, ARRAY_SIZE(st), "merge");
	sim_counters(s, &c);
	CHECK_EQ(c.accesses, 14);
	CHECK_EQ(c.hits, 1);
	CHECK_EQ(c.by_class[FAULT_LOAD], 6);
	CHECK_EQ(c.by_class[FAULT_MAP], 3);
	CHECK_EQ(c.by_class[FAULT_DIRTY], 4);
	CHECK_EQ(c.by_class[FAULT_REF], 0);
	CHECK_EQ(c.faults, 13);
	CHECK_EQ(c.loads, 6);
	CHECK_EQ(c.stores, 4);
	CHECK_EQ(c.writebacks, 2);
	CHECK_EQ(c.evictions, 0);
	CHECK_EQ(c.vmas_peak, 7);
	CHECK_EQ(c.vmas, 2);
	CHECK_EQ(c.ram_pages_peak, 5);	/* pgoffs 0-3 and 5 */
	sim_destroy(s);
}

/* 2 MiB hugetlbfs pages: every mapped page is a kernel VMA of its own. */
static void test_huge(void)
{
	static const struct step st[] = {
		{ MMAP(3, 1, 0, 4), 1 },	/* [N0-3] */
		{ RD(3, 0), 2 },		/* [R0][N1-3] */
		{ RD(3, 1), 3 },		/* [R0][R1][N2-3] */
		{ RD(3, 3), 4 },		/* [R0][R1][N2][R3] */
		{ RD(3, 2), 4 },		/* [R0][R1][R2][R3] */
		{ WR(3, 1), 4 },
		{ INVAL(1, 1), 4 },		/* [R0][N1][R2][R3] */
		{ UNMAP(3), 0 },
	};
	struct sim *s = mk(10, (struct observe){ OBSERVE_FAULTS, 0 }, 2u << 20, 1);

	play(s, st, ARRAY_SIZE(st), "huge");
	sim_destroy(s);
}

/* sampled:3 — after every 3rd access all mapped pages are protected. */
static void test_sampled(void)
{
	static const struct step st[] = {
		{ MMAP(0, 0, 0, 6), 1 },
		{ RD(0, 0), 2 },		/* [R0][N1-5] */
		{ RD(0, 1), 2 },		/* [R0-1][N2-5] */
		{ RD(0, 2), 2 },		/* [R0-2][N] then sampled: [S0-2][N3-5] */
		{ RD(0, 1), 4 },		/* ref fault: [S0][R1][S2][N] */
		{ WR(0, 2), 4 },		/* ref fault + dirty: [S0][R1][RW2][N] */
		{ RD(0, 3), 2 },		/* load: [S0][R1][RW2][R3][N] = 5, sampled: [S0-3][N4-5] */
		{ RD(0, 3), 3 },		/* ref fault: [S0-2][R3][N] */
		{ WR(0, 0), 4 },		/* ref fault + dirty: [RW0][S1-2][R3][N] */
		{ RD(0, 5), 3 },		/* load: 5 VMAs, sampled: [S0-3][N4][S5] */
		{ WRITEOUT(0, EV_MARKSTORED), 3 },	/* sampled stay sampled */
		{ RD(0, 0), 4 },		/* ref fault, clean now: [R0][S1-3][N4][S5] */
	};
	struct sim *s = mk(100, (struct observe){ OBSERVE_SAMPLED, 3 }, 4096, 1);
	struct counters c;

	play(s, st, ARRAY_SIZE(st), "sampled");
	sim_counters(s, &c);
	CHECK_EQ(c.accesses, 10);
	CHECK_EQ(c.hits, 0);
	CHECK_EQ(c.by_class[FAULT_LOAD], 5);
	CHECK_EQ(c.by_class[FAULT_REF], 5);
	CHECK_EQ(c.by_class[FAULT_DIRTY], 0);
	CHECK_EQ(c.writebacks, 2);
	CHECK_EQ(c.vmas_peak, 5);
	sim_destroy(s);
}

/* --reclaim-batch 2 with LRU over 4 pages of RAM. */
static void test_batch(void)
{
	static const struct step st[] = {
		{ MMAP(0, 0, 0, 8), 1 },
		{ RD(0, 0), 2 }, { RD(0, 1), 2 }, { RD(0, 2), 2 }, { RD(0, 3), 2 },
		{ RD(0, 4), 3 },		/* evicts 0 and 1: [N0-1][R2-4][N5-7] */
		{ RD(0, 5), 3 },		/* room: [N0-1][R2-5][N6-7] */
		{ RD(0, 6), 3 },		/* evicts 2 and 3: [N0-3][R4-6][N7] */
		{ RD(0, 4), 3 },		/* hit */
	};
	struct sim *s = mk(4, (struct observe){ OBSERVE_FAULTS, 0 }, 4096, 2);
	struct counters c;

	play(s, st, ARRAY_SIZE(st), "batch");
	sim_counters(s, &c);
	CHECK_EQ(c.evictions, 4);
	CHECK_EQ(c.loads, 7);
	CHECK_EQ(c.hits, 1);
	CHECK_EQ(c.ram_pages_peak, 4);
	sim_destroy(s);
}

int main(void)
{
	T_BEGIN("sim_vma");
	test_merge_rules();
	test_huge();
	test_sampled();
	test_batch();
	return T_END();
}

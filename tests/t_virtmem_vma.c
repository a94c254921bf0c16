/*
 * tests/t_virtmem_vma.c — kernel VMA counts of the real virtmem: the count
 * read from /proc/self/maps equals the model of docs/ENGINE.md (maximal runs
 * of unmapped pages, and of mapped pages with contiguous RAM offsets and
 * equal protection), for sequential and shuffled access, with eviction,
 * writes and sampling; and 150 000 pages faulted in random order stay under
 * vm.max_map_count (VIRTMEM-CHECKLIST.md 26).
 */
#include "tests/testhelp.h"
#include "tests/virtmem_testlib.h"

#include <stdio.h>

#include "common/rng.h"

static char err[256];

/* The ENGINE.md model over what the engine says it mapped. */
static long model_vmas(struct fileh *fh, struct vma *v, uint64_t pgoff, uint64_t n, int huge)
{
	long count = 0;
	int prev_prot = -1;
	uint64_t prev_off = 0, i;

	for (i = 0; i < n; i++) {
		int prot = vma_page_prot(v, i);

		/* every sampled page is PROT_NONE to the kernel, R or RW before */
		if (prot & VMA_PROT_SAMPLED)
			prot = VMA_PROT_SAMPLED;
		uint64_t off = prot == VMA_PROT_NONE ? 0 : fileh_page_ramoff(fh, pgoff + i);

		if (prot == VMA_PROT_NONE) {
			if (prev_prot != VMA_PROT_NONE)
				count++;
		} else if (huge || prot != prev_prot || off != prev_off + 1) {
			count++;
		}
		prev_prot = prot;
		prev_off = off;
	}
	return count;
}

#define env_open(e, type, limit, observe, n) env_open_full(e, type, limit, "lru", 1, observe, n)

static int check_model_at(struct env *e, int huge, int line)
{
	long k = vma_kernel_vmas(e->v), m = model_vmas(e->fh, e->v, 0, e->n, huge);

	CHECK_MSG(k == m, "line %d: kernel %ld, model %ld", line, k, m);
	return k == m;
}
#define check_model(e, huge) check_model_at(e, huge, __LINE__)

static void shuffle(uint64_t *a, uint64_t n, struct rng *r)
{
	uint64_t i;

	for (i = n - 1; i > 0; i--) {
		uint64_t j = rng_next(r) % (i + 1), t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

/* Sequential and shuffled access on one RAM type. */
static void test_runs(const char *type, uint64_t n, uint64_t limit)
{
	struct env e;
	uint64_t *order = malloc(n * sizeof(*order)), i;
	struct rng r;
	int huge = strcmp(type, "hugetlbfs") == 0;

	REQUIRE(env_open(&e, type, limit, NULL, n) == 0);
	CHECK_EQ(vma_kernel_vmas(e.v), 1);	/* one reservation */
	/* sequential reads: one run */
	for (i = 0; i < n / 2; i++)
		rd(pg_addr(e.v, e.ps, i));
	check_model(&e, huge);
	if (!huge && !limit)
		CHECK_EQ(vma_kernel_vmas(e.v), 2);	/* R run + NONE run */
	/* shuffled reads of the rest, then writes to a few */
	rng_seed(&r, 42);
	for (i = 0; i < n - n / 2; i++)
		order[i] = n / 2 + i;
	shuffle(order, n - n / 2, &r);
	for (i = 0; i < n - n / 2; i++) {
		rd(pg_addr(e.v, e.ps, order[i]));
		if (i % (n / 8 + 1) == 0 && !check_model(&e, huge))
			break;
	}
	check_model(&e, huge);
	if (!huge && !limit)
		CHECK_EQ(vma_kernel_vmas(e.v), 1);	/* hint: all contiguous */
	for (i = 0; i < n; i += 7) {
		wr(pg_addr(e.v, e.ps, i), i);
		if (limit && i % (7 * 16) == 0) {	/* keep dirty pages under the limit */
			check_model(&e, huge);
			CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);
		}
	}
	check_model(&e, huge);
	fileh_invalidate_page(e.fh, 3);
	fileh_invalidate_page(e.fh, n - 1);
	check_model(&e, huge);
	CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);
	check_model(&e, huge);
	env_close(&e);
	free(order);
}

/* sampled:N — ref faults, and the model counts sampled pages as their own
 * protection */
static void test_sampled(void)
{
	struct env e;
	struct counters c;
	uint64_t i;
	struct rng r;

	struct ram *full = ram_new("shmfs", NULL, err, sizeof(err));

	CHECK(full && ram_configure(full, 0, NULL, 1, "full", err, sizeof(err)) != 0);
	CHECK(strstr(err, "simulator") != NULL);
	ram_close(full);
	REQUIRE(env_open(&e, "shmfs", 0, "sampled:16", 64) == 0);
	for (i = 0; i < 16; i++) {
		rd(pg_addr(e.v, e.ps, i));
		ram_access_tick(e.ram);		/* sampled after the 16th */
	}
	CHECK_EQ(vma_page_prot(e.v, 0), VMA_PROT_R | VMA_PROT_SAMPLED);
	check_model(&e, 0);
	rd(pg_addr(e.v, e.ps, 2));		/* ref fault: back to R */
	CHECK_EQ(fault_count(e.ram, FAULT_REF), 1);
	CHECK_EQ(vma_page_prot(e.v, 2), VMA_PROT_R);
	wr(pg_addr(e.v, e.ps, 3), 1);		/* ref fault that dirties: one fault */
	CHECK_EQ(fault_count(e.ram, FAULT_REF), 2);
	CHECK_EQ(fault_count(e.ram, FAULT_DIRTY), 0);
	CHECK_EQ(vma_page_prot(e.v, 3), VMA_PROT_RW);
	CHECK_EQ(fileh_page_state(e.fh, 3), PAGE_DIRTY);
	check_model(&e, 0);
	rng_seed(&r, 7);
	for (i = 0; i < 2000; i++) {
		uint64_t p = rng_next(&r) % 64;
		if (rng_next(&r) % 4 == 0)
			wr(pg_addr(e.v, e.ps, p) + 8, i);
		else
			rd(pg_addr(e.v, e.ps, p));
		ram_access_tick(e.ram);
		if (i % 250 == 0)
			check_model(&e, 0);
	}
	ram_counters(e.ram, &c);
	CHECK_EQ(c.accesses, 2016);
	CHECK(c.by_class[FAULT_REF] > 100);
	CHECK_EQ(c.faults, c.by_class[FAULT_LOAD] + c.by_class[FAULT_MAP] +
		 c.by_class[FAULT_DIRTY] + c.by_class[FAULT_REF]);
	fileh_dirty_discard(e.fh);
	env_close(&e);
}

/* 26: random faults over 150 000 pages stay under vm.max_map_count */
static void test_map_count(void)
{
	const uint64_t n = 150000;
	struct env e;
	struct rng r;
	uint64_t i, *order = malloc(n * sizeof(*order));
	long k, peak = 0, limit = 65530;
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");

	if (f) {
		if (fscanf(f, "%ld", &limit) != 1)
			limit = 65530;
		fclose(f);
	}
	REQUIRE(env_open(&e, "shmfs", 4096, NULL, n) == 0);
	for (i = 0; i < n; i++)
		order[i] = i;
	rng_seed(&r, 150000);
	shuffle(order, n, &r);
	for (i = 0; i < n; i++) {
		if (order[i] % 5 == 0)
			wr(pg_addr(e.v, e.ps, order[i]), i);
		else
			rd(pg_addr(e.v, e.ps, order[i]));
		if (i % 4096 == 4095)
			CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);
		if (i == n - 1)
			CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);
		if (i % 30000 == 29999) {
			k = vma_kernel_vmas(e.v);
			if (k > peak)
				peak = k;
		}
	}
	CHECK_MSG(peak > 0 && peak < limit / 4, "peak %ld kernel VMAs, limit %ld", peak, limit);
	CHECK_EQ(fault_count(e.ram, FAULT_LOAD), n);
	env_close(&e);
	free(order);
}

int main(void)
{
	T_BEGIN("virtmem_vma");
	test_runs("shmfs", 512, 0);
	test_runs("shmfs", 512, 64);
	test_sampled();
	test_map_count();
	return T_END();
}

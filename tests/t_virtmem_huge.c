/*
 * tests/t_virtmem_huge.c — the real virtmem on hugetlbfs RAM, 2 MiB pages
 * (VIRTMEM-CHECKLIST.md 28): aliasing, zero and hole punch, faults and page
 * states, writeout/discard/invalidate, reclaim under a limit with content
 * checks, the pool running dry failing the allocation synchronously, and
 * one kernel VMA per mapped huge page (hugetlbfs mappings never merge).
 * As root it reserves huge pages itself (vm.nr_hugepages, restored at the
 * end); otherwise, or when the kernel cannot find them, it skips.
 */
#include "tests/testhelp.h"
#include "tests/virtmem_testlib.h"

#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "policies/alloc.h"

#define NR_PATH "/proc/sys/vm/nr_hugepages"
#define FREE_PATH "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
#define HPS (2ul << 20)

static char err[256];

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void test_ramh(const char *arg)
{
	struct ram *ram = ram_new("hugetlbfs", arg, err, sizeof(err));
	struct ramh *h;
	uint64_t off;
	char *a, *b;

	CHECK_MSG(ram != NULL, "%s", err);
	if (!ram)
		return;
	CHECK_EQ(ram->pagesize, HPS);
	h = ramh_open(ram, NULL, err, sizeof(err));
	CHECK_MSG(h != NULL, "%s", err);
	if (!h) {
		ram_close(ram);
		return;
	}
	CHECK_EQ(ramh_alloc_page(h, 3, &off), 0);
	CHECK_EQ(off, 3);
	a = ramh_mmap_page(h, off, NULL, PROT_READ | PROT_WRITE);
	b = ramh_mmap_page(h, off, NULL, PROT_READ);
	CHECK(a != MAP_FAILED && b != MAP_FAILED);
	if (a != MAP_FAILED && b != MAP_FAILED) {
		CHECK_EQ(rd(a + HPS - 8), 0);
		wr(a + HPS - 8, 9);
		CHECK_EQ(rd(b + HPS - 8), 9);
		CHECK_EQ(ramh_drop_memory(h, off), 0);
		CHECK_EQ(rd(b + HPS - 8), 0);
		munmap(a, HPS);
		munmap(b, HPS);
	}
	ramh_close(h);
	ram_close(ram);
}

/* The pool runs dry: the allocation fails, no SIGBUS later. */
static void test_pool_dry(void)
{
	struct ram *ram = ram_new("hugetlbfs", NULL, err, sizeof(err));
	struct ramh *h = ram ? ramh_open(ram, NULL, err, sizeof(err)) : NULL;
	long nfree = read_long(FREE_PATH), i;
	uint64_t off;
	int ok = 1;

	CHECK_MSG(h != NULL, "%s", err);
	if (!h)
		return;
	for (i = 0; i < nfree; i++)
		ok &= ramh_alloc_page(h, ALLOC_NOHINT, &off) == 0;
	CHECK(ok);
	CHECK_EQ(ramh_alloc_page(h, ALLOC_NOHINT, &off), -ENOSPC);
	CHECK_EQ(read_long(FREE_PATH), 0);
	ramh_close(h);
	CHECK_EQ(read_long(FREE_PATH), nfree);
	ram_close(ram);
}

static long model_vmas(struct fileh *fh, struct vma *v, uint64_t n)
{
	long count = 0;
	int prev = -1;
	uint64_t i;

	for (i = 0; i < n; i++) {
		int prot = vma_page_prot(v, i);

		(void)fh;
		if (prot != VMA_PROT_NONE || prev != VMA_PROT_NONE)
			count++;	/* each mapped huge page is one VMA */
		prev = prot;
	}
	return count;
}

static void test_faults(void)
{
	struct ram *ram = ram_new("hugetlbfs", NULL, err, sizeof(err));
	struct recfile rf;
	struct fileh *fh;
	struct vma *v, *v2;
	struct counters c;
	uint64_t i;
	long k;

	if (!ram || ram_configure(ram, 4, "lru", 1, NULL, err, sizeof(err))) {
		CHECK_MSG(0, "%s", err);
		return;
	}
	rec_init(&rf);
	fh = fileh_open(&rf.base, ram, NULL, err, sizeof(err));
	v = fh ? fileh_mmap(fh, 10, 8, err, sizeof(err)) : NULL;
	v2 = fh ? fileh_mmap(fh, 10, 8, err, sizeof(err)) : NULL;
	CHECK_MSG(v && v2, "%s", err);
	if (!v || !v2)
		return;
	CHECK_EQ((uintptr_t)vma_addr(v) % HPS, 0);
	/* read: load, R, pattern content */
	CHECK(page_is_pattern(v, HPS, 0, 10));
	CHECK_EQ(vma_page_prot(v, 0), VMA_PROT_R);
	/* adjacent pages at contiguous RAM offsets still do not merge */
	CHECK(page_is_pattern(v, HPS, 1, 11));
	CHECK(page_is_pattern(v, HPS, 2, 12));
	CHECK_EQ(fileh_page_ramoff(fh, 11), fileh_page_ramoff(fh, 10) + 1);
	k = vma_kernel_vmas(v);
	CHECK_EQ(k, 4);			/* 3 pages + the NONE rest */
	CHECK_EQ(k, model_vmas(fh, v, 8));
	/* write: dirty fault, alias in v2 is a map fault, RW at once */
	wr(pg_addr(v, HPS, 1) + 4096, 5);
	CHECK_EQ(fileh_page_state(fh, 11), PAGE_DIRTY);
	CHECK_EQ(rd(pg_addr(v2, HPS, 1) + 4096), 5);
	CHECK_EQ(vma_page_prot(v2, 1), VMA_PROT_RW);
	/* reclaim under the 4-page limit: clean pages go, content reloads */
	for (i = 3; i < 8; i++)
		CHECK(page_is_pattern(v, HPS, i, 10 + i));
	CHECK(ram->npages <= 4);
	CHECK_EQ(fileh_page_state(fh, 11), PAGE_DIRTY);
	CHECK_EQ(rd(pg_addr(v, HPS, 1) + 4096), 5);
	CHECK(page_is_pattern(v, HPS, 0, 10));
	CHECK_EQ(vma_kernel_vmas(v), model_vmas(fh, v, 8));
	/* writeout, invalidate, discard */
	CHECK_EQ(fileh_dirty_writeout(fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);
	CHECK_EQ(rf.nstore, 1);
	CHECK_EQ(rf.store_blk[0], 11);
	CHECK_EQ(vma_page_prot(v, 1), VMA_PROT_R);
	fileh_invalidate_page(fh, 11);
	CHECK(page_is_pattern(v2, HPS, 1, 11));
	wr(pg_addr(v, HPS, 0), 1);
	fileh_dirty_discard(fh);
	CHECK(page_is_pattern(v, HPS, 0, 10));
	ram_counters(ram, &c);
	CHECK(c.ram_pages_peak <= 4);
	CHECK(c.evictions > 0);
	vma_unmap(v);
	vma_unmap(v2);
	CHECK_EQ(fileh_close(fh), 0);
	ram_close(ram);
}

static void test_mount(void)
{
	char dir[] = "/tmp/pagelab-huge-XXXXXX";

	if (!mkdtemp(dir)) {
		T_SKIP("cannot create a temporary directory");
		return;
	}
	if (mount("pagelab", dir, "hugetlbfs", 0, "pagesize=2M") < 0) {
		T_SKIP("cannot mount hugetlbfs (needs root)");
	} else {
		test_ramh(dir);
		umount(dir);
	}
	rmdir(dir);
}

int main(void)
{
	long orig = read_long(NR_PATH), nfree = read_long(FREE_PATH);
	int changed = 0;

	T_BEGIN("virtmem_huge");
	if (nfree < 8 && orig >= 0 && write_long(NR_PATH, orig + 16) == 0) {
		changed = 1;
		nfree = read_long(FREE_PATH);
	}
	if (nfree < 8) {
		T_SKIP("fewer than 8 free 2 MiB huge pages and cannot reserve more "
		       "(as root: echo 64 > /proc/sys/vm/nr_hugepages)");
	} else {
		test_ramh(NULL);
		test_faults();
		test_mount();
		test_pool_dry();
	}
	if (changed)
		write_long(NR_PATH, orig);
	return T_END();
}

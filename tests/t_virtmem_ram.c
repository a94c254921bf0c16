/*
 * tests/t_virtmem_ram.c — RAM types and handles (VIRTMEM-CHECKLIST.md 2-5,
 * a RAM refusing its N-th allocation, the hugetlbfs "no pages" message).
 */
#include "tests/testhelp.h"
#include "tests/virtmem_testlib.h"

#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "policies/alloc.h"

static char err[256];

static void test_alias_zero_sparse(const char *type, const char *arg, const char *alloc)
{
	struct ram *ram = ram_new(type, arg, err, sizeof(err));
	struct ramh *h;
	uint64_t off, off2;
	char *a, *b, *resv;
	size_t ps;

	REQUIRE_MSG(ram != NULL, "%s", err);
	ps = ram->pagesize;
	h = ramh_open(ram, alloc, err, sizeof(err));
	REQUIRE_MSG(h != NULL, "%s", err);
	CHECK_EQ(ramh_alloc_page(h, 0, &off), 0);
	CHECK_EQ(off, 0);
	/* 2: two mappings of one page alias */
	a = ramh_mmap_page(h, off, NULL, PROT_READ | PROT_WRITE);
	b = ramh_mmap_page(h, off, NULL, PROT_READ | PROT_WRITE);
	CHECK(a != MAP_FAILED && b != MAP_FAILED);
	/* 3: fresh RAM reads zero */
	CHECK_EQ(rd(a), 0);
	CHECK_EQ(rd(a + ps - 8), 0);
	wr(a + 64, 0x1234);
	CHECK_EQ(rd(b + 64), 0x1234);
	CHECK_EQ(rd((char *)ramh_page_addr(h, off) + 64), 0x1234);
	/* ... also at a fixed address over reserved space */
	resv = mmap(NULL, 4 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(ramh_mmap_page(h, off, resv + 2 * ps, PROT_READ) == resv + 2 * ps);
	CHECK_EQ(rd(resv + 2 * ps + 64), 0x1234);
	/* 3: after drop_memory every alias reads zero */
	CHECK_EQ(ramh_drop_memory(h, off), 0);
	CHECK_EQ(rd(a + 64), 0);
	CHECK_EQ(rd(b + 64), 0);
	CHECK_EQ(rd(resv + 2 * ps + 64), 0);
	munmap(resv, 4 * ps);
	munmap(a, ps);
	munmap(b, ps);
	/* the hint is honoured when free, not when taken */
	CHECK_EQ(ramh_alloc_page(h, 0, &off2), 0);
	CHECK(off2 != 0);
	/* 4: an offset far beyond the current maximum (sparse file) */
	CHECK_EQ(ramh_alloc_page(h, 1ull << 30, &off), 0);
	CHECK_EQ(off, 1ull << 30);
	a = ramh_mmap_page(h, off, NULL, PROT_READ | PROT_WRITE);
	CHECK(a != MAP_FAILED);
	if (a != MAP_FAILED) {
		CHECK_EQ(rd(a), 0);
		wr(a, 5);
		CHECK_EQ(rd(ramh_page_addr(h, off)), 5);
		munmap(a, ps);
	}
	CHECK_EQ(ram->npages, 3);
	ramh_free_page(h, off);
	CHECK_EQ(ram->npages, 2);
	ramh_close(h);
	CHECK_EQ(ram->npages, 0);
	ram_close(ram);
}

/* 5: the (N+1)-th allocation fails synchronously; the N-th refusal hook */
static void test_limits(void)
{
	struct ram *ram = ram_new("shmfs", NULL, err, sizeof(err));
	struct ramh *h;
	uint64_t off;
	int i;

	REQUIRE_MSG(ram && !ram_configure(ram, 4, NULL, 1, NULL, err,
					  sizeof(err)), "%s", err);
	h = ramh_open(ram, NULL, err, sizeof(err));
	for (i = 0; i < 4; i++)
		CHECK_EQ(ramh_alloc_page(h, ALLOC_NOHINT, &off), 0);
	CHECK_EQ(ramh_alloc_page(h, ALLOC_NOHINT, &off), -ENOSPC);
	ramh_free_page(h, off);
	CHECK_EQ(ramh_alloc_page(h, ALLOC_NOHINT, &off), 0);
	ramh_free_page(h, off);
	ramh_free_page(h, 0);
	/* the refusal hook: 3rd allocation from now fails, later ones work */
	ram_test_fail_nth(ram, 3);
	CHECK_EQ(ramh_alloc_page(h, 0, &off), 0);
	CHECK_EQ(ramh_alloc_page(h, 100, &off), 0);
	CHECK_EQ(off, 100);
	ramh_free_page(h, 100);
	CHECK_EQ(ramh_alloc_page(h, 100, &off), -ENOMEM);	/* 3rd: refused */
	CHECK_EQ(ram->npages, 3);
	CHECK_EQ(ramh_alloc_page(h, 100, &off), 0);		/* then works */
	CHECK_EQ(ram->npages, 4);
	ramh_close(h);
	ram_close(ram);
}

/* 5 with a size-limited tmpfs: ENOSPC at allocation, not SIGBUS on touch */
static void test_small_tmpfs(void)
{
	char dir[] = "/tmp/pagelab-tmpfs-XXXXXX";
	struct ram *ram;
	struct ramh *h;
	uint64_t off;
	int i, ok = 1;

	if (!mkdtemp(dir)) {
		T_SKIP("cannot create a temporary directory");
		return;
	}
	if (mount("pagelab", dir, "tmpfs", 0, "size=64k") < 0) {
		T_SKIP("cannot mount a size-limited tmpfs (needs root)");
		rmdir(dir);
		return;
	}
	ram = ram_new("shmfs", dir, err, sizeof(err));
	h = ram ? ramh_open(ram, NULL, err, sizeof(err)) : NULL;
	CHECK_MSG(h != NULL, "%s", err);
	if (h) {
		size_t n = 65536 / ram->pagesize;

		for (i = 0; i < (int)n; i++)
			ok &= ramh_alloc_page(h, ALLOC_NOHINT, &off) == 0;
		CHECK(ok);
		CHECK_EQ(ramh_alloc_page(h, ALLOC_NOHINT, &off), -ENOSPC);
		CHECK(ram_get_current_maxsize(ram) < ram->pagesize);
		ramh_close(h);
	}
	ram_close(ram);
	umount(dir);
	rmdir(dir);
}

static void test_registry(void)
{
	struct ram *a, *b;
	FILE *f;
	unsigned long long nfree = 1;

	{
		/* closing a RAM in use is refused, not a crash */
		struct env e;

		CHECK_EQ(env_open_full(&e, "shmfs", 0, NULL, 1, NULL, 1), 0);
		CHECK_EQ(ram_close(e.ram), -EBUSY);
		CHECK_EQ(env_close(&e), 0);
	}
	CHECK(ram_new("nosuch", NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "shmfs") && strstr(err, "hugetlbfs"));
	a = ram_get_default("shmfs", err, sizeof(err));
	b = ram_get_default("shmfs", err, sizeof(err));
	CHECK(a != NULL && a == b);
	CHECK(a && ram_get_current_maxsize(a) > 0);
	CHECK(ram_new("shmfs", "/nonexistent-dir", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/nonexistent-dir") != NULL);
	f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	if (f) {
		if (fscanf(f, "%llu", &nfree) != 1)
			nfree = 1;
		fclose(f);
	}
	if (nfree == 0) {
		CHECK(ram_new("hugetlbfs", NULL, err, sizeof(err)) == NULL);
		CHECK_MSG(strstr(err, "nr_hugepages") != NULL, "%s", err);
	} else {
		T_SKIP("huge pages are reserved: the empty-pool message is not testable now");
	}
	CHECK(ram_new("hugetlbfs", "/tmp", err, sizeof(err)) == NULL);
	CHECK_MSG(strstr(err, "not a hugetlbfs mount") != NULL || strstr(err, "nr_hugepages"),
		  "%s", err);
}

int main(void)
{
	T_BEGIN("virtmem_ram");
	test_alias_zero_sparse("shmfs", NULL, NULL);
	test_alias_zero_sparse("shmfs", "/dev/shm", "bitmap");
	test_limits();
	test_small_tmpfs();
	test_registry();
	return T_END();
}

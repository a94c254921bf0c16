/*
 * tests/t_virtmem.c — faults and page states of the real virtmem
 * (VIRTMEM-CHECKLIST.md items 6-19 and 25), on shmfs RAM.
 */
#include "tests/testhelp.h"
#include "tests/virtmem_testlib.h"

#include <stdio.h>

static char err[256];

#define env_open(e, limit, batch) env_open_full(e, "shmfs", limit, "lru", batch, NULL, 0)

static void test_faults_and_states(void)
{
	struct env e;
	struct vma *v;
	uint64_t dl[8];
	size_t i;
	int saved;

	REQUIRE(env_open(&e, 0, 1) == 0);
	v = fileh_mmap(e.fh, 100, 8, err, sizeof(err));
	REQUIRE(v != NULL);
	/* 6: nothing mapped after mmap */
	for (i = 0; i < 8; i++)
		CHECK_EQ(vma_page_prot(v, i), VMA_PROT_NONE);
	CHECK_EQ(fileh_npages(e.fh), 0);

	/* 7: read fault loads and maps R, content from loadblk */
	errno = 12345;
	CHECK(rd(pg_addr(v, e.ps, 0)) == bigfile_pattern_word(100, 0));
	/* 19: errno preserved though loadblk set it */
	saved = errno;
	CHECK_EQ(saved, 12345);
	CHECK_EQ(e.rf.nload, 1);
	CHECK_EQ(fileh_page_state(e.fh, 100), PAGE_LOADED);
	CHECK_EQ(vma_page_prot(v, 0), VMA_PROT_R);
	CHECK(page_is_pattern(v, e.ps, 0, 100));
	CHECK_EQ(fault_count(e.ram, FAULT_LOAD), 1);
	CHECK_EQ(fault_count(e.ram, -1), 1);
	/* a second read is a hit: no fault */
	rd(pg_addr(v, e.ps, 0) + 8);
	CHECK_EQ(fault_count(e.ram, -1), 1);

	/* 9: write to a clean mapped page: dirty fault, RW */
	wr(pg_addr(v, e.ps, 0), 7);
	CHECK_EQ(fault_count(e.ram, FAULT_DIRTY), 1);
	CHECK_EQ(fileh_page_state(e.fh, 100), PAGE_DIRTY);
	CHECK_EQ(vma_page_prot(v, 0), VMA_PROT_RW);
	CHECK_EQ(e.rf.nload, 1);

	/* 8: write fault on unloaded pages: load, RW, dirty, dirty list order */
	wr(pg_addr(v, e.ps, 5), 55);
	wr(pg_addr(v, e.ps, 3), 33);
	CHECK_EQ(fault_count(e.ram, FAULT_LOAD), 3);
	CHECK_EQ(e.rf.nload, 3);
	CHECK_EQ(vma_page_prot(v, 5), VMA_PROT_RW);
	CHECK_EQ(fileh_page_state(e.fh, 103), PAGE_DIRTY);
	CHECK(rd(pg_addr(v, e.ps, 5) + 8) == bigfile_pattern_word(105, 1));
	CHECK_EQ(fileh_dirty_list(e.fh, dl, 8), 3);
	CHECK_EQ(dl[0], 100);
	CHECK_EQ(dl[1], 105);
	CHECK_EQ(dl[2], 103);

	/* 10: a dirty page not mapped in this view maps RW at once on read */
	{
		struct vma *v2 = fileh_mmap(e.fh, 100, 8, err, sizeof(err));
		CHECK(v2 != NULL);
		if (v2) {
			uint64_t f0 = fault_count(e.ram, -1);
			CHECK_EQ(rd(pg_addr(v2, e.ps, 5)), 55);
			CHECK_EQ(vma_page_prot(v2, 5), VMA_PROT_RW);
			CHECK_EQ(fault_count(e.ram, FAULT_MAP), 1);
			/* aliasing: a write through v2 shows in v */
			wr(pg_addr(v2, e.ps, 5) + 16, 99);
			CHECK_EQ(fault_count(e.ram, -1), f0 + 1);
			CHECK_EQ(rd(pg_addr(v, e.ps, 5) + 16), 99);
			/* a clean page maps R in v2; a write there is a dirty fault
			 * of v2's own */
			rd(pg_addr(v, e.ps, 1));
			rd(pg_addr(v2, e.ps, 1));
			CHECK_EQ(vma_page_prot(v2, 1), VMA_PROT_R);
			wr(pg_addr(v2, e.ps, 1), 11);
			CHECK_EQ(vma_page_prot(v2, 1), VMA_PROT_RW);
			CHECK_EQ(vma_page_prot(v, 1), VMA_PROT_R);
			wr(pg_addr(v, e.ps, 1) + 8, 12);	/* dirty fault of v */
			CHECK_EQ(vma_page_prot(v, 1), VMA_PROT_RW);
			CHECK_EQ(rd(pg_addr(v2, e.ps, 1) + 8), 12);
			/* 13: unmapping a view keeps dirty pages and content */
			vma_unmap(v2);
			CHECK_EQ(fileh_page_state(e.fh, 105), PAGE_DIRTY);
			CHECK_EQ(rd(pg_addr(v, e.ps, 5) + 16), 99);
		}
	}
	CHECK_EQ(fileh_dirty_list(e.fh, dl, 8), 4);	/* 100 105 103 101 */

	/* 15: writeout STORE: storeblk per dirty page in file order, pages
	 * stay dirty and writable (also those mapped nowhere) */
	{
		struct vma *v3 = fileh_mmap(e.fh, 107, 1, err, sizeof(err));
		uint64_t f0;

		wr(pg_addr(v3, e.ps, 0), 77);	/* dirty page 107 */
		vma_unmap(v3);			/* now mapped nowhere */
		CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE), 0);
		CHECK_EQ(e.rf.nstore, 5);
		CHECK_EQ(e.rf.store_blk[0], 100);
		CHECK_EQ(e.rf.store_blk[1], 101);
		CHECK_EQ(e.rf.store_blk[2], 103);
		CHECK_EQ(e.rf.store_blk[3], 105);
		CHECK_EQ(e.rf.store_blk[4], 107);
		CHECK_EQ(e.rf.store_w0[4], 77);
		CHECK_EQ(e.rf.store_w0[0], 7);
		CHECK_EQ(fileh_page_state(e.fh, 107), PAGE_DIRTY);
		CHECK_EQ(fileh_dirty_list(e.fh, dl, 8), 5);
		f0 = fault_count(e.ram, -1);
		wr(pg_addr(v, e.ps, 0), 8);	/* still writable: no fault */
		CHECK_EQ(fault_count(e.ram, -1), f0);

		/* 16: MARKSTORED: no storeblk, clean, R again, list empty */
		CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_MARKSTORED), 0);
		CHECK_EQ(e.rf.nstore, 5);
		CHECK_EQ(fileh_dirty_list(e.fh, dl, 8), 0);
		CHECK_EQ(fileh_page_state(e.fh, 100), PAGE_LOADED);
		CHECK_EQ(vma_page_prot(v, 0), VMA_PROT_R);
		CHECK_EQ(vma_page_prot(v, 5), VMA_PROT_R);
		wr(pg_addr(v, e.ps, 0), 9);	/* write faults again */
		CHECK_EQ(fault_count(e.ram, FAULT_DIRTY), f0 - f0 + 4);
		CHECK_EQ(fileh_page_state(e.fh, 100), PAGE_DIRTY);
		/* STORE|MARKSTORED does both */
		CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);
		CHECK_EQ(e.rf.nstore, 6);
		CHECK_EQ(e.rf.store_w0[5], 9);
		CHECK_EQ(fileh_dirty_list(e.fh, dl, 8), 0);
		CHECK_EQ(vma_page_prot(v, 0), VMA_PROT_R);
	}

	/* 14: discard drops dirty pages; the next read shows file content */
	wr(pg_addr(v, e.ps, 2), 22);
	wr(pg_addr(v, e.ps, 0), 10);
	CHECK_EQ(fileh_npages(e.fh), 6);
	fileh_dirty_discard(e.fh);
	CHECK_EQ(fileh_dirty_list(e.fh, dl, 8), 0);
	CHECK_EQ(fileh_page_state(e.fh, 102), PAGE_EMPTY);
	CHECK_EQ(fileh_page_state(e.fh, 100), PAGE_EMPTY);
	CHECK_EQ(fileh_page_state(e.fh, 101), PAGE_LOADED);	/* clean stays */
	CHECK_EQ(vma_page_prot(v, 2), VMA_PROT_NONE);
	CHECK_EQ(fileh_npages(e.fh), 4);
	CHECK(page_is_pattern(v, e.ps, 2, 102));
	CHECK(page_is_pattern(v, e.ps, 0, 100));

	/* 17: invalidate absent, clean mapped, dirty mapped, clean unmapped */
	fileh_invalidate_page(e.fh, 106);	/* absent: nothing */
	CHECK_EQ(fileh_page_state(e.fh, 106), PAGE_EMPTY);
	fileh_invalidate_page(e.fh, 100);	/* clean, mapped */
	CHECK_EQ(fileh_page_state(e.fh, 100), PAGE_EMPTY);
	CHECK_EQ(vma_page_prot(v, 0), VMA_PROT_NONE);
	wr(pg_addr(v, e.ps, 3), 333);
	fileh_invalidate_page(e.fh, 103);	/* dirty, mapped */
	CHECK_EQ(fileh_dirty_list(e.fh, dl, 8), 0);
	CHECK_EQ(vma_page_prot(v, 3), VMA_PROT_NONE);
	{
		uint64_t n0 = e.rf.nload;
		CHECK(page_is_pattern(v, e.ps, 3, 103));	/* reloaded */
		CHECK_EQ(e.rf.nload, n0 + 1);
	}
	{
		struct vma *v4 = fileh_mmap(e.fh, 106, 1, err, sizeof(err));
		rd(pg_addr(v4, e.ps, 0));
		vma_unmap(v4);
		CHECK_EQ(fileh_page_state(e.fh, 106), PAGE_LOADED);
		fileh_invalidate_page(e.fh, 106);	/* clean, mapped nowhere */
		CHECK_EQ(fileh_page_state(e.fh, 106), PAGE_EMPTY);
	}

	/* 18: close drops every page (and gives the RAM back) */
	vma_unmap(v);
	CHECK(e.ram->npages > 0);
	CHECK_EQ(env_close(&e), 0);
}

/* 11, 12, 25: reclaim and RAM accounting under a limit */
static void test_reclaim_accounting(void)
{
	struct env e;
	struct vma *v, *v2;
	struct counters c;

	REQUIRE(env_open(&e, 2, 1) == 0);
	v = fileh_mmap(e.fh, 0, 8, err, sizeof(err));
	v2 = fileh_mmap(e.fh, 0, 8, err, sizeof(err));
	rd(pg_addr(v, e.ps, 0));
	rd(pg_addr(v2, e.ps, 0));	/* page 0 mapped in both views */
	wr(pg_addr(v, e.ps, 1), 1);	/* page 1 dirty */
	CHECK_EQ(e.ram->npages, 2);
	/* 11: RAM full: the clean page 0 is evicted, unmapped everywhere */
	rd(pg_addr(v, e.ps, 2));
	CHECK_EQ(e.ram->npages, 2);
	CHECK_EQ(fileh_page_state(e.fh, 0), PAGE_EMPTY);
	CHECK_EQ(vma_page_prot(v, 0), VMA_PROT_NONE);
	CHECK_EQ(vma_page_prot(v2, 0), VMA_PROT_NONE);
	CHECK_EQ(fileh_page_state(e.fh, 1), PAGE_DIRTY);
	CHECK_EQ(rd(pg_addr(v, e.ps, 1)), 1);
	ram_counters(e.ram, &c);
	CHECK_EQ(c.evictions, 1);
	CHECK(page_is_pattern(v2, e.ps, 0, 0));	/* reload, evicting page 2 */
	CHECK_EQ(fileh_page_state(e.fh, 2), PAGE_EMPTY);
	/* 12: explicit reclaim returns pages freed: one clean page (0) */
	CHECK_EQ(ram_reclaim(e.ram), 1);
	CHECK_EQ(ram_reclaim(e.ram), 0);	/* only dirty left */
	CHECK_EQ(e.ram->npages, 1);

	/* 25: reloading after invalidate and discard counts against the
	 * limit: a 2-page RAM never holds 3 pages */
	rd(pg_addr(v, e.ps, 3));
	fileh_invalidate_page(e.fh, 3);
	rd(pg_addr(v, e.ps, 3));
	rd(pg_addr(v, e.ps, 4));
	CHECK(e.ram->npages <= 2);
	fileh_dirty_discard(e.fh);
	wr(pg_addr(v, e.ps, 5), 5);
	wr(pg_addr(v, e.ps, 6), 6);
	CHECK_EQ(e.ram->npages, 2);
	ram_counters(e.ram, &c);
	CHECK(c.ram_pages_peak <= 2);
	fileh_dirty_discard(e.fh);
	CHECK_EQ(e.ram->npages, 0);
	vma_unmap(v);
	vma_unmap(v2);
	CHECK_EQ(env_close(&e), 0);
}

/* 15/27: storeblk error: returned, pages stay dirty, retry writes */
static void test_storeblk_error(void)
{
	struct env e;
	struct vma *v;
	uint64_t dl[4];

	REQUIRE(env_open(&e, 0, 1) == 0);
	v = fileh_mmap(e.fh, 0, 4, err, sizeof(err));
	wr(pg_addr(v, e.ps, 0), 1);
	wr(pg_addr(v, e.ps, 2), 2);
	e.rf.store_err = -EIO;
	e.rf.err_blk = 2;
	CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), -EIO);
	CHECK_EQ(fileh_dirty_list(e.fh, dl, 4), 2);
	CHECK_EQ(fileh_page_state(e.fh, 0), PAGE_DIRTY);
	CHECK_EQ(fileh_page_state(e.fh, 2), PAGE_DIRTY);
	CHECK_EQ(ram_reclaim(e.ram), 0);	/* dirty: never dropped */
	e.rf.store_err = 0;
	e.rf.nstore = 0;
	CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);
	CHECK_EQ(e.rf.nstore, 2);
	CHECK_EQ(e.rf.store_w0[1], 2);
	CHECK_EQ(fileh_dirty_list(e.fh, dl, 4), 0);
	vma_unmap(v);
	CHECK_EQ(env_close(&e), 0);
}

/* Issue #13: closing a file whose writeout failed loses data: fileh_close
 * says how many pages and fails; a plain close with unwritten dirty pages
 * (nobody asked to store them) and a discard after the failure do not. */
static void test_close_after_failed_store_fails(void)
{
	struct env e;
	struct vma *v;
	struct fileh *fh;

	if (env_open(&e, 0, 1))
		{ CHECK(0); return; }
	v = fileh_mmap(e.fh, 0, 4, err, sizeof(err));
	wr(pg_addr(v, e.ps, 0), 1);
	wr(pg_addr(v, e.ps, 2), 2);
	e.rf.store_err = -EIO;
	e.rf.err_blk = 2;
	CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), -EIO);
	vma_unmap(v);
	fh = e.fh;
	e.fh = NULL;
	CHECK_EQ(fileh_close(fh), -EIO);
	CHECK_EQ(e.ram->npages, 0);
	CHECK_EQ(env_close(&e), 0);

	/* the same failure, then a discard: the loss was asked for */
	if (env_open(&e, 0, 1))
		{ CHECK(0); return; }
	v = fileh_mmap(e.fh, 0, 4, err, sizeof(err));
	wr(pg_addr(v, e.ps, 1), 1);
	e.rf.store_err = -EIO;
	e.rf.err_blk = 1;
	CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE), -EIO);
	fileh_dirty_discard(e.fh);
	wr(pg_addr(v, e.ps, 3), 3);	/* dirty, never stored: dropped, no error */
	vma_unmap(v);
	CHECK_EQ(env_close(&e), 0);
}

int main(void)
{
	T_BEGIN("virtmem");
	test_faults_and_states();
	test_reclaim_accounting();
	test_storeblk_error();
	test_close_after_failed_store_fails();
	return T_END();
}

/*
 * tests/t_virtmem_reclaim.c — the real virtmem under a small RAM limit, with
 * every registered reclaim policy: random reads and writes over a file on
 * disk 16x larger than RAM, writeouts along the way, every page read checked
 * by checksum against a shadow copy, and the file on disk checked at the
 * end.  Also the slow backend's injected storeblk error and its retry.
 */
#include "tests/testhelp.h"
#include "tests/virtmem_testlib.h"

#include <fcntl.h>
#include <stdio.h>

#include "common/rng.h"
#include "policies/reclaim.h"

#define NPAGES 512
#define LIMIT 32

static char err[256];

static uint64_t checksum(const void *p, size_t len)
{
	const volatile uint64_t *w = p;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len / 8; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;
	return h;
}

static void run_policy(const char *policy, unsigned batch, const char *path)
{
	struct ram *ram;
	struct bigfile *bf;
	struct fileh *fh;
	struct vma *v;
	struct counters c;
	struct rng r;
	size_t ps = 4096, i;
	uint64_t *shadow = malloc(NPAGES * ps), nwrites = 0, bad = 0;
	char *buf = malloc(ps);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	/* the file: a pattern per page */
	for (i = 0; i < NPAGES * ps / 8; i++)
		shadow[i] = bigfile_pattern_word(i / (ps / 8), i % (ps / 8));
	REQUIRE(fd >= 0 && pwrite(fd, shadow, NPAGES * ps, 0) == (ssize_t)(NPAGES * ps));
	close(fd);

	ram = ram_new("shmfs", NULL, err, sizeof(err));
	REQUIRE_MSG(ram && !ram_configure(ram, LIMIT, policy, batch, NULL, err,
					  sizeof(err)), "%s: %s", policy, err);
	bf = bigfile_file_new(path, 0, err, sizeof(err));
	bf = bf ? bigfile_slow_new(bf, 0) : NULL;
	fh = bf ? fileh_open(bf, ram, NULL, err, sizeof(err)) : NULL;
	v = fh ? fileh_mmap(fh, 0, NPAGES, err, sizeof(err)) : NULL;
	REQUIRE_MSG(v != NULL, "%s: %s", policy, err);
	rng_seed(&r, 3);
	for (i = 0; i < 6000; i++) {
		/* a hot set of 24 pages half the time, else anywhere */
		uint64_t pg = rng_next(&r) % 2 ? rng_next(&r) % 24 : rng_next(&r) % NPAGES;
		char *a = pg_addr(v, ps, pg);

		if (checksum(a, ps) != checksum(shadow + pg * (ps / 8), ps))
			bad++;
		if (rng_next(&r) % 4 == 0) {
			uint64_t w = rng_next(&r) % (ps / 8);

			wr(a + 8 * w, i);
			shadow[pg * (ps / 8) + w] = i;
			if (++nwrites % 16 == 0)
				CHECK_EQ(fileh_dirty_writeout(fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);
		}
	}
	CHECK_MSG(bad == 0, "%s: %llu pages with a wrong checksum", policy, (unsigned long long)bad);

	/* an injected storeblk error: returned, nothing lost, retry works */
	wr(pg_addr(v, ps, 7), 77);
	shadow[7 * (ps / 8)] = 77;
	bigfile_slow_set_error(bf, 1, 7, 1);
	CHECK_EQ(fileh_dirty_writeout(fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), -EIO);
	CHECK_EQ(fileh_page_state(fh, 7), PAGE_DIRTY);
	bigfile_slow_set_error(bf, 1, 7, 0);
	CHECK_EQ(fileh_dirty_writeout(fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);

	ram_counters(ram, &c);
	CHECK(c.ram_pages_peak <= LIMIT);
	CHECK(c.evictions > 0);
	CHECK_EQ(c.loads, c.by_class[FAULT_LOAD]);
	CHECK(c.stores >= c.writebacks);
	vma_unmap(v);
	CHECK_EQ(fileh_close(fh), 0);
	bigfile_release(bf);

	/* the file on disk holds exactly the shadow */
	fd = open(path, O_RDONLY);
	bad = 0;
	for (i = 0; i < NPAGES; i++)
		if (pread(fd, buf, ps, (off_t)(i * ps)) != (ssize_t)ps ||
		    checksum(buf, ps) != checksum(shadow + i * (ps / 8), ps))
			bad++;
	close(fd);
	CHECK_MSG(bad == 0, "%s: %llu pages differ on disk", policy, (unsigned long long)bad);
	ram_close(ram);
	free(shadow);
	free(buf);
}

int main(void)
{
	char path[] = "/tmp/pagelab-t-reclaim-XXXXXX";
	int fd = mkstemp(path);
	size_t i;

	T_BEGIN("virtmem_reclaim");
	if (fd < 0) {
		T_SKIP("cannot create a temporary file");
		return T_END();
	}
	close(fd);
	for (i = 0; reclaim_registry[i]; i++) {
		if (reclaim_registry[i]->flags & RECLAIM_NEEDS_FUTURE)
			continue;	/* OPT: simulator only */
		run_policy(reclaim_registry[i]->name, 1, path);
	}
	run_policy("lru", 8, path);	/* Wendelin.core-style batches */
	unlink(path);
	return T_END();
}

/*
 * tests/t_compare.c — the simulator and the real virtmem agree exactly
 * (docs/ENGINE.md): every counter `pagelab compare` checks — accesses,
 * hits, faults of each class, loads, stores, evictions, writebacks, peak
 * RAM pages, peak and final kernel VMA count (the real one read from
 * /proc/self/maps) — on every generator x {lru, fifo, clock, random} x
 * {vmem instant, best and next fit, bitmap} x 3 RAM sizes x {faults,
 * sampled:N}, on random event streams with writeout, discard, invalidate,
 * unmap and overlapping VMAs over several files, on a hand-written text
 * trace whose VMA counts are worked out by hand, and with 2 MiB pages on
 * hugetlbfs where huge pages can be reserved.  Then bad input: accesses
 * outside every mapped VMA and a RAM too small for the dirty working set
 * fail with the event's index, in process and through `pagelab real`
 * (exit 1, no CSV), and `--observe full` is refused.
 *
 * The engines run in this process (the cli/ adapters are compiled in
 * below), so the grid of ~800 pairs of runs stays fast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/rng.h"
#include "real/ram.h"
#include "sim/sim.h"
#include "tests/testhelp.h"
#include "workloads/trace.h"

/* The engine adapters and the replay loop live in cli/ (bin/pagelab). */
#include "cli/engine_real.c"
#include "cli/engine_sim.c"
#include "cli/lathist.c"
#include "cli/replay.c"

struct run {
	struct counters c;
	int failed;
	long long fail_idx;
	char err[512];
};

struct setting {
	const char *reclaim, *alloc;
	uint64_t ram_pages;
	struct observe obs;
	const char *ram_type;		/* NULL: shmfs */
	uint32_t page_size;
	uint32_t batch;			/* reclaim batch; 0: 1 */
};

static void run_events(struct engine *e, const struct event *ev, size_t n,
		       struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->fail_idx = -1;
	for (size_t k = 0; k < n; k += 256) {
		size_t m = n - k < 256 ? n - k : 256;

		if (e->ops->apply(e, ev + k, m, k, r->err, sizeof(r->err))) {
			r->failed = 1;
			if (sscanf(r->err, "event %lld:", &r->fail_idx) != 1)
				r->fail_idx = -2;
			return;
		}
	}
	e->ops->counters(e, &r->c);
}

static int run_sim(const struct setting *s, const struct event *ev, size_t n,
		   struct run *r)
{
	struct sim_config c = {
		.reclaim = s->reclaim, .pagemap = "radix", .alloc = s->alloc,
		.ram_pages = s->ram_pages, .observe = s->obs,
		.page_size = s->page_size ? s->page_size : 4096,
		.reclaim_batch = s->batch, .seed = 1,
	};
	struct engine *e = engine_sim_create(&c, r->err, sizeof(r->err));

	if (!e)
		return -1;
	run_events(e, ev, n, r);
	e->ops->destroy(e);
	return 0;
}

static int run_real(const struct setting *s, const struct event *ev, size_t n,
		    struct run *r)
{
	struct real_config c = {
		.reclaim = s->reclaim, .pagemap = "radix", .alloc = s->alloc,
		.ram_pages = s->ram_pages, .observe = s->obs, .reclaim_batch = s->batch,
		.seed = 1, .ram_type = s->ram_type, .file = "zero",
	};
	struct engine *e = engine_real_create(&c, r->err, sizeof(r->err));

	if (!e)
		return -1;
	run_events(e, ev, n, r);
	e->ops->destroy(e);
	return 0;
}

static unsigned nmismatch;

/* Both engines on ev; every compared counter equal (or both failed at the
 * same event). */
static void check_pair(const char *what, const struct setting *s,
		       const struct event *ev, size_t n)
{
	struct run a, b;
	char obs[32];
	int ok;

	observe_format(&s->obs, obs, sizeof(obs));
	if (run_sim(s, ev, n, &a) || run_real(s, ev, n, &b)) {
		CHECK_MSG(0, "%s: cannot create an engine", what);
		return;
	}
	ok = a.failed == b.failed && a.fail_idx == b.fail_idx &&
	     (a.failed ||
	      (a.c.accesses == b.c.accesses && a.c.hits == b.c.hits &&
	       a.c.faults == b.c.faults &&
	       !memcmp(a.c.by_class, b.c.by_class, sizeof(a.c.by_class)) &&
	       a.c.loads == b.c.loads && a.c.stores == b.c.stores &&
	       a.c.evictions == b.c.evictions && a.c.writebacks == b.c.writebacks &&
	       a.c.ram_pages_peak == b.c.ram_pages_peak &&
	       a.c.vmas_peak == b.c.vmas_peak && a.c.vmas == b.c.vmas));
	if (!ok && nmismatch++ < 10)
		fprintf(stderr,
			"%s %s %s ram %llu %s: sim %s acc %llu hit %llu f %llu/%llu/%llu/%llu "
			"ld %llu st %llu ev %llu wb %llu peak %llu vm %llu/%llu | real %s "
			"acc %llu hit %llu f %llu/%llu/%llu/%llu ld %llu st %llu ev %llu "
			"wb %llu peak %llu vm %llu/%llu\n",
			what, s->reclaim, s->alloc, (unsigned long long)s->ram_pages, obs,
			a.failed ? a.err : "ok", (unsigned long long)a.c.accesses,
			(unsigned long long)a.c.hits,
			(unsigned long long)a.c.by_class[0], (unsigned long long)a.c.by_class[1],
			(unsigned long long)a.c.by_class[2], (unsigned long long)a.c.by_class[3],
			(unsigned long long)a.c.loads, (unsigned long long)a.c.stores,
			(unsigned long long)a.c.evictions, (unsigned long long)a.c.writebacks,
			(unsigned long long)a.c.ram_pages_peak, (unsigned long long)a.c.vmas_peak,
			(unsigned long long)a.c.vmas,
			b.failed ? b.err : "ok", (unsigned long long)b.c.accesses,
			(unsigned long long)b.c.hits,
			(unsigned long long)b.c.by_class[0], (unsigned long long)b.c.by_class[1],
			(unsigned long long)b.c.by_class[2], (unsigned long long)b.c.by_class[3],
			(unsigned long long)b.c.loads, (unsigned long long)b.c.stores,
			(unsigned long long)b.c.evictions, (unsigned long long)b.c.writebacks,
			(unsigned long long)b.c.ram_pages_peak, (unsigned long long)b.c.vmas_peak,
			(unsigned long long)b.c.vmas);
	CHECK(ok);
}

/* All events of a trace (small traces only). */
static struct event *read_all(const char *path, size_t *n)
{
	char err[512];
	struct trace_reader *r = trace_open(path, NULL, err, sizeof(err));
	struct event *ev = NULL;
	size_t cap = 0;
	long got;

	*n = 0;
	if (!r) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	for (;;) {
		if (*n + 256 > cap) {
			cap = cap ? 2 * cap : 1024;
			ev = realloc(ev, cap * sizeof(*ev));
			if (!ev)
				abort();
		}
		got = trace_read(r, ev + *n, 256);
		if (got <= 0)
			break;
		*n += (size_t)got;
	}
	if (got < 0) {
		fprintf(stderr, "%s\n", trace_error(r));
		free(ev);
		ev = NULL;
	}
	trace_close(r);
	return ev;
}

static const char *const reclaims[] = { "lru", "fifo", "clock", "random" };
static const char *const allocs[] = { "vmem:fit=instant", "vmem:fit=best",
				      "vmem:fit=next", "bitmap" };

/* Every reclaim x alloc x RAM size x {faults, sampled:N} on ev. */
static void grid(const char *what, const struct event *ev, size_t n,
		 const uint64_t ram[3], uint64_t sample_every)
{
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < 4; j++)
			for (size_t k = 0; k < 3; k++)
				for (int sm = 0; sm < 2; sm++) {
					struct setting s = {
						reclaims[i], allocs[j], ram[k],
						{ sm ? OBSERVE_SAMPLED : OBSERVE_FAULTS,
						  sm ? sample_every : 0 },
						NULL, 4096, 1,
					};
					check_pair(what, &s, ev, n);
				}
}

static void test_generators(void)
{
	static const char *const gens[] = {
		"seq", "uniform", "zipf", "loop", "stride", "hotset", "slices", "matrix",
	};
	const uint64_t ram[3] = { 8, 20, 40 };

	for (size_t g = 0; g < sizeof(gens) / sizeof(gens[0]); g++) {
		char spec[200];
		struct event *ev;
		size_t n;

		snprintf(spec, sizeof(spec),
			 "gen:%s:pages=48:accesses=240:seed=%zu:write_ratio=0.25:writeout=30",
			 gens[g], g + 1);
		ev = read_all(spec, &n);
		REQUIRE_MSG(ev != NULL, "%s", spec);
		grid(spec, ev, n, ram, 17);
		{
			/* freeing 5 pages per reclaim, as Wendelin.core did 64 */
			struct setting s = { "clock", "vmem", 20, { OBSERVE_SAMPLED, 11 },
					     NULL, 4096, 5 };

			check_pair(spec, &s, ev, n);
		}
		free(ev);
	}
}

/* A seeded stream of every event type: 3 files, up to 5 VMAs that overlap
 * in their files, writeouts with every flag combination, discards,
 * invalidates, unmaps and remaps. */
static size_t random_stream(uint64_t seed, struct event *ev, size_t max)
{
	struct rng r;
	struct { int live; uint32_t file; uint64_t pgoff, npages; } v[5] = { { 0 } };
	size_t n = 0;

	rng_seed(&r, seed);
	while (n < max) {
		unsigned x = (unsigned)rng_below(&r, 100);
		uint32_t id = (uint32_t)rng_below(&r, 5);
		struct event *e = &ev[n];

		memset(e, 0, sizeof(*e));
		if (!v[id].live || x < 3) {
			if (v[id].live) {
				e->type = EV_UNMAP;
				e->vma = id;
				v[id].live = 0;
				n++;
				continue;
			}
			v[id].live = 1;
			v[id].file = (uint32_t)rng_below(&r, 3);
			v[id].pgoff = rng_below(&r, 12);
			v[id].npages = 4 + rng_below(&r, 16);
			e->type = EV_MMAP;
			e->vma = id;
			e->file = v[id].file;
			e->page = v[id].pgoff;
			e->npages = v[id].npages;
		} else if (x < 85) {
			e->type = EV_ACCESS;
			e->vma = id;
			e->page = rng_below(&r, v[id].npages);
			e->write = rng_below(&r, 100) < 30;
		} else if (x < 91) {
			e->type = EV_WRITEOUT;
			e->file = (uint32_t)rng_below(&r, 3);
			e->flags = (uint8_t)rng_below(&r, 4);
		} else if (x < 94) {
			e->type = EV_DISCARD;
			e->file = (uint32_t)rng_below(&r, 3);
		} else {
			e->type = EV_INVALIDATE;
			e->file = (uint32_t)rng_below(&r, 3);
			e->page = rng_below(&r, 32);
		}
		n++;
	}
	return n;
}

static void test_random_streams(void)
{
	static struct event ev[400];
	const uint64_t ram[3] = { 6, 16, 48 };

	for (uint64_t seed = 1; seed <= 3; seed++) {
		size_t n = random_stream(seed, ev, sizeof(ev) / sizeof(ev[0]));

		grid("random stream", ev, n, ram, 13);
	}
}

static char dir[256];

static void put(const char *name, const char *text)
{
	char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

/* VMA counts worked out by hand, in both engines (the real one from
 * /proc/self/maps), with the bitmap allocator (RAM offset = pgoff here). */
static void test_text_trace(void)
{
	static const struct {
		const char *text;
		uint64_t vmas, vmas_peak;
	} cases[] = {
		/* one reservation */
		{ "mmap 0 0 0 10\n", 1, 1 },
		/* pages 0-4 read: [R 0-4][NONE 5-9] */
		{ "mmap 0 0 0 10\nr 0 0\nr 0 1\nr 0 2\nr 0 3\nr 0 4\n", 2, 2 },
		/* read in the middle first: [NONE][R 4][NONE], then [NONE][R 3-4][NONE] */
		{ "mmap 0 0 0 10\nr 0 4\nr 0 3\n", 3, 3 },
		/* then a write to 2: [R][RW][R][NONE] */
		{ "mmap 0 0 0 10\nr 0 0\nr 0 1\nr 0 2\nr 0 3\nr 0 4\nw 0 2\n", 4, 4 },
		/* writeout markstored: back to [R 0-4][NONE] */
		{ "mmap 0 0 0 10\nr 0 0\nr 0 1\nr 0 2\nr 0 3\nr 0 4\nw 0 2\n"
		  "writeout 0 store,markstored\n", 2, 4 },
		/* invalidate 2: [R 0-1][NONE][R 3-4][NONE] */
		{ "mmap 0 0 0 10\nr 0 0\nr 0 1\nr 0 2\nr 0 3\nr 0 4\ninvalidate 0 2\n", 4, 4 },
		/* a second view overlaps pgoff 3-6: [R 0-1][N][RW 3][N] and
		 * [RW 3][R 4][N 5-6] (7); discard drops the dirty page 3 from both */
		{ "mmap 0 0 0 10\nr 0 0\nr 0 1\nw 0 3\nmmap 1 0 3 4\nr 1 0\nr 1 1\n"
		  "discard 0\n", 5, 7 },
		/* unmap takes the view's kernel VMAs away */
		{ "mmap 0 0 0 10\nmmap 1 0 0 10\nr 0 0\nr 1 5\nunmap 1\n", 2, 5 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct setting s = { "lru", "bitmap", 64, { OBSERVE_FAULTS, 0 }, NULL, 4096, 1 };
		char path[600];
		struct event *ev;
		struct run a, b;
		size_t n;

		put("t.txt", cases[i].text);
		snprintf(path, sizeof(path), "%s/t.txt", dir);
		ev = read_all(path, &n);
		REQUIRE(ev != NULL);
		CHECK(run_sim(&s, ev, n, &a) == 0 && !a.failed);
		CHECK(run_real(&s, ev, n, &b) == 0 && !b.failed);
		CHECK_EQ(a.c.vmas, cases[i].vmas);
		CHECK_EQ(b.c.vmas, cases[i].vmas);
		CHECK_EQ(a.c.vmas_peak, cases[i].vmas_peak);
		CHECK_EQ(b.c.vmas_peak, cases[i].vmas_peak);
		free(ev);
	}
}

/* 2 MiB pages: hugetlbfs mappings never merge. */
static void test_hugetlbfs(void)
{
	const uint64_t ram[3] = { 3, 6, 10 };
	char err[512], spec[200];
	struct event *ev;
	long prev;
	size_t n;

	if (ram_hugetlb_reserve(12, &prev, err, sizeof(err))) {
		T_SKIP("no 2 MiB huge pages can be reserved (as root: echo 16 > /proc/sys/vm/nr_hugepages)");
		return;
	}
	snprintf(spec, sizeof(spec),
		 "gen:zipf:pages=16:accesses=60:seed=3:write_ratio=0.25:writeout=12");
	ev = read_all(spec, &n);
	CHECK(ev != NULL);
	for (size_t i = 0; ev && i < 2; i++)
		for (size_t k = 0; k < 3; k++)
			for (int sm = 0; sm < 2; sm++) {
				struct setting s = {
					reclaims[i], "bitmap", ram[k],
					{ sm ? OBSERVE_SAMPLED : OBSERVE_FAULTS, sm ? 7 : 0 },
					"hugetlbfs", 2u << 20, 1,
				};
				check_pair("hugetlbfs zipf", &s, ev, n);
			}
	free(ev);
	ram_hugetlb_restore(prev);
}

static void test_bad_input(void)
{
	struct setting s = { "lru", "bitmap", 4, { OBSERVE_FAULTS, 0 }, NULL, 4096, 1 };
	struct event ev[16];
	struct run a, b;

	/* an access to a VMA id never mapped, and past the end of one */
	memset(ev, 0, sizeof(ev));
	ev[0] = (struct event){ .type = EV_MMAP, .vma = 0, .file = 0, .page = 0, .npages = 4 };
	ev[1] = (struct event){ .type = EV_ACCESS, .vma = 0, .page = 1 };
	ev[2] = (struct event){ .type = EV_ACCESS, .vma = 3, .page = 0 };
	CHECK(run_real(&s, ev, 3, &b) == 0);
	CHECK(b.failed);
	CHECK_EQ(b.fail_idx, 2);
	CHECK_MSG(strstr(b.err, "vma 3") != NULL, "%s", b.err);
	ev[2] = (struct event){ .type = EV_ACCESS, .vma = 0, .page = 4 };
	CHECK(run_real(&s, ev, 3, &b) == 0);
	CHECK(b.failed);
	CHECK_EQ(b.fail_idx, 2);
	CHECK_MSG(strstr(b.err, "page 4") != NULL, "%s", b.err);
	/* an access after unmap */
	ev[2] = (struct event){ .type = EV_UNMAP, .vma = 0 };
	ev[3] = (struct event){ .type = EV_ACCESS, .vma = 0, .page = 0 };
	CHECK(run_real(&s, ev, 4, &b) == 0);
	CHECK_EQ(b.fail_idx, 3);

	/* RAM of 4 pages, 5 pages written, no writeout: SIGBUS at event 6
	 * in the real engine, the same failure in the sim */
	for (int i = 0; i < 5; i++)
		ev[1 + i] = (struct event){ .type = EV_ACCESS, .vma = 0, .page = (uint64_t)i,
					    .write = 1 };
	ev[0].npages = 8;
	CHECK(run_sim(&s, ev, 6, &a) == 0);
	CHECK(run_real(&s, ev, 6, &b) == 0);
	CHECK(a.failed && b.failed);
	CHECK_EQ(a.fail_idx, 5);
	CHECK_EQ(b.fail_idx, 5);
	CHECK_MSG(strstr(b.err, "RAM too small for the dirty working set") != NULL, "%s", b.err);
	CHECK_MSG(strstr(b.err, "SIGBUS") != NULL, "%s", b.err);
	/* and the engine works again afterwards */
	CHECK(run_real(&s, ev, 5, &b) == 0);
	CHECK(!b.failed);
	CHECK_EQ(b.c.by_class[FAULT_LOAD], 4);

	/* full observation is refused by the real engine */
	s.obs.mode = OBSERVE_FULL;
	CHECK(run_real(&s, ev, 5, &b) == -1);
	CHECK_MSG(strstr(b.err, "full") != NULL, "%s", b.err);
}

/* Run a shell command; its exit status, stdout and stderr in dir/out, dir/err. */
static int sh(const char *cmd)
{
	char full[4096];
	int st;

	snprintf(full, sizeof(full), "( %s ) >%s/out 2>%s/err", cmd, dir, dir);
	st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int file_has(const char *name, const char *needle)
{
	char p[600], buf[8192];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return strstr(buf, needle) != NULL;
}

static int exists(const char *name)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

static void test_cli(void)
{
	const char *bin = t_pagelab_bin();
	char cmd[2048];

	/* a run that succeeds: CSV and histogram next to -o */
	snprintf(cmd, sizeof(cmd),
		 "%s real gen:zipf:pages=64:accesses=400:write_ratio=0.2:writeout=50 "
		 "--ram 16,32 --reclaim lru,clock -o %s/r.csv", bin, dir);
	CHECK_EQ(sh(cmd), 0);
	CHECK(file_has("r.csv", "load_p50_ns"));
	CHECK(file_has("r.csv", "\nreal,gen:zipf"));
	CHECK(file_has("r.hist.csv", "class,lo_ns,hi_ns,count\nreal,"));
	/* compare agrees: exit 0 */
	snprintf(cmd, sizeof(cmd),
		 "%s compare gen:slices:pages=64:accesses=400:write_ratio=0.2:writeout=50 "
		 "--ram 16 --reclaim random --alloc vmem:fit=next --observe sampled:9", bin);
	CHECK_EQ(sh(cmd), 0);
	CHECK(file_has("out", "0 differ"));
	CHECK(file_has("out", "error"));
	/* the dirty working set does not fit: exit 1, a message, no CSV */
	snprintf(cmd, sizeof(cmd),
		 "%s real gen:seq:pages=64:accesses=400:write_ratio=1 --ram 8 -o %s/bad.csv",
		 bin, dir);
	CHECK_EQ(sh(cmd), 1);
	CHECK(file_has("err", "RAM too small for the dirty working set"));
	CHECK(file_has("err", "event "));
	CHECK(!exists("bad.csv"));
	CHECK(!exists("bad.hist.csv"));
	/* observe full: a usage error saying why */
	snprintf(cmd, sizeof(cmd), "%s real gen:seq:pages=8:accesses=8 --observe full", bin);
	CHECK_EQ(sh(cmd), 2);
	CHECK(file_has("err", "simulator-only"));
	/* --file PATH: stored pages land in the file */
	snprintf(cmd, sizeof(cmd),
		 "%s real gen:seq:pages=16:accesses=64:write_ratio=1:writeout=8 --ram 12 "
		 "--file %s/data", bin, dir);
	CHECK_EQ(sh(cmd), 0);
	{
		char p[600];
		struct stat st;

		snprintf(p, sizeof(p), "%s/data", dir);
		CHECK(stat(p, &st) == 0 && st.st_size >= 16 * 4096);
	}
	/* calibrate writes a cost file the simulator reads */
	snprintf(cmd, sizeof(cmd),
		 "%s calibrate --pages 60 --accesses 300 --no-huge -o %s/costs.txt && "
		 "%s sim gen:zipf:pages=60:accesses=300 --ram 20 --costs %s/costs.txt",
		 bin, dir, bin, dir);
	CHECK_EQ(sh(cmd), 0);
	CHECK(file_has("costs.txt", "\nload_ns = "));
	CHECK(file_has("costs.txt", "\nref_2m_ns = "));
	CHECK(file_has("err", "largest error"));
	CHECK(file_has("out", "costs.txt"));
	/* an access outside every VMA in a text trace: exit 1, the index */
	put("bad.txt", "mmap 0 0 0 4\nr 0 1\nr 7 0\n");
	snprintf(cmd, sizeof(cmd), "%s real %s/bad.txt", bin, dir);
	CHECK_EQ(sh(cmd), 1);
	CHECK(file_has("err", "event 2: access to vma 7"));
}

int main(void)
{
	char tmpl[] = "/tmp/t_compare.XXXXXX";

	T_BEGIN("compare");
	REQUIRE(mkdtemp(tmpl) != NULL);
	snprintf(dir, sizeof(dir), "%s", tmpl);
	test_bad_input();
	test_text_trace();
	test_generators();
	test_random_streams();
	test_hugetlbfs();
	test_cli();
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	return T_END();
}

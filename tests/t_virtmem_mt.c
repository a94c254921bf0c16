/*
 * tests/t_virtmem_mt.c — the real virtmem under threads (VIRTMEM-CHECKLIST.md
 * 22, 23, 24, 29): one loadblk for a page two threads fault; loads of
 * different pages overlap (loadblk runs without the lock); an application
 * lock held across loadblk against invalidate; and 4 threads faulting
 * (>= 1e5 faults) with writeout, discard, invalidate and reclaim interleaved,
 * content verified.  Also run under TSan (make test-tsan).
 */
#include "tests/testhelp.h"
#include "tests/virtmem_testlib.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "common/rng.h"

static char err[256];

/*
 * The fault handler allocates (pagemap nodes, page structs): it runs only
 * for synchronous faults of the faulting thread's own access, where malloc
 * is safe (policies/alloc.h, docs/ENGINE.md).  TSan cannot tell those from
 * asynchronous signals and would report every one, so that report is off
 * for this program; data races are still reported.
 */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "report_signal_unsafe=0";
}

#define env_open(e, limit, n) env_open_full(e, "shmfs", limit, "lru", 1, NULL, n)

/* A small gate: wait until opened (or a deadline, then report). */
struct gate {
	pthread_mutex_t m;
	pthread_cond_t c;
	int n;
};
#define GATE_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 }

static void gate_add(struct gate *g)
{
	pthread_mutex_lock(&g->m);
	g->n++;
	pthread_cond_broadcast(&g->c);
	pthread_mutex_unlock(&g->m);
}

/* Wait until g->n >= n; 0, or -1 after timeout_ms. */
static int gate_wait(struct gate *g, int n, int timeout_ms)
{
	struct timespec ts;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&g->m);
	while (g->n < n && ret == 0)
		if (pthread_cond_timedwait(&g->c, &g->m, &ts))
			ret = -1;
	pthread_mutex_unlock(&g->m);
	return ret;
}

static void fill_pattern(uint64_t blk, void *buf, size_t blksize)
{
	uint64_t *w = buf;
	size_t i;

	for (i = 0; i < blksize / 8; i++)
		w[i] = bigfile_pattern_word(blk, i);
}

/* --- 22: two threads, one page, one loadblk ------------------------------ */

static struct gate g22_started = GATE_INIT, g22_go = GATE_INIT;

static int hook22(struct recfile *r, uint64_t blk, void *buf, size_t blksize)
{
	(void)r;
	gate_add(&g22_started);
	gate_wait(&g22_go, 1, 5000);
	fill_pattern(blk, buf, blksize);
	return 0;
}

static void *reader(void *arg)
{
	char *p = arg;
	return (void *)(uintptr_t)rd(p + 16);
}

static void test_same_page(void)
{
	struct env e;
	pthread_t a, b;
	void *ra, *rb;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	REQUIRE(env_open(&e, 0, 4) == 0);
	e.rf.load_hook = hook22;
	pthread_create(&a, NULL, reader, pg_addr(e.v, e.ps, 1));
	CHECK_EQ(gate_wait(&g22_started, 1, 5000), 0);	/* a is in loadblk */
	pthread_create(&b, NULL, reader, pg_addr(e.v, e.ps, 1));
	/* give b time to fault and wait (it waits on the condition variable;
	 * the count below holds whether or not it got there first) */
	nanosleep(&ts, NULL);
	gate_add(&g22_go);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	CHECK_EQ(e.rf.nload, 1);
	CHECK((uint64_t)(uintptr_t)ra == (uint64_t)(uintptr_t)bigfile_pattern_word(1, 2));
	CHECK(ra == rb);
	CHECK(page_is_pattern(e.v, e.ps, 1, 1));
	env_close(&e);
}

/* --- 23: different pages load in parallel --------------------------------- */

static struct gate g23_inside = GATE_INIT;
static int g23_overlap[2];

static int hook23(struct recfile *r, uint64_t blk, void *buf, size_t blksize)
{
	(void)r;
	gate_add(&g23_inside);
	/* both loads must be inside loadblk at once: with loadblk under the
	 * lock this times out */
	g23_overlap[blk & 1] = gate_wait(&g23_inside, 2, 3000) == 0;
	fill_pattern(blk, buf, blksize);
	return 0;
}

static void test_parallel_loads(void)
{
	struct env e;
	pthread_t a, b;

	REQUIRE(env_open(&e, 0, 4) == 0);
	e.rf.load_hook = hook23;
	pthread_create(&a, NULL, reader, pg_addr(e.v, e.ps, 2));
	pthread_create(&b, NULL, reader, pg_addr(e.v, e.ps, 3));
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	CHECK(g23_overlap[0] && g23_overlap[1]);
	CHECK_EQ(e.rf.nload, 2);
	CHECK(page_is_pattern(e.v, e.ps, 2, 2) && page_is_pattern(e.v, e.ps, 3, 3));
	env_close(&e);
}

/* --- 24: application lock across loadblk vs invalidate -------------------- */

static pthread_mutex_t app_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate g24_inload = GATE_INIT;

static int hook24(struct recfile *r, uint64_t blk, void *buf, size_t blksize)
{
	(void)r;
	gate_add(&g24_inload);
	pthread_mutex_lock(&app_lock);		/* as ZODB would */
	fill_pattern(blk, buf, blksize);
	pthread_mutex_unlock(&app_lock);
	return 0;
}

static void test_app_lock(void)
{
	struct env e;
	pthread_t a;

	REQUIRE(env_open(&e, 0, 4) == 0);
	e.rf.load_hook = hook24;
	pthread_mutex_lock(&app_lock);
	pthread_create(&a, NULL, reader, pg_addr(e.v, e.ps, 0));
	CHECK_EQ(gate_wait(&g24_inload, 1, 5000), 0);
	/* a is loading and blocked on app_lock, which we hold: invalidate
	 * must not wait for the load */
	fileh_invalidate_page(e.fh, 0);
	CHECK_EQ(fileh_page_state(e.fh, 0), PAGE_LOADING_INVALIDATED);
	pthread_mutex_unlock(&app_lock);
	pthread_join(a, NULL);
	CHECK_EQ(e.rf.nload, 2);	/* the dropped load and the fresh one */
	CHECK(page_is_pattern(e.v, e.ps, 0, 0));
	env_close(&e);
}

/* --- 29: many threads, many faults, everything interleaved ---------------- */

#define NREAD 4
#define FILE_A 2048	/* pages read and verified by the readers */
#define FILE_B 256	/* pages written by the writer */

struct stress {
	struct env a;			/* readers + invalidator */
	struct ram *ramb;
	struct recfile rfb;
	struct fileh *fhb;
	struct vma *vb;
	uint64_t per_thread;
	int stop;			/* atomic */
	uint64_t bad;			/* atomic: content mismatches */
};

struct reader_arg {
	struct stress *s;
	unsigned id;
};

static void *stress_reader(void *p)
{
	struct reader_arg *ra = p;
	struct stress *s = ra->s;
	struct rng r;
	uint64_t i;

	rng_seed(&r, 1000 + ra->id);
	for (i = 0; i < s->per_thread; i++) {
		/* a quarter of the time a page shared by all readers, else our own */
		uint64_t pg = rng_next(&r) % 4 == 0 ? rng_next(&r) % 64
				: 64 + ra->id * ((FILE_A - 64) / NREAD) + rng_next(&r) % ((FILE_A - 64) / NREAD);
		uint64_t w = rng_next(&r) % (s->a.ps / 8);

		if (rd(pg_addr(s->a.v, s->a.ps, pg) + 8 * w) != bigfile_pattern_word(pg, w))
			__atomic_add_fetch(&s->bad, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *stress_invalidator(void *p)
{
	struct stress *s = p;
	struct rng r;

	rng_seed(&r, 99);
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		fileh_invalidate_page(s->a.fh, rng_next(&r) % FILE_A);
		if (rng_next(&r) % 8 == 0)
			ram_reclaim(s->a.ram);
		sched_yield();
	}
	return NULL;
}

/*
 * The writer owns file B: writes, verifies, writes out, discards.  The
 * recfile logs stores but loads the pattern again, so a written-out page
 * holds what was stored until it is evicted, and the pattern afterwards.
 */
static void *stress_writer(void *p)
{
	struct stress *s = p;
	uint64_t expect[FILE_B];	/* dirty content; 0: clean */
	uint64_t stored[FILE_B];	/* clean content if not yet evicted; 0: pattern */
	struct rng r;
	uint64_t i, k;

	memset(expect, 0, sizeof(expect));
	memset(stored, 0, sizeof(stored));
	rng_seed(&r, 7);
	for (i = 1; !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE); i++) {
		uint64_t pg = rng_next(&r) % FILE_B, pat = bigfile_pattern_word(pg, 0);
		char *a = pg_addr(s->vb, s->a.ps, pg);
		uint64_t got = rd(a);

		if (expect[pg] ? got != expect[pg] : got != pat && got != stored[pg])
			__atomic_add_fetch(&s->bad, 1, __ATOMIC_RELAXED);
		if (!expect[pg] && got == pat)
			stored[pg] = 0;		/* evicted and reloaded */
		if (rng_next(&r) % 2) {
			wr(a, i);
			expect[pg] = i;
		}
		if (i % 256 == 0) {
			fileh_dirty_discard(s->fhb);
			for (k = 0; k < FILE_B; k++)
				if (expect[k])
					expect[k] = stored[k] = 0;
		} else if (i % 64 == 0) {
			if (fileh_dirty_writeout(s->fhb, WRITEOUT_STORE | WRITEOUT_MARKSTORED))
				__atomic_add_fetch(&s->bad, 1, __ATOMIC_RELAXED);
			for (k = 0; k < FILE_B; k++)
				if (expect[k])
					stored[k] = expect[k], expect[k] = 0;
		}
	}
	fileh_dirty_discard(s->fhb);
	return NULL;
}

static void test_stress(void)
{
	static struct stress s;
	struct reader_arg ra[NREAD];
	pthread_t rt[NREAD], it, wt;
	struct counters c;
	const char *san = t_sanitizer();
	unsigned k;

	memset(&s, 0, sizeof(s));
	/* 1.8e5 reads over 2048 pages with room for 256: > 1e5 load faults */
	s.per_thread = 45000;
	REQUIRE(env_open(&s.a, 256, FILE_A) == 0);
	rec_init(&s.rfb);
	s.ramb = ram_new("shmfs", NULL, err, sizeof(err));
	REQUIRE_MSG(s.ramb && !ram_configure(s.ramb, 128, "clock", 4, NULL, err,
					     sizeof(err)), "%s", err);
	s.fhb = fileh_open(&s.rfb.base, s.ramb, NULL, err, sizeof(err));
	s.vb = fileh_mmap(s.fhb, 0, FILE_B, err, sizeof(err));
	REQUIRE(s.vb != NULL);
	for (k = 0; k < NREAD; k++) {
		ra[k].s = &s;
		ra[k].id = k;
		pthread_create(&rt[k], NULL, stress_reader, &ra[k]);
	}
	pthread_create(&it, NULL, stress_invalidator, &s);
	pthread_create(&wt, NULL, stress_writer, &s);
	for (k = 0; k < NREAD; k++)
		pthread_join(rt[k], NULL);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(it, NULL);
	pthread_join(wt, NULL);

	CHECK_EQ(s.bad, 0);
	ram_counters(s.a.ram, &c);
	CHECK_MSG(c.faults >= 100000, "%llu faults (%s)", (unsigned long long)c.faults,
		  san ? san : "no sanitizer");
	CHECK_EQ(c.loads, c.by_class[FAULT_LOAD]);
	CHECK(c.ram_pages_peak <= 256);
	CHECK(c.evictions > 0);
	printf("t_virtmem_mt: %llu faults (%llu load, %llu map), %llu evictions, %llu loads\n",
	       (unsigned long long)c.faults, (unsigned long long)c.by_class[FAULT_LOAD],
	       (unsigned long long)c.by_class[FAULT_MAP], (unsigned long long)c.evictions,
	       (unsigned long long)c.loads);
	vma_unmap(s.vb);
	fileh_close(s.fhb);
	ram_close(s.ramb);
	env_close(&s.a);
}

int main(void)
{
	T_BEGIN("virtmem_mt");
	test_same_page();
	test_parallel_loads();
	test_app_lock();
	test_stress();
	return T_END();
}

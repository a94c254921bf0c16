/*
 * tests/t_virtmem_signal.c — signals and defined error outcomes of the real
 * virtmem (VIRTMEM-CHECKLIST.md 20, 21, 27, 30, and the error list):
 * each faulting case runs in a forked child and the test checks how it
 * ended (the child's SIGBUS handler exits 41 when si_addr is the access).
 */
#include "tests/testhelp.h"
#include "tests/virtmem_testlib.h"

#include <setjmp.h>
#include <stdio.h>
#include <sys/mman.h>

static char err[256];

#define env_open(e, limit) env_open_full(e, "shmfs", limit, "lru", 1, NULL, 16)

#define EXITED(st, code) (WIFEXITED(st) && WEXITSTATUS(st) == (code))
#define KILLED(st, sig) (WIFSIGNALED(st) && WTERMSIG(st) == (sig))

/* --- 20: faults that are not ours ---------------------------------------- */

static void *volatile t_segv_expect;
static void prev_siginfo_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	_exit(si->si_addr == t_segv_expect ? 33 : 32);
}
static void prev_plain_handler(int sig)
{
	(void)sig;
	_exit(34);
}

static void child_null_default(void *arg)
{
	struct env e;

	(void)arg;
	alarm(10);
	if (env_open(&e, 0))
		_exit(2);
	if (rd(pg_addr(e.v, e.ps, 0)) != bigfile_pattern_word(0, 0))
		_exit(3);
	{
		void *volatile bad = (void *)(uintptr_t)8;	/* NULL + 8: not ours */
		rd(bad);
	}
	_exit(4);
}

static void child_prev_handler(void *arg)
{
	struct sigaction sa;
	struct env e;
	int plain = *(int *)arg;

	alarm(10);
	memset(&sa, 0, sizeof(sa));
	if (plain) {
		sa.sa_handler = prev_plain_handler;
	} else {
		sa.sa_sigaction = prev_siginfo_handler;
		sa.sa_flags = SA_SIGINFO;
	}
	sigaction(SIGSEGV, &sa, NULL);
	if (env_open(&e, 0))	/* installs ours on top */
		_exit(2);
	if (rd(pg_addr(e.v, e.ps, 3)) != bigfile_pattern_word(3, 0))
		_exit(3);
	/* the guard page just past the view: outside every view */
	t_segv_expect = pg_addr(e.v, e.ps, 16);
	rd(pg_addr(e.v, e.ps, 16));
	_exit(4);
}

/* Runs first: the children install a handler before the process's first
 * fileh_open installs ours (once per process), so ours chains to it. */
static void test_not_ours(void)
{
	int plain = 0, st;

	st = run_child(child_null_default, NULL);
	CHECK_MSG(KILLED(st, SIGSEGV), "status %#x", st);
	st = run_child(child_prev_handler, &plain);
	CHECK_MSG(EXITED(st, 33), "status %#x", st);
	plain = 1;
	st = run_child(child_prev_handler, &plain);
	CHECK_MSG(EXITED(st, 34), "status %#x", st);
}

/* --- 27: loadblk error -> SIGBUS at the access, state consistent ---------- */

static sigjmp_buf t_bus_jb;
static void *volatile t_bus_addr;
static void bus_jump_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	t_bus_addr = si->si_addr;
	siglongjmp(t_bus_jb, 1);
}

static void child_loadblk_error(void *arg)
{
	struct sigaction sa;
	struct env e;
	char *a;

	(void)arg;
	alarm(10);
	if (env_open(&e, 0))
		_exit(2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = bus_jump_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	e.rf.load_err = -EIO;
	e.rf.err_blk = 5;
	a = pg_addr(e.v, e.ps, 5) + 24;
	if (sigsetjmp(t_bus_jb, 1) == 0) {
		rd(a);
		_exit(3);	/* no SIGBUS */
	}
	if (t_bus_addr != a)
		_exit(4);
	/* consistent: nothing half-done is left */
	if (fileh_page_state(e.fh, 5) != PAGE_EMPTY || e.ram->npages != 0 ||
	    vma_page_prot(e.v, 5) != VMA_PROT_NONE)
		_exit(5);
	/* other pages work, and a retry loads once the file is readable */
	if (rd(pg_addr(e.v, e.ps, 4)) != bigfile_pattern_word(4, 0))
		_exit(6);
	e.rf.load_err = 0;
	if (!page_is_pattern(e.v, e.ps, 5, 5))
		_exit(7);
	env_close(&e);
	_exit(0);
}

static void child_loadblk_error_default(void *arg)
{
	struct env e;

	(void)arg;
	alarm(10);
	if (env_open(&e, 0))
		_exit(2);
	e.rf.load_err = -EIO;
	rd(pg_addr(e.v, e.ps, 0));
	_exit(3);
}

/* --- RAM exhausted, RAM refusing, mmap refused ---------------------------- */

static void child_ram_dirty_full(void *arg)
{
	struct env e;

	(void)arg;
	alarm(10);
	if (env_open(&e, 2))
		_exit(2);
	wr(pg_addr(e.v, e.ps, 0), 1);
	wr(pg_addr(e.v, e.ps, 1), 1);
	t_catch_sigbus(pg_addr(e.v, e.ps, 2));
	rd(pg_addr(e.v, e.ps, 2));	/* nothing reclaimable */
	_exit(3);
}

static void child_ram_refuses(void *arg)
{
	struct env e;

	(void)arg;
	alarm(10);
	if (env_open(&e, 0))
		_exit(2);
	ram_test_fail_nth(e.ram, 3);
	rd(pg_addr(e.v, e.ps, 0));
	rd(pg_addr(e.v, e.ps, 1));
	t_catch_sigbus(pg_addr(e.v, e.ps, 2) + 8);
	rd(pg_addr(e.v, e.ps, 2) + 8);	/* the 3rd allocation */
	_exit(3);
}

static void child_mmap_refused(void *arg)
{
	struct env e;
	int forever = *(int *)arg;

	alarm(10);
	if (env_open(&e, 0))
		_exit(2);
	rd(pg_addr(e.v, e.ps, 0));
	wr(pg_addr(e.v, e.ps, 1), 42);
	if (!forever) {
		/* refused once: the view is reset (pages stay in RAM) and the
		 * mapping retried */
		virtmem_test_mmap_enomem(1);
		if (rd(pg_addr(e.v, e.ps, 2)) != bigfile_pattern_word(2, 0))
			_exit(3);
		if (vma_page_prot(e.v, 2) != VMA_PROT_R || vma_page_prot(e.v, 1) != VMA_PROT_NONE)
			_exit(4);
		if (fileh_page_state(e.fh, 1) != PAGE_DIRTY || rd(pg_addr(e.v, e.ps, 1)) != 42)
			_exit(5);
		_exit(0);
	}
	virtmem_test_mmap_enomem(1000);
	t_catch_sigbus(pg_addr(e.v, e.ps, 2));
	rd(pg_addr(e.v, e.ps, 2));
	_exit(6);
}

static void test_errors(void)
{
	int st, forever = 0;

	st = run_child(child_loadblk_error, NULL);
	CHECK_MSG(EXITED(st, 0), "status %#x", st);
	if (t_sanitizer() && !strcmp(t_sanitizer(), "asan"))
		T_SKIP("SIGBUS default action: ASan's own SIGBUS handler aborts instead");
	else {
		st = run_child(child_loadblk_error_default, NULL);
		CHECK_MSG(KILLED(st, SIGBUS), "status %#x", st);
	}
	st = run_child(child_ram_dirty_full, NULL);
	CHECK_MSG(EXITED(st, 41), "status %#x", st);
	st = run_child(child_ram_refuses, NULL);
	CHECK_MSG(EXITED(st, 41), "status %#x", st);
	st = run_child(child_mmap_refused, &forever);
	CHECK_MSG(EXITED(st, 0), "status %#x", st);
	forever = 1;
	st = run_child(child_mmap_refused, &forever);
	CHECK_MSG(EXITED(st, 41), "status %#x", st);
}

/* --- 21: loadblk / storeblk touching our own memory ----------------------- */

static int touching_load(struct recfile *r, uint64_t blk, void *buf, size_t blksize)
{
	struct vma *v = r->arg;

	(void)blk; (void)buf; (void)blksize;
	return (int)rd(pg_addr(v, blksize, 9));	/* unmapped page of our view */
}

static void child_nested_load(void *arg)
{
	struct env e;

	(void)arg;
	alarm(10);
	if (env_open(&e, 0))
		_exit(2);
	e.rf.load_hook = touching_load;
	e.rf.arg = e.v;
	t_catch_sigbus(pg_addr(e.v, e.ps, 0));
	rd(pg_addr(e.v, e.ps, 0));
	_exit(3);
}

struct touchfile {
	struct bigfile base;
	struct vma *v;
	size_t ps;
};

static int touch_store(struct bigfile *f, uint64_t blk, const void *buf, size_t blksize)
{
	struct touchfile *t = container_of(f, struct touchfile, base);

	(void)blk; (void)buf; (void)blksize;
	return (int)rd(pg_addr(t->v, t->ps, 7));	/* unmapped: fault with the lock held */
}

static int zero_load(struct bigfile *f, uint64_t blk, void *buf, size_t blksize)
{
	(void)f; (void)blk;
	memset(buf, 0, blksize);
	return 0;
}

static void test_nested(void)
{
	static const struct bigfile_ops touch_ops = { .loadblk = zero_load, .storeblk = touch_store };
	struct touchfile tf = { .base = { &touch_ops } };
	struct ram *ram;
	struct fileh *fh;
	int st;

	st = run_child(child_nested_load, NULL);
	CHECK_MSG(EXITED(st, 41), "status %#x", st);

	ram = ram_new("shmfs", NULL, err, sizeof(err));
	fh = ram ? fileh_open(&tf.base, ram, NULL, err, sizeof(err)) : NULL;
	REQUIRE(fh != NULL);
	tf.v = fileh_mmap(fh, 0, 8, err, sizeof(err));
	tf.ps = ram->pagesize;
	wr(pg_addr(tf.v, tf.ps, 0), 1);
	alarm(10);	/* a deadlock would end the test here */
	CHECK_EQ(fileh_dirty_writeout(fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), -EFAULT);
	alarm(0);
	CHECK_EQ(fileh_page_state(fh, 0), PAGE_DIRTY);
	CHECK_EQ(rd(pg_addr(tf.v, tf.ps, 0)), 1);
	fileh_dirty_discard(fh);
	vma_unmap(tf.v);
	fileh_close(fh);
	ram_close(ram);
}

/* --- 30: fork --------------------------------------------------------------- */

static struct env *t_fork_env;

static void child_after_fork(void *arg)
{
	struct env *e = t_fork_env;

	(void)arg;
	alarm(10);
	if (fileh_dirty_writeout(e->fh, WRITEOUT_STORE) != -EPERM)
		_exit(2);
	t_catch_sigbus(pg_addr(e->v, e->ps, 0));
	rd(pg_addr(e->v, e->ps, 0));	/* mapped in the parent: not here */
	_exit(3);
}

static void test_fork(void)
{
	struct env e;
	int st;

	REQUIRE(env_open(&e, 0) == 0);
	wr(pg_addr(e.v, e.ps, 0), 123);
	rd(pg_addr(e.v, e.ps, 1));
	t_fork_env = &e;
	st = run_child(child_after_fork, NULL);
	CHECK_MSG(EXITED(st, 41), "status %#x", st);
	/* the parent is unaffected */
	CHECK_EQ(rd(pg_addr(e.v, e.ps, 0)), 123);
	CHECK(page_is_pattern(e.v, e.ps, 1, 1));
	CHECK_EQ(vma_page_prot(e.v, 0), VMA_PROT_RW);
	CHECK(page_is_pattern(e.v, e.ps, 2, 2));
	CHECK_EQ(fileh_dirty_writeout(e.fh, WRITEOUT_STORE | WRITEOUT_MARKSTORED), 0);
	CHECK_EQ(e.rf.nstore, 1);
	CHECK_EQ(e.rf.store_w0[0], 123);
	env_close(&e);
}

int main(void)
{
	T_BEGIN("virtmem_signal");
	test_not_ours();
	test_errors();
	test_nested();
	test_fork();
	return T_END();
}

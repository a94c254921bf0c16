/*
 * real/fault.c — the SIGSEGV fault handler of the real virtmem.
 *
 * The mechanism.  Views are PROT_NONE reservations (virtmem.c), so the
 * first access to any page traps.  The handler finds the view by address
 * (binary search over the sorted views), classifies the fault exactly as
 * docs/ENGINE.md does and fixes the mapping; returning from the handler
 * re-executes the access, which now succeeds.  Addresses that are not ours
 * go to the handler that was installed before us — or, if that was the
 * default action, the default action runs (we reset it and let the access
 * fault again, so the process dies of the real fault, with a core at the
 * right place).  Never swallowed.
 *
 *	 access ──trap──▶ vm_sigsegv ─not ours─▶ previous handler / SIG_DFL
 *	                      │ ours
 *	                      ▼ lock
 *	        sampled? ─▶ ref fault: restore protection
 *	        in RAM, not mapped here? ─▶ map fault
 *	        mapped R, write? ─▶ dirty fault: mprotect RW, dirty list
 *	        loading? ─▶ wait on vm_loaded, start over
 *	        absent ─▶ load fault: reclaim if full, alloc (hint = pgoff),
 *	                  LOADING, unlock, loadblk into the RAM window, lock,
 *	                  LOADED (or drop if invalidated), map R or RW
 *
 * A load never exposes half-loaded data: loadblk fills a buffer no view
 * maps yet — on tmpfs a per-thread bounce buffer copied into the new page
 * with one pwrite (no trap, and the kernel does not zero a page a write
 * covers), on hugetlbfs the page itself through the RAM's standing window —
 * and only then is the page mapped into the view, with MAP_POPULATE so the
 * re-executed access does not trap into the kernel once more.  No
 * mmap/munmap pair per load: a load costs one mmap, like the bare floor of
 * the mechanism (bench/bench_fault.c: 1.3x that floor on tmpfs).
 *
 * Errors reach the faulting access as SIGBUS with si_addr set to the access
 * (queued to the faulting thread with rt_tgsigqueueinfo, after the state is
 * consistent and the lock is dropped): loadblk failure; RAM full of dirty or
 * loading pages; RAM allocation refused; mmap refused even after unmapping
 * views (vm.max_map_count).  Each comes with a one-line message on stderr.
 * If the application's SIGBUS handler returns, the access faults again and
 * the load is retried.
 *
 * A fault on our own memory from inside loadblk or storeblk (the thread is
 * in our code, maybe holding the lock) would deadlock; instead the handler
 * jumps back to the guard around that call (siglongjmp), which returns
 * -EFAULT as that call's result: the load fails with SIGBUS, the writeout
 * returns the error.  The handler is installed with SA_NODEFER so such a
 * nested fault reaches it at all.  errno is saved and restored around
 * everything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "common/bug.h"
#include "real/virtmem_int.h"

#ifdef __aarch64__
#include <asm/sigcontext.h>
#endif

static struct sigaction vm_prev_segv;
static __thread const char *vm_tls_fail_why;	/* virtmem_fault_error */

const char *virtmem_fault_error(void)
{
	return vm_tls_fail_why;
}

static int vm_sigbus_quiet;	/* virtmem_sigbus_quiet */

void virtmem_sigbus_quiet(int on)
{
	__atomic_store_n(&vm_sigbus_quiet, on, __ATOMIC_RELAXED);
}
static pthread_once_t vm_install_once = PTHREAD_ONCE_INIT;
static int vm_install_errno;

void vm_say(const char *a, const char *b, const char *c)
{
	const char *s[3] = { a, b, c };
	int saved = errno;
	size_t i;

	for (i = 0; i < 3; i++) {
		size_t n = s[i] ? strlen(s[i]) : 0, done = 0;

		while (done < n) {
			ssize_t r = write(2, s[i] + done, n - done);
			if (r <= 0)
				break;
			done += (size_t)r;
		}
	}
	errno = saved;
}


static int fault_is_write(const void *ucv)
{
	const ucontext_t *uc = ucv;
#if defined(__x86_64__)
	return (uc->uc_mcontext.gregs[REG_ERR] & 0x2) != 0;
#elif defined(__aarch64__)
	const struct _aarch64_ctx *h = (const void *)uc->uc_mcontext.__reserved;

	while (h->magic) {
		if (h->magic == ESR_MAGIC)
			return (((const struct esr_context *)h)->esr >> 6) & 1;	/* WnR */
		h = (const void *)((const char *)h + h->size);
	}
	return 1;
#else
#error "pagelab real/: fault_is_write needs porting to this architecture"
#endif
}

/* Deliver SIGBUS at addr to this thread, as the kernel does for a bad
 * file page: unblocked, and the default action if it was ignored. */
static void vm_sigbus(void *addr, const char *why, const char *detail)
{
	struct sigaction cur;
	sigset_t set;
	siginfo_t si;

	vm_tls_fail_why = why;
	if (!__atomic_load_n(&vm_sigbus_quiet, __ATOMIC_RELAXED)) {
		vm_say("pagelab: SIGBUS at the faulting access: ", why, "");
		vm_say(detail ? ": " : "", detail ? detail : "", "\n");
	}
	if (sigaction(SIGBUS, NULL, &cur) == 0 && !(cur.sa_flags & SA_SIGINFO) &&
	    cur.sa_handler == SIG_IGN) {
		struct sigaction dfl;

		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGBUS, &dfl, NULL);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGBUS;
	si.si_code = BUS_ADRERR;
	si.si_addr = addr;
	syscall(SYS_rt_tgsigqueueinfo, getpid(), (pid_t)syscall(SYS_gettid), SIGBUS, &si);
}

static void vm_chain(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *p = &vm_prev_segv;

	if (p->sa_flags & SA_SIGINFO) {
		p->sa_sigaction(sig, si, uc);
		return;
	}
	if (p->sa_handler == SIG_IGN && si->si_code <= 0)
		return;		/* a sent SIGSEGV that was being ignored */
	if (p->sa_handler == SIG_DFL || p->sa_handler == SIG_IGN) {
		struct sigaction dfl;

		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigaction(sig, &dfl, NULL);
		/* A real fault happens again on return and kills; a sent
		 * signal does not, so send it again. */
		if (si->si_code <= 0)
			raise(sig);
		return;
	}
	p->sa_handler(sig);
}

int vm_guarded_blk(struct fileh *fh, uint64_t blk, void *buf, int store)
{
	static const char *const what[2] = {
		"pagelab: loadblk touched the virtmem's own mapping (a fault inside loadblk); "
		"the load fails with EFAULT\n",
		"pagelab: storeblk touched the virtmem's own mapping (a fault inside storeblk); "
		"the writeout fails with EFAULT\n",
	};
	struct bigfile *f = fh->file;
	sigjmp_buf jb, *prev = vm_tls_guard;
	int ret;

	/* No mask saved: the nested fault arrives with the mask we have now
	 * (SA_NODEFER), so jumping back leaves it as it was. */
	if (sigsetjmp(jb, 0)) {
		vm_tls_guard = prev;
		vm_say(what[store], "", "");
		return -EFAULT;
	}
	vm_tls_guard = &jb;
	ret = store ? f->ops->storeblk(f, blk, buf, fh->ram->pagesize)
		    : f->ops->loadblk(f, blk, buf, fh->ram->pagesize);
	vm_tls_guard = prev;
	return ret;
}

/* Why a fault failed, for the SIGBUS message. */
struct vm_fail {
	const char *why;
	const char *detail;
	char buf[64];
};

static int fail(struct vm_fail *f, const char *why, int err)
{
	f->why = why;
	f->detail = err ? strerrordesc_np(-err) : NULL;	/* static, untranslated */
	return -1;
}

/*
 * Handle a fault at addr in our view v with the lock held; returns with the
 * lock dropped.  0: done (the access runs again), 1: not ours after all (the
 * view went away while we waited), -1: failed, *f says why.
 */
static int vm_fault(uintptr_t addr, int write, struct vm_fail *f)
{
	struct vma *v;
	struct fileh *fh;
	struct virtmem *vm;
	struct ram *ram;
	struct page *pg;
	struct reclaim_ctx ctx;
	uint64_t i, pgoff, ramoff;
	void *buf;
	int prot, ret;

restart:
	v = __vma_lookup(addr);
	if (!v) {
		vm_unlock();
		return 1;
	}
	fh = v->fh;
	ram = fh->ram;
	vm = ram->vm;
	i = (addr - v->start) >> ram->pageshift;
	pgoff = v->pgoff + i;
	pg = pagemap_get(fh->pagemap, pgoff);
	prot = v->prot[i];

	if (pg && (pg->state == PAGE_LOADING || pg->state == PAGE_LOADING_INVALIDATED)) {
		__vm_wait_loaded();
		goto restart;
	}
	if (prot & VMA_PROT_SAMPLED) {
		/* ref fault: the sampler protected a mapped page */
		BUG_ON(!pg);
		if (write)
			__page_mark_dirty(pg);
		ret = __vma_set_prot(v, i, pg, pg->state == PAGE_DIRTY ? VMA_PROT_RW : VMA_PROT_R);
		reclaim_fault(vm->reclaim, &pg->rp, &reclaim_ctx_none);
		vm->c.faults++;
		vm->c.by_class[FAULT_REF]++;
		goto out;
	}
	if (prot == VMA_PROT_NONE && pg) {
		/* map fault: resident, not mapped in this view */
		if (write)
			__page_mark_dirty(pg);
		ret = __vma_set_prot(v, i, pg, pg->state == PAGE_DIRTY ? VMA_PROT_RW : VMA_PROT_R);
		reclaim_fault(vm->reclaim, &pg->rp, &reclaim_ctx_none);
		vm->c.faults++;
		vm->c.by_class[FAULT_MAP]++;
		goto out;
	}
	if (prot == VMA_PROT_R && write) {
		/* dirty fault: upgrade this view only */
		__page_mark_dirty(pg);
		ret = __vma_set_prot(v, i, pg, VMA_PROT_RW);
		reclaim_fault(vm->reclaim, &pg->rp, &reclaim_ctx_none);
		vm->c.faults++;
		vm->c.by_class[FAULT_DIRTY]++;
		goto out;
	}
	if (prot != VMA_PROT_NONE) {
		/* another thread mapped it between the trap and our lock */
		vm_unlock();
		return 0;
	}

	/* load fault: the page is not in RAM (ARC and 2Q read ctx.miss_key
	 * in victim()) */
	vm->c.faults++;
	vm->c.by_class[FAULT_LOAD]++;
	ctx = (struct reclaim_ctx){ .next_use = UINT64_MAX,
				    .miss_key = RPAGE_KEY(fh->id, pgoff) };
	if (ram->npages_limit && ram->npages >= ram->npages_limit &&
	    __vm_reclaim(vm, &ctx) == 0) {
		vm_unlock();
		return fail(f, "RAM too small for the dirty working set "
			    "(every resident page is dirty or loading; write out or raise the RAM size)", 0);
	}
	ret = ramh_alloc_page(fh->ramh, pgoff, &ramoff);
	if (ret == -ENOSPC && __vm_reclaim(vm, &ctx) > 0)
		ret = ramh_alloc_page(fh->ramh, pgoff, &ramoff);
	if (ret) {
		vm_unlock();
		return fail(f, "RAM refused to allocate a page", ret);
	}
	buf = ramh_load_buf(fh->ramh, ramoff);
	/* malloc in the handler is allowed: docs/ENGINE.md "Memory" */
	pg = buf ? malloc(sizeof(*pg)) : NULL;
	if (!pg || pagemap_set(fh->pagemap, pgoff, pg)) {
		free(pg);
		ramh_free_page(fh->ramh, ramoff);
		vm_unlock();
		return fail(f, "out of memory for the page's bookkeeping", -ENOMEM);
	}
	memset(pg, 0, sizeof(*pg));
	pg->fh = fh;
	pg->pgoff = pgoff;
	pg->ramoff = ramoff;
	pg->state = PAGE_LOADING;
	list_init(&pg->dirty);
	list_init(&pg->rp.link);
	list_init(&pg->rp.link2);
	pg->rp.key = RPAGE_KEY(fh->id, pgoff);
	fh->nloading++;
	vm->c.loads++;
	vm_unlock();

	ret = vm_guarded_blk(fh, pgoff, buf, 0);
	if (!ret)
		ret = ramh_load_done(fh->ramh, ramoff, buf);

	vm_lock();
	if (pg->state == PAGE_LOADING_INVALIDATED || ret) {
		/* invalidated meanwhile: drop the result, the access faults
		 * again and loads afresh; or loadblk failed */
		__page_abort_load(pg);
		pthread_cond_broadcast(&vm_loaded);
		vm_unlock();
		if (ret) {
			f->why = "loadblk failed";
			f->detail = strerrordesc_np(ret < 0 ? -ret : ret);
			return -1;
		}
		return 0;
	}
	fh->nloading--;
	pg->state = PAGE_LOADED;
	reclaim_insert(vm->reclaim, &pg->rp, &ctx);
	pthread_cond_broadcast(&vm_loaded);
	/* map it where the access was, if that view is still there */
	v = __vma_lookup(addr);
	if (!v || v->fh != fh || v->pgoff + ((addr - v->start) >> ram->pageshift) != pgoff) {
		vm_unlock();
		return 0;
	}
	if (write)
		__page_mark_dirty(pg);
	ret = __vma_set_prot(v, i, pg, write ? VMA_PROT_RW : VMA_PROT_R);
out:
	vm_unlock();
	if (ret)
		return fail(f, "the kernel refused to map the page even after unmapping "
			    "our views (vm.max_map_count?)", ret);
	return 0;
}

static void vm_sigsegv(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = errno;
	uintptr_t addr = (uintptr_t)si->si_addr;
	struct vm_fail f;
	int ret;

	if (si->si_code <= 0)
		goto chain;	/* sent by someone, not a fault */
	if (vm_tls_locked) {
		/* A fault inside our own code: storeblk touching our memory,
		 * or a bug.  Not ours: chain (e.g. a NULL deref in storeblk). */
		if (!__vma_lookup(addr))
			goto chain;
		if (vm_tls_guard)
			siglongjmp(*vm_tls_guard, 1);
		vm_say("pagelab: fault on the virtmem's own memory with its lock held", "", "\n");
		BUG();
	}
	vm_lock();
	if (!__vma_lookup(addr)) {
		vm_unlock();
		goto chain;
	}
	if (vm_forked) {
		vm_unlock();
		vm_sigbus(si->si_addr, "the virtmem does not follow fork(): its views are empty "
			  "in the child", NULL);
		errno = saved_errno;
		return;
	}
	if (vm_tls_guard) {
		/* inside loadblk (lock not held there): touching our memory */
		vm_unlock();
		siglongjmp(*vm_tls_guard, 1);
	}
	memset(&f, 0, sizeof(f));
	ret = vm_fault(addr, fault_is_write(uc), &f);
	if (ret == 1)
		goto chain;
	if (ret < 0)
		vm_sigbus(si->si_addr, f.why, f.detail);
	errno = saved_errno;
	return;
chain:
	vm_chain(sig, si, uc);
	errno = saved_errno;
}

static void vm_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = vm_sigsegv;
	/* SA_NODEFER: a fault inside loadblk must reach us (see above) */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &vm_prev_segv) < 0)
		vm_install_errno = errno;
	else if (vm_atfork_register())
		vm_install_errno = ENOMEM;
}

int vm_fault_install(char *err, size_t errlen)
{
	pthread_once(&vm_install_once, vm_install);
	if (vm_install_errno) {
		snprintf(err, errlen, "virtmem: cannot install the SIGSEGV handler: %s",
			 strerror(vm_install_errno));
		return -1;
	}
	return 0;
}

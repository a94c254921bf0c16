/*
 * real/virtmem.c — the real virtual-memory manager: file handles, VMAs,
 * page states, writeout, discard, invalidate, reclaim.
 *
 * The idea (after Wendelin.core's bigfile/virtmem.c, 2015).  A big file is
 * mapped into memory as views (VMAs) that start empty.  The first touch of a
 * page traps (SIGSEGV, real/fault.c); the handler allocates a page in RAM —
 * a tmpfs or hugetlbfs file, so the same page can be mapped at several
 * addresses — fills it with the file's block (loadblk) and maps it into the
 * view.  Pages mapped read-only trap again on the first write, which is how
 * the manager learns that a page is dirty without scanning anything:
 *
 *	   EMPTY ──read/write fault──▶ LOADING ──loadblk ok──▶ LOADED ◀──┐
 *	     ▲          invalidate │                 │ write fault     │ writeout
 *	     │                     ▼                 ▼                 │ MARKSTORED
 *	     └── result dropped ◀ LOADING_INVALIDATED      DIRTY ──────┘
 *	     └────────── evict (clean only) / discard (dirty) / invalidate
 *
 * Per view and page we keep the protection we gave the kernel (NONE, R, RW,
 * or sampled); that array is the truth about what the kernel has mapped, so
 * every fault is classified exactly as docs/ENGINE.md says (load, map,
 * dirty, ref) and the simulator can make the same decisions.
 *
 * Address space.  A view is a PROT_NONE anonymous reservation of its pages
 * with one unmapped guard page on each side, so kernel VMAs of two views can
 * never merge.  Mapping a page replaces part of the reservation (MAP_FIXED);
 * unmapping puts the reservation back (an anonymous PROT_NONE MAP_FIXED, so
 * holes merge with their neighbours and nobody else can move in).  Pages of a
 * file sit in RAM at offsets chosen by the allocator with the file offset as
 * hint, so a run of file pages loaded in any order usually lands at
 * contiguous RAM offsets and the kernel keeps it as one VMA.  When the kernel
 * refuses a mapping anyway (vm.max_map_count), the view is reset to one
 * reservation (pages stay in RAM, only the mappings go) and the step
 * retried; then every view of the RAM; only then the access fails.
 *
 * Locking.  One process-wide mutex protects everything here and is taken by
 * the fault handler; the handler runs for synchronous faults only, so taking
 * a mutex there is safe unless the thread already holds it (then the fault
 * is our own bug or storeblk touching our memory, see fault.c).  loadblk
 * runs without the lock: the page is LOADING, other threads that fault on it
 * wait on a condition variable, and invalidate of a LOADING page only marks
 * it (LOADING_INVALIDATED) instead of waiting, so an application lock held
 * across loadblk cannot deadlock against invalidate.  storeblk runs with the
 * lock held (writeout must see a stable dirty list).
 *
 * Where this does better than Wendelin.core (VIRTMEM-CHECKLIST.md 25-27):
 * RAM pages are counted by the RAM on every allocation and free, so an
 * invalidated or discarded page that is loaded again counts again; loadblk
 * errors become SIGBUS at the access instead of abort(); storeblk errors are
 * returned with every page still dirty; a full RAM with only dirty pages is
 * a SIGBUS with a message, not an OOM() abort; the map count is kept down
 * by the allocator hint and the reset-and-retry above.
 */
#define _GNU_SOURCE
#include "real/virtmem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/bug.h"
#include "policies/alloc.h"
#include "real/ram_type.h"
#include "real/virtmem_int.h"

pthread_mutex_t vm_mutex = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t vm_loaded = PTHREAD_COND_INITIALIZER;
__thread int vm_tls_locked;
__thread sigjmp_buf *vm_tls_guard;

/* All views, sorted by start address (lookup from the fault handler). */
static struct vma **vm_vmas;
static size_t vm_nvmas, vm_vmas_cap;

static uint64_t vm_test_enomem;		/* virtmem_test_mmap_enomem */

/* Every open file handle (for fork: the child's windows go away). */
static struct list_head vm_all_files = { &vm_all_files, &vm_all_files };

/*
 * fork().  Views map RAM files shared, so a child that kept them would
 * write into the parent's pages and allocate over the parent's offsets.  So
 * the child gets a documented refusal instead of a copy: in the child every
 * view is reset to an empty reservation and the RAM windows are unmapped
 * (the parent's mappings are untouched); an access to a view in the child
 * is SIGBUS with a message, and the API returns -EPERM there.
 */
int vm_forked;
static int vm_fork_took_lock;

static void vm_atfork_prepare(void)
{
	vm_fork_took_lock = !vm_tls_locked;
	if (vm_fork_took_lock)
		pthread_mutex_lock(&vm_mutex);
}

static void vm_atfork_parent(void)
{
	if (vm_fork_took_lock)
		pthread_mutex_unlock(&vm_mutex);
}

static void vm_atfork_child(void)
{
	struct list_head *p;
	size_t i;

	vm_forked = 1;
	for (i = 0; i < vm_nvmas; i++)
		ram_sys_mmap((void *)vm_vmas[i]->start, vm_vmas[i]->stop - vm_vmas[i]->start, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	list_for_each(p, &vm_all_files) {
		struct fileh *fh = container_of(p, struct fileh, all);

		ramh_unmap_window(fh->ramh);
	}
	if (vm_fork_took_lock)
		pthread_mutex_unlock(&vm_mutex);
}

int vm_atfork_register(void)
{
	return pthread_atfork(vm_atfork_prepare, vm_atfork_parent, vm_atfork_child);
}

static int vm_child_refuses(const char *fn)
{
	if (!vm_forked)
		return 0;
	fprintf(stderr, "%s: refused in a fork()ed child: the virtmem does not follow fork()\n", fn);
	return 1;
}

void vm_lock(void)
{
	BUG_ON(vm_tls_locked);
	pthread_mutex_lock(&vm_mutex);
	vm_tls_locked = 1;
}

void vm_unlock(void)
{
	BUG_ON(!vm_tls_locked);
	vm_tls_locked = 0;
	pthread_mutex_unlock(&vm_mutex);
}

void __vm_wait_loaded(void)
{
	vm_tls_locked = 0;
	pthread_cond_wait(&vm_loaded, &vm_mutex);
	vm_tls_locked = 1;
}

const char *virtmem_default_policy(const char *kind)
{
	/* The policies the design names as defaults; if a build lacks one,
	 * the first registered policy of that kind. */
	static const struct { const char *kind, *name; } defaults[] = {
		{ "pagemap", "radix" }, { "alloc", "vmem" }, { "reclaim", "lru" },
	};
	const void *const *reg = NULL;
	size_t i;

	if (!strcmp(kind, "pagemap"))
		reg = (const void *const *)pagemap_registry;
	else if (!strcmp(kind, "alloc"))
		reg = (const void *const *)alloc_registry;
	else if (!strcmp(kind, "reclaim"))
		reg = (const void *const *)reclaim_registry;
	BUG_ON(!reg);
	for (i = 0; i < ARRAY_SIZE(defaults); i++) {
		size_t j;

		if (strcmp(defaults[i].kind, kind))
			continue;
		/* every ops struct starts with its name */
		for (j = 0; reg[j]; j++)
			if (!strcmp(*(const char *const *)reg[j], defaults[i].name))
				return defaults[i].name;
	}
	return reg[0] ? *(const char *const *)reg[0] : "(none registered)";
}

/* --- RAM engine state ----------------------------------------------------- */

int virtmem_ram_init(struct ram *ram, char *err, size_t errlen)
{
	struct virtmem *vm = calloc(1, sizeof(*vm));

	if (!vm) {
		snprintf(err, errlen, "ram %s: out of memory", ram->type->name);
		return -1;
	}
	vm->ram = ram;
	vm->reclaim_batch = 1;
	vm->seed = 1;
	snprintf(vm->reclaim_spec, sizeof(vm->reclaim_spec), "%s",
		 virtmem_default_policy("reclaim"));
	list_init(&vm->files);
	ram->vm = vm;
	return 0;
}

int virtmem_ram_fini(struct ram *ram)
{
	struct virtmem *vm = ram->vm;
	int busy;

	if (!vm)
		return 0;
	vm_lock();
	busy = !list_empty(&vm->files);
	vm_unlock();
	if (busy)
		return -EBUSY;
	reclaim_destroy(vm->reclaim);
	free(vm);
	ram->vm = NULL;
	return 0;
}

int ram_configure(struct ram *ram, uint64_t npages_limit, const char *reclaim_spec,
		  unsigned reclaim_batch, const char *observe, char *err, size_t errlen)
{
	struct virtmem *vm = ram->vm;
	uint64_t every = 0;

	if (observe && strcmp(observe, "faults")) {
		char *end;

		if (!strcmp(observe, "full")) {
			snprintf(err, errlen, "observe full: the real engine sees only faults, "
				 "never accesses that hit a mapped page (full is simulator-only)");
			return -1;
		}
		if (strncmp(observe, "sampled:", 8) || !observe[8]) {
			snprintf(err, errlen, "observe '%s': expected faults or sampled:N", observe);
			return -1;
		}
		errno = 0;
		every = strtoull(observe + 8, &end, 10);
		if (*end || errno || every == 0) {
			snprintf(err, errlen, "observe '%s': N must be a positive integer", observe);
			return -1;
		}
	}
	vm_lock();
	if (!list_empty(&vm->files) || vm->reclaim) {
		vm_unlock();
		snprintf(err, errlen, "ram_configure: the RAM is already in use");
		return -1;
	}
	ram->npages_limit = npages_limit;
	if (reclaim_spec)
		snprintf(vm->reclaim_spec, sizeof(vm->reclaim_spec), "%s", reclaim_spec);
	vm->reclaim_batch = reclaim_batch ? reclaim_batch : 1;
	vm->sample_every = every;
	vm_unlock();
	return 0;
}

int ram_set_seed(struct ram *ram, uint64_t seed, char *err, size_t errlen)
{
	struct virtmem *vm = ram->vm;

	vm_lock();
	if (!list_empty(&vm->files) || vm->reclaim) {
		vm_unlock();
		snprintf(err, errlen, "ram_set_seed: the RAM is already in use");
		return -1;
	}
	vm->seed = seed;
	vm_unlock();
	return 0;
}

/* --- views ---------------------------------------------------------------- */

static int vm_mmap_fails(void)
{
	if (__atomic_load_n(&vm_test_enomem, __ATOMIC_RELAXED) == 0)
		return 0;
	__atomic_sub_fetch(&vm_test_enomem, 1, __ATOMIC_RELAXED);
	errno = ENOMEM;
	return 1;
}

void virtmem_test_mmap_enomem(uint64_t n)
{
	__atomic_store_n(&vm_test_enomem, n, __ATOMIC_RELAXED);
}

static void *vm_reserve_at(void *addr, size_t len)
{
	return ram_sys_mmap(addr, len, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (addr ? MAP_FIXED : 0), -1, 0);
}

/* Put the whole view back to one reservation: cannot need a split, so it
 * works even at the map-count limit. */
static void __vma_reset(struct vma *v)
{
	if (vm_reserve_at((void *)v->start, v->stop - v->start) == MAP_FAILED)
		BUG();
	memset(v->prot, VMA_PROT_NONE, v->npages);
}

static int kprot(int prot)
{
	if (prot & VMA_PROT_SAMPLED)
		return PROT_NONE;
	return prot == VMA_PROT_RW ? PROT_READ | PROT_WRITE :
	       prot == VMA_PROT_R ? PROT_READ : PROT_NONE;
}

static int __vma_set_prot_once(struct vma *v, uint64_t i, struct page *pg, int prot)
{
	void *addr = vma_page_addr(v, i);
	size_t ps = vm_pagesize(v->fh);
	int old = v->prot[i];

	if (vm_mmap_fails())
		return -ENOMEM;
	if (prot == VMA_PROT_NONE) {
		if (old != VMA_PROT_NONE && vm_reserve_at(addr, ps) == MAP_FAILED)
			return -errno;
	} else if (old == VMA_PROT_NONE) {
		if (ramh_mmap_page(v->fh->ramh, pg->ramoff, addr, kprot(prot)) == MAP_FAILED)
			return -errno;
	} else if (kprot(old) != kprot(prot)) {
		if (ram_sys_mprotect(addr, ps, kprot(prot)) < 0)
			return -errno;
	}
	v->prot[i] = (uint8_t)prot;
	v->fh->ram->vm->map_changes++;
	return 0;
}

int __vma_set_prot(struct vma *v, uint64_t i, struct page *pg, int prot)
{
	struct virtmem *vm = v->fh->ram->vm;
	struct fileh *fh;
	struct vma *w;
	int ret = __vma_set_prot_once(v, i, pg, prot);

	if (ret != -ENOMEM)
		return ret;
	/* The map-count limit: drop this view's mappings, then every view's. */
	__vma_reset(v);
	ret = __vma_set_prot_once(v, i, pg, prot);
	if (ret != -ENOMEM)
		return ret;
	list_for_each_entry_fileh(fh, vm) {
		struct list_head *p;

		list_for_each(p, &fh->vmas) {
			w = container_of(p, struct vma, link);
			__vma_reset(w);
		}
	}
	return __vma_set_prot_once(v, i, pg, prot);
}

/* Unmap pg from every view of its file. */
static void __page_unmap_all(struct page *pg)
{
	struct list_head *p;

	list_for_each(p, &pg->fh->vmas) {
		struct vma *v = container_of(p, struct vma, link);
		uint64_t i;

		if (pg->pgoff < v->pgoff || pg->pgoff >= v->pgoff + v->npages)
			continue;
		i = pg->pgoff - v->pgoff;
		if (v->prot[i] == VMA_PROT_NONE)
			continue;
		if (__vma_set_prot(v, i, NULL, VMA_PROT_NONE))
			__vma_reset(v);	/* always possible: see __vma_reset */
	}
}

void __page_mark_dirty(struct page *pg)
{
	if (pg->state == PAGE_DIRTY)
		return;
	BUG_ON(pg->state != PAGE_LOADED);
	pg->state = PAGE_DIRTY;
	pg->rp.flags |= RPAGE_UNEVICTABLE;
	list_add_tail(&pg->dirty, &pg->fh->dirty);
	pg->fh->ndirty++;
}

static void __page_mark_clean(struct page *pg)
{
	BUG_ON(pg->state != PAGE_DIRTY);
	pg->state = PAGE_LOADED;
	pg->rp.flags &= ~RPAGE_UNEVICTABLE;
	list_del(&pg->dirty);
	pg->fh->ndirty--;
}

/* Free a resident page's memory and struct (after it left the policies). */
static void __page_free(struct page *pg)
{
	struct fileh *fh = pg->fh;

	__page_unmap_all(pg);
	if (pg->state == PAGE_DIRTY)
		__page_mark_clean(pg);
	BUG_ON(pagemap_del(fh->pagemap, pg->pgoff) != pg);
	ramh_free_page(fh->ramh, pg->ramoff);
	free(pg);
}

/* A resident page leaves without eviction (discard, invalidate, close). */
static void __page_remove(struct page *pg)
{
	BUG_ON(pg->state != PAGE_LOADED && pg->state != PAGE_DIRTY);
	reclaim_remove(pg->fh->ram->vm->reclaim, &pg->rp);
	__page_free(pg);
}

void __page_abort_load(struct page *pg)
{
	struct fileh *fh = pg->fh;

	BUG_ON(pg->state != PAGE_LOADING && pg->state != PAGE_LOADING_INVALIDATED);
	BUG_ON(pagemap_del(fh->pagemap, pg->pgoff) != pg);
	ramh_free_page(fh->ramh, pg->ramoff);
	BUG_ON(fh->nloading == 0);
	fh->nloading--;
	free(pg);
}

size_t __vm_reclaim(struct virtmem *vm, const struct reclaim_ctx *ctx)
{
	size_t freed = 0;

	if (!vm->reclaim)
		return 0;
	while (freed < vm->reclaim_batch) {
		struct rpage *rp = reclaim_victim(vm->reclaim, ctx);
		struct page *pg;

		if (!rp)
			break;
		pg = container_of(rp, struct page, rp);
		/* only clean pages are ever evictable */
		BUG_ON(pg->state != PAGE_LOADED || !rpage_evictable(rp));
		__page_free(pg);
		vm->c.evictions++;
		freed++;
	}
	return freed;
}

size_t ram_reclaim(struct ram *ram)
{
	size_t n;

	if (vm_child_refuses("ram_reclaim"))
		return 0;
	vm_lock();
	n = __vm_reclaim(ram->vm, &reclaim_ctx_none);
	vm_unlock();
	return n;
}

/* --- file handles ------------------------------------------------------- */

struct fileh *fileh_open(struct bigfile *file, struct ram *ram,
			 const struct virtmem_policies *pol, char *err, size_t errlen)
{
	struct virtmem *vm = ram->vm;
	const char *pm_spec = pol && pol->pagemap ? pol->pagemap : virtmem_default_policy("pagemap");
	struct fileh *fh = calloc(1, sizeof(*fh));

	if (!fh) {
		snprintf(err, errlen, "fileh_open: out of memory");
		return NULL;
	}
	if (vm_forked) {
		snprintf(err, errlen, "fileh_open: refused in a fork()ed child: the virtmem does not follow fork()");
		goto fail;
	}
	if (vm_fault_install(err, errlen))
		goto fail;
	fh->ram = ram;
	fh->file = file;
	list_init(&fh->dirty);
	list_init(&fh->vmas);
	list_init(&fh->link);
	list_init(&fh->all);
	fh->pagemap = pagemap_create(pm_spec, &(const struct pagemap_params){
					     .mem = &mem_default }, err, errlen);
	if (!fh->pagemap)
		goto fail;
	vm_lock();
	fh->ramh = ramh_open(ram, pol ? pol->alloc : NULL, err, errlen);
	if (fh->ramh && !vm->reclaim) {
		struct reclaim_params rp = {
			.npages = ram->npages_limit ? ram->npages_limit
				  : ram_get_current_maxsize(ram) >> ram->pageshift,
			.seed = vm->seed,
			.mem = &mem_default,
		};
		/* without a limit the size only scales ghost lists: bound it */
		if (rp.npages == 0)
			rp.npages = 1;
		if (!ram->npages_limit && rp.npages > (1u << 20))
			rp.npages = 1u << 20;
		vm->reclaim = reclaim_create(vm->reclaim_spec, &rp, err, errlen);
		if (!vm->reclaim) {
			ramh_close(fh->ramh);
			fh->ramh = NULL;
		}
	}
	if (!fh->ramh) {
		vm_unlock();
		goto fail;
	}
	fh->id = vm->nfiles_ever++;
	list_add_tail(&fh->link, &vm->files);
	list_add_tail(&fh->all, &vm_all_files);
	vm_unlock();
	return fh;
fail:
	pagemap_destroy(fh->pagemap);
	free(fh);
	return NULL;
}

int fileh_set_key_id(struct fileh *fh, unsigned id)
{
	int ret = 0;

	vm_lock();
	if (fh->pagemap->count)
		ret = -1;
	else
		fh->id = id;
	vm_unlock();
	return ret;
}

/* pagemap_for_each: the first page, then stop. */
static int first_page(uint64_t key, void *value, void *arg)
{
	(void)key;
	*(struct page **)arg = value;
	return 1;
}

static int collect_page(uint64_t key, void *value, void *arg)
{
	struct page ***pp = arg;

	(void)key;
	*(*pp)++ = value;
	return 0;
}

/* The pages of fh in file-offset order (malloc'd; NULL if none or no
 * memory — then *n is SIZE_MAX). */
static struct page **__fileh_pages(struct fileh *fh, size_t *n)
{
	struct page **v, **p;

	*n = fh->pagemap->count;
	if (*n == 0)
		return NULL;
	v = malloc(*n * sizeof(*v));
	if (!v) {
		*n = SIZE_MAX;
		return NULL;
	}
	p = v;
	pagemap_for_each(fh->pagemap, collect_page, &p);
	BUG_ON((size_t)(p - v) != *n);
	return v;
}

int fileh_close(struct fileh *fh)
{
	struct page **pages;
	size_t n, i, ndirty;
	int store_failed;

	if (!fh)
		return 0;
	if (vm_child_refuses("fileh_close"))
		return -EPERM;
	vm_lock();
	if (!list_empty(&fh->vmas)) {
		vm_unlock();
		fprintf(stderr, "fileh_close: views still mapped; vma_unmap them first\n");
		return -EBUSY;
	}
	while (fh->nloading)
		__vm_wait_loaded();
	ndirty = fh->ndirty;
	store_failed = fh->store_failed;
	pages = __fileh_pages(fh, &n);
	for (i = 0; pages && i < n; i++)
		__page_remove(pages[i]);
	free(pages);
	while (fh->pagemap->count) {	/* no memory for the array: one by one */
		struct page *pg = NULL;

		pagemap_for_each(fh->pagemap, first_page, &pg);
		__page_remove(pg);
	}
	list_del(&fh->link);
	list_del(&fh->all);
	ramh_close(fh->ramh);
	vm_unlock();
	if (ndirty && store_failed)
		fprintf(stderr, "fileh_close: lost %zu dirty pages: their writeout "
			"failed (storeblk)\n", ndirty);
	else if (ndirty)
		fprintf(stderr, "fileh_close: dropped %zu dirty pages that were not written out\n",
			ndirty);
	pagemap_destroy(fh->pagemap);
	free(fh);
	return ndirty && store_failed ? -EIO : 0;
}

/* --- views --------------------------------------------------------------- */

static int __vmas_insert(struct vma *v)
{
	size_t lo = 0, hi = vm_nvmas;

	if (vm_nvmas == vm_vmas_cap) {
		size_t cap = vm_vmas_cap ? 2 * vm_vmas_cap : 16;
		struct vma **t = realloc(vm_vmas, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		vm_vmas = t;
		vm_vmas_cap = cap;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (vm_vmas[mid]->start < v->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(vm_vmas + lo + 1, vm_vmas + lo, (vm_nvmas - lo) * sizeof(*vm_vmas));
	vm_vmas[lo] = v;
	vm_nvmas++;
	return 0;
}

static void __vmas_remove(struct vma *v)
{
	size_t i;

	for (i = 0; i < vm_nvmas; i++)
		if (vm_vmas[i] == v)
			break;
	BUG_ON(i == vm_nvmas);
	memmove(vm_vmas + i, vm_vmas + i + 1, (vm_nvmas - i - 1) * sizeof(*vm_vmas));
	vm_nvmas--;
}

struct vma *__vma_lookup(uintptr_t addr)
{
	size_t lo = 0, hi = vm_nvmas;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		struct vma *v = vm_vmas[mid];

		if (addr < v->start)
			hi = mid;
		else if (addr >= v->stop)
			lo = mid + 1;
		else
			return v;
	}
	return NULL;
}

struct vma *fileh_mmap(struct fileh *fh, uint64_t pgoff, uint64_t npages,
		       char *err, size_t errlen)
{
	size_t ps = vm_pagesize(fh);
	struct vma *v;
	char *base, *start;
	size_t len;

	if (vm_forked) {
		snprintf(err, errlen, "fileh_mmap: refused in a fork()ed child: the virtmem does not follow fork()");
		return NULL;
	}
	if (npages == 0 || npages > (SIZE_MAX >> fh->ram->pageshift) / 2 ||
	    pgoff + npages < pgoff) {
		snprintf(err, errlen, "fileh_mmap: bad range of %" PRIu64 " pages at %" PRIu64,
			 npages, pgoff);
		return NULL;
	}
	/* guard, pages, guard — and room to align to the page size; reserved
	 * first, so a view the address space cannot hold (2^40 pages of 4 KiB
	 * is 4 PiB) says so before the per-page array is asked for */
	len = (npages + 2) * ps + (ps > 4096 ? ps : 0);
	base = vm_reserve_at(NULL, len);
	if (base == MAP_FAILED) {
		snprintf(err, errlen, "fileh_mmap: cannot reserve %zu bytes of address "
			 "space for %" PRIu64 " pages: %s", len, npages, strerror(errno));
		return NULL;
	}
	/* calloc of a large block is a fresh anonymous mapping: only the
	 * entries a fault touches cost memory */
	v = calloc(1, sizeof(*v));
	if (v)
		v->prot = calloc(npages, 1);
	if (!v || !v->prot) {
		munmap(base, len);
		snprintf(err, errlen, "fileh_mmap: out of memory for %" PRIu64 " pages", npages);
		goto fail;
	}
	start = (char *)(((uintptr_t)base + ps + ps - 1) & ~(uintptr_t)(ps - 1));
	/* leave only [start, start + npages * ps) reserved: guards are holes */
	if (start > base)
		munmap(base, (size_t)(start - base));
	if (base + len > start + npages * ps)
		munmap(start + npages * ps, (size_t)(base + len - (start + npages * ps)));
	v->resv = start;
	v->resv_len = npages * ps;
	v->fh = fh;
	v->start = (uintptr_t)start;
	v->stop = v->start + npages * ps;
	v->pgoff = pgoff;
	v->npages = npages;
	vm_lock();
	if (__vmas_insert(v)) {
		vm_unlock();
		munmap(v->resv, v->resv_len);
		snprintf(err, errlen, "fileh_mmap: out of memory");
		goto fail;
	}
	list_add_tail(&v->link, &fh->vmas);
	fh->ram->vm->map_changes++;
	vm_unlock();
	return v;
fail:
	if (v)
		free(v->prot);
	free(v);
	return NULL;
}

void *vma_addr(const struct vma *v)
{
	return (void *)v->start;
}

size_t vma_len(const struct vma *v)
{
	return v->stop - v->start;
}

void vma_unmap(struct vma *v)
{
	if (!v || vm_child_refuses("vma_unmap"))
		return;
	vm_lock();
	__vmas_remove(v);
	list_del(&v->link);
	munmap(v->resv, v->resv_len);
	vm_unlock();
	free(v->prot);
	free(v);
}

/* --- writeout, discard, invalidate --------------------------------------- */

static int cmp_page_pgoff(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a, *y = *(struct page *const *)b;

	return x->pgoff < y->pgoff ? -1 : x->pgoff > y->pgoff;
}

/* The dirty pages of fh in file-offset order: cost O(d log d) in the number
 * of dirty pages d, never the file size. */
static struct page **__fileh_dirty_sorted(struct fileh *fh, size_t *n)
{
	struct page **v;
	struct list_head *p;
	size_t i = 0;

	*n = fh->ndirty;
	if (*n == 0)
		return NULL;
	v = malloc(*n * sizeof(*v));
	if (!v)
		return NULL;
	list_for_each(p, &fh->dirty)
		v[i++] = container_of(p, struct page, dirty);
	BUG_ON(i != *n);
	qsort(v, *n, sizeof(*v), cmp_page_pgoff);
	return v;
}

int fileh_dirty_writeout(struct fileh *fh, unsigned flags)
{
	struct virtmem *vm = fh->ram->vm;
	struct page **pages;
	size_t n, i;
	int ret = 0;

	if (vm_child_refuses("fileh_dirty_writeout"))
		return -EPERM;
	vm_lock();
	pages = __fileh_dirty_sorted(fh, &n);
	if (n && !pages) {
		vm_unlock();
		return -ENOMEM;
	}
	if (flags & WRITEOUT_STORE) {
		for (i = 0; i < n && !ret; i++) {
			struct page *pg = pages[i];
			void *buf = ramh_page_addr(fh->ramh, pg->ramoff);

			if (!buf) {
				ret = -ENOMEM;
				break;
			}
			vm->c.stores++;
			ret = vm_guarded_blk(fh, pg->pgoff, buf, 1);
		}
		fh->store_failed = ret != 0;
	}
	if (!ret && (flags & WRITEOUT_MARKSTORED)) {
		for (i = 0; i < n; i++) {
			struct page *pg = pages[i];
			struct list_head *p;

			__page_mark_clean(pg);
			vm->c.writebacks++;
			list_for_each(p, &fh->vmas) {
				struct vma *v = container_of(p, struct vma, link);
				uint64_t j;

				if (pg->pgoff < v->pgoff || pg->pgoff >= v->pgoff + v->npages)
					continue;
				j = pg->pgoff - v->pgoff;
				if (v->prot[j] == VMA_PROT_RW &&
				    __vma_set_prot(v, j, pg, VMA_PROT_R))
					__vma_reset(v);	/* not writable either way */
			}
		}
	}
	vm_unlock();
	free(pages);
	return ret;
}

void fileh_dirty_discard(struct fileh *fh)
{
	struct page **pages;
	size_t n, i;

	if (vm_child_refuses("fileh_dirty_discard"))
		return;
	vm_lock();
	pages = __fileh_dirty_sorted(fh, &n);
	for (i = 0; pages && i < n; i++)
		__page_remove(pages[i]);
	while (!list_empty(&fh->dirty))	/* no memory to sort: list order */
		__page_remove(container_of(fh->dirty.next, struct page, dirty));
	fh->store_failed = 0;	/* the caller chose to drop them */
	vm_unlock();
	free(pages);
}

void fileh_invalidate_page(struct fileh *fh, uint64_t pgoff)
{
	struct page *pg;

	if (vm_child_refuses("fileh_invalidate_page"))
		return;
	vm_lock();
	pg = pagemap_get(fh->pagemap, pgoff);
	if (pg) {
		if (pg->state == PAGE_LOADING)
			pg->state = PAGE_LOADING_INVALIDATED;	/* the loader drops it */
		else if (pg->state != PAGE_LOADING_INVALIDATED)
			__page_remove(pg);
	}
	vm_unlock();
}

/* --- sampling and counters -------------------------------------------------- */

static void __ram_sample(struct virtmem *vm)
{
	struct fileh *fh;

	vm->map_changes += UINT64_C(1) << 32;
	list_for_each_entry_fileh(fh, vm) {
		struct list_head *p;

		list_for_each(p, &fh->vmas) {
			struct vma *v = container_of(p, struct vma, link);
			uint64_t i;

			/* one call for the whole view: reserved holes stay NONE */
			if (vm_mmap_fails() ||
			    ram_sys_mprotect((void *)v->start, v->stop - v->start, PROT_NONE) < 0) {
				__vma_reset(v);
				continue;
			}
			for (i = 0; i < v->npages; i++)
				if (v->prot[i] != VMA_PROT_NONE)
					v->prot[i] |= VMA_PROT_SAMPLED;
		}
	}
}

void ram_sample(struct ram *ram)
{
	if (vm_child_refuses("ram_sample"))
		return;
	vm_lock();
	__ram_sample(ram->vm);
	vm_unlock();
}

void ram_access_tick(struct ram *ram)
{
	struct virtmem *vm = ram->vm;

	vm_lock();
	vm->c.accesses++;
	if (vm->sample_every && !vm_forked && ++vm->ticks % vm->sample_every == 0)
		__ram_sample(vm);
	vm_unlock();
}

/*
 * The PROCMAP_QUERY ioctl on /proc/self/maps (Linux 6.11): the kernel VMA
 * covering an address, or the next one, without formatting the whole map.
 * The layout of linux/fs.h's struct procmap_query (older headers lack it;
 * its size is part of the ioctl number).
 */
struct vm_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;		/* 0: no name wanted */
	uint32_t build_id_size;		/* 0: no build id wanted */
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define VM_PROCMAP_QUERY _IOWR('f', 17, struct vm_procmap_query)
#define VM_PROCMAP_COVERING_OR_NEXT 0x10

static int vm_maps_fd = -1;		/* /proc/self/maps for the ioctl */
static pid_t vm_maps_pid;		/* the process it was opened in */
static int vm_maps_noquery;		/* the kernel lacks PROCMAP_QUERY */
static long vm_maps_last;		/* the last count */

/* Above this many VMAs, formatting the whole map costs less than an
 * ioctl per VMA (about 0.2 us against 1 us per VMA). */
#define VM_QUERY_MAX 256

/* Count by PROCMAP_QUERY: the count, or -1 if the ioctl is not there. */
static long count_kernel_vmas_query(const uintptr_t *lo, const uintptr_t *hi, size_t n)
{
	long count = 0;

	if (vm_maps_noquery || vm_maps_last > VM_QUERY_MAX)
		return -1;
	if (vm_maps_fd < 0 || vm_maps_pid != getpid()) {
		if (vm_maps_fd >= 0)
			close(vm_maps_fd);
		vm_maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
		vm_maps_pid = getpid();
		if (vm_maps_fd < 0)
			return -1;
	}
	for (size_t k = 0; k < n; k++) {
		uint64_t addr = lo[k];

		while (addr < hi[k]) {
			struct vm_procmap_query q = {
				.size = sizeof(q),
				.query_flags = VM_PROCMAP_COVERING_OR_NEXT,
				.query_addr = addr,
			};

			if (ioctl(vm_maps_fd, VM_PROCMAP_QUERY, &q) < 0) {
				if (errno == ENOENT)
					break;		/* nothing mapped above */
				vm_maps_noquery = 1;
				return -1;
			}
			if (q.vma_start >= hi[k])
				break;
			count++;
			addr = q.vma_end;
		}
	}
	return count;
}

static uint64_t parse_hex(const char **s)
{
	uint64_t v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

/* Count the kernel VMAs of /proc/self/maps that intersect [lo[k], hi[k]);
 * the ranges are disjoint (views never overlap). */
static long count_kernel_vmas(const uintptr_t *lo, const uintptr_t *hi, size_t n)
{
	char buf[65536];
	size_t have = 0;
	long count = count_kernel_vmas_query(lo, hi, n);
	int eof = 0, fd;

	if (count >= 0)
		return vm_maps_last = count;
	count = 0;
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (!eof || have) {
		char *nl;

		if (!eof) {
			ssize_t r = read(fd, buf + have, sizeof(buf) - have);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				count = -errno;
				break;
			}
			if (r == 0)
				eof = 1;
			have += (size_t)r;
		}
		while ((nl = memchr(buf, '\n', have)) || (eof && have)) {
			size_t linelen = nl ? (size_t)(nl - buf) + 1 : have;
			const char *p = buf;
			uint64_t s, e;
			size_t k;

			buf[linelen - 1] = 0;
			s = parse_hex(&p);
			e = *p == '-' ? (p++, parse_hex(&p)) : 0;
			if (e > s)
				for (k = 0; k < n; k++)
					if (s < hi[k] && e > lo[k]) {
						count++;
						break;
					}
			memmove(buf, buf + linelen, have - linelen);
			have -= linelen;
		}
	}
	close(fd);
	if (count >= 0)
		vm_maps_last = count;
	return count;
}

static long __kernel_vmas(struct virtmem *vm, struct vma *only)
{
	uintptr_t *lo, *hi;
	size_t n = 0, cap = 0;
	struct fileh *fh;
	long ret;

	list_for_each_entry_fileh(fh, vm) {
		struct list_head *p;
		list_for_each(p, &fh->vmas)
			cap++;
	}
	lo = malloc((cap + 1) * sizeof(*lo));
	hi = malloc((cap + 1) * sizeof(*hi));
	if (!lo || !hi) {
		free(lo);
		free(hi);
		return -ENOMEM;
	}
	list_for_each_entry_fileh(fh, vm) {
		struct list_head *p;

		list_for_each(p, &fh->vmas) {
			struct vma *v = container_of(p, struct vma, link);

			if (only && v != only)
				continue;
			lo[n] = v->start;
			hi[n++] = v->stop;
		}
	}
	ret = count_kernel_vmas(lo, hi, n);
	free(lo);
	free(hi);
	if (ret >= 0) {
		if (!only)
			vm->c.vmas = (uint64_t)ret;
		if ((uint64_t)ret > vm->c.vmas_peak)
			vm->c.vmas_peak = (uint64_t)ret;
	}
	return ret;
}

long ram_kernel_vmas(struct ram *ram)
{
	long n;

	vm_lock();
	n = __kernel_vmas(ram->vm, NULL);
	vm_unlock();
	return n;
}

uint64_t ram_map_changes(struct ram *ram)
{
	uint64_t n;

	vm_lock();
	n = ram->vm->map_changes;
	vm_unlock();
	return n;
}

long vma_kernel_vmas(struct vma *v)
{
	long n;

	vm_lock();
	n = __kernel_vmas(v->fh->ram->vm, v);
	vm_unlock();
	return n;
}

void ram_counters(struct ram *ram, struct counters *c)
{
	vm_lock();
	__kernel_vmas(ram->vm, NULL);
	ram->vm->c.ram_pages_peak = ram->npages_peak;
	*c = ram->vm->c;
	vm_unlock();
}

void ram_counters_nomaps(struct ram *ram, struct counters *c)
{
	vm_lock();
	ram->vm->c.ram_pages_peak = ram->npages_peak;
	*c = ram->vm->c;
	vm_unlock();
}

void ram_counters_reset(struct ram *ram)
{
	vm_lock();
	memset(&ram->vm->c, 0, sizeof(ram->vm->c));
	ram->npages_peak = ram->npages;
	vm_unlock();
}

/* --- introspection ------------------------------------------------------- */

enum page_state fileh_page_state(struct fileh *fh, uint64_t pgoff)
{
	struct page *pg;
	enum page_state s;

	vm_lock();
	pg = pagemap_get(fh->pagemap, pgoff);
	s = pg ? pg->state : PAGE_EMPTY;
	vm_unlock();
	return s;
}

uint64_t fileh_page_ramoff(struct fileh *fh, uint64_t pgoff)
{
	struct page *pg;
	uint64_t off;

	vm_lock();
	pg = pagemap_get(fh->pagemap, pgoff);
	off = pg ? pg->ramoff : UINT64_MAX;
	vm_unlock();
	return off;
}

int vma_page_prot(struct vma *v, uint64_t i)
{
	int prot;

	vm_lock();
	prot = i < v->npages ? v->prot[i] : -1;
	vm_unlock();
	return prot;
}

size_t fileh_dirty_list(struct fileh *fh, uint64_t *out, size_t n)
{
	struct list_head *p;
	size_t i = 0;

	vm_lock();
	list_for_each(p, &fh->dirty) {
		if (i < n)
			out[i] = container_of(p, struct page, dirty)->pgoff;
		i++;
	}
	vm_unlock();
	return i;
}

size_t fileh_npages(struct fileh *fh)
{
	size_t n;

	vm_lock();
	n = fh->pagemap->count;
	vm_unlock();
	return n;
}

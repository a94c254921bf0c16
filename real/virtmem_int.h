/*
 * real/virtmem_int.h — internals shared by virtmem.c and fault.c (not an API).
 *
 * Naming: __foo() needs the virtmem lock held (vm_lock()).
 */
#ifndef PAGELAB_REAL_VIRTMEM_INT_H
#define PAGELAB_REAL_VIRTMEM_INT_H

#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"
#include "policies/pagemap.h"
#include "policies/reclaim.h"
#include "real/virtmem.h"

/* The engine state of one RAM. */
struct virtmem {
	struct ram *ram;
	struct reclaim *reclaim;	/* created at the first fileh_open */
	char reclaim_spec[64];
	unsigned reclaim_batch;
	uint64_t seed;			/* of the reclaim policy */
	uint64_t sample_every;		/* sampled:N; 0 = faults only */
	uint64_t ticks;
	uint64_t map_changes;		/* ram_map_changes */
	struct counters c;
	struct list_head files;
	unsigned nfiles_ever;		/* file ids for RPAGE_KEY */
};

struct fileh {
	struct list_head link;		/* in virtmem.files */
	struct list_head all;		/* in the list of every file handle */
	struct ram *ram;
	struct bigfile *file;
	struct ramh *ramh;
	struct pagemap *pagemap;	/* pgoff -> struct page */
	struct list_head dirty;		/* struct page.dirty, dirtying order */
	size_t ndirty;
	int store_failed;		/* the last writeout's storeblk failed */
	size_t nloading;
	struct list_head vmas;		/* struct vma.link */
	unsigned id;
};

struct page {
	struct rpage rp;		/* reclaim policy node (key, flags) */
	struct fileh *fh;
	uint64_t pgoff;
	uint64_t ramoff;
	enum page_state state;
	struct list_head dirty;		/* on fh->dirty when DIRTY */
};

struct vma {
	struct list_head link;		/* in fileh.vmas */
	struct fileh *fh;
	uintptr_t start, stop;		/* [start, stop): npages pages */
	uint64_t pgoff, npages;
	uint8_t *prot;			/* VMA_PROT_* per page */
	void *resv;			/* the whole reservation (with guards) */
	size_t resv_len;
};

/* for (each struct fileh *fh of struct virtmem *vm) */
#define list_for_each_entry_fileh(fh, vm)                                  \
	for (struct list_head *fl_ = (vm)->files.next;                     \
	     fl_ != &(vm)->files && ((fh) = container_of(fl_, struct fileh, link), 1); \
	     fl_ = fl_->next)

/* The process-wide lock and the condition loads signal on. */
extern pthread_mutex_t vm_mutex;
extern pthread_cond_t vm_loaded;
extern __thread int vm_tls_locked;		/* this thread holds vm_mutex */
extern __thread sigjmp_buf *vm_tls_guard;	/* inside loadblk/storeblk */

extern int vm_forked;			/* this process is a fork()ed child */
int vm_atfork_register(void);

void vm_lock(void);
void vm_unlock(void);
/* Wait for a load to finish (drops and retakes the lock). */
void __vm_wait_loaded(void);

/* The VMA containing addr, or NULL. */
struct vma *__vma_lookup(uintptr_t addr);

static inline size_t vm_pagesize(const struct fileh *fh)
{
	return fh->ram->pagesize;
}
static inline void *vma_page_addr(const struct vma *v, uint64_t i)
{
	return (void *)(v->start + (i << v->fh->ram->pageshift));
}

/* Change page i of v to prot (VMA_PROT_*), mapping pg (may be NULL only for
 * NONE).  At the map-count limit it unmaps whole VMAs to make room and
 * retries.  0, or -ENOMEM when even that fails. */
int __vma_set_prot(struct vma *v, uint64_t i, struct page *pg, int prot);
/* Make pg DIRTY (dirty list, unevictable); no mapping change. */
void __page_mark_dirty(struct page *pg);
/* Evict up to one batch of clean pages; how many were freed. */
size_t __vm_reclaim(struct virtmem *vm, const struct reclaim_ctx *ctx);
/* A page that never became resident (LOADING) leaves: pagemap, RAM. */
void __page_abort_load(struct page *pg);
/* Call loadblk (store = 0) or storeblk of blk with buf under a guard: a
 * fault on our own memory inside it becomes -EFAULT. */
int vm_guarded_blk(struct fileh *fh, uint64_t blk, void *buf, int store);

/* fault.c */
int vm_fault_install(char *err, size_t errlen);
/* errno-safe message to stderr with write(2) (usable in the handler). */
void vm_say(const char *a, const char *b, const char *c);

#endif

/*
 * real/virtmem.h — the real userspace virtual-memory manager.
 *
 * A BigFile is opened through a RAM into a file handle (fileh), and views of
 * it are mapped into the address space (struct vma).  Nothing is mapped at
 * first; the SIGSEGV handler (real/fault.c) loads pages on first touch,
 * maps them read-only for a read and read-write (dirty) for a write.  Dirty
 * pages are written back with fileh_dirty_writeout or thrown away with
 * fileh_dirty_discard; clean pages are reclaimed through the RAM's reclaim
 * policy when the RAM is full.  The exact order of policy calls and what each
 * counter means: docs/ENGINE.md.  Design notes: the opening of virtmem.c.
 *
 * Thread safety: every function here may be called from any thread; one
 * process-wide lock serialises them with the fault handler.  Not from a
 * signal handler, and not from loadblk/storeblk.
 */
#ifndef PAGELAB_REAL_VIRTMEM_H
#define PAGELAB_REAL_VIRTMEM_H

#include <stddef.h>
#include <stdint.h>

#include "common/counters.h"
#include "real/bigfile.h"
#include "real/ram.h"

/* Page states. */
enum page_state {
	PAGE_EMPTY,			/* not in RAM (no struct page) */
	PAGE_LOADING,			/* loadblk running; faulting threads wait */
	PAGE_LOADING_INVALIDATED,	/* invalidated while loading: result dropped */
	PAGE_LOADED,			/* in RAM, clean */
	PAGE_DIRTY,			/* in RAM, modified, on the dirty list */
};

/* Per-page protection inside one VMA (vma_page_prot). */
#define VMA_PROT_NONE		0
#define VMA_PROT_R		1
#define VMA_PROT_RW		2
#define VMA_PROT_SAMPLED	0x80	/* mapped, protected by the sampler */

/* fileh_dirty_writeout flags. */
#define WRITEOUT_STORE		0x1u	/* storeblk every dirty page */
#define WRITEOUT_MARKSTORED	0x2u	/* then make them clean and read-only */

struct fileh;
struct vma;

/*
 * The RAM's engine settings: size limit in pages (0: none — then reclaim
 * happens only when the RAM itself is full), reclaim policy spec (NULL: the
 * default), pages freed per reclaim (0: 1), observation mode "faults" or
 * "sampled:N" (NULL: faults; "full" is refused: the real engine cannot see
 * accesses that do not fault).  Only before the first fileh_open on the RAM.
 * 0, or -1 and a one-line message.
 */
int ram_configure(struct ram *ram, uint64_t npages_limit, const char *reclaim_spec,
		  unsigned reclaim_batch, const char *observe, char *err, size_t errlen);

/* Seed of a randomized reclaim policy (default 1).  Only before the first
 * fileh_open on the RAM; 0, or -1 and a message. */
int ram_set_seed(struct ram *ram, uint64_t seed, char *err, size_t errlen);

/* Policy specs per file handle; NULL members (or a NULL struct) mean the
 * defaults (virtmem_default_policy). */
struct virtmem_policies {
	const char *pagemap;	/* "radix" */
	const char *alloc;	/* "vmem": RAM page offsets */
};

/* The default spec of a policy kind ("pagemap", "alloc", "reclaim"). */
const char *virtmem_default_policy(const char *kind);

/* Open file through ram.  The file is not owned (release it after close).
 * NULL and a message on error. */
struct fileh *fileh_open(struct bigfile *file, struct ram *ram,
			 const struct virtmem_policies *pol, char *err, size_t errlen);

/* The file number in the reclaim keys of fh's pages, RPAGE_KEY(id, pgoff)
 * (default: the order of fileh_open on the RAM, from 0).  A replayer gives
 * the trace's file number so keys equal the simulator's.  Only while fh has
 * no page in RAM; 0, or -1 (pages resident). */
int fileh_set_key_id(struct fileh *fh, unsigned id);

/* Close: every VMA must be unmapped first (else -EBUSY and a message); waits
 * for loads in flight; drops every page.  Dirty pages not written out are
 * dropped with a warning on stderr naming how many; if the last writeout's
 * storeblk failed, they are lost data: -EIO and "lost N dirty pages". */
int fileh_close(struct fileh *fh);

/* Map file pages [pgoff, pgoff + npages) at a new address range, nothing
 * mapped yet.  NULL and a message on error. */
struct vma *fileh_mmap(struct fileh *fh, uint64_t pgoff, uint64_t npages,
		       char *err, size_t errlen);
void *vma_addr(const struct vma *v);
size_t vma_len(const struct vma *v);
/* Unmap the view; pages stay in RAM, dirty ones with their content. */
void vma_unmap(struct vma *v);

/* Writeout: STORE calls storeblk for every dirty page in file-offset order
 * (the first error stops it and is returned, every page stays dirty);
 * MARKSTORED (after all stores succeeded) makes them clean and read-only.
 * 0 or -errno. */
int fileh_dirty_writeout(struct fileh *fh, unsigned flags);
/* Drop every dirty page (its content is lost on purpose). */
void fileh_dirty_discard(struct fileh *fh);
/* Forget page pgoff: unmapped everywhere, dropped, dirty or not; the next
 * access loads it afresh.  A load in flight has its result dropped. */
void fileh_invalidate_page(struct fileh *fh, uint64_t pgoff);

/* Evict one batch of clean pages through the reclaim policy; how many were
 * freed. */
size_t ram_reclaim(struct ram *ram);

/* Sampler (observation sampled:N): protect every mapped page of every VMA
 * on ram, so the next use of each is a ref fault.  ram_access_tick counts
 * one application access (a replayer calls it per access) and samples after
 * every N-th. */
void ram_sample(struct ram *ram);
void ram_access_tick(struct ram *ram);

/* Counters of ram (docs/ENGINE.md); vmas and vmas_peak are read from
 * /proc/self/maps now. */
void ram_counters(struct ram *ram, struct counters *c);
void ram_counters_reset(struct ram *ram);
/* The same without reading /proc/self/maps: vmas and vmas_peak as of the
 * last count (cheap: a replayer calls it after every access). */
void ram_counters_nomaps(struct ram *ram, struct counters *c);
/* Why the last fault of this thread that became SIGBUS failed (a static
 * string, e.g. "RAM too small for the dirty working set ..."), or NULL. */
const char *virtmem_fault_error(void);
/* A caller that catches SIGBUS and reports virtmem_fault_error() itself
 * (the replayer: one line per failure) turns off the line the fault
 * handler otherwise writes to stderr before raising SIGBUS (on = 1). */
void virtmem_sigbus_quiet(int on);
/* Kernel VMAs in the address ranges of all VMAs on ram, or of one VMA;
 * -errno if /proc/self/maps cannot be read. */
long ram_kernel_vmas(struct ram *ram);
/* Mapping changes made so far, weighted so that the kernel VMA count in
 * our ranges can have grown by at most twice the increase since an earlier
 * reading (one page's mapping changes at most split one kernel VMA in
 * three; a new view is one VMA; a sampling counts 2^32).  A replayer reads
 * /proc/self/maps only when the count could have passed its peak. */
uint64_t ram_map_changes(struct ram *ram);
long vma_kernel_vmas(struct vma *v);

/* --- introspection (tests, the replayer) -------------------------------- */
enum page_state fileh_page_state(struct fileh *fh, uint64_t pgoff);
/* RAM offset of a resident page, or UINT64_MAX. */
uint64_t fileh_page_ramoff(struct fileh *fh, uint64_t pgoff);
/* VMA_PROT_* of page i of v. */
int vma_page_prot(struct vma *v, uint64_t i);
/* The dirty list in dirtying order: up to n pgoffs into out; the length. */
size_t fileh_dirty_list(struct fileh *fh, uint64_t *out, size_t n);
/* Resident pages of fh. */
size_t fileh_npages(struct fileh *fh);

/* --- fault injection (tests) --------------------------------------------- */
/* The next n mmap/mprotect calls the engine makes fail with ENOMEM, as at
 * vm.max_map_count (0: off). */
void virtmem_test_mmap_enomem(uint64_t n);

/* --- for real/ram.c ------------------------------------------------------- */
int virtmem_ram_init(struct ram *ram, char *err, size_t errlen);
/* -EBUSY (nothing done) while file handles are open. */
int virtmem_ram_fini(struct ram *ram);

#endif

/*
 * sim/sim.c — the simulator engine (model and rules: sim/sim.h and
 * docs/ENGINE.md, which this file follows step by step).
 *
 * Hot path: an access whose page-table word already grants the access is a
 * hit — one load, one bit test, and under `full` observation one call to
 * reclaim.hit().  Everything else (faults, reclaim, events other than
 * accesses) is out of line.  Nothing is allocated per access: pages come
 * from a free list refilled in chunks, page tables are allocated at mmap.
 */
#include "sim/sim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bug.h"
#include "common/errmsg.h"
#include "common/hugemem.h"
#include "common/list.h"
#include "common/mem.h"
#include "policies/alloc.h"
#include "policies/pagemap.h"
#include "policies/reclaim.h"

/* Page-table word bits (the page pointer is 8-byte aligned). */
#define PTE_R 0x1u		/* readable now */
#define PTE_W 0x2u		/* writable now */
#define PTE_S 0x4u		/* mapped, protected by the sampler */
#define PTE_H 0x8u		/* 4 KiB pages: the RAM offset equals the pgoff (the hint held) */
#define PTE_PROT (PTE_R | PTE_W | PTE_S)
#define PTE_BITS 0xfu

/*
 * A page in RAM: the policy's node and one word of ours, one cache line.
 * Free pages are linked through rp.link.next.
 */
struct __attribute__((aligned(64))) sim_page {
	struct rpage rp;		/* policy metadata */
	uint64_t w;			/* PG_DIRTY | nmapped << 1 | ramoff << 24 */
};
_Static_assert(sizeof(struct sim_page) == 64, "a page is one cache line");

/* sim_page.w: one word, so that the hot updates are one add or one mask
 * (bit-fields cost a read-modify-write of several instructions each). */
#define PG_DIRTY	1ull				/* DIRTY (else LOADED) */
#define PG_NMAP_ONE	2ull				/* page-table words pointing here */
#define PG_NMAP_MASK	((((uint64_t)1 << 23) - 1) << 1)
#define PG_RAMOFF_SHIFT	24				/* offset in the file's RAM handle */
_Static_assert(SIM_MAX_VMAS <= (PG_NMAP_MASK >> 1), "nmapped cannot overflow");
_Static_assert(SIM_ARENA_PAGES == (uint64_t)1 << (64 - PG_RAMOFF_SHIFT), "ramoff fits");

static inline uint64_t page_ramoff(const struct sim_page *pg)
{
	return pg->w >> PG_RAMOFF_SHIFT;
}

static inline uint64_t page_nmapped(const struct sim_page *pg)
{
	return (pg->w & PG_NMAP_MASK) >> 1;
}

static inline int page_dirty(const struct sim_page *pg)
{
	return (int)(pg->w & PG_DIRTY);
}

struct sim_file {
	uint32_t id;
	struct pagemap *pm;		/* pgoff -> struct sim_page */
	struct alloc *alloc;		/* RAM offsets over [0, 2^40) */
	struct list_head vmas;		/* live VMAs of this file */
	struct sim_page **dirtyv;	/* DIRTY pages, in no particular order */
	size_t ndirty, dirty_cap;
	uint32_t nvmas;			/* live VMAs */
	uint64_t norphans;		/* resident pages no VMA maps */
};

struct sim_vma {
	uint32_t id;
	struct sim_file *file;
	uint64_t pgoff, npages;
	uint64_t nmapped;		/* non-zero page-table words */
	uint64_t kvmas;			/* kernel VMAs of this range now */
	uint64_t hi;			/* 1 + the highest index ever mapped */
	struct list_head file_link;
	uintptr_t *pte;			/* npages words */
};

/* Pages a sampling must protect: every (vma id, index) whose word became
 * readable since the last sampling; entries may be stale (checked). */
struct sample_ref {
	uint32_t vma;
	uint64_t idx;
};

#define PAGE_CHUNK_MAX 32768	/* pages per chunk: 2 MiB, one huge page */

/* A chunk of struct sim_page. */
struct page_chunk {
	struct sim_page *pages;
	size_t npages;
};

struct sim {
	struct counters c;
	struct reclaim *reclaim;
	const char *pagemap_spec, *alloc_spec;
	uint64_t ram_pages, nres;
	uint32_t batch;
	int full;			/* hit() calls */
	int huge;			/* mapped pages never join */
	/* reclaim.hint or NULL, and the victim it last named */
	const struct rpage *(*hint)(const struct reclaim *, uint64_t);
	const struct rpage *hinted;
	uint64_t nonhint;		/* resident pages whose RAM offset is not their pgoff */
	int future;			/* pass next_use to the policy (OPT) */
	const uint64_t *next_use;
	uint64_t nnext;
	uint64_t sample_interval, sample_left;	/* 0: no sampling */

	struct sim_vma **vmas;		/* by id */
	uint32_t nvma_ids;
	struct sim_file **files;	/* by id */
	uint32_t nfile_ids;

	struct sim_page *free_pages;	/* linked through rp.link.next */
	struct page_chunk *chunks;
	size_t nchunks, chunk_cap;
	uint64_t npages_made;		/* pages in all chunks (<= ram_pages) */

	struct sample_ref *samples;
	size_t nsamples, samples_cap;

	int failed;
	char *err;			/* sim_apply's message buffer, for load_fault */
	size_t errlen;
};

/* The policies' memory (docs/ENGINE.md "Memory") and each file's RAM
 * offsets: [0, 2^40) in pages. */
static const struct pagemap_params sim_pagemap_params = { .mem = &mem_default };
static const struct alloc_params sim_alloc_params = {
	.base = 0, .size = SIM_ARENA_PAGES, .quantum = 1, .mem = &mem_default,
};

static inline struct sim_page *pte_page(uintptr_t pte)
{
	return (struct sim_page *)(pte & ~(uintptr_t)PTE_BITS);
}

static int fail(struct sim *s, char *err, size_t errlen, uint64_t idx,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(struct sim *s, char *err, size_t errlen, uint64_t idx,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errmsg_event(err, errlen, idx, fmt, ap);
	va_end(ap);
	s->failed = 1;
	return -1;
}

/* ---- kernel VMA count ---------------------------------------------------- */

/*
 * Do adjacent words a (page i-1) and b (page i) share one kernel VMA?
 * Both unmapped, or both mapped with the same protection and RAM offsets
 * differing by one (never with huge pages).  Their pgoffs differ by one,
 * so two pages whose hint held (PTE_H, never set for huge pages) have
 * contiguous RAM offsets without looking at them.
 *
 * pte_join_mapped_as is the second half alone.  Neighbours are mapped or
 * not at random, so it is computed without branches; while every resident
 * page's hint held (s->nonhint == 0, the usual case: `hinted`) PTE_H alone
 * decides.  With b a constant 0 it folds to 0.
 */
static inline __attribute__((always_inline)) int
pte_join_mapped_as(const struct sim *s, uintptr_t a, uintptr_t b,
		   const int hinted)
{
	int same;

	if (hinted)	/* s->nonhint == 0 */
		return (int)((a & b & PTE_H) / PTE_H) & !((a ^ b) & PTE_PROT);
	same = (a != 0) & (b != 0) & !((a ^ b) & PTE_PROT) & !s->huge;
	if (same & !(a & b & PTE_H))
		return page_ramoff(pte_page(b)) == page_ramoff(pte_page(a)) + 1;
	return same;
}

static inline int pte_join(const struct sim *s, uintptr_t a, uintptr_t b)
{
	return (s->nonhint ? pte_join_mapped_as(s, a, b, 0) :
			     pte_join_mapped_as(s, a, b, 1)) | !(a | b);
}

static void sample_push(struct sim *s, uint32_t vma, uint64_t idx);

/*
 * Set word i of v from old (its value) to nw, keeping the kernel VMA count
 * and the sampler's list.  Each neighbour n changes the count by
 * join(n, nw) - join(n, old); the both-unmapped half of join is written
 * out so that a constant old or nw (a load maps an unmapped word, an
 * eviction unmaps one) folds it away.
 */
static inline __attribute__((always_inline)) int64_t
pte_joins_delta(const struct sim *s, const struct sim_vma *v, uint64_t i,
		uintptr_t old, uintptr_t nw, const int hinted)
{
	const uintptr_t *pte = v->pte;
	int64_t d = 0, unmapped_d = (nw == 0) - (old == 0);

	if (likely(i > 0)) {
		uintptr_t p = pte[i - 1];
		d += pte_join_mapped_as(s, p, nw, hinted) -
		     pte_join_mapped_as(s, p, old, hinted) + (p == 0) * unmapped_d;
	}
	if (likely(i + 1 < v->npages)) {
		uintptr_t q = pte[i + 1];
		d += pte_join_mapped_as(s, nw, q, hinted) -
		     pte_join_mapped_as(s, old, q, hinted) + (q == 0) * unmapped_d;
	}
	return d;
}

static inline __attribute__((always_inline)) void
set_pte_from(struct sim *s, struct sim_vma *v, uint64_t i, uintptr_t old,
	     uintptr_t nw)
{
	uintptr_t *pte = v->pte;
	int64_t d = likely(!s->nonhint) ? pte_joins_delta(s, v, i, old, nw, 1) :
					  pte_joins_delta(s, v, i, old, nw, 0);

	v->kvmas -= (uint64_t)d;
	s->c.vmas -= (uint64_t)d;
	v->nmapped += (uint64_t)((nw != 0) - (old != 0));
	pte[i] = nw;
	if (unlikely(i >= v->hi))
		v->hi = i + 1;
	if (s->sample_interval && (nw & (PTE_R | PTE_W)) &&
	    !(old & (PTE_R | PTE_W)))
		sample_push(s, v->id, i);
}

static inline void set_pte(struct sim *s, struct sim_vma *v, uint64_t i, uintptr_t nw)
{
	set_pte_from(s, v, i, v->pte[i], nw);
}

static inline void note_vmas_peak(struct sim *s)
{
	if (s->c.vmas > s->c.vmas_peak)
		s->c.vmas_peak = s->c.vmas;
}

/* ---- sampling ---------------------------------------------------------- */

static void sample_push(struct sim *s, uint32_t vma, uint64_t idx)
{
	if (s->nsamples == s->samples_cap) {
		size_t cap = s->samples_cap ? 2 * s->samples_cap : 1024;
		struct sample_ref *n = realloc(s->samples, cap * sizeof(*n));
		/* Out of memory here would lose track of a mapped page: the
		 * run cannot continue meaningfully. */
		BUG_ON(!n);
		s->samples = n;
		s->samples_cap = cap;
	}
	s->samples[s->nsamples++] = (struct sample_ref){ vma, idx };
}

/* Protect every mapped page of every VMA (docs/ENGINE.md sampled:N). */
static void sample_all(struct sim *s)
{
	size_t n = s->nsamples;

	s->nsamples = 0;	/* set_pte below pushes nothing: S is not readable */
	for (size_t k = 0; k < n; k++) {
		struct sample_ref *sr = &s->samples[k];
		struct sim_vma *v = sr->vma < s->nvma_ids ? s->vmas[sr->vma] : NULL;
		uintptr_t pte;

		if (!v || sr->idx >= v->npages)
			continue;
		pte = v->pte[sr->idx];
		if (pte & (PTE_R | PTE_W))
			set_pte(s, v, sr->idx, (pte & ~(uintptr_t)(PTE_R | PTE_W)) | PTE_S);
	}
	note_vmas_peak(s);
}

/* ---- pages --------------------------------------------------------------- */

/* Pages per chunk: at most PAGE_CHUNK_MAX and never more than RAM still
 * needs (no page beyond ram_pages is ever in use at once). */
static size_t page_chunk_pages(const struct sim *s)
{
	uint64_t left = s->ram_pages > s->npages_made ?
			s->ram_pages - s->npages_made : 0;

	if (left == 0)
		left = 64;	/* not expected: nres <= ram_pages */
	return left < PAGE_CHUNK_MAX ? (size_t)left : PAGE_CHUNK_MAX;
}

/* Add a chunk of pages to the free list.  0, or -1 when out of memory. */
static __attribute__((noinline, cold)) int page_refill(struct sim *s)
{
	struct sim_page *chunk;
	size_t n = page_chunk_pages(s);

	if (s->nchunks == s->chunk_cap) {
		size_t cap = s->chunk_cap ? 2 * s->chunk_cap : 16;
		struct page_chunk *nc = realloc(s->chunks, cap * sizeof(*nc));
		if (!nc)
			return -1;
		s->chunks = nc;
		s->chunk_cap = cap;
	}
	/* read at random: on huge pages (common/hugemem.h) */
	chunk = hugemem_alloc(n * sizeof(*chunk), true);
	if (!chunk)
		return -1;
	s->chunks[s->nchunks++] = (struct page_chunk){ chunk, n };
	s->npages_made += n;
	for (size_t i = n; i-- > 0;) {
		chunk[i].rp.link.next = (struct list_head *)s->free_pages;
		s->free_pages = &chunk[i];
	}
	return 0;
}

static inline struct sim_page *page_get(struct sim *s)
{
	struct sim_page *pg;

	if (unlikely(!s->free_pages) && page_refill(s))
		return NULL;
	pg = s->free_pages;
	s->free_pages = (struct sim_page *)pg->rp.link.next;
	return pg;
}

static void page_put(struct sim *s, struct sim_page *pg)
{
	pg->rp.link.next = (struct list_head *)s->free_pages;
	s->free_pages = pg;
}

static inline struct sim_file *page_file(const struct sim *s,
					 const struct sim_page *pg)
{
	return s->files[pg->rp.key >> 40];
}

static inline uint64_t page_pgoff(const struct sim_page *pg)
{
	return pg->rp.key & (SIM_ARENA_PAGES - 1);
}

/* The page-table word mapping pg (at ramoff, file page pgoff) with
 * protection prot. */
static inline uintptr_t mkpte_at(const struct sim *s, const struct sim_page *pg,
				 unsigned prot, uint64_t ramoff, uint64_t pgoff)
{
	return (uintptr_t)pg | prot | (!s->huge && ramoff == pgoff ? PTE_H : 0);
}

static inline uintptr_t mkpte(const struct sim *s, const struct sim_page *pg,
			      unsigned prot)
{
	return mkpte_at(s, pg, prot, page_ramoff(pg), page_pgoff(pg));
}

/* One more / one fewer VMA maps pg (resident pages mapped nowhere are the
 * file's orphans). */
static inline void page_mapped(struct sim_file *f, struct sim_page *pg)
{
	uint64_t w = pg->w;

	pg->w = w + PG_NMAP_ONE;
	if (!(w & PG_NMAP_MASK))
		f->norphans--;
}

static inline void page_unmapped(struct sim_file *f, struct sim_page *pg)
{
	uint64_t w = pg->w - PG_NMAP_ONE;

	pg->w = w;
	if (!(w & PG_NMAP_MASK))
		f->norphans++;
}

/* pg becomes DIRTY (unevictable, on f's dirty set).  0, or -1 when out
 * of memory for the dirty set. */
static int make_dirty(struct sim_file *f, struct sim_page *pg)
{
	if (page_dirty(pg))
		return 0;
	if (f->ndirty == f->dirty_cap) {
		size_t cap = f->dirty_cap ? 2 * f->dirty_cap : 64;
		struct sim_page **n = realloc(f->dirtyv, cap * sizeof(*n));
		if (!n)
			return -1;
		f->dirtyv = n;
		f->dirty_cap = cap;
	}
	f->dirtyv[f->ndirty++] = pg;
	pg->w |= PG_DIRTY;
	pg->rp.flags |= RPAGE_UNEVICTABLE;
	return 0;
}

/* pg leaves f's dirty set and becomes LOADED (O(dirty pages); only
 * invalidate of a dirty page does this for one page). */
static void dirty_forget(struct sim_file *f, struct sim_page *pg)
{
	for (size_t k = 0; k < f->ndirty; k++) {
		if (f->dirtyv[k] == pg) {
			f->dirtyv[k] = f->dirtyv[--f->ndirty];
			pg->w &= ~PG_DIRTY;
			pg->rp.flags &= ~RPAGE_UNEVICTABLE;
			return;
		}
	}
	BUG();	/* a DIRTY page not in its file's dirty set */
}

/* The VMA over f when it has exactly one (the common case), else NULL. */
static inline struct sim_vma *file_sole_vma(const struct sim_file *f)
{
	return f->nvmas == 1 ? container_of(f->vmas.next, struct sim_vma, file_link)
			     : NULL;
}

/* Unmap pg (mapped somewhere) from every VMA of f that maps it. */
static __attribute__((noinline)) void unmap_all(struct sim *s, struct sim_file *f,
						 struct sim_page *pg)
{
	uint64_t pgoff = page_pgoff(pg);
	struct list_head *pos;

	list_for_each(pos, &f->vmas) {
		struct sim_vma *v = container_of(pos, struct sim_vma, file_link);
		uint64_t i = pgoff - v->pgoff;

		if (pgoff < v->pgoff || i >= v->npages || pte_page(v->pte[i]) != pg)
			continue;
		set_pte(s, v, i, 0);
		page_unmapped(f, pg);
		if (!page_nmapped(pg))
			return;
	}
	BUG();	/* nmapped counted a mapping no VMA holds */
}

/* Unmap pg from every VMA that maps it. */
static void unmap_everywhere(struct sim *s, struct sim_page *pg)
{
	if (page_nmapped(pg))
		unmap_all(s, page_file(s, pg), pg);
}

/*
 * Drop a resident page from RAM: every step but the policy call and the
 * dirty set (the caller's: eviction takes clean pages only).  Inline for
 * the common case, one VMA over the file mapping the page once: it goes
 * from mapped to gone without passing through the orphan count.
 */
static inline __attribute__((always_inline)) void
page_drop_inline(struct sim *s, struct sim_page *pg)
{
	struct sim_file *f = page_file(s, pg);
	uint64_t pgoff = page_pgoff(pg), ramoff = page_ramoff(pg);
	struct sim_vma *v = file_sole_vma(f);
	void *old;

	if (likely(v && page_nmapped(pg) == 1)) {
		uint64_t i = pgoff - v->pgoff;	/* wraps if below */
		uintptr_t w;

		BUG_ON(i >= v->npages);
		w = v->pte[i];
		BUG_ON(pte_page(w) != pg);
		set_pte_from(s, v, i, w, 0);
		pg->w -= PG_NMAP_ONE;
	} else {
		unmap_everywhere(s, pg);
		f->norphans--;
	}
	old = pagemap_del(f->pm, pgoff);
	BUG_ON(old != pg);
	alloc_free(f->alloc, ramoff, 1);
	if (unlikely(ramoff != pgoff))
		s->nonhint--;
	s->nres--;
	page_put(s, pg);
}

/* The same, out of line, for discard and invalidate. */
static __attribute__((noinline)) void page_drop(struct sim *s, struct sim_page *pg)
{
	page_drop_inline(s, pg);
}

/*
 * Start loading what dropping pg will touch on our side: its page-table
 * word (when one VMA maps the file), its pagemap slot and its allocator
 * slot.  For the next victim, named by reclaim.hint one fault ahead, or
 * else for the victim itself (the slot's miss then overlaps the word's).
 */
static inline void prefetch_drop(const struct sim *s, const struct sim_page *pg)
{
	const struct sim_file *f = page_file(s, pg);
	const struct sim_vma *v = file_sole_vma(f);
	uint64_t pgoff = page_pgoff(pg);

	if (v && pgoff - v->pgoff < v->npages)
		__builtin_prefetch(&v->pte[pgoff - v->pgoff], 1);
	pagemap_hint(f->pm, pgoff);
	alloc_hint(f->alloc, page_ramoff(pg));
}

/* ---- faults ---------------------------------------------------------------- */

/* What the policy is told of access aidx (reclaim_ctx): its next use
 * when the policy reads the future, and for a load fault the key. */
static inline struct reclaim_ctx access_ctx(const struct sim *s, uint64_t aidx,
					    uint64_t miss_key)
{
	return (struct reclaim_ctx){
		.next_use = s->future ? s->next_use[aidx] : UINT64_MAX,
		.miss_key = miss_key,
	};
}

/* A fault on a resident page pg (ref, map or dirty fault) is complete. */
static inline void resident_fault(struct sim *s, struct sim_page *pg,
				  enum fault_class cls, uint64_t aidx)
{
	struct reclaim_ctx ctx = access_ctx(s, aidx, RECLAIM_KEY_NONE);

	s->c.by_class[cls]++;
	reclaim_fault(s->reclaim, &pg->rp, &ctx);
	note_vmas_peak(s);
}

/* Evict up to s->batch pages (step a of a load fault).  0, or -1 when no
 * page was evictable. */
static inline int evict(struct sim *s, const struct reclaim_ctx *ctx)
{
	struct reclaim *rc = s->reclaim;
	uint32_t freed;

	for (freed = 0; freed < s->batch; freed++) {
		struct rpage *rp = reclaim_victim(rc, ctx);
		struct sim_page *vp;

		if (unlikely(!rp))
			break;
		vp = container_of(rp, struct sim_page, rp);
		BUG_ON(page_dirty(vp));
		if (rp != s->hinted)	/* else prefetched one fault ago */
			prefetch_drop(s, vp);
		page_drop_inline(s, vp);
		s->c.evictions++;
	}
	return freed ? 0 : -1;
}

/* A load fault on word i of v (pgoff not in RAM): docs/ENGINE.md steps a-e. */
static __attribute__((noinline)) int
load_fault(struct sim *s, struct sim_vma *v, uint64_t i, int write,
	   uint64_t aidx, uint64_t idx)
{
	char *err = s->err;		/* six arguments: all in registers */
	size_t errlen = s->errlen;
	struct sim_file *f = v->file;
	uint64_t pgoff = v->pgoff + i;
	struct reclaim_ctx ctx = access_ctx(s, aidx, RPAGE_KEY(f->id, pgoff));
	struct sim_page *pg;
	uint64_t ramoff;

	/* a: reclaim when RAM is full (ARC and 2Q read ctx.miss_key) */
	if (s->nres >= s->ram_pages && evict(s, &ctx))
		return fail(s, err, errlen, idx,
			    "RAM too small for the dirty working set (%llu pages, all dirty)",
			    (unsigned long long)s->ram_pages);
	/* b: the RAM offset, hint = pgoff */
	if (unlikely(alloc_alloc(f->alloc, 1, pgoff, &ramoff)))
		return fail(s, err, errlen, idx, "file %u: RAM offsets exhausted",
			    f->id);
	pg = page_get(s);
	if (unlikely(!pg)) {
		alloc_free(f->alloc, ramoff, 1);
		return fail(s, err, errlen, idx, "out of memory for pages");
	}
	/* c: load (counted as by_class[FAULT_LOAD]: sim_counters) */
	/* d: pagemap, LOADED, insert */
	pg->rp.key = RPAGE_KEY(f->id, pgoff);
	pg->rp.flags = 0;
	/* mapped once, by the word set below (so never an orphan) */
	pg->w = ramoff << PG_RAMOFF_SHIFT | PG_NMAP_ONE;
	if (unlikely(pagemap_set(f->pm, pgoff, pg))) {
		alloc_free(f->alloc, ramoff, 1);
		page_put(s, pg);
		return fail(s, err, errlen, idx, "out of memory in the pagemap");
	}
	s->nres++;
	if (unlikely(ramoff != pgoff))
		s->nonhint++;
	if (unlikely(s->nres > s->c.ram_pages_peak))
		s->c.ram_pages_peak = s->nres;
	reclaim_insert(s->reclaim, &pg->rp, &ctx);
	/* e: map R, or RW and DIRTY for a write */
	if (write && make_dirty(f, pg))
		return fail(s, err, errlen, idx, "out of memory for the dirty set");
	set_pte_from(s, v, i, 0, mkpte_at(s, pg, PTE_R | (write ? PTE_W : 0),
					  ramoff, pgoff));
	s->c.by_class[FAULT_LOAD]++;
	note_vmas_peak(s);
	/* what the next eviction will touch, for the page the policy would
	 * name now (reclaim.hint) */
	if (s->hint && s->nres >= s->ram_pages) {
		s->hinted = s->hint(s->reclaim, RECLAIM_KEY_NONE);
		if (s->hinted)
			prefetch_drop(s, container_of(s->hinted, const struct sim_page, rp));
	}
	return 0;
}

/* Access to word i of v that is not a hit; pte = v->pte[i]. */
static int access_fault(struct sim *s, struct sim_vma *v, uint64_t i, int write,
			uintptr_t pte, uint64_t aidx, uint64_t idx, char *err,
			size_t errlen)
{
	struct sim_file *f = v->file;
	struct sim_page *pg;

	if (unlikely(s->future && aidx >= s->nnext))
		return fail(s, err, errlen, idx,
			    "more accesses than the next-use pre-pass saw");
	if (pte & PTE_S) {
		/* 2. ref fault: restore R, or RW if DIRTY (or written now). */
		pg = pte_page(pte);
		if (write && make_dirty(f, pg))
			goto oom;
		set_pte(s, v, i, mkpte(s, pg, PTE_R | (page_dirty(pg) ? PTE_W : 0)));
		resident_fault(s, pg, FAULT_REF, aidx);
		return 0;
	}
	if (pte) {
		/* 4. dirty fault: a write to a page mapped R here. */
		BUG_ON(!write || (pte & PTE_W));
		pg = pte_page(pte);
		if (make_dirty(f, pg))
			goto oom;
		set_pte(s, v, i, (pte & ~(uintptr_t)PTE_PROT) | PTE_R | PTE_W);
		resident_fault(s, pg, FAULT_DIRTY, aidx);
		return 0;
	}
	/* With one VMA and every resident page mapped, an unmapped word
	 * means not in RAM: no lookup needed. */
	pg = f->nvmas == 1 && !f->norphans ? NULL : pagemap_get(f->pm, v->pgoff + i);
	if (!pg)
		return load_fault(s, v, i, write, aidx, idx);
	/* 3. map fault: in RAM, not mapped in v. */
	if (write && make_dirty(f, pg))
		goto oom;
	page_mapped(f, pg);
	set_pte(s, v, i, mkpte(s, pg, PTE_R | (page_dirty(pg) ? PTE_W : 0)));
	resident_fault(s, pg, FAULT_MAP, aidx);
	return 0;
oom:
	return fail(s, err, errlen, idx, "out of memory for the dirty set");
}

/* ---- other events --------------------------------------------------------- */

/* Grow a table of pointers indexed by id (*tab of *n entries) to hold id. */
static int id_table_fit(void *tab, uint32_t *n, uint32_t id)
{
	void ***t = tab;
	uint32_t cap = *n ? *n : 4;
	void **nt;

	if (id < *n)
		return 0;
	while (cap <= id)
		cap *= 2;
	nt = realloc(*t, cap * sizeof(*nt));
	if (!nt)
		return -1;
	memset(nt + *n, 0, (cap - *n) * sizeof(*nt));
	*t = nt;
	*n = cap;
	return 0;
}

static struct sim_file *file_get(struct sim *s, uint32_t id, char *err,
				 size_t errlen)
{
	struct sim_file *f;

	if (id_table_fit(&s->files, &s->nfile_ids, id)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (s->files[id])
		return s->files[id];
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->id = id;
	list_init(&f->vmas);
	f->pm = pagemap_create(s->pagemap_spec, &sim_pagemap_params, err, errlen);
	if (f->pm)
		f->alloc = alloc_create(s->alloc_spec, &sim_alloc_params, err,
					errlen);
	if (!f->pm || !f->alloc) {
		pagemap_destroy(f->pm);
		free(f);
		return NULL;
	}
	s->files[id] = f;
	return f;
}

/*
 * Page tables.  Large ones (key-only traces announce an upper bound of
 * their keys, 2^32 from a pipe) are anonymous NORESERVE mappings, so only
 * the part the trace touches costs memory.  Up to PTE_HUGE_MAX pages they
 * are also on huge pages (hugemem_alloc): touching one word then makes 2 MiB
 * resident, a bounded cost; beyond, a sparse trace would pay 2 MiB a key.
 */
#define PTE_MMAP_MIN (1u << 16)
#define PTE_HUGE_MAX (1ull << 24)

static uintptr_t *pte_alloc(uint64_t n)
{
	if (n < PTE_MMAP_MIN)
		return calloc(n, sizeof(uintptr_t));
	if (n > SIZE_MAX / sizeof(uintptr_t))
		return NULL;
	return hugemem_alloc(n * sizeof(uintptr_t), n <= PTE_HUGE_MAX);
}

static void pte_free(uintptr_t *p, uint64_t n)
{
	if (n < PTE_MMAP_MIN)
		free(p);
	else
		hugemem_free(p, n * sizeof(uintptr_t), n <= PTE_HUGE_MAX);
}

/* Bytes of v's page table in use: all of a small one, the touched part
 * (up to the highest index ever mapped, whole pages) of a large one. */
static size_t pte_bytes(const struct sim_vma *v)
{
	size_t unit = hugemem_granule(v->npages * sizeof(uintptr_t),
				      v->npages <= PTE_HUGE_MAX);

	if (v->npages < PTE_MMAP_MIN)
		return v->npages * sizeof(uintptr_t);
	return (v->hi * sizeof(uintptr_t) + unit - 1) & ~(unit - 1);
}

static int ev_mmap(struct sim *s, const struct event *ev, uint64_t idx,
		   char *err, size_t errlen)
{
	struct sim_vma *v;
	struct sim_file *f;
	char msg[200];

	if (ev->vma >= SIM_MAX_VMAS || ev->file >= SIM_MAX_IDS)
		return fail(s, err, errlen, idx,
			    "mmap: vma %u or file %u beyond the limits (%u VMAs, %u files)",
			    ev->vma, ev->file, SIM_MAX_VMAS, SIM_MAX_IDS);
	if (ev->npages == 0 || ev->page >= SIM_ARENA_PAGES ||
	    ev->npages > SIM_ARENA_PAGES - ev->page)
		return fail(s, err, errlen, idx,
			    "mmap: vma %u: pages [%llu, +%llu) empty or beyond 2^40",
			    ev->vma, (unsigned long long)ev->page,
			    (unsigned long long)ev->npages);
	if (ev->vma < s->nvma_ids && s->vmas[ev->vma])
		return fail(s, err, errlen, idx, "mmap: vma %u is already mapped",
			    ev->vma);
	if (id_table_fit(&s->vmas, &s->nvma_ids, ev->vma))
		return fail(s, err, errlen, idx, "out of memory");
	f = file_get(s, ev->file, msg, sizeof(msg));
	if (!f)
		return fail(s, err, errlen, idx, "mmap: %s", msg);
	v = calloc(1, sizeof(*v));
	if (v)
		v->pte = pte_alloc(ev->npages);
	if (!v || !v->pte) {
		free(v);
		return fail(s, err, errlen, idx, "mmap: vma %u: no memory for %llu pages",
			    ev->vma, (unsigned long long)ev->npages);
	}
	v->id = ev->vma;
	v->file = f;
	v->pgoff = ev->page;
	v->npages = ev->npages;
	v->kvmas = 1;
	list_add_tail(&v->file_link, &f->vmas);
	f->nvmas++;
	s->vmas[ev->vma] = v;
	s->c.vmas += 1;
	note_vmas_peak(s);
	return 0;
}

/*
 * Drop every mapping of v, at the cost of the smaller of what v's page
 * table touched and the RAM made so far: a 2^40-page VMA with two pages
 * mapped costs a walk of the RAM's pages, not of 2^40 words (issue #13).
 * A RAM page is v's when its key names v's file and an offset inside v,
 * the file's pagemap holds it there (so it is resident, not a free page
 * with a stale key) and v's word at that index points to it.
 */
static void vma_unmap_pages(struct sim *s, struct sim_vma *v)
{
	if (v->hi <= s->npages_made) {
		for (uint64_t i = 0; v->nmapped && i < v->hi; i++) {
			if (v->pte[i]) {
				page_unmapped(v->file, pte_page(v->pte[i]));
				v->nmapped--;
			}
		}
		return;
	}
	for (size_t c = 0; v->nmapped && c < s->nchunks; c++)
		for (size_t k = 0; v->nmapped && k < s->chunks[c].npages; k++) {
			struct sim_page *pg = &s->chunks[c].pages[k];
			uint64_t pgoff = page_pgoff(pg), i = pgoff - v->pgoff;

			if (pg->rp.key >> 40 != v->file->id || pgoff < v->pgoff ||
			    i >= v->hi || !v->pte[i] || pte_page(v->pte[i]) != pg ||
			    pagemap_get(v->file->pm, pgoff) != pg)
				continue;
			page_unmapped(v->file, pg);
			v->nmapped--;
		}
	BUG_ON(v->nmapped);
}

static void vma_free(struct sim *s, struct sim_vma *v)
{
	vma_unmap_pages(s, v);
	s->c.vmas -= v->kvmas;
	list_del(&v->file_link);
	v->file->nvmas--;
	s->vmas[v->id] = NULL;
	pte_free(v->pte, v->npages);
	free(v);
}

static int by_pgoff(const void *a, const void *b)
{
	uint64_t x = (*(struct sim_page *const *)a)->rp.key;
	uint64_t y = (*(struct sim_page *const *)b)->rp.key;

	return x < y ? -1 : x > y;
}

/* f's dirty pages sorted by pgoff (malloc'd; *np of them), or NULL on ENOMEM. */
static struct sim_page **dirty_sorted(struct sim_file *f, size_t *np)
{
	struct sim_page **a = malloc((f->ndirty ? f->ndirty : 1) * sizeof(*a));

	if (!a)
		return NULL;
	memcpy(a, f->dirtyv, f->ndirty * sizeof(*a));
	qsort(a, f->ndirty, sizeof(*a), by_pgoff);
	*np = f->ndirty;
	return a;
}

/* Every RW mapping of pg goes to R (sampled mappings stay sampled). */
static void write_protect(struct sim *s, struct sim_page *pg)
{
	struct sim_file *f = page_file(s, pg);
	uint64_t pgoff = page_pgoff(pg), seen = 0;
	struct list_head *pos;

	list_for_each(pos, &f->vmas) {
		struct sim_vma *v = container_of(pos, struct sim_vma, file_link);
		uint64_t i = pgoff - v->pgoff;

		if (seen == page_nmapped(pg))
			break;
		if (pgoff < v->pgoff || i >= v->npages || pte_page(v->pte[i]) != pg)
			continue;
		seen++;
		if (v->pte[i] & PTE_W)
			set_pte(s, v, i, v->pte[i] & ~(uintptr_t)PTE_W);
	}
}

/* writeout(f, flags) or, with discard, discard(f): f's dirty pages in
 * file-offset order (docs/ENGINE.md). */
static int ev_dirty_pages(struct sim *s, const struct event *ev, int discard,
			  uint64_t idx, char *err, size_t errlen)
{
	struct sim_file *f = ev->file < s->nfile_ids ? s->files[ev->file] : NULL;
	struct sim_page **a;
	size_t n;

	if (!f || !f->ndirty)
		return 0;
	a = dirty_sorted(f, &n);
	if (!a)
		return fail(s, err, errlen, idx, "out of memory");
	if (discard || (ev->flags & EV_MARKSTORED))
		f->ndirty = 0;	/* every one leaves the dirty set below */
	for (size_t k = 0; k < n; k++) {
		struct sim_page *pg = a[k];

		if (discard) {
			/* unmap, pagemap.del, reclaim.remove, alloc.free */
			unmap_everywhere(s, pg);
			reclaim_remove(s->reclaim, &pg->rp);
			page_drop(s, pg);
			continue;
		}
		if (ev->flags & EV_STORE)
			s->c.stores++;
		if (ev->flags & EV_MARKSTORED) {
			pg->w &= ~PG_DIRTY;
			pg->rp.flags &= ~RPAGE_UNEVICTABLE;
			write_protect(s, pg);
			s->c.writebacks++;
		}
	}
	free(a);
	note_vmas_peak(s);
	return 0;
}

static int ev_invalidate(struct sim *s, const struct event *ev)
{
	struct sim_file *f = ev->file < s->nfile_ids ? s->files[ev->file] : NULL;
	struct sim_page *pg;

	if (!f || ev->page >= SIM_ARENA_PAGES)
		return 0;
	pg = pagemap_get(f->pm, ev->page);
	if (!pg)
		return 0;
	if (page_dirty(pg))
		dirty_forget(f, pg);
	unmap_everywhere(s, pg);
	reclaim_remove(s->reclaim, &pg->rp);
	page_drop(s, pg);
	note_vmas_peak(s);
	return 0;
}

static int ev_other(struct sim *s, const struct event *ev, uint64_t idx,
		    char *err, size_t errlen)
{
	switch (ev->type) {
	case EV_MMAP:
		return ev_mmap(s, ev, idx, err, errlen);
	case EV_UNMAP:
		if (ev->vma >= s->nvma_ids || !s->vmas[ev->vma])
			return fail(s, err, errlen, idx, "unmap: vma %u is not mapped",
				    ev->vma);
		vma_free(s, s->vmas[ev->vma]);
		return 0;
	case EV_WRITEOUT:
		return ev_dirty_pages(s, ev, 0, idx, err, errlen);
	case EV_DISCARD:
		return ev_dirty_pages(s, ev, 1, idx, err, errlen);
	case EV_INVALIDATE:
		return ev_invalidate(s, ev);
	default:
		return fail(s, err, errlen, idx, "unknown event type %u", ev->type);
	}
}

/* ---- the replay entry point ------------------------------------------------ */

/*
 * The look-ahead: a few events ahead of the one being applied, the loop
 * resolves each access to its VMA and page-table word once (kept in a
 * small ring) and prefetches the word; closer, it reads the word and
 * prefetches the page of a coming hit or the pagemap slot (and the
 * policy's state) of a coming load.  None of it changes a decision.
 * (Prefetching a hit's list neighbours as well was measured: 10 % slower,
 * they are mostly cached already.)
 * An event the look-ahead could not resolve (not an access, or a bad one)
 * has an empty ring slot and is resolved, with its error message, when
 * applied.  An mmap or unmap changes the VMA table (and may free a page
 * table the ring points into): once it is applied, the look-ahead starts
 * over from the next event; until then the slots beyond it are only read
 * for prefetching, from memory that is still allocated.
 */
#define LOOK_FAR	32		/* events ahead: the page-table word */
#define LOOK_MID	16		/* the page, or the pagemap slot */
#define LOOK_RING	32		/* a power of two >= LOOK_FAR */

struct look {
	struct sim_vma *v[LOOK_RING];
	uintptr_t *pte[LOOK_RING];	/* NULL: resolve when applied */
	size_t barrier;			/* first mmap/unmap not applied yet, or SIZE_MAX */
	struct sim_vma *const *vmas;	/* s->vmas and s->nvma_ids, copied */
	uint32_t nvmas;
};

/* Resolve event j for the look-ahead (k <= j < n) and prefetch its word. */
static inline void look_fill(struct look *lk, const struct event *evs, size_t j)
{
	const struct event *e = &evs[j];
	unsigned r = j & (LOOK_RING - 1);
	struct sim_vma *v;
	uintptr_t *p = NULL;

	if (likely(e->type == EV_ACCESS)) {
		if (likely(e->vma < lk->nvmas &&
			   (v = lk->vmas[e->vma]) && e->page < v->npages)) {
			p = &v->pte[e->page];
			lk->v[r] = v;
			__builtin_prefetch(p);
		}
	} else if ((e->type == EV_MMAP || e->type == EV_UNMAP) &&
		   lk->barrier == SIZE_MAX) {
		lk->barrier = j;
	}
	lk->pte[r] = p;
}

/* Start (or restart, after the VMA table changed) the look-ahead. */
static void look_start(const struct sim *s, struct look *lk,
		       const struct event *evs, size_t from, size_t n)
{
	lk->barrier = SIZE_MAX;
	lk->vmas = s->vmas;
	lk->nvmas = s->nvma_ids;
	for (size_t j = from; j < n && j < from + LOOK_FAR; j++)
		look_fill(lk, evs, j);
}

/* Look-ahead for event j (resolved already, its word prefetched): the
 * page of a coming hit, or what a coming load fault will touch first. */
static inline __attribute__((always_inline)) void
look_mid(const struct sim *s, const struct look *lk, size_t j)
{
	unsigned m = j & (LOOK_RING - 1);
	const uintptr_t *fp = lk->pte[m];
	const struct sim_vma *fv;
	uint64_t pgoff;

	if (!fp)
		return;
	if (*fp) {
		__builtin_prefetch(pte_page(*fp), 1);
		return;
	}
	fv = lk->v[m];
	pgoff = fv->pgoff + (uint64_t)(fp - fv->pte);
	pagemap_hint(fv->file->pm, pgoff);
	alloc_hint(fv->file->alloc, pgoff);
	(void)reclaim_hint(s->reclaim, RPAGE_KEY(fv->file->id, pgoff));
}

/* The loop's counters, kept in registers while it runs. */
struct loop_counts {
	uint64_t accesses, hits;
};

/*
 * Apply event k of evs[0..n), whose look-ahead slot held v and ptep
 * (ptep NULL: not resolved).  0, or -1 with the message in err.
 */
static inline __attribute__((always_inline)) int
apply_one(struct sim *s, struct look *lk, const struct event *evs, size_t k,
	  size_t n, struct sim_vma *v, uintptr_t *ptep, struct loop_counts *lc,
	  uint64_t idx0, char *err, size_t errlen, const int full,
	  const int future, const int sampling)
{
	const struct event *ev = &evs[k];
	uint64_t aidx;
	uintptr_t pte;

	if (unlikely(!ptep)) {
		/* not resolved ahead: resolve now, or apply the event that
		 * is not an access */
		if (ev->type != EV_ACCESS) {
			if (ev_other(s, ev, idx0 + k, err, errlen))
				return -1;
			if (lk->barrier == k)	/* the VMA table changed */
				look_start(s, lk, evs, k + 1, n);
			return 0;
		}
		if (unlikely(ev->vma >= s->nvma_ids || !(v = s->vmas[ev->vma])))
			return fail(s, err, errlen, idx0 + k,
				    "access to vma %u, which is not mapped", ev->vma);
		if (unlikely(ev->page >= v->npages))
			return fail(s, err, errlen, idx0 + k,
				    "access to page %llu of vma %u, which has %llu pages",
				    (unsigned long long)ev->page, ev->vma,
				    (unsigned long long)v->npages);
		ptep = &v->pte[ev->page];
	}
	aidx = lc->accesses++;
	pte = *ptep;
	if (likely(pte & (PTE_R << (ev->write != 0)))) {
		lc->hits++;
		if (full && future) {
			struct reclaim_ctx ctx = access_ctx(s, aidx, RECLAIM_KEY_NONE);

			s->reclaim->ops->hit(s->reclaim, &pte_page(pte)->rp, &ctx);
		} else if (full) {
			s->reclaim->ops->hit(s->reclaim, &pte_page(pte)->rp,
					     &reclaim_ctx_none);
		}
	} else if (unlikely(!future && !pte && v->file->nvmas == 1 &&
			    !v->file->norphans ?
			    load_fault(s, v, ev->page, ev->write != 0, aidx,
				       idx0 + k) :
			    access_fault(s, v, ev->page, ev->write != 0, pte,
					 aidx, idx0 + k, err, errlen))) {
		lc->accesses--;	/* counters cover completed events */
		return -1;
	}
	if (sampling && --s->sample_left == 0) {
		sample_all(s);
		s->sample_left = s->sample_interval;
	}
	return 0;
}

/* Apply events [from, to) of evs[0..n), looking ahead (far: the word
 * LOOK_FAR events on, mid: the page LOOK_MID on) as the range allows.
 * The slot of k is read before k + LOOK_FAR takes it over.  0 or -1. */
static inline __attribute__((always_inline)) int
apply_range(struct sim *s, struct look *lk, const struct event *evs,
	    size_t from, size_t to, size_t n, struct loop_counts *lc,
	    uint64_t idx0, char *err, size_t errlen, const int full,
	    const int future, const int sampling, const int far, const int mid)
{
	for (size_t k = from; k < to; k++) {
		unsigned r = k & (LOOK_RING - 1);
		struct sim_vma *v = lk->v[r];
		uintptr_t *ptep = lk->pte[r];

		if (far)
			look_fill(lk, evs, k + LOOK_FAR);
		if (mid)
			look_mid(s, lk, k + LOOK_MID);
		if (unlikely(apply_one(s, lk, evs, k, n, v, ptep, lc, idx0, err,
				       errlen, full, future, sampling)))
			return -1;
	}
	return 0;
}

/*
 * The loop over one batch, specialised (always inlined with constant
 * arguments) for the observation mode: under `full` without the future
 * every hit is one reclaim.hit() call, under `faults` none, and neither
 * tests the mode per access.  Three ranges, so that no access tests how
 * far the batch goes on: with the whole look-ahead, with its nearer half,
 * without.
 */
static inline __attribute__((always_inline)) int
apply_loop(struct sim *s, const struct event *evs, size_t n, uint64_t idx0,
	   char *err, size_t errlen, const int full, const int future,
	   const int sampling)
{
	struct look lk;
	struct loop_counts lc = { s->c.accesses, s->c.hits };
	size_t far_end = n > LOOK_FAR ? n - LOOK_FAR : 0;
	size_t mid_end = n > LOOK_MID ? n - LOOK_MID : 0;
	int rv;

	look_start(s, &lk, evs, 0, n);
	rv = apply_range(s, &lk, evs, 0, far_end, n, &lc, idx0, err, errlen,
			 full, future, sampling, 1, 1) ||
	     apply_range(s, &lk, evs, far_end, mid_end, n, &lc, idx0, err,
			 errlen, full, future, sampling, 0, 1) ||
	     apply_range(s, &lk, evs, mid_end, n, n, &lc, idx0, err, errlen,
			 full, future, sampling, 0, 0) ? -1 : 0;
	s->c.accesses = lc.accesses;
	s->c.hits = lc.hits;
	return rv;
}

int sim_apply(struct sim *s, const struct event *evs, size_t n, uint64_t idx0,
	      char *err, size_t errlen)
{
	BUG_ON(s->failed);
	s->err = err;
	s->errlen = errlen;
	if (s->sample_interval)
		return apply_loop(s, evs, n, idx0, err, errlen, 0, 0, 1);
	if (!s->full)
		return apply_loop(s, evs, n, idx0, err, errlen, 0, 0, 0);
	if (s->future)
		return apply_loop(s, evs, n, idx0, err, errlen, 1, 1, 0);
	return apply_loop(s, evs, n, idx0, err, errlen, 1, 0, 0);
}

/* ---- create, counters, memory, destroy ----------------------------------- */

struct sim *sim_create(const struct sim_config *c, char *err, size_t errlen)
{
	struct reclaim_params rp = {
		.npages = c->ram_pages, .seed = c->seed, .mem = &mem_default,
	};
	struct pagemap *pm;
	struct alloc *a;
	struct sim *s;

	if (c->ram_pages == 0) {
		snprintf(err, errlen, "RAM of 0 pages");
		return NULL;
	}
	if (c->ram_pages > SIM_ARENA_PAGES) {
		snprintf(err, errlen, "RAM of %llu pages is beyond the 2^40-page address space",
			 (unsigned long long)c->ram_pages);
		return NULL;
	}
	if (c->observe.mode == OBSERVE_SAMPLED && c->observe.interval == 0) {
		snprintf(err, errlen, "sampled observation with interval 0");
		return NULL;
	}
	/* Check the pagemap and alloc specs now, not at the first mmap. */
	pm = pagemap_create(c->pagemap, &sim_pagemap_params, err, errlen);
	if (!pm)
		return NULL;
	pagemap_destroy(pm);
	a = alloc_create(c->alloc, &sim_alloc_params, err, errlen);
	if (!a)
		return NULL;
	alloc_destroy(a);

	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->reclaim = reclaim_create(c->reclaim, &rp, err, errlen);
	if (!s->reclaim) {
		free(s);
		return NULL;
	}
	if (s->reclaim->ops->flags & RECLAIM_NEEDS_FUTURE) {
		if (c->observe.mode != OBSERVE_FULL) {
			snprintf(err, errlen,
				 "reclaim %s needs the future and sees every access: it runs only with --observe full",
				 s->reclaim->ops->name);
			goto bad;
		}
		if (!c->next_use) {
			snprintf(err, errlen, "reclaim %s needs the next-use pre-pass",
				 s->reclaim->ops->name);
			goto bad;
		}
		s->future = 1;
		s->next_use = c->next_use;
		s->nnext = c->nnext;
	}
	s->hint = s->reclaim->ops->hint;
	s->pagemap_spec = c->pagemap;
	s->alloc_spec = c->alloc;
	s->ram_pages = c->ram_pages;
	s->batch = c->reclaim_batch ? c->reclaim_batch : 1;
	s->full = c->observe.mode == OBSERVE_FULL;
	s->huge = c->page_size > 4096;
	if (c->observe.mode == OBSERVE_SAMPLED) {
		s->sample_interval = c->observe.interval;
		s->sample_left = c->observe.interval;
	}
	return s;
bad:
	reclaim_destroy(s->reclaim);
	free(s);
	return NULL;
}

void sim_counters(const struct sim *s, struct counters *c)
{
	*c = s->c;
	/* every load fault loads once; faults are the sum of the classes */
	c->loads = c->by_class[FAULT_LOAD];
	c->faults = 0;
	for (int k = 0; k < FAULT_NCLASSES; k++)
		c->faults += c->by_class[k];
}

void sim_mem(const struct sim *s, struct sim_mem *m)
{
	size_t pages = s->npages_made;

	m->sim_bytes = sizeof(*s) +
		       pages * (sizeof(struct sim_page) - sizeof(struct rpage)) +
		       s->chunk_cap * sizeof(*s->chunks) +
		       s->samples_cap * sizeof(*s->samples) +
		       s->nvma_ids * sizeof(*s->vmas) +
		       s->nfile_ids * sizeof(*s->files);
	m->pagemap_bytes = 0;
	for (uint32_t i = 0; i < s->nvma_ids; i++)
		if (s->vmas[i])
			m->sim_bytes += sizeof(struct sim_vma) + pte_bytes(s->vmas[i]);
	for (uint32_t i = 0; i < s->nfile_ids; i++) {
		if (!s->files[i])
			continue;
		m->sim_bytes += sizeof(struct sim_file) +
				s->files[i]->dirty_cap * sizeof(struct sim_page *);
		m->pagemap_bytes += s->files[i]->pm->ops->mem_bytes(s->files[i]->pm);
	}
	m->reclaim_bytes = s->reclaim->ops->metadata_bytes ?
			   s->reclaim->ops->metadata_bytes(s->reclaim) : 0;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nvma_ids; i++)
		if (s->vmas[i])
			vma_free(s, s->vmas[i]);
	for (uint32_t i = 0; i < s->nfile_ids; i++) {
		struct sim_file *f = s->files[i];
		if (!f)
			continue;
		pagemap_destroy(f->pm);
		alloc_destroy(f->alloc);
		free(f->dirtyv);
		free(f);
	}
	reclaim_destroy(s->reclaim);
	for (size_t i = 0; i < s->nchunks; i++)
		hugemem_free(s->chunks[i].pages,
			     s->chunks[i].npages * sizeof(struct sim_page), true);
	free(s->chunks);
	free(s->samples);
	free(s->vmas);
	free(s->files);
	free(s);
}

/* ---- consistency check (tests) --------------------------------------------- */

/* Resident pages of one file: n[0] += those no VMA maps, n[1] += those
 * whose RAM offset is not their pgoff. */
static int count_orphan(uint64_t key, void *value, void *arg)
{
	const struct sim_page *pg = value;
	uint64_t *n = arg;

	(void)key;
	n[0] += page_nmapped(pg) == 0;
	n[1] += page_ramoff(pg) != page_pgoff(pg);
	return 0;
}

int sim_check(const struct sim *s, char *err, size_t errlen)
{
	uint64_t kv_total = 0, ndirty_total = 0;

	for (uint32_t id = 0; id < s->nvma_ids; id++) {
		const struct sim_vma *v = s->vmas[id];
		uint64_t kv = v ? 1 : 0, nm = 0;

		if (!v)
			continue;
		for (uint64_t i = 0; i < v->npages; i++) {
			uintptr_t p = v->pte[i];
			if (p) {
				const struct sim_page *pg = pte_page(p);
				nm++;
				if (pagemap_get(v->file->pm, v->pgoff + i) != pg) {
					snprintf(err, errlen, "vma %u page %llu maps a page not in the pagemap",
						 id, (unsigned long long)i);
					return -1;
				}
				if ((p & PTE_W) && !page_dirty(pg)) {
					snprintf(err, errlen, "vma %u page %llu: RW mapping of a clean page",
						 id, (unsigned long long)i);
					return -1;
				}
			}
			if (i > 0 && !pte_join(s, v->pte[i - 1], p))
				kv++;
		}
		if (kv != v->kvmas || nm != v->nmapped) {
			snprintf(err, errlen, "vma %u: %llu kernel VMAs counted, %llu recomputed; %llu mapped counted, %llu seen",
				 id, (unsigned long long)v->kvmas, (unsigned long long)kv,
				 (unsigned long long)v->nmapped, (unsigned long long)nm);
			return -1;
		}
		kv_total += kv;
	}
	if (kv_total != s->c.vmas) {
		snprintf(err, errlen, "kernel VMAs: %llu counted, %llu recomputed",
			 (unsigned long long)s->c.vmas, (unsigned long long)kv_total);
		return -1;
	}
	{
		uint64_t resident = 0, nonhint = 0;
		for (uint32_t fid = 0; fid < s->nfile_ids; fid++) {
			const struct sim_file *f = s->files[fid];
			if (!f)
				continue;
			uint64_t n[2] = { 0, 0 };

			resident += f->pm->count;
			ndirty_total += f->ndirty;
			pagemap_for_each(f->pm, count_orphan, n);
			nonhint += n[1];
			for (size_t k = 0; k < f->ndirty; k++) {
				if (!page_dirty(f->dirtyv[k]) ||
				    !(f->dirtyv[k]->rp.flags & RPAGE_UNEVICTABLE) ||
				    pagemap_get(f->pm, page_pgoff(f->dirtyv[k])) != f->dirtyv[k]) {
					snprintf(err, errlen, "file %u: dirty set entry %zu is not a resident DIRTY page",
						 fid, k);
					return -1;
				}
			}
			if (n[0] != f->norphans) {
				snprintf(err, errlen, "file %u: %llu orphans counted, %llu seen",
					 fid, (unsigned long long)f->norphans,
					 (unsigned long long)n[0]);
				return -1;
			}
		}
		if (nonhint != s->nonhint) {
			snprintf(err, errlen, "pages off their hint: %llu counted, %llu seen",
				 (unsigned long long)s->nonhint,
				 (unsigned long long)nonhint);
			return -1;
		}
		if (resident != s->nres || s->nres > s->ram_pages ||
		    s->reclaim->nresident != s->nres) {
			snprintf(err, errlen, "resident pages: %llu in pagemaps, %llu counted, %zu in reclaim, RAM %llu",
				 (unsigned long long)resident, (unsigned long long)s->nres,
				 s->reclaim->nresident, (unsigned long long)s->ram_pages);
			return -1;
		}
	}
	(void)ndirty_total;
	return 0;
}

/*
 * sim/sim.h — the trace-driven simulator: a model of the real virtmem that
 * calls the shared policies in exactly the order docs/ENGINE.md writes down,
 * so that for the same event stream it takes the same decisions (faults of
 * each class, loads, stores, evictions, writebacks, RAM offsets and hence
 * kernel VMA counts) as real/.
 *
 * The model (one struct sim per run, no shared state, no globals):
 *
 *   RAM      ram_pages pages, one reclaim instance over all of them;
 *   file f   a pagemap (pgoff -> page), an allocator of RAM offsets over
 *            [0, 2^40) asked with hint = pgoff, its dirty pages (a set,
 *            sorted by pgoff at writeout and discard), its VMAs;
 *   page     struct sim_page, only while in RAM: the policy's struct rpage
 *            and one word (RAM offset, how many VMAs map it, DIRTY), one
 *            64-byte cache line;
 *   VMA v    a page table: one word per page of the VMA holding the page
 *            pointer and its protection in the low bits
 *
 *                 0              not mapped (part of the PROT_NONE reservation)
 *                 page | R       mapped read-only
 *                 page | R | W   mapped read-write
 *                 page | S       mapped, protected by the sampler (sampled:N)
 *
 *            so a hit is one load and one bit test, and the page table is
 *            also what the kernel VMA count is computed from.
 *
 * A fault with one VMA over a file and no resident page left unmapped
 * cannot be a map fault, so the pagemap is not searched then.  The replay
 * is bound by cache misses, so the simulator starts them early: 32 events
 * ahead it resolves an access to its page-table word (once; a small ring
 * keeps it) and prefetches the word; 16 ahead the page of a coming hit or,
 * for a coming load fault, what the policies will read (their hint ops:
 * pagemap.hint, alloc.hint, reclaim.hint with the key); and one fault
 * ahead the next victim's page-table word, pagemap and allocator slots,
 * the victim named by reclaim.hint (or, when it names none, the victim's
 * when it is chosen).  None changes a decision (docs/ENGINE.md "Hints").
 * The loop is specialised per observation mode (no per-access mode test),
 * and the big arrays (page tables up to 2^24 pages, page chunks of up to
 * 2 MiB) come from common/hugemem.h, on transparent huge pages where the
 * kernel has them, sparing TLB misses.  The policies' memory comes from
 * mem_default (common/mem.h).
 *
 * Kernel VMAs (docs/ENGINE.md "Kernel VMA count"): inside one VMA of ours,
 * pages i-1 and i belong to the same kernel VMA ("join") when both are
 * unmapped, or both are mapped with the same protection and RAM offsets
 * differing by exactly one (never with 2 MiB hugetlbfs pages).  A VMA of n
 * pages is n - joins kernel VMAs; a page-table change touches two joins, so
 * the count is kept exactly and incrementally in O(1).
 *
 * Memory: the simulator's own state is 8 bytes per resident page beside
 * the policy's struct rpage, 8 bytes per page of every VMA (only the
 * touched part of big ones, in 2 MiB steps on huge pages), 8 bytes per
 * dirty page, and what the pagemap policy holds; pages are made in chunks
 * of up to 2 MiB, never more than RAM holds; sim_mem() reports it.
 *
 * Not thread-safe; run one struct sim per thread or process.
 */
#ifndef PAGELAB_SIM_SIM_H
#define PAGELAB_SIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "common/counters.h"
#include "common/observe.h"
#include "workloads/event.h"

/* Limits of the model (bad traces beyond them are rejected with a message). */
#define SIM_MAX_IDS      (1u << 24)		/* file ids (RPAGE_KEY has 24 bits) */
#define SIM_MAX_VMAS     ((1u << 23) - 1)	/* vma ids (live VMAs fit sim_page.w's count) */
#define SIM_ARENA_PAGES  (1ull << 40)		/* file pgoffs and RAM offsets */

struct sim_config {
	const char *reclaim;		/* spec "NAME[:K=V...]" */
	const char *pagemap;		/* spec */
	const char *alloc;		/* spec */
	uint64_t ram_pages;		/* >= 1 */
	struct observe observe;
	uint32_t page_size;		/* bytes; > 4096 means hugetlbfs: mapped pages never merge */
	uint32_t reclaim_batch;		/* victims per reclaim, >= 1 (0 means 1) */
	uint64_t seed;			/* for randomized policies */
	/*
	 * Required when the reclaim policy has RECLAIM_NEEDS_FUTURE: for the
	 * i-th access of the stream (counting EV_ACCESS only, from 0), the
	 * index of the next access to the same (file, pgoff), UINT64_MAX if
	 * none (sim_scan computes it).  Only read, never freed by the sim.
	 */
	const uint64_t *next_use;
	uint64_t nnext;
};

struct sim;

/* A simulator with nothing mapped.  NULL and a one-line message on bad
 * config (unknown policy, RAM of 0 pages, opt without full observation...). */
struct sim *sim_create(const struct sim_config *c, char *err, size_t errlen);

/*
 * Apply events ev[0..n) in order; idx0 is the index of ev[0] in the whole
 * stream (for messages).  0, or -1 with "event N: reason" in err: a bad
 * event (unknown VMA, page outside it, ids or offsets beyond the model's
 * limits) or a failed run (RAM too small for the dirty working set, out of
 * memory).  After an error the sim may only be destroyed.
 */
int sim_apply(struct sim *s, const struct event *ev, size_t n, uint64_t idx0,
	      char *err, size_t errlen);

/* The counters so far (vmas is the current kernel VMA count). */
void sim_counters(const struct sim *s, struct counters *c);

struct sim_mem {
	size_t sim_bytes;	/* the simulator's own: pages (without rpage), VMA page tables, files, VMAs */
	size_t pagemap_bytes;	/* every file's pagemap (policy memory) */
	size_t reclaim_bytes;	/* the reclaim policy's metadata (rpages included) */
};
void sim_mem(const struct sim *s, struct sim_mem *m);

void sim_destroy(struct sim *s);

/* Recompute the kernel VMA count, mapping counts and residency from
 * scratch and compare (O(pages mapped + VMA pages); for tests).  0, or -1
 * and what disagrees. */
int sim_check(const struct sim *s, char *err, size_t errlen);

/*
 * The pre-pass: what the simulator needs to know about the whole stream
 * before replaying it — the number of distinct pages (for --ram N%) and,
 * for policies that need the future, every access's next use.
 */
struct sim_scan;

/* want_next_use: also compute next_use (8 bytes per access). */
struct sim_scan *sim_scan_create(int want_next_use, char *err, size_t errlen);
int sim_scan_apply(struct sim_scan *sc, const struct event *ev, size_t n,
		   uint64_t idx0, char *err, size_t errlen);
/* After the last event.  *next_use (if requested) passes to the caller
 * (free()); it has *naccesses entries. */
int sim_scan_finish(struct sim_scan *sc, uint64_t *ndistinct,
		    uint64_t *naccesses, uint64_t **next_use, char *err,
		    size_t errlen);
void sim_scan_destroy(struct sim_scan *sc);

/*
 * The VMA table of a stream reduced to page keys: for key-level analyses
 * (sim_scan, pagelab mrc) that treat the accesses as a plain cache trace.
 */
struct sim_keys;
struct sim_keys *sim_keys_create(void);
/* 1 and *key = RPAGE_KEY(file, pgoff) for an access, 0 for other events
 * (the VMA table is updated), -1 and a message for a bad event. */
int sim_keys_event(struct sim_keys *k, const struct event *ev, uint64_t idx,
		   uint64_t *key, char *err, size_t errlen);
void sim_keys_destroy(struct sim_keys *k);

#endif

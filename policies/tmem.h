/*
 * policies/tmem.h — the second tier: transcendent memory (tmem) pools.
 *
 * After Linux's drivers/staging/zcache/tmem.c (Dan Magenheimer, 2009-2011),
 * the core under cleancache (ephemeral pages: clean copies the tier may drop)
 * and frontswap (persistent pages: the only copy until flushed).  A tier
 * holds pools; a page in a pool is addressed by a handle (pool, object,
 * index) — for pagelab one object per file, index = the page offset.
 *
 * The seed's rules, which every op below keeps:
 *   - a put over a handle that holds a page flushes the old copy first
 *     (so a refused put leaves the handle empty, never stale);
 *   - a get from an ephemeral pool is exclusive: the copy leaves the pool;
 *   - a get from a persistent pool keeps the copy;
 *   - once a get of a handle has failed, later gets of it fail until the
 *     next put (a copy that fails its checksum or its decompression is
 *     flushed by the get that found it, so it cannot come back).
 *
 * The index follows the seed's layout (objects by hash, pages by index) with
 * the project's own maps: each pool keeps its objects in a `hash` pagemap
 * keyed by object id, each object its pages in a `radix` pagemap keyed by
 * index (policies/pagemap.h).
 *
 * Where the bytes go (the seed's PAM behind its pamops) is a pluggable page
 * store, one file each under policies/tmem/, listed in
 * policies/tmem/registry.c:
 *   copy   the page as it is;
 *   lz4    liblz4 (LZ4_compress_fast_extState, acceleration `accel`);
 *   zstd   libzstd at a fast level (`level`, default 1).
 * Before any store, a page whose 64-bit words are all equal (zero-filled or
 * same-filled) is kept as that one word (zswap's same-filled pages).  Every
 * stored copy carries a checksum of its stored bytes (tmem_checksum: any
 * flipped byte is found), checked by get.
 *
 * Capacity is in bytes: the stored size of every page (the compressed
 * bytes; 8 for a one-word page), summed over all pools of the tier.  A put
 * that does not fit:
 *   - into an ephemeral pool is refused;
 *   - into a persistent pool first evicts ephemeral pages of the tier,
 *     oldest put first (they are clean copies: dropping one loses nothing),
 *     and is refused only if that cannot make room.  A persistent page is
 *     never evicted: the caller keeps the page (writes it back) on refusal,
 *     as frontswap's caller writes to swap.
 * A page the store cannot make smaller than a page (compress fails or
 * does not fit) is refused too, like zswap's reject_compress_poor; so is a
 * put whose memory the mem source refuses.  A refused put changes nothing
 * but the counters (and the flush of the old copy, rule 1).
 *
 * Memory: every allocation of the tier, its pools, their maps (pagemap
 * policies made with the same source) and stored pages goes through the
 * memory source of the store given at create (common/mem.h).  The store's
 * working memory (compressor state, a scratch page) is allocated at
 * create, so a put allocates only the stored page and what the maps need
 * (a new object, a radix node); get and the flushes only give back.
 *
 * Context: no op takes a lock; the caller serialises every call on one tier
 * (the real engine: under the virtmem lock, put from reclaim and get from
 * the load path, both possibly inside the SIGSEGV handler — which is why
 * nothing here allocates except through the mem source and the pagemaps,
 * and nothing calls the OS).
 */
#ifndef PAGELAB_POLICIES_TMEM_H
#define PAGELAB_POLICIES_TMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/mem.h"

/* ---- page stores ------------------------------------------------------- */

struct tmem_store_ops;

/* Base of every store; a store embeds it as its first member. */
struct tmem_store {
	const struct tmem_store_ops *ops;
	size_t page_bytes;
	const struct mem_source *mem;
};

struct tmem_store_ops {
	const char *name;	/* --tmem SIZE:store=NAME */
	const char *help;	/* one line for --list */
	/* A store for pages of page_bytes, its working memory from mem.  Bad
	 * args or no memory: NULL and a one-line message in err. */
	struct tmem_store *(*create)(const char *args, size_t page_bytes,
				     const struct mem_source *mem, char *err,
				     size_t errlen);
	void (*destroy)(struct tmem_store *s);
	/* Encode page (page_bytes) into dst (dst_cap = page_bytes bytes).
	 * Returns the bytes written, in 1..dst_cap, or 0 when the page does
	 * not fit or the store fails: the put is then refused.  Never
	 * allocates. */
	size_t (*compress)(struct tmem_store *s, const void *page, void *dst,
			   size_t dst_cap);
	/* Decode src (src_bytes, as compress wrote them) into page
	 * (page_bytes).  0, or -EIO when src does not decode to exactly one
	 * page.  Never allocates. */
	int (*decompress)(struct tmem_store *s, const void *src,
			  size_t src_bytes, void *page);
};

/* NULL-terminated, in the order --list shows them. */
extern const struct tmem_store_ops *const tmem_store_registry[];

/* A store from "NAME[:ARGS]" (mem NULL: mem_default); NULL and a
 * message naming the valid stores on error. */
struct tmem_store *tmem_store_create(const char *spec, size_t page_bytes,
				     const struct mem_source *mem, char *err,
				     size_t errlen);

static inline void tmem_store_destroy(struct tmem_store *s)
{
	if (s)
		s->ops->destroy(s);
}

/* ---- the tier as the command line names it ---------------------------- */

/* --tmem SIZE[:store=NAME[:ARG=V...]][:pool=ephemeral|persistent|both];
 * store defaults to lz4, pool to ephemeral. */
struct tmem_spec {
	char size[32];		/* SIZE as given, resolved like a --ram size */
	char store[96];		/* "NAME[:ARGS]", checked */
	bool ephemeral, persistent;	/* the pools to make */
};

/* 0, or -1 and one line naming the bad part ("--tmem: ...").  Makes and
 * drops one store to check its name and arguments. */
int tmem_spec_parse(const char *s, struct tmem_spec *sp, char *err,
		    size_t errlen);

/* ---- the tier ---------------------------------------------------------- */

enum tmem_pool_kind { TMEM_EPHEMERAL, TMEM_PERSISTENT };

#define TMEM_MAX_POOLS 16	/* as the seed's MAX_POOLS_PER_CLIENT */

struct tmem_stats {
	uint64_t puts;		/* put calls */
	uint64_t put_refused;	/* of which stored nothing */
	uint64_t put_replaced;	/* puts that flushed an old copy first */
	uint64_t gets;		/* get calls */
	uint64_t get_hits;	/* of which returned the page */
	uint64_t get_corrupt;	/* gets that found a bad copy (and flushed it) */
	uint64_t flushes;	/* pages dropped by flush_page/_object/pool */
	uint64_t evictions;	/* ephemeral pages dropped to make room */
	uint64_t word_pages;	/* puts kept as one word (same-filled) */
	uint64_t stored_bytes;	/* sum of the stored size of every put kept */
	uint64_t bytes;		/* stored bytes held now */
	uint64_t bytes_peak;	/* most ever held */
	uint64_t pages;		/* pages held now */
};

struct tmem;

/* A tier of capacity_bytes (> 0) storing through store (from
 * tmem_store_create, or a test's own), for pages of store->page_bytes (a
 * multiple of 8, at least 64), its memory from store->mem.  The tier owns
 * the store from here on, also when it fails: NULL and a one-line message.
 * Runs at engine creation. */
struct tmem *tmem_create(size_t capacity_bytes, struct tmem_store *store,
			 char *err, size_t errlen);
/* Flush every pool and free everything. */
void tmem_destroy(struct tmem *t);

/* A new empty pool: its id (0..TMEM_MAX_POOLS-1), or -ENOSPC (all ids in
 * use) or -ENOMEM. */
int tmem_new_pool(struct tmem *t, enum tmem_pool_kind kind);
/* Flush every page of pool and free its id (counted as flushes). */
void tmem_destroy_pool(struct tmem *t, int pool);

/*
 * Copy page (page_bytes) into the pool under (obj, index).  Returns 0, or
 * the put is refused: -ENOSPC (no room, see "Capacity"), -E2BIG (the store
 * could not make it smaller than a page, or failed), -ENOMEM (the mem
 * source or a map refused).  Either way an older copy under the handle is
 * gone.  obj and index are any 64-bit values.
 */
int tmem_put(struct tmem *t, int pool, uint64_t obj, uint64_t index,
	     const void *page);
/*
 * The simulator's put, which holds no page bytes: the same decisions and
 * counters as tmem_put of a page whose tmem_stored_size is stored_bytes
 * (0: the store refuses it; 8: a one-word page), keeping no bytes.  A get
 * of such a page passes page = NULL.
 */
int tmem_put_size(struct tmem *t, int pool, uint64_t obj, uint64_t index,
		  size_t stored_bytes);
/*
 * Copy the page under (obj, index) into page (NULL for a tmem_put_size
 * page: nothing is copied).  Returns 0 (ephemeral pool:
 * the copy is now gone; persistent: kept), -ENOENT (none), or -EIO (the
 * copy failed its checksum or its decompression: it is flushed; page holds
 * garbage).
 */
int tmem_get(struct tmem *t, int pool, uint64_t obj, uint64_t index,
	     void *page);
/* Drop the page under (obj, index): 1 if there was one, else 0. */
int tmem_flush_page(struct tmem *t, int pool, uint64_t obj, uint64_t index);
/* Drop every page of obj: how many there were. */
size_t tmem_flush_object(struct tmem *t, int pool, uint64_t obj);

/* Stored size the tier would charge for page (8 for a one-word page, else
 * what the store writes), 0 if the store refuses it.  Changes nothing but
 * the store's scratch memory. */
size_t tmem_stored_size(struct tmem *t, const void *page);

const struct tmem_stats *tmem_stats(const struct tmem *t);
size_t tmem_capacity_bytes(const struct tmem *t);
/* Bytes of the index (tier, pools, objects, page records and maps), not
 * counting the stored bytes. */
size_t tmem_index_bytes(const struct tmem *t);

/* The stored bytes of the copy under (obj, index) and their number, or
 * NULL: for tests that damage a stored copy. */
void *tmem_stored_bytes(struct tmem *t, int pool, uint64_t obj,
			uint64_t index, size_t *bytes);

/* The checksum stored with each copy (exposed for the tests): finds every
 * change within one 32-bit word, so every flipped byte. */
uint64_t tmem_checksum(const void *p, size_t bytes);

#endif

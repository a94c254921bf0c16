/*
 * policies/reclaim/s3fifo.c — S3-FIFO: three static FIFO queues.
 *
 * Yang, Zhang, Qiu, Yue, Vinayak: "FIFO queues are all you need for cache
 * eviction", SOSP'23.  The idea is quick demotion: most pages are used once
 * in a short window, so new pages go through a small probationary FIFO and
 * only those reused there reach the main FIFO; the main FIFO is CLOCK with a
 * 2-bit counter (lazy promotion by reinsertion).
 *
 *            miss, key not in G                  miss, key in G
 *                   |                                  |
 *                   v                                  v
 *   S (small FIFO, 10 %) --freq >= promote--> M (main FIFO, 90 %) --+
 *          |  freq < promote                    ^   freq > 0: freq-1 |
 *          v                                    +--------------------+
 *   G (ghost FIFO of keys, ~ main's size)       freq == 0: evicted
 *
 * A hit or fault raises the page's frequency, capped at 3 (2 bits).
 * victim(): if M holds more than its share or S is empty, M's tail is
 * examined (reinserted at M's head with freq-1 while freq > 0, else evicted);
 * otherwise S's tail (moved to M's head with freq 0 when freq >= promote,
 * else evicted and its key appended to G).  A miss whose key is in G goes to
 * M; any other miss to S.
 *
 * Variant: the original S3-FIFO as its authors simulate it, which
 * reproduces the README's S3-FIFO row exactly (0.8304 / 0.7525 / 0.6280):
 * promote=2 (libCacheSim's move-to-main threshold: a page must be reused
 * twice while in S; promote=1 gives 0.8285 / 0.7470 / 0.6003); G holds
 * ghost * npages keys (0.9: main's capacity) and a G hit is removed from
 * G; pages promoted from S or admitted from G start in M with freq 0; S to
 * M moves do not evict from M on the spot (M may overflow its share until
 * the next victim()); during the cold-start fill every new page goes to S,
 * so S starts far over its share and drains as victims are taken from it.
 * libCacheSim's later S3FIFO.c sends cold-start misses to M once S is full
 * (its notes say that is the only difference): 0.8305 / 0.7553 / 0.5833.
 *
 * Parameters: small (fraction of RAM for S, default 0.1), ghost (G's size as
 * a fraction of RAM, default 0.9), promote (S->M threshold, default 2).
 *
 * History: G is bounded by ghost * npages keys, preallocated at create()
 * as one FIFO list of a ghost table (policies/reclaim/ghost.h, about 40
 * bytes per key); ghosts hold no page and are not charged against RAM;
 * metadata_bytes() counts them.
 *
 * Unevictable pages keep their place: the scans pass over them without
 * touching their frequency.  All hooks are O(1), victim() amortized (each
 * reinsertion spends a frequency unit some hit paid for).
 *
 * Under `faults` observation no hits arrive, so frequencies stay 0 (a map,
 * dirty or ref fault still counts): every page leaves S at its tail into G,
 * a re-fault within G's window admits it to M, and M is plain FIFO — a
 * FIFO probation queue in front of a FIFO main queue admitting only pages
 * re-faulted within about one RAM's worth of evictions.
 *
 * Context: hooks run under the engine's lock, possibly in the SIGSEGV
 * handler: no allocation, no stdio (create/destroy excepted).
 */
#include "policies/reclaim.h"

#include <stdio.h>

#include "common/args.h"
#include "common/bug.h"
#include "policies/reclaim/ghost.h"

#define S3_FREQ_MASK 0x3u	/* pflags: 2-bit frequency */
#define S3_IN_MAIN   0x4u	/* pflags: page is on M (else on S) */

struct s3fifo {
	struct reclaim base;
	struct list_head small;	/* head = newest, tail = next examined */
	struct list_head main;
	struct ghost_table ghosts;	/* G: its one list */
	size_t small_cap, main_cap, ghost_cap;
	size_t nsmall, nmain;
	uint32_t promote;
};

static inline struct s3fifo *to_s3(struct reclaim *r)
{
	return container_of(r, struct s3fifo, base);
}

static inline struct rpage *link_page(struct list_head *l)
{
	return container_of(l, struct rpage, link);
}

#define S3_DEF_SMALL   0.1
#define S3_DEF_GHOST   0.9
#define S3_DEF_PROMOTE 2

static void s3fifo_specs(struct arg_spec *specs, double *small, double *ghost,
			 uint64_t *promote)
{
	specs[0] = (struct arg_spec){ "small", ARG_DOUBLE, small, 0.0, 1.0, NULL,
				      "fraction of RAM for the small FIFO" };
	specs[1] = (struct arg_spec){ "ghost", ARG_DOUBLE, ghost, 0.0, 4.0, NULL,
				      "ghost FIFO size, fraction of RAM" };
	specs[2] = (struct arg_spec){ "promote", ARG_U64, promote, 1, 3, NULL,
				      "reuses in the small FIFO to enter main" };
}

static void s3fifo_describe_args(char *buf, size_t buflen)
{
	double small = S3_DEF_SMALL, ghost = S3_DEF_GHOST;
	uint64_t promote = S3_DEF_PROMOTE;
	struct arg_spec specs[3];

	s3fifo_specs(specs, &small, &ghost, &promote);
	args_describe(specs, 3, buf, buflen);
}

static struct reclaim *s3fifo_create(const char *args,
				     const struct reclaim_params *p, char *err,
				     size_t errlen)
{
	double small = S3_DEF_SMALL, ghost = S3_DEF_GHOST;
	uint64_t promote = S3_DEF_PROMOTE;
	struct arg_spec specs[3];
	struct s3fifo *s;

	s3fifo_specs(specs, &small, &ghost, &promote);
	if (args_parse("reclaim s3fifo", args, specs, 3, err, errlen))
		return NULL;
	s = mem_alloc(p->mem, sizeof(*s), 0);
	if (!s) {
		snprintf(err, errlen, "reclaim s3fifo: out of memory");
		return NULL;
	}
	s->small_cap = (size_t)((double)p->npages * small);
	if (s->small_cap < 1)
		s->small_cap = 1;
	if (s->small_cap > p->npages)
		s->small_cap = p->npages;
	s->main_cap = p->npages - s->small_cap;
	s->ghost_cap = (size_t)((double)p->npages * ghost);
	s->promote = (uint32_t)promote;
	list_init(&s->small);
	list_init(&s->main);
	if (ghost_init(&s->ghosts, s->ghost_cap ? s->ghost_cap : 1, 1, p->mem)) {
		snprintf(err, errlen, "reclaim s3fifo: out of memory for %zu ghosts",
			 s->ghost_cap);
		mem_free(p->mem, s, sizeof(*s), 0);
		return NULL;
	}
	return &s->base;
}

static void s3fifo_destroy(struct reclaim *r)
{
	struct s3fifo *s = to_s3(r);

	ghost_fini(&s->ghosts, r->mem);
	mem_free(r->mem, s, sizeof(*s), 0);
}

/* Called in insert(): page pg (not tracked) becomes resident. */
static void s3fifo_insert(struct reclaim *r, struct rpage *pg,
			  const struct reclaim_ctx *ctx)
{
	struct s3fifo *s = to_s3(r);
	uint32_t ref = s->ghost_cap ? ghost_find(&s->ghosts, pg->key) : GHOST_NONE;

	(void)ctx;
	pg->pflags = 0;
	if (ref != GHOST_NONE) {
		ghost_del(&s->ghosts, ref);
		pg->pflags = S3_IN_MAIN;
		list_add(&pg->link, &s->main);
		s->nmain++;
	} else {
		list_add(&pg->link, &s->small);
		s->nsmall++;
	}
}

/* Called in hit() and fault(): one more use, at most 3. */
static void s3fifo_hit(struct reclaim *r, struct rpage *pg,
		       const struct reclaim_ctx *ctx)
{
	(void)r;
	(void)ctx;
	if ((pg->pflags & S3_FREQ_MASK) < 3)
		pg->pflags++;
}

static void s3fifo_ghost_add(struct s3fifo *s, uint64_t key)
{
	if (!s->ghost_cap)
		return;
	ghost_prefetch(&s->ghosts, key);	/* for ghost_add */
	if (ghost_full(&s->ghosts)) {
		ghost_drop_oldest(&s->ghosts, 0);
		ghost_prefetch_oldest(&s->ghosts, 0);
	}
	ghost_add(&s->ghosts, 0, key);
}

/* S's tail: move reused pages to M, evict the first other evictable one. */
static struct rpage *s3fifo_scan_small(struct s3fifo *s)
{
	struct list_head *node = list_last(&s->small);

	while (node != &s->small) {
		struct list_head *prev = node->prev;
		struct rpage *pg = link_page(node);

		if (rpage_evictable(pg)) {
			list_del(node);
			s->nsmall--;
			if ((pg->pflags & S3_FREQ_MASK) >= s->promote) {
				pg->pflags = S3_IN_MAIN;
				list_add(node, &s->main);
				s->nmain++;
			} else {
				s3fifo_ghost_add(s, pg->key);
				return pg;
			}
		}
		node = prev;
	}
	return NULL;
}

/* M's tail: reinsert while freq > 0 (spending one unit), else evict. */
static struct rpage *s3fifo_scan_main(struct s3fifo *s)
{
	struct list_head *node = list_last(&s->main);
	bool moved = false;

	for (;;) {
		struct list_head *prev = node->prev;
		struct rpage *pg;

		if (node == &s->main) {
			/* A full pass: restart only if it changed something. */
			if (!moved)
				return NULL;
			moved = false;
			node = list_last(&s->main);
			continue;
		}
		pg = link_page(node);
		if (rpage_evictable(pg)) {
			uint32_t f = pg->pflags & S3_FREQ_MASK;
			if (!f) {
				list_del(node);
				s->nmain--;
				return pg;
			}
			pg->pflags = S3_IN_MAIN | (f - 1);
			list_move(node, &s->main);
			moved = true;
		}
		node = prev;
	}
}

/* Called in victim(): the next page to evict, detached; NULL if none. */
static struct rpage *s3fifo_victim(struct reclaim *r,
				   const struct reclaim_ctx *ctx)
{
	struct s3fifo *s = to_s3(r);
	struct rpage *pg;

	(void)ctx;
	if (s->nmain > s->main_cap || s->nsmall == 0) {
		pg = s3fifo_scan_main(s);
		if (!pg)
			pg = s3fifo_scan_small(s);
	} else {
		pg = s3fifo_scan_small(s);
	}
	/* S may have handed all its evictable pages to M. */
	if (!pg)
		pg = s3fifo_scan_main(s);
	return pg;
}

/* Called in remove(): pg leaves without a ghost. */
static void s3fifo_remove(struct reclaim *r, struct rpage *pg)
{
	struct s3fifo *s = to_s3(r);

	list_del(&pg->link);
	if (pg->pflags & S3_IN_MAIN)
		s->nmain--;
	else
		s->nsmall--;
}

static size_t s3fifo_metadata_bytes(const struct reclaim *r)
{
	const struct s3fifo *s = container_of(r, const struct s3fifo, base);

	return sizeof(*s) + ghost_bytes(&s->ghosts) +
	       r->nresident * sizeof(struct rpage);
}

/*
 * The hint: for a coming load fault on key, the slot its insert() looks up
 * among the ghosts, and what evicting the likely victim, S's tail,
 * touches: where it will be remembered, and its neighbour.  It names no
 * victim (finding M's next page with no use left reads cold lines:
 * measured 12 % slower).
 */
static const struct rpage *s3fifo_hint(const struct reclaim *r, uint64_t key)
{
	const struct s3fifo *s = container_of(r, const struct s3fifo, base);

	if (key == RECLAIM_KEY_NONE)
		return NULL;
	ghost_prefetch(&s->ghosts, key);
	if (s->small.prev != &s->small) {
		const struct rpage *pg = container_of(s->small.prev,
						      const struct rpage, link);

		ghost_prefetch(&s->ghosts, pg->key);
		__builtin_prefetch(pg->link.prev, 1);
	}
	return NULL;
}

const struct reclaim_ops reclaim_s3fifo = {
	.name = "s3fifo",
	.help = "S3-FIFO (Yang et al., SOSP'23): small + main FIFO, ghost keys",
	.describe_args = s3fifo_describe_args,
	.create = s3fifo_create,
	.destroy = s3fifo_destroy,
	.insert = s3fifo_insert,
	.hit = s3fifo_hit,
	.fault = s3fifo_hit,
	.victim = s3fifo_victim,
	.remove = s3fifo_remove,
	.metadata_bytes = s3fifo_metadata_bytes,
	.hint = s3fifo_hint,
};

/*
 * policies/reclaim/ghost.h — bounded ghost (non-resident history) tables
 * for the reclaim policies that remember evicted keys.
 *
 * Two layers, both allocated whole at the policy's create():
 *
 * ghost_index: a hash from 64-bit key to a 32-bit value (an entry number),
 *   made of 64-byte buckets, one cache line each, holding up to four keys
 *   with their values and 16-bit hash tags.  A key lives in its home
 *   bucket unless that was full, then in the next bucket with room (linear
 *   probing by buckets); each bucket counts the entries stored past it, so
 *   a lookup stops at the first bucket nobody passed, and deletion needs
 *   no shifting (entries never move: a slot ref stays valid).  With half a
 *   bucket per entry (load <= 1/2) a lookup — of a present or an absent
 *   key — reads one line, rarely two, and no entry; the tags are matched
 *   all at once and only a matching tag's key is compared.
 *
 * ghost_table: up to two FIFO lists of ghost keys (ARC's B1 and B2, 2Q's
 *   A1out, S3-FIFO's G) over one index.  A list is a ring of positions;
 *   the index maps each live key to its position, and each position
 *   remembers the index slot its key took.  A new ghost takes the next
 *   position, the oldest leaves from the ring's tail, and a ghost found
 *   again (a ghost hit) just leaves the index: its position stays in the
 *   ring as a dead one, passed over when the tail reaches it (a position
 *   is live iff its slot still holds it).  So no list links are written
 *   anywhere, dropping the oldest reads the ring sequentially plus one
 *   bucket, and a ghost hit touches only its bucket.  A ring has 2 * cap positions; when live
 *   and dead ones fill it, it is compacted (live positions moved down,
 *   their index values rewritten): O(ring) once per >= cap additions,
 *   O(1) amortized.
 *
 * The table never holds more than `cap` live keys: a policy that wants a
 * new ghost while it is full must drop one first (its oldest), which is how
 * every policy bounds its history to a multiple of RAM.  Ghosts are policy
 * metadata, never RAM pages: ghost_bytes() is what they cost (32 bytes
 * of index per key of cap, plus 8 bytes of ring per key of cap per list)
 * and metadata_bytes() reports it.
 *
 * Memory: init/fini take and give back the whole table from the policy's
 * memory source (common/mem.h), as large blocks (huge pages from 2 MiB
 * up).
 *
 * Context: everything but init/fini runs inside reclaim hooks (engine lock
 * held, maybe the SIGSEGV handler): no allocation, no stdio.
 */
#ifndef PAGELAB_POLICIES_RECLAIM_GHOST_H
#define PAGELAB_POLICIES_RECLAIM_GHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bug.h"
#include "common/mem.h"

/* ---- the index ------------------------------------------------------- */

#define GHOST_BSLOTS 4			/* keys per bucket */
#define GHOST_USED ((1u << GHOST_BSLOTS) - 1)	/* meta: slots in use */
#define GHOST_AWAY_SHIFT GHOST_BSLOTS	/* meta: slots not in their home */
#define GHOST_PASSED (1u << (2 * GHOST_BSLOTS))	/* meta: one entry stored past */
#define GHOST_NONE UINT32_MAX		/* no ref */
#define GHOST_LANES 0x0001000100010001ull	/* one per 16-bit tag lane */

struct ghost_bucket {
	uint64_t key[GHOST_BSLOTS];
	uint32_t val[GHOST_BSLOTS];
	uint64_t tags;	/* slot i's 16-bit hash tag in bits 16i..16i+15 */
	uint32_t meta;	/* slot bits, away bits, + GHOST_PASSED per entry
			 * stored past this bucket */
} __attribute__((aligned(64)));

struct ghost_index {
	struct ghost_bucket *b;
	uint32_t nb;		/* buckets */
	uint32_t used;		/* entries */
};

/* Allocate an index for up to cap entries from mem.  0, or -1 when out of
 * memory.  Called from create() only; fini from destroy(). */
int ghost_index_init(struct ghost_index *x, size_t cap,
		     const struct mem_source *mem);
void ghost_index_fini(struct ghost_index *x, const struct mem_source *mem);

static inline size_t ghost_index_bytes(const struct ghost_index *x)
{
	return (size_t)x->nb * sizeof(struct ghost_bucket);
}

/* 64 well-mixed bits of key: the high half picks the home bucket, bits
 * 16..31 are the tag. */
static inline uint64_t ghost_hash(uint64_t key)
{
	key ^= key >> 31;
	return key * 0x9e3779b97f4a7c15ull;
}

static inline uint32_t ghost_home_of(const struct ghost_index *x, uint64_t h)
{
	return (uint32_t)(((h >> 32) * (uint64_t)x->nb) >> 32);
}

static inline uint32_t ghost_home(const struct ghost_index *x, uint64_t key)
{
	return ghost_home_of(x, ghost_hash(key));
}

static inline uint32_t ghost_next_bucket(const struct ghost_index *x, uint32_t h)
{
	return h + 1 == x->nb ? 0 : h + 1;
}

/* Start fetching key's home bucket: a hint, for a lookup soon after. */
static inline void ghost_index_prefetch(const struct ghost_index *x, uint64_t key)
{
	__builtin_prefetch(&x->b[ghost_home(x, key)]);
}

/* A ref names a slot: bucket * 8 + slot. */
static inline uint32_t ghost_ref_val(const struct ghost_index *x, uint32_t ref)
{
	return x->b[ref >> 3].val[ref & 7];
}

static inline uint64_t ghost_ref_key(const struct ghost_index *x, uint32_t ref)
{
	return x->b[ref >> 3].key[ref & 7];
}

/* The slot holding key, or GHOST_NONE.  The tags of a bucket are matched
 * all at once (a lane of tags ^ tag is zero where they match; lanes above
 * a match may show too), and only the candidates' keys are compared. */
static inline uint32_t ghost_index_find(const struct ghost_index *x, uint64_t key)
{
	uint64_t hash = ghost_hash(key);
	uint64_t t = ((hash >> 16) & 0xffff) * GHOST_LANES;
	uint32_t h = ghost_home_of(x, hash);

	for (;;) {
		const struct ghost_bucket *b = &x->b[h];
		uint64_t d = b->tags ^ t;
		uint64_t m = (d - GHOST_LANES) & ~d & (GHOST_LANES << 15);

		while (m) {
			uint32_t i = (uint32_t)__builtin_ctzll(m) >> 4;

			if ((b->meta >> i & 1) && b->key[i] == key)
				return h * 8 + i;
			m &= m - 1;
		}
		if (b->meta < GHOST_PASSED)
			return GHOST_NONE;
		h = ghost_next_bucket(x, h);
	}
}

/* Store key (not present) with value val; the index must have room (the
 * caller bounds its entries by the cap it was made for).  Returns its ref,
 * which stays valid until it is deleted. */
static inline uint32_t ghost_index_add(struct ghost_index *x, uint64_t key,
				       uint32_t val)
{
	uint64_t hash = ghost_hash(key);
	uint32_t h = ghost_home_of(x, hash), i, away = 0;
	struct ghost_bucket *b = &x->b[h];

	while ((b->meta & GHOST_USED) == GHOST_USED) {
		b->meta += GHOST_PASSED;
		h = ghost_next_bucket(x, h);
		b = &x->b[h];
		away = 1;
	}
	i = (uint32_t)__builtin_ctz(~b->meta & GHOST_USED);
	b->key[i] = key;
	b->val[i] = val;
	b->tags = (b->tags & ~(0xffffull << 16 * i)) |
		  ((hash >> 16) & 0xffff) << 16 * i;
	b->meta = (b->meta & ~(1u << (GHOST_AWAY_SHIFT + i))) | 1u << i |
		  away << (GHOST_AWAY_SHIFT + i);
	x->used++;
	return h * 8 + i;
}

/* Remove the entry in slot ref. */
static inline void ghost_index_del(struct ghost_index *x, uint32_t ref)
{
	struct ghost_bucket *b = &x->b[ref >> 3];
	uint32_t i = ref & 7;

	BUG_ON(!(b->meta & (1u << i)));
	b->meta &= ~(1u << i);
	if (b->meta >> (GHOST_AWAY_SHIFT + i) & 1) {
		/* it was stored past the buckets from its home on */
		uint32_t h = ghost_home(x, b->key[i]);

		for (; h != ref >> 3; h = ghost_next_bucket(x, h))
			x->b[h].meta -= GHOST_PASSED;
	}
	x->used--;
}

/* ---- the FIFO lists ---------------------------------------------------- */

#define GHOST_FIFOS 2

struct ghost_fifo {
	uint32_t base;		/* its positions: base .. base + size - 1 */
	uint32_t size;
	uint32_t tail;		/* offset of the oldest position */
	uint32_t span;		/* positions in use, live or dead */
	uint32_t live;		/* ghosts on the list */
};

struct ghost_table {
	struct ghost_index x;	/* key -> position */
	uint32_t *ring;		/* per position: the slot its ghost took */
	uint32_t cap;		/* live ghosts at most, all lists */
	uint32_t nfifo;
	struct ghost_fifo f[GHOST_FIFOS];
};

/* A table of cap >= 1 ghosts on nfifo (1 or 2) lists, from mem.  0, or -1
 * when out of memory.  Called from create() only; fini from destroy(). */
int ghost_init(struct ghost_table *g, size_t cap, unsigned nfifo,
	       const struct mem_source *mem);
void ghost_fini(struct ghost_table *g, const struct mem_source *mem);

/* Compact list f's ring (ghost_add does it when the ring is full). */
void ghost_compact(struct ghost_table *g, struct ghost_fifo *f);

static inline bool ghost_full(const struct ghost_table *g)
{
	return g->x.used == g->cap;
}

/* Ghosts on list i. */
static inline uint32_t ghost_len(const struct ghost_table *g, unsigned i)
{
	return g->f[i].live;
}

/* Bytes allocated by the table (all preallocated at ghost_init). */
static inline size_t ghost_bytes(const struct ghost_table *g)
{
	size_t npos = 0;

	for (unsigned i = 0; i < g->nfifo; i++)
		npos += g->f[i].size;
	return ghost_index_bytes(&g->x) + npos * sizeof(*g->ring);
}

static inline void ghost_prefetch(const struct ghost_table *g, uint64_t key)
{
	ghost_index_prefetch(&g->x, key);
}

/* The ghost of key: a ref (valid until that ghost leaves), or GHOST_NONE. */
static inline uint32_t ghost_find(const struct ghost_table *g, uint64_t key)
{
	return ghost_index_find(&g->x, key);
}

/* Which list the ghost in slot ref is on. */
static inline unsigned ghost_ref_list(const struct ghost_table *g, uint32_t ref)
{
	return g->nfifo > 1 && ghost_ref_val(&g->x, ref) >= g->f[1].base;
}

/* True if slot ref still holds the ghost of key. */
static inline bool ghost_ref_holds(const struct ghost_table *g, uint32_t ref,
				   uint64_t key)
{
	const struct ghost_bucket *b = &g->x.b[ref >> 3];

	return (b->meta >> (ref & 7) & 1) && b->key[ref & 7] == key;
}

/* The ghost in slot ref leaves (a ghost hit); its position goes dead. */
static inline void ghost_del(struct ghost_table *g, uint32_t ref)
{
	g->f[ghost_ref_list(g, ref)].live--;
	ghost_index_del(&g->x, ref);
}

/* A new ghost for key (not present) at the head of list i; the table must
 * not be full (BUG otherwise). */
static inline void ghost_add(struct ghost_table *g, unsigned i, uint64_t key)
{
	struct ghost_fifo *f = &g->f[i];
	uint32_t off, pos;

	BUG_ON(ghost_full(g));
	if (f->span == f->size)
		ghost_compact(g, f);
	off = f->tail + f->span;
	if (off >= f->size)
		off -= f->size;
	pos = f->base + off;
	g->ring[pos] = ghost_index_add(&g->x, key, pos);
	f->span++;
	f->live++;
}

/* The slot of position pos if its ghost is still there, else GHOST_NONE.
 * Exact: a slot freed by a ghost hit and taken again holds a newer
 * position, and pos is reused only after the tail passed it. */
static inline uint32_t ghost_pos_ref(const struct ghost_table *g, uint32_t pos)
{
	uint32_t ref = g->ring[pos];
	const struct ghost_bucket *b = &g->x.b[ref >> 3];

	return (b->meta >> (ref & 7) & 1) && b->val[ref & 7] == pos ? ref
								    : GHOST_NONE;
}

/* Drop the oldest ghost of list i.  False if the list is empty. */
static inline bool ghost_drop_oldest(struct ghost_table *g, unsigned i)
{
	struct ghost_fifo *f = &g->f[i];

	if (!f->live)
		return false;
	for (;;) {
		uint32_t ref = ghost_pos_ref(g, f->base + f->tail);

		BUG_ON(f->span == 0);
		f->tail = f->tail + 1 == f->size ? 0 : f->tail + 1;
		f->span--;
		if (ref != GHOST_NONE) {
			ghost_index_del(&g->x, ref);
			f->live--;
			return true;
		}
	}
}

/* Start fetching the buckets that dropping the oldest two positions of
 * list i will read (the ring itself is read in order). */
static inline void ghost_prefetch_oldest(const struct ghost_table *g, unsigned i)
{
	const struct ghost_fifo *f = &g->f[i];
	uint32_t t1 = f->tail + 1 == f->size ? 0 : f->tail + 1;

	if (f->span > 0)
		__builtin_prefetch(&g->x.b[g->ring[f->base + f->tail] >> 3]);
	if (f->span > 1)
		__builtin_prefetch(&g->x.b[g->ring[f->base + t1] >> 3]);
}

#endif

/*
 * policies/alloc/bitmap.c — the `bitmap` allocator policy: first fit or
 * best fit over one bit per quantum, like Linux's genalloc
 * (lib/genalloc.c: gen_pool_first_fit, gen_pool_best_fit).
 *
 * Bit u is set when unit u (address base + u*quantum) is allocated.  First
 * fit takes the lowest run of n clear bits; best fit the shortest run of at
 * least n clear bits (an exact-length run ends the search), lowest on ties.
 * A hint is taken when its n bits are clear.
 *
 * The bitmap is sparse so that a 2^40-unit arena costs nothing up front:
 *
 *   top[d] --> dir block (512 chunk pointers) --> chunk (2^15 bits, 4 KiB)
 *
 * A missing dir block or chunk means "all clear"; a chunk is allocated when
 * a bit in it is first set and freed when its last bit is cleared, top[]
 * grows (doubling) up to the highest dir block touched.  Memory: 4 KiB per
 * chunk holding an allocated unit, 4 KiB per dir block (2^24 units) in use,
 * and 8 bytes per 2^24 units below the highest allocation: at most 512 KiB
 * of top[] for a 2^40-unit arena.  A full chunk (count = 2^15) is skipped
 * without looking at its words; "all units below first_clear are set" lets
 * searches skip the allocated prefix.
 *
 * Costs: first fit O(words scanned from first_clear); best fit visits every
 * clear run (counted in stats.segments); hint O(n/64).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/args.h"
#include "common/bug.h"
#include "policies/alloc.h"

#define BM_CHUNK_SHIFT	15
#define BM_CHUNK_BITS	(1ull << BM_CHUNK_SHIFT)
#define BM_CHUNK_WORDS	(BM_CHUNK_BITS / 64)
#define BM_DIR_SHIFT	9
#define BM_DIR_SIZE	(1u << BM_DIR_SHIFT)
#define BM_DIR_UNITS_SHIFT (BM_CHUNK_SHIFT + BM_DIR_SHIFT)

struct bm_chunk {
	uint64_t nset;
	uint64_t w[BM_CHUNK_WORDS];
};

struct bm_dir {
	unsigned n;	/* chunks present */
	struct bm_chunk *c[BM_DIR_SIZE];
};

struct bitmap_alloc {
	struct alloc base;
	bool best;
	uint64_t nunits;
	uint64_t first_clear;	/* every unit below is allocated */
	struct bm_dir **top;
	uint64_t ntop;
	struct alloc_stats st;
};

static struct bm_chunk *bm_chunk(const struct bitmap_alloc *b, uint64_t c)
{
	uint64_t d = c >> BM_DIR_SHIFT;

	if (d >= b->ntop || !b->top[d])
		return NULL;
	return b->top[d]->c[c & (BM_DIR_SIZE - 1)];
}

/* First clear unit in [u, limit), or limit. */
static uint64_t bm_next_clear(const struct bitmap_alloc *b, uint64_t u,
			      uint64_t limit)
{
	while (u < limit) {
		uint64_t c = u >> BM_CHUNK_SHIFT;
		const struct bm_chunk *ch = bm_chunk(b, c);
		uint64_t w, x;

		if (!ch)
			return u;
		if (ch->nset == BM_CHUNK_BITS) {
			u = (c + 1) << BM_CHUNK_SHIFT;
			continue;
		}
		w = (u >> 6) & (BM_CHUNK_WORDS - 1);
		x = ~ch->w[w] & (~0ull << (u & 63));
		while (!x && ++w < BM_CHUNK_WORDS)
			x = ~ch->w[w];
		if (x) {
			u = (c << BM_CHUNK_SHIFT) + (w << 6) +
			    (uint64_t)__builtin_ctzll(x);
			return u < limit ? u : limit;
		}
		u = (c + 1) << BM_CHUNK_SHIFT;
	}
	return limit;
}

/* First set unit in [u, limit), or limit. */
static uint64_t bm_next_set(const struct bitmap_alloc *b, uint64_t u,
			    uint64_t limit)
{
	while (u < limit) {
		uint64_t c = u >> BM_CHUNK_SHIFT, d = c >> BM_DIR_SHIFT;
		const struct bm_chunk *ch;
		uint64_t w, x, cbase;

		if (d >= b->ntop)
			return limit;
		if (!b->top[d]) {
			u = (d + 1) << BM_DIR_UNITS_SHIFT;
			continue;
		}
		ch = b->top[d]->c[c & (BM_DIR_SIZE - 1)];
		if (!ch || ch->nset == 0) {
			u = (c + 1) << BM_CHUNK_SHIFT;
			continue;
		}
		cbase = c << BM_CHUNK_SHIFT;
		w = (u >> 6) & (BM_CHUNK_WORDS - 1);
		x = ch->w[w] & (~0ull << (u & 63));
		while (!x && ++w < BM_CHUNK_WORDS && cbase + (w << 6) < limit)
			x = ch->w[w];
		if (x) {
			u = cbase + (w << 6) + (uint64_t)__builtin_ctzll(x);
			return u < limit ? u : limit;
		}
		u = (c + 1) << BM_CHUNK_SHIFT;
	}
	return limit;
}

/* Free dir blocks and chunks that hold no set bit, over [u, u+n). */
static void bm_trim(struct bitmap_alloc *b, uint64_t u, uint64_t n)
{
	for (uint64_t c = u >> BM_CHUNK_SHIFT; c <= (u + n - 1) >> BM_CHUNK_SHIFT; c++) {
		uint64_t d = c >> BM_DIR_SHIFT;
		struct bm_dir *dir = d < b->ntop ? b->top[d] : NULL;
		struct bm_chunk **chp;

		if (!dir)
			continue;
		chp = &dir->c[c & (BM_DIR_SIZE - 1)];
		if (*chp && (*chp)->nset == 0) {
			mem_free(b->base.mem, *chp, sizeof(**chp), 0);
			*chp = NULL;
			dir->n--;
		}
		if (dir->n == 0) {
			mem_free(b->base.mem, dir, sizeof(*dir), 0);
			b->top[d] = NULL;
		}
	}
}

/* Make every chunk of [u, u+n) present; -ENOMEM (nothing added) if not. */
static int bm_populate(struct bitmap_alloc *b, uint64_t u, uint64_t n)
{
	uint64_t clast = (u + n - 1) >> BM_CHUNK_SHIFT;
	uint64_t dlast = clast >> BM_DIR_SHIFT;

	if (dlast >= b->ntop) {
		uint64_t nt = b->ntop ? b->ntop : 1;
		struct bm_dir **t;
		while (nt <= dlast)
			nt *= 2;
		t = mem_alloc_array(b->base.mem, nt, sizeof(*t), 0);
		if (!t)
			return -ENOMEM;
		if (b->ntop)
			memcpy(t, b->top, b->ntop * sizeof(*t));
		mem_free_array(b->base.mem, b->top, b->ntop, sizeof(*t), 0);
		b->top = t;
		b->ntop = nt;
	}
	for (uint64_t c = u >> BM_CHUNK_SHIFT; c <= clast; c++) {
		uint64_t d = c >> BM_DIR_SHIFT;
		struct bm_chunk **chp;

		if (!b->top[d]) {
			b->top[d] = mem_alloc(b->base.mem, sizeof(struct bm_dir), 0);
			if (!b->top[d])
				goto nomem;
		}
		chp = &b->top[d]->c[c & (BM_DIR_SIZE - 1)];
		if (!*chp) {
			*chp = mem_alloc(b->base.mem, sizeof(struct bm_chunk), 0);
			if (!*chp)
				goto nomem;
			b->top[d]->n++;
		}
	}
	return 0;
nomem:
	bm_trim(b, u, n);
	return -ENOMEM;
}

/* Set (set=true) or clear the bits of [u, u+n); chunks must be present when
 * setting.  Returns how many bits changed. */
static uint64_t bm_change(struct bitmap_alloc *b, uint64_t u, uint64_t n, bool set)
{
	uint64_t end = u + n, changed = 0;

	while (u < end) {
		struct bm_chunk *ch = bm_chunk(b, u >> BM_CHUNK_SHIFT);
		uint64_t w = (u >> 6) & (BM_CHUNK_WORDS - 1);
		uint64_t bits = 64 - (u & 63), mask, old, diff;

		if (bits > end - u)
			bits = end - u;
		mask = (bits == 64 ? ~0ull : ((1ull << bits) - 1)) << (u & 63);
		BUG_ON(!ch);
		old = ch->w[w];
		ch->w[w] = set ? old | mask : old & ~mask;
		diff = (uint64_t)__builtin_popcountll((old ^ ch->w[w]) & mask);
		ch->nset = set ? ch->nset + diff : ch->nset - diff;
		changed += diff;
		u += bits;
	}
	return changed;
}

static int bm_take(struct bitmap_alloc *b, uint64_t u, uint64_t n,
		   uint64_t *addrp)
{
	uint64_t changed;

	if (bm_populate(b, u, n))
		return -ENOMEM;
	changed = bm_change(b, u, n, true);
	BUG_ON(changed != n);
	if (u == b->first_clear)
		b->first_clear = u + n;
	b->st.in_use += n * b->base.quantum;
	b->st.allocs++;
	*addrp = b->base.base + u * b->base.quantum;
	return 0;
}

/* Engine context: under the engine lock, possibly in the SIGSEGV handler
 * (chunks from the memory source: docs/ENGINE.md "Memory").  -ENOMEM when
 * no run of n clear bits exists, or no memory for a chunk. */
static int bitmap_alloc_alloc(struct alloc *a, uint64_t size, uint64_t hint,
			      uint64_t *addrp)
{
	struct bitmap_alloc *b = container_of(a, struct bitmap_alloc, base);
	uint64_t n = size / a->quantum, u, best_u = 0, best_len = UINT64_MAX;

	if (n == 0 || size % a->quantum || n > b->nunits)
		return -ENOMEM;
	if (hint != ALLOC_NOHINT && hint >= a->base && (hint - a->base) % a->quantum == 0) {
		u = (hint - a->base) / a->quantum;
		if (u < b->nunits && b->nunits - u >= n &&
		    bm_next_set(b, u, u + n) == u + n)
			return bm_take(b, u, n, addrp);
	}
	u = bm_next_clear(b, b->first_clear, b->nunits);
	b->first_clear = u;
	while (u < b->nunits && b->nunits - u >= n) {
		uint64_t limit = b->best ? b->nunits : u + n;
		uint64_t o = bm_next_set(b, u, limit);

		b->st.segments++;
		if (!b->best) {
			if (o == u + n)
				return bm_take(b, u, n, addrp);
		} else if (o - u >= n && o - u < best_len) {
			best_u = u;
			best_len = o - u;
			if (best_len == n)
				break;
		}
		if (o >= b->nunits)
			break;
		u = bm_next_clear(b, o, b->nunits);
	}
	if (b->best && best_len != UINT64_MAX)
		return bm_take(b, best_u, n, addrp);
	return -ENOMEM;
}

static void bitmap_alloc_free(struct alloc *a, uint64_t addr, uint64_t size)
{
	struct bitmap_alloc *b = container_of(a, struct bitmap_alloc, base);
	uint64_t u = (addr - a->base) / a->quantum, n = size / a->quantum;

	BUG_ON(addr < a->base || u >= b->nunits || n == 0 || n > b->nunits - u);
	BUG_ON(bm_change(b, u, n, false) != n);	/* freeing what is not allocated */
	bm_trim(b, u, n);
	if (u < b->first_clear)
		b->first_clear = u;
	b->st.in_use -= size;
	b->st.frees++;
}

static void bitmap_alloc_stats(const struct alloc *a, struct alloc_stats *st)
{
	*st = container_of(a, struct bitmap_alloc, base)->st;
}

static const char *const bitmap_fit_names[] = { "first", "best", NULL };

static void bitmap_alloc_describe(char *buf, size_t buflen)
{
	int fit = 0;
	const struct arg_spec specs[] = {
		{ "fit", ARG_CHOICE, &fit, 0, 0, bitmap_fit_names,
		  "first or best fit" },
	};

	args_describe(specs, ARRAY_SIZE(specs), buf, buflen);
}

static struct alloc *bitmap_alloc_create(const char *args,
					 const struct alloc_params *p,
					 char *err, size_t errlen)
{
	uint64_t size = p->size, quantum = p->quantum;
	int fit = 0;
	const struct arg_spec specs[] = {
		{ "fit", ARG_CHOICE, &fit, 0, 0, bitmap_fit_names,
		  "first or best fit" },
	};
	struct bitmap_alloc *b;

	if (args_parse("alloc bitmap", args, specs, ARRAY_SIZE(specs), err, errlen))
		return NULL;
	if (size / quantum > (1ull << 62)) {
		snprintf(err, errlen, "alloc bitmap: arena of %llu units above 2^62",
			 (unsigned long long)(size / quantum));
		return NULL;
	}
	b = mem_alloc(p->mem, sizeof(*b), 0);
	if (!b) {
		snprintf(err, errlen, "alloc bitmap: out of memory");
		return NULL;
	}
	b->best = fit == 1;
	b->nunits = size / quantum;
	b->base.quantum = quantum;
	b->base.base = p->base;
	b->st.total = size;
	return &b->base;
}

static void bitmap_alloc_destroy(struct alloc *a)
{
	struct bitmap_alloc *b = container_of(a, struct bitmap_alloc, base);
	const struct mem_source *mem = a->mem;

	for (uint64_t d = 0; d < b->ntop; d++) {
		if (!b->top[d])
			continue;
		for (unsigned i = 0; i < BM_DIR_SIZE; i++)
			mem_free(mem, b->top[d]->c[i], sizeof(struct bm_chunk), 0);
		mem_free(mem, b->top[d], sizeof(struct bm_dir), 0);
	}
	mem_free_array(mem, b->top, b->ntop, sizeof(*b->top), 0);
	mem_free(mem, b, sizeof(*b), 0);
}

const struct alloc_ops alloc_bitmap = {
	.name = "bitmap",
	.help = "first or best fit over a sparse bitmap (like Linux genalloc)",
	.describe_args = bitmap_alloc_describe,
	.create = bitmap_alloc_create,
	.destroy = bitmap_alloc_destroy,
	.alloc = bitmap_alloc_alloc,
	.release = bitmap_alloc_free,
	.stats = bitmap_alloc_stats,
};

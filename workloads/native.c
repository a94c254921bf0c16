/*
 * workloads/native.c — the native binary trace format: reader and writer.
 *
 * Layout (workloads/FORMAT.md has the byte-level description):
 *
 *   header   "PGLTRACE" version=1 header_bytes page_size counts generator
 *   block*   u32 nbytes, u32 nevents, u64 check | nbytes of records
 *   trailer  "PGLTEND\0" nevents naccesses nblocks check
 *
 * Records are LEB128 varints.  An access in the current VMA is one varint
 * (zigzag(page - previous page) << 2 | write << 1 | 0): sequential and
 * local traces take 1 byte per access, uniform traces over a million pages
 * about 3.  Other events are (arg << 4 | kind << 1 | 1) plus their operands.
 * Each block (~64 KiB) restarts the delta state and carries a checksum of
 * its bytes (seeded with its index and counts), so corruption is caught
 * before a record is decoded and reported with the block's offset; the
 * trailer repeats the counts and chains every block's checksum, so a
 * truncated file — even one cut exactly between blocks — is detected.
 *
 * Reading keeps one block in the input window: constant memory.  Short
 * accesses decode on a fast path (native_fast: branch-free, no per-byte
 * bounds checks, BMI2's pext where the CPU has a fast one), everything
 * else and every error through the general byte-by-byte decoder.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "workloads/trace_impl.h"

#define NATIVE_VERSION 1
#define HDR_FIXED 64
#define HDR_SEED 0x50474c48ull
#define BLOCK_TARGET (64u << 10)
#define BLOCK_MAX (1u << 20)
#define TRAILER_BYTES 40
#define KIND_VMA 0
#define KIND_MMAP 1
#define KIND_UNMAP 2
#define KIND_WRITEOUT 3
#define KIND_DISCARD 4
#define KIND_INVALIDATE 5
#define KIND_ACCESS_ABS 6

static const unsigned char native_magic[8] = "PGLTRACE";
static const unsigned char trailer_magic[8] = "PGLTEND";

static inline uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static inline void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t block_seed(uint64_t index, uint32_t nbytes, uint32_t nevents)
{
	return index * 0x9e3779b97f4a7c15ull ^ ((uint64_t)nevents << 32 | nbytes);
}

static uint64_t chain_next(uint64_t chain, uint64_t check)
{
	unsigned char b[8];
	put64(b, check);
	return trace_hash64(b, 8, chain);
}

/* ---- reader ---------------------------------------------------------- */

/* The decoder of short accesses (native_fast below), picked per CPU. */
typedef size_t native_fast_fn(const unsigned char **pp, uint64_t *prevp,
			      uint32_t vma, struct event *ev, size_t nmax);

struct native_reader {
	struct trace_reader r;
	struct tin t;
	const unsigned char *p, *end, *start;	/* current block's records */
	uint64_t start_off;			/* stream offset of start */
	uint32_t left;				/* events left in the block */
	uint64_t prev;
	uint32_t vma;
	uint64_t nblocks, nevents, naccesses, chain;
	native_fast_fn *fast;			/* short accesses */
};

static inline const unsigned char *get_varint(const unsigned char *p,
					      const unsigned char *end,
					      uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;

	while (p < end) {
		uint64_t b = *p++;
		if (shift == 63 && b > 1)
			return NULL;
		x |= (b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return p;
		}
		shift += 7;
		if (shift > 63)
			return NULL;
	}
	return NULL;
}

static long native_corrupt(struct native_reader *n, const unsigned char *at,
			   const char *why)
{
	return trace_fail(&n->r, n->start_off + (uint64_t)(at - n->start),
			  "corrupt record: %s", why);
}

/* Load the next block into [p, end), or handle the trailer: 1 a block,
 * 0 the clean end, -1 an error. */
static int native_next_block(struct native_reader *n)
{
	struct tin *t = &n->t;
	uint64_t off;
	uint32_t nbytes, nev;
	uint64_t check;
	const unsigned char *h;
	long avail;

	/* the previous block is consumed */
	t->pos += (size_t)(n->end - (t->buf + t->pos));
	off = tin_offset(t);
	avail = tin_need(t, 16);
	if (avail < 0)
		return (int)trace_fail_tin(&n->r, t);
	if (avail < 8)
		return (int)trace_fail(&n->r, off,
				       "truncated: %s", avail == 0 ?
				       "no end marker (file cut short)" :
				       "partial block header");
	h = t->buf + t->pos;
	if (!memcmp(h, trailer_magic, 8)) {
		unsigned char tr[TRAILER_BYTES];
		avail = tin_need(t, TRAILER_BYTES + 1);
		if (avail < 0)
			return (int)trace_fail_tin(&n->r, t);
		if (avail < TRAILER_BYTES)
			return (int)trace_fail(&n->r, off, "truncated: partial end marker");
		memcpy(tr, t->buf + t->pos, TRAILER_BYTES);
		if (trace_hash64(tr, 32, n->chain) != get64(tr + 32))
			return (int)trace_fail(&n->r, off,
				"checksum mismatch in the end marker (blocks lost, "
				"reordered or corrupt)");
		if (get64(tr + 8) != n->nevents || get64(tr + 16) != n->naccesses ||
		    get64(tr + 24) != n->nblocks)
			return (int)trace_fail(&n->r, off,
				"count mismatch: end marker says %llu events, "
				"%llu read", (unsigned long long)get64(tr + 8),
				(unsigned long long)n->nevents);
		if (avail > TRAILER_BYTES)
			return (int)trace_fail(&n->r, off + TRAILER_BYTES,
					       "data after the end marker");
		t->pos += TRAILER_BYTES;
		n->p = n->end = t->buf + t->pos;
		return 0;
	}
	if (avail < 16)
		return (int)trace_fail(&n->r, off, "truncated: partial block header");
	nbytes = get32(h);
	nev = get32(h + 4);
	check = get64(h + 8);
	if (nbytes == 0 || nbytes > BLOCK_MAX || nev > nbytes)
		return (int)trace_fail(&n->r, off,
				       "corrupt block header (size %u, %u events)",
				       nbytes, nev);
	avail = tin_need(t, 16 + (size_t)nbytes);
	if (avail < 0)
		return (int)trace_fail_tin(&n->r, t);
	if ((size_t)avail < 16 + (size_t)nbytes)
		return (int)trace_fail(&n->r, off,
				       "truncated: block of %u bytes, %ld present",
				       nbytes, avail - 16);
	h = t->buf + t->pos;
	if (trace_hash64(h + 16, nbytes, block_seed(n->nblocks, nbytes, nev)) !=
	    check)
		return (int)trace_fail(&n->r, off,
				       "checksum mismatch in block %llu "
				       "(corrupt data)",
				       (unsigned long long)n->nblocks);
	n->chain = chain_next(n->chain, check);
	n->nblocks++;
	t->pos += 16;
	n->start = n->p = t->buf + t->pos;
	n->end = n->p + nbytes;
	n->start_off = off + 16;
	n->left = nev;
	n->prev = 0;
	n->vma = 0;
	return 1;
}

/* The fast path: accesses in the current VMA whose varint takes 1 to 4
 * bytes (deltas within +-2^25 pages), the records that fill nearly every
 * trace.  The caller guarantees nmax events and 4 * nmax bytes at p, so no
 * record needs a bounds check: a pair of records loads 8 bytes and
 * consumes at most 8, a single one loads and consumes at most 4, eight
 * 1-byte ones 8.  A varint of at most 4 bytes is always valid, so nothing
 * here fails; whatever else comes (another kind, a longer varint, the
 * block's end) stops it and goes to the general decoder.
 *
 * Branch-free per record: the terminating byte is the lowest one without
 * its high bit, the bits below it are the record, and two shift-and-merge
 * steps (or one pext) pack its 7-bit groups (little-endian hosts).
 * Records go by pairs from one 8-byte load: the second one's start follows
 * from the first's terminator without another load, which halves the chain
 * of dependent steps (load, find the end, advance) that bounds the speed;
 * a word of eight 1-byte accesses (sequential traces) goes at once.  Each
 * event is one 16-byte copy of a prepared head (a read or a write access
 * in the VMA) and two stores (page, npages).
 *
 * What this relies on, checked where it is compiled:
 *  - a little-endian host: the word loads put a record's first byte in
 *    the low bits.  Elsewhere NATIVE_FAST is 0 and the general decoder
 *    takes every record (it reads bytes, as the writer writes them);
 *  - struct event's layout: every member but page and npages lies in its
 *    first 16 bytes (the head copy sets them), page and npages after. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_FAST 1
#else
#define NATIVE_FAST 0
#endif

#define EV_END(m) (offsetof(struct event, m) + sizeof(((struct event *)0)->m))
_Static_assert(EV_END(type) <= 16 && EV_END(write) <= 16 &&
	       EV_END(flags) <= 16 && EV_END(_pad) <= 16 &&
	       EV_END(vma) <= 16 && EV_END(file) <= 16 && EV_END(_pad2) <= 16,
	       "the fast path's 16-byte head copy must set every event member "
	       "but page and npages");
_Static_assert(offsetof(struct event, page) >= 16 &&
	       offsetof(struct event, npages) >= 16,
	       "the fast path's 16-byte head copy must not reach page or npages");
#undef EV_END

#if NATIVE_FAST
struct fast_state {
	const unsigned char *p;
	uint64_t prev;
	const uint64_t *head;	/* the first 16 bytes of a read access at
				 * head[0], of a write at head[2]: the write
				 * bit v & 2 indexes them */
};

#define TERM32 0x80808080u		/* the high bit of each byte */
#define TERM64 0x8080808080808080ull

/* pext (BMI2): the bits of a under mask, packed at the bottom. */
static inline uint64_t pext64(uint64_t a, uint64_t mask)
{
#if defined(__x86_64__)
	uint64_t r;
	__asm__("pextq %2, %1, %0" : "=r"(r) : "r"(a), "rm"(mask));
	return r;
#else
	(void)a;
	(void)mask;
	BUG_ON(1);	/* native_fast_bmi2 exists on x86-64 only */
	return 0;
#endif
}

/* Decode the access whose bytes start w, m (~w & TERM64, its low 32 bits
 * not 0) marking their terminator at its lowest bit, into *e.  bmi2: pack
 * the 7-bit groups with one pext instead of the shift-and-merge steps. */
static inline __attribute__((always_inline)) void
native_fast_put(struct fast_state *s, struct event *e, uint64_t w, uint64_t m,
		const int bmi2)
{
	/* the record's bytes (m - 1: the bits below its last byte's high bit;
	 * later bytes' high bits are masked anyway), without the continuation
	 * bits and v's low 3 bits (kind, write bit, zigzag sign: taken from
	 * w) */
	uint64_t keep = (m - 1) & 0x7f7f7f78u, x;

	if (bmi2) {
		x = pext64(w, keep);				/* v >> 3 */
	} else {
		x = w & keep;
		x -= (x & 0x7f007f00u) >> 1;		/* bytes -> 14-bit pairs */
		x = (x & 0xffffu) | ((x >> 2) & 0x0fffc000u);	/* v & ~7 */
		x >>= 3;
	}
	/* zigzag^-1: (v >> 3) XOR -(sign: bit 2 of v, and of w) */
	s->prev += x ^ (uint64_t)((int64_t)(w << 61) >> 63);
	memcpy(e, &s->head[w & 2], 16);
	e->page = s->prev;
	e->npages = 0;
}

/* One record into *e: 1, or 0 (nothing done) if it is not a short access. */
static inline __attribute__((always_inline)) int
native_fast_one(struct fast_state *s, struct event *e, const int bmi2)
{
	uint32_t w, m;

	memcpy(&w, s->p, 4);
	m = ~w & TERM32;
	if (unlikely((w & 1) | !m))
		return 0;		/* another kind, or longer */
	s->p += ((unsigned)__builtin_ctz(m) >> 3) + 1;
	native_fast_put(s, e, w, m, bmi2);
	return 1;
}

/* Two records from w (the 8 bytes at s->p) into e[0..1]: 1, or 0
 * (nothing done) unless both are short accesses. */
static inline __attribute__((always_inline)) int
native_fast_two(struct fast_state *s, struct event *e, uint64_t w,
		const int bmi2)
{
	uint64_t m, m2, w1, m1;
	unsigned sh;

	m = ~w & TERM64;
	if (unlikely(!(uint32_t)m))
		return 0;		/* the first is longer */
	sh = (unsigned)__builtin_ctz((uint32_t)m) + 1;	/* its bits */
	m2 = m & (m - 1);		/* the terminators after the first */
	w1 = w >> sh;			/* the second record's bytes */
	m1 = m2 >> sh;
	if (unlikely((w | w1) & 1) || unlikely(!(uint32_t)m1))
		return 0;		/* another kind, or longer */
	s->p += ((unsigned)__builtin_ctzll(m2) >> 3) + 1;
	native_fast_put(s, e, w, m, bmi2);
	native_fast_put(s, e + 1, w1, m1, bmi2);
	return 1;
}

/* zigzag^-1(b >> 2): the page delta of a 1-byte access record b (< 128;
 * 256 entries so that a byte indexes it unmasked). */
#define D1(b) (int8_t)(((b) >> 3) ^ -(((b) >> 2) & 1))
#define D1x4(b) D1(b), D1((b) + 1), D1((b) + 2), D1((b) + 3)
#define D1x16(b) D1x4(b), D1x4((b) + 4), D1x4((b) + 8), D1x4((b) + 12)
#define D1x64(b) D1x16(b), D1x16((b) + 16), D1x16((b) + 32), D1x16((b) + 48)
static const int8_t native_delta1[256] = { D1x64(0), D1x64(64) };

/* Eight 1-byte accesses into e[0..7]: sequential and local traces, where
 * the pairs' dependent steps would be the limit. */
static inline __attribute__((always_inline)) void
native_fast_eight(struct fast_state *s, struct event *e)
{
#pragma GCC unroll 8
	for (int i = 0; i < 8; i++) {
		unsigned b = s->p[i];
		s->prev += (uint64_t)(int64_t)native_delta1[b];
		memcpy(&e[i], &s->head[b & 2], 16);
		e[i].page = s->prev;
		e[i].npages = 0;
	}
	s->p += 8;
}

/* Decode up to nmax short accesses into ev; stops at the first record of
 * another kind or length (native_read's general decoder takes it).
 * Returns the events decoded; *pp and *prevp advance past them. */
static inline __attribute__((always_inline)) size_t
native_fast(const unsigned char **pp, uint64_t *prevp, uint32_t vma,
	    struct event *ev, size_t nmax, const int bmi2)
{
	const struct event rd = { .type = EV_ACCESS, .vma = vma };
	const struct event wr = { .type = EV_ACCESS, .write = 1, .vma = vma };
	uint64_t head[4];
	struct fast_state s = { *pp, *prevp, head };
	struct event *e = ev, *eend = ev + nmax, *elast = eend - 1;

	memcpy(&head[0], &rd, 16);
	memcpy(&head[2], &wr, 16);
	while (e < elast) {
		uint64_t w;

		memcpy(&w, s.p, 8);
		/* no high bit (each byte a whole varint), no low bit (each an
		 * access): eight 1-byte accesses */
		if (unlikely(!(w & 0x8181818181818181ull)) && eend - e >= 8) {
			native_fast_eight(&s, e);
			e += 8;
		} else if (likely(native_fast_two(&s, e, w, bmi2))) {
			e += 2;
		} else if (native_fast_one(&s, e, bmi2)) {
			e++;
		} else {
			goto out;
		}
	}
	if (e < eend && native_fast_one(&s, e, bmi2))
		e++;
out:
	*pp = s.p;
	*prevp = s.prev;
	return (size_t)(e - ev);
}

static size_t native_fast_generic(const unsigned char **pp, uint64_t *prevp,
				  uint32_t vma, struct event *ev, size_t nmax)
{
	return native_fast(pp, prevp, vma, ev, nmax, 0);
}

#endif /* NATIVE_FAST */

#if defined(__x86_64__) && !defined(PAGELAB_NO_BMI2) && NATIVE_FAST
/* The same compiled for BMI1/BMI2 (andn, blsr, tzcnt, shrx, pext): about a
 * quarter fewer instructions per access. */
__attribute__((target("bmi,bmi2")))
static size_t native_fast_bmi2(const unsigned char **pp, uint64_t *prevp,
			       uint32_t vma, struct event *ev, size_t nmax)
{
	return native_fast(pp, prevp, vma, ev, nmax, 1);
}

/* BMI2 present and pext fast: not on AMD before Zen 3 (family 19h), where
 * it is microcoded and takes tens to hundreds of cycles. */
static native_fast_fn *native_pick_fast(void)
{
	unsigned a, b, c, d, vendor[3];

	if (!__get_cpuid(0, &a, &vendor[0], &vendor[2], &vendor[1]) || a < 7)
		return native_fast_generic;
	__cpuid_count(7, 0, a, b, c, d);
	if (!(b & 1u << 3) || !(b & 1u << 8))	/* BMI1, BMI2 */
		return native_fast_generic;
	if (!memcmp(vendor, "AuthenticAMD", 12) ||
	    !memcmp(vendor, "HygonGenuine", 12)) {
		unsigned family;
		__cpuid(1, a, b, c, d);
		family = (a >> 8) & 0xf;
		if (family == 0xf)
			family += (a >> 20) & 0xff;
		if (family < 0x19)
			return native_fast_generic;
	}
	return native_fast_bmi2;
}
#elif NATIVE_FAST
static native_fast_fn *native_pick_fast(void)
{
	return native_fast_generic;
}
#else
static native_fast_fn *native_pick_fast(void)
{
	return NULL;	/* not little-endian: the general decoder only */
}
#endif

static long native_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct native_reader *n = container_of(r, struct native_reader, r);
	size_t k = 0;

	while (k < max) {
		const unsigned char *p = n->p, *end = n->end, *rec;
		uint64_t v, a, b, c;

		if (n->left == 0) {
			int rc;
			if (p != end)
				return native_corrupt(n, p, "bytes after the block's last event");
			if (k)
				break;	/* hand out what we have first */
			rc = native_next_block(n);
			if (rc <= 0)
				return rc;
			continue;
		}
		/* State in locals: stores to ev[] could alias n's fields
		 * otherwise. */
		uint64_t prev = n->prev, nacc = 0;
		uint32_t vma = n->vma, left = n->left;
		while (k < max && left) {
			size_t nf = max - k, got;
			if (nf > left)
				nf = left;
			if (nf > (size_t)(end - p) / 4)
				nf = (size_t)(end - p) / 4;
			if (NATIVE_FAST && nf) {
				got = n->fast(&p, &prev, vma, ev + k, nf);
				k += got;
				left -= (uint32_t)got;
				nacc += got;
				if (got == nf)
					continue;
			}
			/* one record of any kind, bounds checked byte by byte */
			rec = p;
			p = get_varint(p, end, &v);
			if (!p) {
				n->p = rec;
				return native_corrupt(n, rec, "bad varint");
			}
			if (likely(!(v & 1))) {
				uint64_t zz = v >> 2;
				prev += (zz >> 1) ^ -(zz & 1);
				ev[k] = (struct event){ .type = EV_ACCESS,
					.write = (uint8_t)((v >> 1) & 1),
					.vma = vma, .page = prev };
				k++;
				left--;
				nacc++;
				continue;
			}
			a = v >> 4;
			switch ((v >> 1) & 7) {
			case KIND_VMA:
				if (a > UINT32_MAX)
					goto bad_id;
				vma = (uint32_t)a;
				continue;	/* not an event */
			case KIND_MMAP:
				if (a > UINT32_MAX)
					goto bad_id;
				if (!(p = get_varint(p, end, &b)) || b > UINT32_MAX)
					goto bad_operand;
				{
					uint64_t pg, np;
					if (!(p = get_varint(p, end, &pg)) ||
					    !(p = get_varint(p, end, &np)) || np == 0 ||
					    pg + np < pg)
						goto bad_operand;
					ev[k] = (struct event){ .type = EV_MMAP,
						.vma = (uint32_t)a, .file = (uint32_t)b,
						.page = pg, .npages = np };
				}
				break;
			case KIND_UNMAP:
				if (a > UINT32_MAX)
					goto bad_id;
				ev[k] = (struct event){ .type = EV_UNMAP, .vma = (uint32_t)a };
				break;
			case KIND_WRITEOUT:
				if (a > UINT32_MAX)
					goto bad_id;
				if (!(p = get_varint(p, end, &b)) ||
				    (b & ~(uint64_t)(EV_STORE | EV_MARKSTORED)))
					goto bad_operand;
				ev[k] = (struct event){ .type = EV_WRITEOUT,
					.file = (uint32_t)a, .flags = (uint8_t)b };
				break;
			case KIND_DISCARD:
				if (a > UINT32_MAX)
					goto bad_id;
				ev[k] = (struct event){ .type = EV_DISCARD, .file = (uint32_t)a };
				break;
			case KIND_INVALIDATE:
				if (a > UINT32_MAX)
					goto bad_id;
				if (!(p = get_varint(p, end, &c)))
					goto bad_operand;
				ev[k] = (struct event){ .type = EV_INVALIDATE,
					.file = (uint32_t)a, .page = c };
				break;
			case KIND_ACCESS_ABS:
				if (a > 1)
					goto bad_id;
				if (!(p = get_varint(p, end, &c)))
					goto bad_operand;
				prev = c;
				ev[k] = (struct event){ .type = EV_ACCESS,
					.write = (uint8_t)a, .vma = vma, .page = c };
				nacc++;
				break;
			default:
				n->p = rec;
				return native_corrupt(n, rec, "unknown record kind");
			}
			k++;
			left--;
			continue;
bad_id:
			n->p = rec;
			return native_corrupt(n, rec, "id out of range");
bad_operand:
			n->p = rec;
			return native_corrupt(n, rec, "bad operand");
		}
		n->prev = prev;
		n->vma = vma;
		n->left = left;
		n->naccesses += nacc;
		n->p = p;
		if (n->left == 0 && p != end)
			return native_corrupt(n, p, "bytes after the block's last event");
		if (n->left && p == end)
			return native_corrupt(n, p, "block ends before its last event");
	}
	n->nevents += k;
	return (long)k;
}

static void native_close(struct trace_reader *r)
{
	struct native_reader *n = container_of(r, struct native_reader, r);
	tin_close(&n->t);
	free(n);
}

static const struct trace_reader_ops native_reader_ops = {
	.read = native_read,
	.close = native_close,
};

struct trace_reader *native_open(struct tin *t, const char *path,
				 const struct trace_opts *o, char *err,
				 size_t errlen)
{
	struct native_reader *n = calloc(1, sizeof(*n));
	const unsigned char *h;
	uint32_t version, hbytes, genlen, flags;
	unsigned char tmp[HDR_FIXED];
	long avail;

	(void)o;
	if (!n) {
		snprintf(err, errlen, "%s: out of memory", path);
		tin_close(t);
		return NULL;
	}
	n->t = *t;
	t = &n->t;
	trace_base_init(&n->r, &native_reader_ops, path, "native");
	n->fast = native_pick_fast();
	avail = tin_need(t, HDR_FIXED);
	if (avail < 0) {
		snprintf(err, errlen, "%s: offset 0: %s", path, t->err);
		goto fail;
	}
	h = t->buf + t->pos;
	if (avail < 8 || memcmp(h, native_magic, 8)) {
		snprintf(err, errlen, "%s: offset 0: bad magic (not a pagelab "
			 "native trace)", path);
		goto fail;
	}
	if (avail < 16) {
		snprintf(err, errlen, "%s: offset %ld: truncated header", path, avail);
		goto fail;
	}
	version = get32(h + 8);
	if (version != NATIVE_VERSION) {
		snprintf(err, errlen, "%s: offset 8: unknown version %u (this "
			 "pagelab reads version %u)", path, version, NATIVE_VERSION);
		goto fail;
	}
	hbytes = get32(h + 12);
	if (hbytes < HDR_FIXED || hbytes > 4096) {
		snprintf(err, errlen, "%s: offset 12: corrupt header (size %u)",
			 path, hbytes);
		goto fail;
	}
	avail = tin_need(t, hbytes);
	if (avail < 0) {
		snprintf(err, errlen, "%s: offset 0: %s", path, t->err);
		goto fail;
	}
	if ((size_t)avail < hbytes) {
		snprintf(err, errlen, "%s: offset %ld: truncated header", path, avail);
		goto fail;
	}
	h = t->buf + t->pos;
	memcpy(tmp, h, HDR_FIXED);
	memset(tmp + 60, 0, 4);
	{
		uint64_t c = trace_hash64(tmp, HDR_FIXED,
					  trace_hash64(h + HDR_FIXED,
						       hbytes - HDR_FIXED, HDR_SEED));
		if ((uint32_t)c != get32(h + 60)) {
			snprintf(err, errlen, "%s: offset 0: header checksum "
				 "mismatch (corrupt header)", path);
			goto fail;
		}
	}
	genlen = (uint32_t)h[56] | (uint32_t)h[57] << 8;
	flags = (uint32_t)h[58] | (uint32_t)h[59] << 8;
	if (genlen > 255 || genlen > hbytes - HDR_FIXED) {
		snprintf(err, errlen, "%s: offset 56: corrupt header (generator "
			 "length %u)", path, genlen);
		goto fail;
	}
	n->r.h.page_size = get32(h + 16);
	if (!trace_page_size_valid(n->r.h.page_size)) {
		snprintf(err, errlen, "%s: offset 16: corrupt header (page size %u)",
			 path, n->r.h.page_size);
		goto fail;
	}
	if (flags & 1) {
		n->r.h.nvmas = get32(h + 20);
		n->r.h.naccesses = get64(h + 24);
		n->r.h.nevents = get64(h + 32);
		n->r.h.nwrites = get64(h + 48);
	}
	n->r.h.npages = get64(h + 40);
	memcpy(n->r.h.generator, h + HDR_FIXED, genlen);
	n->r.h.generator[genlen] = '\0';
	for (uint32_t i = 0; i < genlen; i++)
		if ((unsigned char)n->r.h.generator[i] < 0x20)
			n->r.h.generator[i] = '?';
	t->pos += hbytes;
	n->p = n->end = n->start = t->buf + t->pos;
	n->start_off = hbytes;
	return &n->r;
fail:
	tin_close(t);
	free(n);
	return NULL;
}

/* ---- writer ---------------------------------------------------------- */

struct native_writer {
	unsigned char *blk;
	size_t blen;
	uint32_t bevents;
	uint64_t prev;
	uint32_t vma;
	uint64_t nblocks, chain;
	size_t hbytes;
};

static inline unsigned char *put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

static size_t native_header(const struct trace_writer *w, unsigned char *h,
			    int counts)
{
	size_t genlen = strlen(w->h.generator);
	uint64_t c;

	if (genlen > 255)
		genlen = 255;
	memset(h, 0, HDR_FIXED);
	memcpy(h, native_magic, 8);
	put32(h + 8, NATIVE_VERSION);
	put32(h + 12, (uint32_t)(HDR_FIXED + genlen));
	put32(h + 16, w->h.page_size);
	if (counts) {
		put32(h + 20, w->h.nvmas);
		put64(h + 24, w->h.naccesses);
		put64(h + 32, w->h.nevents);
		put64(h + 48, w->h.nwrites);
		h[58] = 1;
	}
	put64(h + 40, w->h.npages);
	h[56] = (unsigned char)genlen;
	memcpy(h + HDR_FIXED, w->h.generator, genlen);
	c = trace_hash64(h, HDR_FIXED, trace_hash64(h + HDR_FIXED, genlen, HDR_SEED));
	put32(h + 60, (uint32_t)c);
	return HDR_FIXED + genlen;
}

static int native_flush_block(struct trace_writer *w, struct native_writer *nw)
{
	unsigned char bh[16];
	uint64_t check;

	if (!nw->bevents)
		return 0;
	check = trace_hash64(nw->blk, nw->blen,
			     block_seed(nw->nblocks, (uint32_t)nw->blen, nw->bevents));
	put32(bh, (uint32_t)nw->blen);
	put32(bh + 4, nw->bevents);
	put64(bh + 8, check);
	nw->chain = chain_next(nw->chain, check);
	nw->nblocks++;
	if (trace_writer_put(w, bh, 16) < 0 ||
	    trace_writer_put(w, nw->blk, nw->blen) < 0)
		return -1;
	nw->blen = 0;
	nw->bevents = 0;
	nw->prev = 0;
	nw->vma = 0;
	return 0;
}

struct native_writer_box {
	struct trace_writer_ops ops;	/* first: w->ops points here */
	struct native_writer nw;
};

static int native_write(struct trace_writer *w, const struct event *ev, size_t n)
{
	struct native_writer *nw =
		&container_of(w->ops, struct native_writer_box, ops)->nw;

	for (size_t i = 0; i < n; i++) {
		const struct event *e = &ev[i];
		unsigned char *p = nw->blk + nw->blen;

		if (trace_writer_count(w, e) < 0)
			return -1;
		switch (e->type) {
		case EV_ACCESS: {
			uint64_t d = e->page - nw->prev;
			uint64_t zz = (d << 1) ^ (uint64_t)((int64_t)d >> 63);
			if (e->vma != nw->vma) {
				p = put_varint(p, (uint64_t)e->vma << 4 | KIND_VMA << 1 | 1);
				nw->vma = e->vma;
			}
			if (zz >> 62)
				p = put_varint(put_varint(p, (uint64_t)e->write << 4 |
							  KIND_ACCESS_ABS << 1 | 1),
					       e->page);
			else
				p = put_varint(p, zz << 2 | (uint64_t)e->write << 1);
			nw->prev = e->page;
			break;
		}
		case EV_MMAP:
			p = put_varint(p, (uint64_t)e->vma << 4 | KIND_MMAP << 1 | 1);
			p = put_varint(p, e->file);
			p = put_varint(p, e->page);
			p = put_varint(p, e->npages);
			break;
		case EV_UNMAP:
			p = put_varint(p, (uint64_t)e->vma << 4 | KIND_UNMAP << 1 | 1);
			break;
		case EV_WRITEOUT:
			p = put_varint(p, (uint64_t)e->file << 4 | KIND_WRITEOUT << 1 | 1);
			p = put_varint(p, e->flags);
			break;
		case EV_DISCARD:
			p = put_varint(p, (uint64_t)e->file << 4 | KIND_DISCARD << 1 | 1);
			break;
		case EV_INVALIDATE:
			p = put_varint(p, (uint64_t)e->file << 4 | KIND_INVALIDATE << 1 | 1);
			p = put_varint(p, e->page);
			break;
		}
		nw->blen = (size_t)(p - nw->blk);
		nw->bevents++;
		if (nw->blen >= BLOCK_TARGET && native_flush_block(w, nw) < 0)
			return -1;
	}
	return 0;
}

static int native_finish(struct trace_writer *w)
{
	struct native_writer *nw =
		&container_of(w->ops, struct native_writer_box, ops)->nw;
	unsigned char tr[TRAILER_BYTES], h[HDR_FIXED + 256];
	size_t hl;

	if (native_flush_block(w, nw) < 0)
		return -1;
	memcpy(tr, trailer_magic, 8);
	put64(tr + 8, w->h.nevents);
	put64(tr + 16, w->h.naccesses);
	put64(tr + 24, nw->nblocks);
	put64(tr + 32, trace_hash64(tr, 32, nw->chain));
	if (trace_writer_put(w, tr, TRAILER_BYTES) < 0 || trace_writer_flush(w) < 0)
		return -1;
	if (w->streamed || w->z)	/* nothing to patch in place */
		return 0;
	if (w->vma_overflow)
		w->h.nvmas = 0;
	hl = native_header(w, h, 1);
	if (pwrite(w->fd, h, hl, 0) != (ssize_t)hl)
		return trace_writer_fail(w, "cannot update the header");
	return 0;
}

static void native_free(struct trace_writer *w)
{
	struct native_writer_box *b = container_of(w->ops, struct native_writer_box, ops);
	free(b->nw.blk);
	free(b);
	w->ops = NULL;
}

int native_writer_init(struct trace_writer *w)
{
	struct native_writer_box *b = calloc(1, sizeof(*b));
	unsigned char h[HDR_FIXED + 256];
	size_t hl;

	if (!b)
		return trace_writer_fail(w, "out of memory");
	b->ops.write = native_write;
	b->ops.finish = native_finish;
	b->ops.free = native_free;
	b->nw.blk = malloc(BLOCK_TARGET + 64);
	w->ops = &b->ops;
	if (!b->nw.blk)
		return trace_writer_fail(w, "out of memory");
	hl = native_header(w, h, 0);
	b->nw.hbytes = hl;
	return trace_writer_put(w, h, hl);
}

/*
 * workloads/hash.c — the checksum of the native trace format.
 *
 * A seeded 64-bit hash over a byte block: four independent lanes each take
 * one 64-bit word per 32-byte stripe (lane = rotl(lane + w * P2, 31) * P1,
 * the multiply-rotate round of the xxHash family), then the lanes, the tail
 * words and the length are folded together and avalanched with the
 * splitmix64 finaliser.  Four lanes keep several multiplies in flight, so it
 * runs at several GB/s — far above what the decoder needs.  Every bit of
 * input affects the result, so truncated, swapped or flipped bytes are caught
 * (with probability 1 - 2^-64 per block).  Words are read little-endian on
 * every host.  The loop takes two stripes a step (less overhead); the
 * result is that of one stripe a step, the form above — tests/t_trace_hash.c
 * holds the two equal on every length up to 2100 bytes and pins a few
 * values, since every native trace ever written carries them.
 */
#include <string.h>

#include "workloads/trace_impl.h"

#define P1 0x9e3779b185ebca87ull
#define P2 0xc2b2ae3d27d4eb4full
#define P3 0x165667b19e3779f9ull

static inline uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The n <= 8 bytes at p as a little-endian number, on every host (a trace
 * written on one machine reads on any other). */
static inline uint64_t load_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&v, p, n);
#else
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
#endif
	return v;
}

static inline uint64_t load64(const unsigned char *p)
{
	return load_le(p, 8);
}

static inline uint64_t round64(uint64_t acc, uint64_t w)
{
	acc += w * P2;
	acc = rotl64(acc, 31);
	return acc * P1;
}

/* One 32-byte stripe: lane i takes the i-th word. */
static inline void stripe(uint64_t *a, uint64_t *b, uint64_t *c, uint64_t *d,
			  const unsigned char *p)
{
	*a = round64(*a, load64(p));
	*b = round64(*b, load64(p + 8));
	*c = round64(*c, load64(p + 16));
	*d = round64(*d, load64(p + 24));
}

static inline uint64_t fmix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t trace_hash64(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data, *end = p + n;
	uint64_t a = seed + P1 + P2, b = seed + P2, c = seed, d = seed - P1;
	uint64_t h;

	if (n >= 64) {		/* two stripes a step: less loop overhead */
		const unsigned char *last = end - 64;
		do {
			stripe(&a, &b, &c, &d, p);
			stripe(&a, &b, &c, &d, p + 32);
			p += 64;
		} while (p <= last);
	}
	if (end - p >= 32) {
		stripe(&a, &b, &c, &d, p);
		p += 32;
	}
	h = rotl64(a, 1) + rotl64(b, 7) + rotl64(c, 12) + rotl64(d, 18);
	h ^= (uint64_t)n * P3;
	while (end - p >= 8) {
		h = round64(h, load64(p)) + P3;
		p += 8;
	}
	if (p < end)
		h = round64(h ^ (uint64_t)(end - p), load_le(p, (size_t)(end - p)));
	return fmix64(h ^ seed);
}

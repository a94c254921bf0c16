/*
 * tests/t_trace_hash.c — the native format's checksum (workloads/hash.c).
 *
 *  - trace_hash64 equals a plain reference of the function its header
 *    describes (one 32-byte stripe a step, words assembled from bytes
 *    little-endian, so the reference holds on any host) on every length
 *    from 0 to 2100 bytes, at every alignment of the start and under
 *    several seeds: the two-stripes-a-step loop, the 32-byte stripe after
 *    it, the 8-byte words and the tail all meet every case;
 *  - a few values are pinned: every native trace carries them, so a change
 *    of the function would make every existing file unreadable;
 *  - flipping any one bit of the input changes the result.
 */
#include <stdbool.h>
#include <string.h>

#include "common/rng.h"
#include "tests/testhelp.h"
#include "workloads/trace_impl.h"

#define P1 0x9e3779b185ebca87ull
#define P2 0xc2b2ae3d27d4eb4full
#define P3 0x165667b19e3779f9ull

static uint64_t ref_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t ref_word(const unsigned char *p, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

static uint64_t ref_round(uint64_t acc, uint64_t w)
{
	return ref_rotl(acc + w * P2, 31) * P1;
}

static uint64_t ref_hash(const unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t lane[4] = { seed + P1 + P2, seed + P2, seed, seed - P1 };
	uint64_t h;
	size_t i = 0;

	for (; n - i >= 32; i += 32)
		for (int l = 0; l < 4; l++)
			lane[l] = ref_round(lane[l], ref_word(p + i + 8 * l, 8));
	h = ref_rotl(lane[0], 1) + ref_rotl(lane[1], 7) + ref_rotl(lane[2], 12) +
	    ref_rotl(lane[3], 18);
	h ^= (uint64_t)n * P3;
	for (; n - i >= 8; i += 8)
		h = ref_round(h, ref_word(p + i, 8)) + P3;
	if (i < n)
		h = ref_round(h ^ (uint64_t)(n - i), ref_word(p + i, n - i));
	h ^= seed;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static void against_reference(const unsigned char *buf)
{
	static const uint64_t seeds[] = { 0, 1, 0x50474c48ull, UINT64_MAX,
					  0x0123456789abcdefull };

	for (size_t s = 0; s < ARRAY_SIZE(seeds); s++) {
		uint64_t got = 0, want = 0;
		size_t off, n = 0;

		for (off = 0; off < 8; off++) {
			for (n = 0; n <= 2100; n++) {
				got = trace_hash64(buf + off, n, seeds[s]);
				want = ref_hash(buf + off, n, seeds[s]);
				if (got != want)
					break;
			}
			if (got != want)
				break;
		}
		CHECK_MSG(got == want, "seed %#llx, offset %zu, %zu bytes: %#llx, "
			  "reference %#llx", (unsigned long long)seeds[s], off, n,
			  (unsigned long long)got, (unsigned long long)want);
	}
}

static void pinned(void)
{
	unsigned char b[256];

	for (int i = 0; i < 256; i++)
		b[i] = (unsigned char)i;
	CHECK(trace_hash64(b, 0, 0) == 0xf9f6ea50b085eb53ull);
	CHECK(trace_hash64("PGLTRACE", 8, 0x50474c48ull) == 0x6a6fc19e42dfebd7ull);
	CHECK(trace_hash64(b, 40, 7) == 0xbcb9686dcf65947cull);
	CHECK(trace_hash64(b, 256, UINT64_MAX) == 0x82c165eedd10daeaull);
}

static void every_bit_counts(const unsigned char *buf)
{
	static const size_t lens[] = { 1, 7, 8, 31, 32, 33, 63, 64, 65, 100, 129 };
	unsigned char b[200];

	for (size_t l = 0; l < ARRAY_SIZE(lens); l++) {
		size_t n = lens[l];
		uint64_t h;
		bool ok = true;

		memcpy(b, buf, n);
		h = trace_hash64(b, n, 3);
		for (size_t bit = 0; bit < 8 * n; bit++) {
			b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			ok &= trace_hash64(b, n, 3) != h;
			b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		}
		CHECK_MSG(ok, "%zu bytes: a flipped bit leaves the hash", n);
	}
}

int main(void)
{
	static unsigned char buf[2100 + 8];
	struct rng g;

	T_BEGIN("trace_hash");
	rng_seed(&g, 12);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)rng_next(&g);
	against_reference(buf);
	pinned();
	every_bit_counts(buf);
	return T_END();
}

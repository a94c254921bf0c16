/*
 * sim/mrc.h — miss-ratio curves of a page-key stream.
 *
 * Exact LRU curve, all sizes in one pass (Mattson et al., 1970): an LRU
 * cache of c pages hits an access iff its stack distance (1 + the number of
 * distinct keys touched since the previous access to the same key) is <= c.
 * The distances come from common/stackdist.h (a Fenwick tree over access
 * times, O(M) memory for M distinct keys, O(N log M) time); misses(c) is the
 * number of first accesses plus the accesses at a distance > c.
 *
 * SHARDS (Waldspurger, Park, Garthwaite, Ahmad: "Efficient MRC Construction
 * with SHARDS", FAST 2015): only keys whose hash falls below a threshold T
 * (out of P = 2^32) are tracked, a sampling rate R = T/P; each sampled
 * distance is scaled by 1/R.  Fixed-rate keeps R and applies the paper's
 * adjustment (the first bucket gets expected minus actual sampled counts,
 * N*R - Ns); fixed-size keeps at most s_max keys, lowering T to the largest
 * hash in the set whenever it overflows (evicting that key) and rescaling
 * the histogram so far by R_new/R_old.
 */
#ifndef PAGELAB_SIM_MRC_H
#define PAGELAB_SIM_MRC_H

#include <stddef.h>
#include <stdint.h>

struct mrc;

/* rate 1 and smax 0: exact.  rate in (0, 1), smax 0: fixed-rate SHARDS.
 * smax > 0: fixed-size SHARDS (rate ignored).  NULL and a message on error. */
struct mrc *mrc_create(double rate, uint64_t smax, char *err, size_t errlen);
/* One access.  0, or -1 when out of memory. */
int mrc_access(struct mrc *m, uint64_t key);
uint64_t mrc_naccesses(const struct mrc *m);
uint64_t mrc_ndistinct(const struct mrc *m);	/* exact: distinct keys; SHARDS: sampled keys */
double mrc_rate(const struct mrc *m);		/* the final sampling rate (1 exact) */
/* Exact only: misses[c] for LRU caches of c = 0..maxsize pages (malloc'd). */
uint64_t *mrc_misses(const struct mrc *m, uint64_t maxsize);
/* Miss ratio for c = 0..maxsize pages (malloc'd). */
double *mrc_curve(const struct mrc *m, uint64_t maxsize);
void mrc_destroy(struct mrc *m);

#endif

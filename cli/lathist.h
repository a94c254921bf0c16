/*
 * cli/lathist.h — log-scaled latency histograms (fault latencies of real
 * runs, results/SCHEMA.md "Latency histogram file").
 *
 * Values below 16 ns have a bucket each; above, every power of two is cut
 * into 16 equal buckets, so a bucket is at most 1/16 (6.25 %) of its lower
 * bound wide and the whole range up to 2^64 ns takes 976 buckets.  Count,
 * sum and maximum are kept exactly; percentiles are bucket midpoints (the
 * maximum exactly), so within 3.2 % of the true value.
 */
#ifndef PAGELAB_CLI_LATHIST_H
#define PAGELAB_CLI_LATHIST_H

#include <stdint.h>

#define LAT_SUB_BITS 4
#define LAT_SUB (1u << LAT_SUB_BITS)
#define LAT_NBUCKETS (LAT_SUB + (64 - LAT_SUB_BITS) * LAT_SUB)

struct lat_hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t max_ns;
	uint64_t bucket[LAT_NBUCKETS];
};

static inline unsigned lat_bucket(uint64_t ns)
{
	unsigned e;

	if (ns < LAT_SUB)
		return (unsigned)ns;
	e = 63u - (unsigned)__builtin_clzll(ns);	/* >= LAT_SUB_BITS */
	return LAT_SUB + (e - LAT_SUB_BITS) * LAT_SUB +
	       (unsigned)((ns >> (e - LAT_SUB_BITS)) & (LAT_SUB - 1));
}

static inline void lat_add(struct lat_hist *h, uint64_t ns)
{
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->bucket[lat_bucket(ns)]++;
}

/* Bucket b covers [lo, hi) ns. */
void lat_bucket_range(unsigned b, uint64_t *lo, uint64_t *hi);

/* The q-quantile (0 < q < 1; q = 1 gives the maximum) in ns; 0 when empty. */
double lat_quantile(const struct lat_hist *h, double q);

/* Mean in ns (0 when empty). */
static inline double lat_mean(const struct lat_hist *h)
{
	return h->count ? (double)h->sum_ns / (double)h->count : 0.0;
}

#endif

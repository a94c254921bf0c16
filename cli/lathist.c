/* cli/lathist.c — log-scaled latency histograms (cli/lathist.h). */
#include "cli/lathist.h"

#include <math.h>

void lat_bucket_range(unsigned b, uint64_t *lo, uint64_t *hi)
{
	unsigned e, sub;

	if (b < LAT_SUB) {
		*lo = b;
		*hi = b + 1;
		return;
	}
	e = (b - LAT_SUB) / LAT_SUB + LAT_SUB_BITS;
	sub = (b - LAT_SUB) % LAT_SUB;
	*lo = (uint64_t)(LAT_SUB + sub) << (e - LAT_SUB_BITS);
	*hi = *lo + (UINT64_C(1) << (e - LAT_SUB_BITS));
	if (*hi < *lo)	/* the last bucket ends at 2^64 */
		*hi = UINT64_MAX;
}

double lat_quantile(const struct lat_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0.0;
	if (q >= 1.0)
		return (double)h->max_ns;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (unsigned b = 0; b < LAT_NBUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			uint64_t lo, hi;
			double mid;

			lat_bucket_range(b, &lo, &hi);
			mid = b < LAT_SUB ? (double)lo : ((double)lo + (double)hi) / 2.0;
			return mid > (double)h->max_ns ? (double)h->max_ns : mid;
		}
	}
	return (double)h->max_ns;
}

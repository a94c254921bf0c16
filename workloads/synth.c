/*
 * workloads/synth.c — synthetic pages of a chosen compressibility (see
 * workloads/synth.h for the idea and who calls it).
 */
#include "workloads/synth.h"

#include <stdio.h>
#include <string.h>

#include "common/args.h"
#include "common/bug.h"
#include "common/rng.h"

int synth_parse(const char *args, struct synth_params *p, char *err,
		size_t errlen)
{
	double ratio = -1;	/* not given */
	uint64_t seed = 1;
	const struct arg_spec specs[] = {
		{ "ratio", ARG_DOUBLE, &ratio, 0, 64, NULL,
		  "compression ratio of every page, in (0, 64)" },
		{ "seed", ARG_U64, &seed, 0, (double)UINT64_MAX, NULL,
		  "seed of the page bytes" },
	};

	if (args_parse("--file synth", args, specs, ARRAY_SIZE(specs), err,
		       errlen))
		return -1;
	if (ratio == -1) {
		snprintf(err, errlen, "--file synth: ratio=R is required (0 < R < 64)");
		return -1;
	}
	if (!(ratio > 0 && ratio < 64)) {
		snprintf(err, errlen,
			 "--file synth: ratio must be in (0, 64), got %g", ratio);
		return -1;
	}
	p->ratio = ratio;
	p->seed = seed;
	return 0;
}

void synth_page(const struct synth_params *p, uint64_t file, uint64_t pgoff,
		uint64_t wcount, void *page, size_t page_bytes)
{
	unsigned char *b = page;
	uint64_t x = p->seed ^ file * 0x9e3779b97f4a7c15ull;
	size_t run, off;
	struct rng r;

	BUG_ON(page_bytes % 8 || !page_bytes);
	x = rng_splitmix64(&x) ^ pgoff;
	x = rng_splitmix64(&x) ^ wcount;
	rng_seed(&r, rng_splitmix64(&x));
	run = p->ratio <= 1 ? page_bytes : (size_t)(page_bytes / p->ratio);
	run = run < 8 ? 8 : run & ~(size_t)7;
	for (off = 0; off < run; off += 8) {
		uint64_t w = rng_next(&r);

		memcpy(b + off, &w, 8);
	}
	for (off = run; off < page_bytes; off += run) {
		size_t n = page_bytes - off < run ? page_bytes - off : run;

		memcpy(b + off, b, n);
	}
}

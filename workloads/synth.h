/*
 * workloads/synth.h — page contents both engines can know: synthetic pages
 * of a chosen compressibility.
 *
 * The `synth` BigFile backend (real/bigfile_synth.c, `--file
 * synth:ratio=R[:seed=S]`) fills block pgoff of file `file` with
 * synth_page(params, file, pgoff, wcount), wcount = how many times the
 * block was written back.  The bytes are a pure function of (ratio, seed,
 * file, pgoff, wcount), so the simulator, which never holds page bytes,
 * can make the same bytes and run the same tmem store on them to know each
 * page's stored size exactly.
 *
 * The idea: a page is a run of page_bytes / R seeded random bytes (at
 * least 8) repeated to fill the page.  Random bytes do not compress and a
 * repeat costs an LZ-family compressor a few bytes, so LZ4 and zstd store
 * about page_bytes / R bytes: R is the compression ratio to within a few
 * per cent (R <= 1 gives a page of random bytes, which no store can
 * shrink).  The exact stored size is whatever the store makes of the
 * bytes, which is why the simulator runs the store.
 */
#ifndef PAGELAB_WORKLOADS_SYNTH_H
#define PAGELAB_WORKLOADS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

struct synth_params {
	double ratio;		/* in (0, 64) */
	uint64_t seed;
};

/* Parse "ratio=R[:seed=S]" (the part after "synth:"); seed defaults to
 * 1.  0, or -1 and one line naming the bad key in err. */
int synth_parse(const char *args, struct synth_params *p, char *err,
		size_t errlen);

/* Fill page (page_bytes, a multiple of 8) with the bytes of (file, pgoff,
 * wcount).  Pure, allocation-free, safe in a signal handler. */
void synth_page(const struct synth_params *p, uint64_t file, uint64_t pgoff,
		uint64_t wcount, void *page, size_t page_bytes);

#endif

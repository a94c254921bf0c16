/*
 * bench/bench_tmem.c — the tmem tier's put and get per page store, against
 * the raw compressor calls they wrap, measured in the same run.
 *
 * Pages: N synthetic 4 KiB pages (workloads/synth.h) of compression ratio
 * R (default 2.5, the middle of the 2-3 typical of memory pages).  Each
 * round, in turn for every variant (interleaved, so machine noise falls on
 * all alike):
 *   raw lz4 / raw zstd   LZ4_compress_fast_extState + LZ4_decompress_safe,
 *                        ZSTD_compressCCtx (level 1) + ZSTD_decompressDCtx
 *                        of every page into a buffer;
 *   load zero / synth    the BigFile loadblk a tmem get saves on a load
 *                        fault: the zero backend (a memset) and the synth
 *                        one (making the page's bytes), get column only;
 *   tmem STORE           tmem_put of every page into an empty ephemeral
 *                        pool, then tmem_get of every page (exclusive: the
 *                        pool is empty again), the way reclaim and the load
 *                        path will call them.
 * Every call is timed alone (monotonic clock, the clock's own cost,
 * measured in the run, subtracted) for the median and p99 per page; the
 * ns per page column is the thread's CPU time of the whole batch divided
 * by N, median over rounds.  "ratio" is 4096 * N / the bytes stored.
 *
 * Usage: bench_tmem [-n PAGES] [-r ROUNDS] [-R RATIO]
 */
#include <errno.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "bench/benchhelp.h"
#include "common/bug.h"
#include "policies/tmem.h"
#include "real/bigfile.h"
#include "workloads/synth.h"

#define PB 4096

enum { V_LZ4, V_ZSTD, V_ZERO, V_SYNTH, V_COPY_T, V_LZ4_T, V_ZSTD_T, NV };
static const char *const vname[NV] = { "raw lz4", "raw zstd", "load zero",
				       "load synth", "tmem copy", "tmem lz4",
				       "tmem zstd" };
static const char *const vstore[NV] = { [V_COPY_T] = "copy",
					[V_LZ4_T] = "lz4",
					[V_ZSTD_T] = "zstd" };

struct samples {
	double *put, *get;	/* per call, ns, all rounds */
	size_t n;
	double cpu_put[64], cpu_get[64];	/* ns per page, per round */
	uint64_t stored;	/* bytes stored in one round */
};

static size_t npages = 4096, rounds = 7;
static double ratio = 2.5;
static unsigned char *pages, *out, *cbuf;
static size_t *csize;
static double clock_ns;		/* cost of one timing pair */

static double now_ns(void)
{
	return bench_wall_s() * 1e9;
}

static double pct(double *v, size_t n, double p)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[(size_t)(p * (double)(n - 1))];
}

static void round_raw(int v, struct samples *s, void *lz4_state,
		      ZSTD_CCtx *cc, ZSTD_DCtx *dc)
{
	double t0 = bench_cpu_s();

	s->stored = 0;
	for (size_t i = 0; i < npages; i++) {
		const unsigned char *p = pages + i * PB;
		double a = now_ns();
		size_t n;

		if (v == V_LZ4)
			n = (size_t)LZ4_compress_fast_extState(lz4_state, (const char *)p,
				(char *)cbuf + i * PB, PB, PB, 1);
		else
			n = ZSTD_compressCCtx(cc, cbuf + i * PB, PB, p, PB, 1);
		s->put[s->n + i] = now_ns() - a - clock_ns;
		BUG_ON(!n || ZSTD_isError(n));
		csize[i] = n;
		s->stored += n;
	}
	double t1 = bench_cpu_s();
	for (size_t i = 0; i < npages; i++) {
		double a = now_ns();
		size_t n;

		if (v == V_LZ4)
			n = (size_t)LZ4_decompress_safe((const char *)cbuf + i * PB,
				(char *)out, (int)csize[i], PB);
		else
			n = ZSTD_decompressDCtx(dc, out, PB, cbuf + i * PB, csize[i]);
		s->get[s->n + i] = now_ns() - a - clock_ns;
		BUG_ON(n != PB);
	}
	double t2 = bench_cpu_s();
	s->cpu_put[s->n / npages] = (t1 - t0) * 1e9 / (double)npages;
	s->cpu_get[s->n / npages] = (t2 - t1) * 1e9 / (double)npages;
	s->n += npages;
}

static void round_load(struct bigfile *bf, struct samples *s)
{
	double t0 = bench_cpu_s();

	for (size_t i = 0; i < npages; i++) {
		double a = now_ns();
		int rc = bf->ops->loadblk(bf, i, out, PB);

		s->get[s->n + i] = now_ns() - a - clock_ns;
		s->put[s->n + i] = 0;
		BUG_ON(rc);
	}
	s->cpu_put[s->n / npages] = 0;
	s->cpu_get[s->n / npages] = (bench_cpu_s() - t0) * 1e9 / (double)npages;
	s->stored = PB * npages;
	s->n += npages;
}

static void round_tmem(struct tmem *t, struct samples *s)
{
	int pool = tmem_new_pool(t, TMEM_EPHEMERAL);
	double t0, t1, t2;

	BUG_ON(pool < 0);
	t0 = bench_cpu_s();
	for (size_t i = 0; i < npages; i++) {
		double a = now_ns();
		int rc = tmem_put(t, pool, 1, i, pages + i * PB);

		s->put[s->n + i] = now_ns() - a - clock_ns;
		BUG_ON(rc);
	}
	t1 = bench_cpu_s();
	s->stored = tmem_stats(t)->bytes;
	for (size_t i = 0; i < npages; i++) {
		double a = now_ns();
		int rc = tmem_get(t, pool, 1, i, out);

		s->get[s->n + i] = now_ns() - a - clock_ns;
		BUG_ON(rc);
	}
	t2 = bench_cpu_s();
	BUG_ON(memcmp(out, pages + (npages - 1) * PB, PB));
	tmem_destroy_pool(t, pool);
	s->cpu_put[s->n / npages] = (t1 - t0) * 1e9 / (double)npages;
	s->cpu_get[s->n / npages] = (t2 - t1) * 1e9 / (double)npages;
	s->n += npages;
}

static int parse(int argc, char **argv)
{
	for (int i = 1; i < argc; i += 2) {
		char *end;
		double v;

		if (i + 1 >= argc || strlen(argv[i]) != 2 || !strchr("nrR", argv[i][1]) ||
		    argv[i][0] != '-') {
			fprintf(stderr, "usage: bench_tmem [-n PAGES] [-r ROUNDS] [-R RATIO]\n");
			return 2;
		}
		errno = 0;
		v = strtod(argv[i + 1], &end);
		if (errno || *end || !(v > 0) ||
		    (argv[i][1] == 'r' && v > 64) || (argv[i][1] == 'R' && v >= 64)) {
			fprintf(stderr, "bench_tmem: bad value '%s' for %s\n",
				argv[i + 1], argv[i]);
			return 2;
		}
		if (argv[i][1] == 'n')
			npages = (size_t)v;
		else if (argv[i][1] == 'r')
			rounds = (size_t)v;
		else
			ratio = v;
	}
	return npages && rounds ? 0 : 2;
}

int main(int argc, char **argv)
{
	static struct samples s[NV];
	struct synth_params sp;
	struct tmem *t[NV] = { 0 };
	struct bigfile *zero, *synth;
	void *lz4_state;
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	char err[256];
	double cl[1001];

	if (parse(argc, argv))
		return 2;
	sp = (struct synth_params){ ratio, 1 };
	pages = malloc(npages * PB);
	cbuf = malloc(npages * PB);
	out = malloc(PB);
	csize = malloc(npages * sizeof(*csize));
	lz4_state = malloc((size_t)LZ4_sizeofState());
	BUG_ON(!pages || !cbuf || !out || !csize || !lz4_state || !cc || !dc);
	for (size_t i = 0; i < npages; i++)
		synth_page(&sp, 0, i, 0, pages + i * PB, PB);
	for (int v = 0; v < NV; v++) {
		s[v].put = malloc(rounds * npages * sizeof(double));
		s[v].get = malloc(rounds * npages * sizeof(double));
		BUG_ON(!s[v].put || !s[v].get);
		if (vstore[v]) {
			struct tmem_store *st = tmem_store_create(vstore[v], PB, NULL,
								  err, sizeof(err));

			t[v] = st ? tmem_create(npages * PB, st, err, sizeof(err)) : NULL;
			if (!t[v]) {
				fprintf(stderr, "bench_tmem: %s\n", err);
				return 1;
			}
		}
	}
	zero = bigfile_zero_new(0);
	synth = bigfile_synth_new(&sp, 0);
	BUG_ON(!zero || !synth);
	for (size_t i = 0; i < ARRAY_SIZE(cl); i++) {
		double a = now_ns();

		cl[i] = now_ns() - a;
	}
	clock_ns = bench_median(cl, ARRAY_SIZE(cl));

	for (size_t r = 0; r < rounds; r++)
		for (int v = 0; v < NV; v++) {
			if (t[v])
				round_tmem(t[v], &s[v]);
			else if (v == V_ZERO || v == V_SYNTH)
				round_load(v == V_ZERO ? zero : synth, &s[v]);
			else
				round_raw(v, &s[v], lz4_state, cc, dc);
		}

	printf("bench_tmem: %zu pages of 4 KiB, synth ratio %g, %zu interleaved "
	       "rounds; clock cost %.0f ns subtracted\n", npages, ratio, rounds,
	       clock_ns);
	printf("%-10s %6s  %9s %9s %9s  %9s %9s %9s\n", "variant", "ratio",
	       "put med", "put p99", "put ns/pg", "get med", "get p99",
	       "get ns/pg");
	for (int v = 0; v < NV; v++) {
		size_t n = s[v].n;

		if (v == V_ZERO || v == V_SYNTH) {
			printf("%-10s %6s  %9s %9s %9s  %9.0f %9.0f %9.0f\n",
			       vname[v], "-", "-", "-", "-", pct(s[v].get, n, 0.5),
			       pct(s[v].get, n, 0.99),
			       bench_median(s[v].cpu_get, rounds));
			continue;
		}
		printf("%-10s %6.2f  %9.0f %9.0f %9.0f  %9.0f %9.0f %9.0f\n",
		       vname[v], (double)(PB * npages) / (double)s[v].stored,
		       pct(s[v].put, n, 0.5), pct(s[v].put, n, 0.99),
		       bench_median(s[v].cpu_put, rounds),
		       pct(s[v].get, n, 0.5), pct(s[v].get, n, 0.99),
		       bench_median(s[v].cpu_get, rounds));
	}
	printf("(put = compress, get = decompress for the raw rows, get = "
	       "loadblk for the load rows; ns per 4 KiB page; med/p99 per call, "
	       "ns/pg = CPU time per page, median of rounds)\n");
	for (int v = 0; v < NV; v++) {
		tmem_destroy(t[v]);
		free(s[v].put);
		free(s[v].get);
	}
	bigfile_release(zero);
	bigfile_release(synth);
	ZSTD_freeCCtx(cc);
	ZSTD_freeDCtx(dc);
	free(lz4_state);
	free(pages);
	free(cbuf);
	free(out);
	free(csize);
	return 0;
}

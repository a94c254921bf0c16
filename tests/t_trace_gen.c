/*
 * tests/t_trace_gen.c — the generators produce the distributions and
 * patterns they promise: zipf frequencies against k^-alpha / H (chi-square
 * bound), uniform coverage and flatness, the write ratio, hot-set
 * fractions, exact seq/loop/stride/matrix sequences, well-formed slices
 * (VMA events consistent, views overlapping), periodic writeouts, bad specs
 * refused.  Every check uses fixed seeds, so it passes or fails the same
 * way every run; the bounds are the 99.9 % quantiles.
 */
#include <math.h>

#include "tests/testhelp.h"
#include "tests/trace_testutil.h"

static struct evbuf gen(const char *spec)
{
	char err[1200];
	struct evbuf b = { 0 };
	struct trace_reader *r = gen_open(spec, err, sizeof(err));

	REQUIRE_MSG(r != NULL, "%s: %s", spec, err);
	REQUIRE_MSG(read_all(r, &b, err, sizeof(err)) == 0, "%s", err);
	return b;
}

/* Chi-square of counts against probabilities (sum 1) over n bins. */
static double chi2(const uint64_t *cnt, const double *p, size_t n, uint64_t total)
{
	double x = 0;
	for (size_t i = 0; i < n; i++) {
		double e = p[i] * (double)total;
		x += ((double)cnt[i] - e) * ((double)cnt[i] - e) / e;
	}
	return x;
}

/* 99.9 % quantile of chi-square with df degrees (Wilson-Hilferty). */
static double chi2_q999(double df)
{
	double z = 3.090232, a = 2 / (9 * df);
	double c = 1 - a + z * sqrt(a);
	return df * c * c * c;
}

static void zipf_stats(void)
{
	static const double alphas[] = { 0.5, 0.9, 1.0, 1.3, 2.0 };
	const size_t n = 50;
	const uint64_t draws = 200000;

	for (size_t a = 0; a < sizeof(alphas) / sizeof(alphas[0]); a++) {
		char spec[200];
		uint64_t cnt[50] = { 0 };
		double p[50], h = 0, x;
		struct evbuf b;

		snprintf(spec, sizeof(spec), "zipf:pages=%zu:accesses=%llu:alpha=%g:seed=%zu",
			 n, (unsigned long long)draws, alphas[a], a + 7);
		b = gen(spec);
		CHECK_EQ(b.n, draws + 1);
		for (size_t i = 1; i < b.n; i++)
			if (b.ev[i].page < n)
				cnt[b.ev[i].page]++;
		for (size_t k = 0; k < n; k++)
			h += p[k] = pow((double)(k + 1), -alphas[a]);
		for (size_t k = 0; k < n; k++)
			p[k] /= h;
		x = chi2(cnt, p, n, draws);
		CHECK_MSG(x < chi2_q999((double)n - 1), "alpha %g: chi2 %.1f > %.1f",
			  alphas[a], x, chi2_q999((double)n - 1));
		free(b.ev);
	}
	/* a large file: the head follows k^-alpha too (binned tail) */
	{
		const uint64_t np = 1000000, nd = 400000;
		struct evbuf b = gen("zipf:pages=1000000:accesses=400000:alpha=0.99:seed=5");
		uint64_t cnt[21] = { 0 };
		double p[21] = { 0 }, h = 0, x;
		for (uint64_t k = 1; k <= np; k++)
			h += pow((double)k, -0.99);
		for (uint64_t k = 1; k <= np; k++) {
			double q = pow((double)k, -0.99) / h;
			p[k <= 20 ? k - 1 : 20] += q;
		}
		for (size_t i = 1; i < b.n; i++) {
			uint64_t k = b.ev[i].page;
			cnt[k < 20 ? k : 20]++;
		}
		x = chi2(cnt, p, 21, nd);
		CHECK_MSG(x < chi2_q999(20), "large zipf: chi2 %.1f", x);
		free(b.ev);
	}
	/* scramble: same frequencies, pages spread (rank 1 is not page 0) */
	{
		struct evbuf b = gen("zipf:pages=1000:accesses=50000:alpha=1.2:scramble=1");
		uint64_t *cnt = calloc(1000, sizeof(*cnt)), top = 0, topn = 0;
		for (size_t i = 1; i < b.n; i++)
			cnt[b.ev[i].page]++;
		for (int i = 0; i < 1000; i++)
			if (cnt[i] > topn) {
				topn = cnt[i];
				top = (uint64_t)i;
			}
		CHECK(top != 0);
		CHECK(cnt[0] < topn / 2);
		free(cnt);
		free(b.ev);
	}
}

static void uniform_stats(void)
{
	struct evbuf b = gen("uniform:pages=1000:accesses=100000:write_ratio=0.3:seed=9");
	uint64_t cnt[1000] = { 0 }, writes = 0, zero = 0;
	double p[1000], x, wr;

	for (int i = 0; i < 1000; i++)
		p[i] = 1e-3;
	for (size_t i = 1; i < b.n; i++) {
		cnt[b.ev[i].page]++;
		writes += b.ev[i].write;
	}
	for (int i = 0; i < 1000; i++)
		zero += cnt[i] == 0;
	CHECK_EQ(zero, 0);	/* full coverage */
	x = chi2(cnt, p, 1000, 100000);
	CHECK_MSG(x < chi2_q999(999), "uniform chi2 %.1f", x);
	wr = (double)writes / 100000;
	/* 4.5 sigma: sqrt(.3 * .7 / 1e5) = 0.00145 */
	CHECK_MSG(fabs(wr - 0.3) < 0.0065, "write ratio %.4f", wr);
	free(b.ev);
	b = gen("uniform:pages=10:accesses=1000:write_ratio=1");
	writes = 0;
	for (size_t i = 1; i < b.n; i++)
		writes += b.ev[i].write;
	CHECK_EQ(writes, 1000);
	free(b.ev);
}

static void patterns(void)
{
	struct evbuf b;
	int ok;

	b = gen("seq:pages=10:accesses=25:start=3");
	ok = b.n == 26 && b.ev[0].type == EV_MMAP && b.ev[0].npages == 10;
	for (size_t i = 1; ok && i < b.n; i++)
		ok = b.ev[i].page == (3 + i - 1) % 10 && !b.ev[i].write;
	CHECK(ok);
	free(b.ev);
	b = gen("loop:pages=100:accesses=50:loop=7:start=20");
	ok = b.n == 51;
	for (size_t i = 1; ok && i < b.n; i++)
		ok = b.ev[i].page == 20 + (i - 1) % 7;
	CHECK(ok);
	free(b.ev);
	b = gen("stride:pages=10:accesses=20:stride=3");
	{
		static const uint64_t want[] = { 0, 3, 6, 9, 1, 4, 7, 2, 5, 8,
						 0, 3, 6, 9, 1, 4, 7, 2, 5, 8 };
		ok = b.n == 21;
		for (size_t i = 1; ok && i < b.n; i++)
			ok = b.ev[i].page == want[i - 1];
		CHECK(ok);
	}
	free(b.ev);
	/* matrix: 4 rows of 2 pages; row order = 0..7, col order = 0,2,4,6,... */
	b = gen("matrix:rows=4:cols=1024:accesses=16:order=row");
	ok = b.n == 17 && b.ev[0].npages == 8;
	for (size_t i = 1; ok && i < b.n; i++)
		ok = b.ev[i].page == (i - 1) % 8;
	CHECK(ok);
	free(b.ev);
	b = gen("matrix:rows=4:cols=1024:accesses=8:order=col");
	{
		static const uint64_t want[] = { 0, 2, 4, 6, 0, 2, 4, 6 };
		ok = b.n == 9;
		for (size_t i = 1; ok && i < b.n; i++)
			ok = b.ev[i].page == want[i - 1];
		CHECK(ok);
	}
	free(b.ev);
	/* blocked: 1024 x 1024 doubles (2 pages per row), 512-element tiles:
	 * a tile's rows are one page each: tile (0,0) touches pages 0,2,4,...
	 * for its 512 rows, then tile (0,1) pages 1,3,5,... */
	b = gen("matrix:rows=1024:cols=1024:accesses=1024:order=block:block=512");
	ok = b.n == 1025;
	for (size_t i = 1; ok && i < b.n; i++) {
		uint64_t j = i - 1;
		ok = b.ev[i].page == (j < 512 ? 2 * j : 2 * (j - 512) + 1);
	}
	CHECK(ok);
	free(b.ev);
}

static void hotset_stats(void)
{
	struct evbuf b = gen("hotset:pages=10000:accesses=100000:hot=0.01:hotprob=0.9:phase=10000");
	uint64_t in_hot = 0, bases_differ = 0, prev_lo = UINT64_MAX;

	/* per phase, the 100-page window holding most accesses */
	for (size_t ph = 0; ph < 10; ph++) {
		uint64_t *cnt = calloc(10000, sizeof(*cnt)), best = 0, lo = 0;
		for (size_t i = 1 + ph * 10000; i < 1 + (ph + 1) * 10000; i++)
			cnt[b.ev[i].page]++;
		for (uint64_t s = 0; s < 10000; s++) {
			uint64_t sum = 0;
			for (uint64_t k = 0; k < 100; k++)
				sum += cnt[(s + k) % 10000];
			if (sum > best) {
				best = sum;
				lo = s;
			}
		}
		in_hot += best;
		bases_differ += lo != prev_lo;
		prev_lo = lo;
		free(cnt);
	}
	/* 90 % hot + 0.9 % of the cold ones land there by chance */
	CHECK_MSG(in_hot > 89000 && in_hot < 91500, "hot accesses %llu",
		  (unsigned long long)in_hot);
	CHECK(bases_differ >= 9);
	free(b.ev);
}

static void slices_check(void)
{
	struct evbuf b = gen("slices:pages=1000:accesses=50000:views=6:slice=200:life=700:write_ratio=0.1");
	int live[6] = { 0 }, ok = 1;
	uint64_t off[6] = { 0 }, acc = 0, mmaps = 0, unmaps = 0, overlap = 0;

	for (size_t i = 0; i < b.n && ok; i++) {
		const struct event *e = &b.ev[i];
		if (e->vma >= 6) {
			ok = 0;
			break;
		}
		switch (e->type) {
		case EV_MMAP:
			ok = !live[e->vma] && e->npages == 200 && e->page + 200 <= 1000 &&
			     e->file == 0;
			for (int v = 0; v < 6; v++)
				if (live[v] && off[v] < e->page + 200 && e->page < off[v] + 200)
					overlap++;
			live[e->vma] = 1;
			off[e->vma] = e->page;
			mmaps++;
			break;
		case EV_UNMAP:
			ok = live[e->vma];
			live[e->vma] = 0;
			unmaps++;
			break;
		case EV_ACCESS:
			ok = live[e->vma] && e->page < 200;
			acc++;
			break;
		default:
			ok = 0;
		}
	}
	CHECK(ok);
	CHECK_EQ(acc, 50000);
	CHECK_EQ(mmaps, unmaps);	/* everything unmapped at the end */
	CHECK(mmaps > 60);		/* ~50000 / 700 lives */
	CHECK(overlap > 10);
	free(b.ev);
}

static void writeout_and_specs(void)
{
	struct evbuf b = gen("uniform:pages=100:accesses=1000:writeout=100:write_ratio=0.5");
	uint64_t acc = 0, wo = 0;
	int ok = 1;
	char err[1200];

	for (size_t i = 1; i < b.n; i++) {
		if (b.ev[i].type == EV_ACCESS)
			acc++;
		else if (b.ev[i].type == EV_WRITEOUT) {
			wo++;
			ok &= acc % 100 == 0 && b.ev[i].flags == (EV_STORE | EV_MARKSTORED);
		}
	}
	CHECK(ok);
	CHECK_EQ(acc, 1000);
	CHECK_EQ(wo, 10);
	free(b.ev);
	{
		const char *bad[] = { "nosuch", "zipf:alpha=-1", "zipf:pages=0",
				      "seq:start=5000", "uniform:bogus=1",
				      "matrix:order=diag", "slices:slice=5000",
				      "uniform:write_ratio=2" };
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct trace_reader *r = gen_open(bad[i], err, sizeof(err));
			CHECK_MSG(r == NULL && err[0], "%s accepted", bad[i]);
			trace_close(r);
		}
	}
	/* the header string lists every parameter */
	{
		struct trace_reader *r = gen_open("zipf:alpha=0.7", err, sizeof(err));
		CHECK(r && !strcmp(trace_header(r)->generator,
				   "zipf pages=1000 accesses=100000 seed=1 write_ratio=0 "
				   "writeout=0 alpha=0.7 scramble=0"));
		trace_close(r);
	}
}

int main(void)
{
	T_BEGIN("trace_gen");
	zipf_stats();
	uniform_stats();
	patterns();
	hotset_stats();
	slices_check();
	writeout_and_specs();
	return T_END();
}

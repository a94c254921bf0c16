/*
 * tests/t_trace_cli.c — `pagelab trace` as a user runs it (PAGELAB_BIN):
 * gen -> info -> convert -> cat agree, exit status 2 for usage errors and 1
 * for failed runs with a one-line message naming file, offset and reason,
 * and no output file after a failure.
 */
#include <sys/wait.h>

#include "tests/testhelp.h"
#include "tests/trace_testutil.h"

static char dir[256];
static const char *bin;

/* Run "BIN ARGS" with stdout to out (may be NULL) and stderr to errf;
 * returns the exit status. */
static int run(const char *args, const char *out, const char *errf)
{
	char cmd[2400];
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s", bin, args,
		 out ? out : "/dev/null", errf ? errf : "/dev/null");
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
	size_t n;
	char *p = (char *)file_read(path, &n);
	if (p)
		p[n] = '\0';
	return p;
}

static int lines_in(const char *s)
{
	int n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* info's reuse distances against a naive O(n * pages) reference, and a
 * loop long enough to make the Fenwick tree compact many times. */
static void reuse_distances(void)
{
	const char *spec = "gen:uniform:pages=50:accesses=3000:seed=11";
	char err[1200], args[1000], want[300], out[600], *s;
	struct evbuf b = { 0 };
	uint64_t *d = malloc(3000 * sizeof(*d)), nd = 0;
	long last[50];

	snprintf(out, sizeof(out), "%s/info", dir);
	CHECK(read_path(spec, NULL, &b, err, sizeof(err)) == 0);
	for (int i = 0; i < 50; i++)
		last[i] = -1;
	for (size_t i = 1; i < b.n; i++) {
		uint64_t p = b.ev[i].page;
		if (last[p] >= 0) {
			uint64_t k = 0;	/* distinct pages since */
			for (int q = 0; q < 50; q++)
				k += last[q] > last[p];
			d[nd++] = k;
		}
		last[p] = (long)i;
	}
	qsort(d, nd, sizeof(*d), cmp_u64);
	snprintf(want, sizeof(want), "reuse_dist  p50 %llu  p90 %llu  p99 %llu  max %llu ",
		 (unsigned long long)d[nd / 2], (unsigned long long)d[nd * 9 / 10],
		 (unsigned long long)d[nd * 99 / 100], (unsigned long long)d[nd - 1]);
	snprintf(args, sizeof(args), "trace info %s", spec);
	CHECK_EQ(run(args, out, NULL), 0);
	s = slurp(out);
	CHECK_MSG(s && strstr(s, want), "want '%s' in:\n%s", want, s ? s : "");
	free(s);
	free(d);
	free(b.ev);
	/* 1000-page loop, 200000 accesses: every reuse is at distance 999
	 * (992 after the histogram's rounding down within 1/64) */
	snprintf(args, sizeof(args),
		 "trace info gen:loop:pages=1000:accesses=200000");
	CHECK_EQ(run(args, out, NULL), 0);
	s = slurp(out);
	CHECK(s && strstr(s, "reuse       1000 first accesses, 199000 reuses\n"));
	CHECK(s && strstr(s, "reuse_dist  p50 992  p90 992  p99 992  max 999 "));
	free(s);
}

int main(void)
{
	char a[600], t[600], n2[600], out[600], err[600], args[2000], cerr[1200];
	char *s, *e;
	struct evbuf x = { 0 }, y = { 0 };

	T_BEGIN("trace_cli");
	bin = t_pagelab_bin();
	REQUIRE(tmpdir_make(dir, sizeof(dir)));
	snprintf(a, sizeof(a), "%s/z.pgt", dir);
	snprintf(t, sizeof(t), "%s/z.txt", dir);
	snprintf(n2, sizeof(n2), "%s/z2.pgt", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);

	/* gen with the design's flags and a kind flag */
	snprintf(args, sizeof(args), "trace gen zipf -o %s --pages 5000 --accesses 20000 "
		 "--seed 3 --write-ratio 0.25 --alpha 0.8", a);
	CHECK_EQ(run(args, NULL, err), 0);
	CHECK(read_path(a, NULL, &x, cerr, sizeof(cerr)) == 0);
	CHECK_EQ(x.n, 20001);
	/* the same through the library: identical events */
	CHECK(read_path("gen:zipf:pages=5000:accesses=20000:seed=3:write_ratio=0.25:alpha=0.8",
			NULL, &y, cerr, sizeof(cerr)) == 0);
	CHECK(events_equal(&x, &y));

	/* info */
	snprintf(args, sizeof(args), "trace info %s", a);
	CHECK_EQ(run(args, out, err), 0);
	s = slurp(out);
	CHECK(s && strstr(s, "accesses    20000\n"));
	CHECK(s && strstr(s, "format      native\n"));
	CHECK(s && strstr(s, "alpha=0.8"));
	CHECK(s && strstr(s, "reuse_dist  p50 "));
	CHECK(s && strstr(s, "vmas        1 ids"));
	free(s);

	/* convert to text and back: the same file */
	snprintf(args, sizeof(args), "trace convert %s -o %s --format text", a, t);
	CHECK_EQ(run(args, NULL, err), 0);
	snprintf(args, sizeof(args), "trace convert %s -o %s", t, n2);
	CHECK_EQ(run(args, NULL, err), 0);
	{
		size_t l1, l2;
		unsigned char *f1 = file_read(a, &l1), *f2 = file_read(n2, &l2);
		CHECK(f1 && f2 && l1 == l2 && !memcmp(f1, f2, l1));
		free(f1);
		free(f2);
	}
	/* cat = the text file */
	snprintf(args, sizeof(args), "trace cat %s", a);
	CHECK_EQ(run(args, out, err), 0);
	s = slurp(out);
	e = slurp(t);
	CHECK(s && e && !strcmp(s, e));
	CHECK_EQ(lines_in(s), 20001 + 3);	/* 3 header directives */
	free(s);
	free(e);

	/* the CloudPhysics oracleGeneral trace of tests/data/ through info */
	{
		char og[512];

		t_data(T_CLOUDPHYSICS, og, sizeof(og));
		snprintf(args, sizeof(args), "trace info %s", og);
		CHECK_EQ(run(args, out, err), 0);
		s = slurp(out);
		CHECK(s && strstr(s, "accesses    113872\n"));
		CHECK(s && strstr(s, "format      oracle (zstd)\n"));
		free(s);
	}

	reuse_distances();

	/* usage errors: exit 2 */
	CHECK_EQ(run("trace", NULL, NULL), 2);
	CHECK_EQ(run("trace bogus", NULL, NULL), 2);
	CHECK_EQ(run("trace gen", NULL, NULL), 2);
	CHECK_EQ(run("trace gen zipf", NULL, NULL), 2);		/* no -o */
	snprintf(args, sizeof(args), "trace gen zipf -o %s/u.pgt --alpha", dir);
	CHECK_EQ(run(args, NULL, NULL), 2);
	snprintf(args, sizeof(args), "trace gen zipf -o %s/u.pgt --bogus 3", dir);
	CHECK_EQ(run(args, NULL, err), 2);
	s = slurp(err);
	CHECK(s && strstr(s, "bogus") && lines_in(s) == 1);
	free(s);
	snprintf(args, sizeof(args), "trace gen nosuch -o %s/u.pgt", dir);
	CHECK_EQ(run(args, NULL, NULL), 2);
	CHECK_EQ(run("trace info", NULL, NULL), 2);
	CHECK_EQ(run("trace info a b", NULL, NULL), 2);
	CHECK_EQ(run("trace info x --in-format nope", NULL, NULL), 2);
	CHECK_EQ(run("trace convert x", NULL, NULL), 2);	/* no -o */
	CHECK_EQ(run("trace convert x -o y --format vscsi", NULL, NULL), 2);
	/* --help: exit 0 */
	CHECK_EQ(run("trace --help", NULL, NULL), 0);
	CHECK_EQ(run("trace gen --help", out, NULL), 0);
	s = slurp(out);
	CHECK(s && strstr(s, "zipf") && strstr(s, "alpha"));
	free(s);
	CHECK_EQ(run("trace info --help", NULL, NULL), 0);
	CHECK_EQ(run("trace cat --help", NULL, NULL), 0);
	CHECK_EQ(run("trace convert --help", NULL, NULL), 0);

	/* failed runs: exit 1, one line with file, offset, reason, no output */
	{
		size_t l;
		unsigned char *f = file_read(a, &l);
		char bad[600], conv[600];
		snprintf(bad, sizeof(bad), "%s/cut.pgt", dir);
		snprintf(conv, sizeof(conv), "%s/conv.pgt", dir);
		REQUIRE(f && file_write(bad, f, l - 100) == 0);
		snprintf(args, sizeof(args), "trace convert %s -o %s", bad, conv);
		CHECK_EQ(run(args, NULL, err), 1);
		s = slurp(err);
		{
			char want[700];
			snprintf(want, sizeof(want), "pagelab trace convert: %s: offset ", bad);
			CHECK(s && !strncmp(s, want, strlen(want)) && strstr(s, "truncated") &&
			      lines_in(s) == 1);
		}
		free(s);
		CHECK(file_size(conv) < 0);
		snprintf(args, sizeof(args), "trace info %s", bad);
		CHECK_EQ(run(args, NULL, NULL), 1);
		snprintf(args, sizeof(args), "trace info %s/missing.pgt", dir);
		CHECK_EQ(run(args, NULL, NULL), 1);
		/* bad magic */
		f[0] = 'Q';
		REQUIRE(file_write(bad, f, l) == 0);
		snprintf(args, sizeof(args), "trace cat %s", bad);
		CHECK_EQ(run(args, NULL, err), 1);
		s = slurp(err);
		CHECK(s && strstr(s, ": offset 0: bad magic") && lines_in(s) == 1);
		free(s);
		free(f);
	}
	free(x.ev);
	free(y.ev);
	tmpdir_remove(dir);
	return T_END();
}

/*
 * tests/t_trace_readers.c — the readers of existing formats: the
 * CloudPhysics oracleGeneral trace of tests/data/ and the csv cut of 1,000
 * of its requests give the same key sequence (plain and zstd-compressed,
 * one frame or several), keys are renumbered densely in
 * first-seen order, csv column specs, lackey lines, format detection and
 * forcing.  Other fixtures are made here with the test's own code.
 */
#include <zstd.h>

#include "tests/testhelp.h"
#include "tests/trace_testutil.h"

static char dir[256];

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* zstd-compress src into path as nframes frames. */
static int zstd_file(const char *path, const unsigned char *src, size_t n,
		     int nframes)
{
	size_t cap = ZSTD_compressBound(n) + 64 * (size_t)nframes, off = 0;
	unsigned char *dst = malloc(cap);
	int rc;

	for (int i = 0; i < nframes; i++) {
		size_t a = n * (size_t)i / (size_t)nframes;
		size_t b = n * (size_t)(i + 1) / (size_t)nframes;
		size_t k = ZSTD_compress(dst + off, cap - off, src + a, b - a, 3);
		if (ZSTD_isError(k)) {
			free(dst);
			return -1;
		}
		off += k;
	}
	rc = file_write(path, dst, off);
	free(dst);
	return rc;
}

static void check_keyonly(const struct evbuf *b, uint64_t nrec)
{
	uint64_t maxid = 0;
	int dense = 1;

	CHECK(b->n == nrec + 1);
	if (b->n == 0)
		return;
	CHECK(b->ev[0].type == EV_MMAP && b->ev[0].vma == 0 && b->ev[0].file == 0 &&
	      b->ev[0].page == 0 && b->ev[0].npages >= 1);
	for (size_t i = 1; i < b->n; i++) {
		if (b->ev[i].type != EV_ACCESS || b->ev[i].vma != 0 ||
		    b->ev[i].page >= b->ev[0].npages)
			dense = 0;
		/* first-seen order: a new id is exactly one above the largest */
		if (b->ev[i].page > maxid + (i > 1))
			dense = 0;
		if (b->ev[i].page > maxid || i == 1)
			maxid = b->ev[i].page;
	}
	CHECK(dense);
}

struct pair {
	uint64_t key, id;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The committed .zst file decompressed (malloc'd), its length in *len. */
static unsigned char *unzstd_file(const char *path, size_t *len)
{
	size_t zlen;
	unsigned char *z = file_read(path, &zlen), *raw;
	unsigned long long n;

	REQUIRE_MSG(z != NULL, "%s: cannot read", path);
	n = ZSTD_getFrameContentSize(z, zlen);
	REQUIRE_MSG(n != ZSTD_CONTENTSIZE_ERROR && n != ZSTD_CONTENTSIZE_UNKNOWN,
		    "%s: not one zstd frame with its size", path);
	raw = malloc(n ? n : 1);
	REQUIRE(raw != NULL);
	REQUIRE_MSG(ZSTD_decompress(raw, n, z, zlen) == n, "%s: does not "
		    "decompress", path);
	free(z);
	*len = n;
	return raw;
}

static void cloudphysics_traces(void)
{
	char zog[512], og[600], ogw[600], csv[512], err[1200], z1[600], z2[600];
	struct evbuf a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, w = { 0 };
	/* keys, not pages: block unit 0 (the csv has lbn and size columns) */
	struct trace_opts co = { .csv = "key=5,op=3", .block_unit_set = 1 };
	unsigned char *raw;
	/* the csv cut: requests 10,001..11,000 (a mix of reads and writes) */
	size_t rawlen, nrec, csv0 = 10000, ncsv = 1000;

	/* the plain oracleGeneral file, from the committed .zst */
	raw = unzstd_file(t_data(T_CLOUDPHYSICS, zog, sizeof(zog)), &rawlen);
	path_in(og, sizeof(og), "cp.oracleGeneral.bin");
	REQUIRE(file_write(og, raw, rawlen) == 0);
	nrec = rawlen / 24;
	REQUIRE(nrec >= csv0 + ncsv);
	path_in(ogw, sizeof(ogw), "cpcut.oracleGeneral.bin");
	REQUIRE(file_write(ogw, raw + csv0 * 24, ncsv * 24) == 0);
	t_data("cloudPhysicsIO.10001-11000.csv", csv, sizeof(csv));
	CHECK_MSG(read_path(og, NULL, &a, err, sizeof(err)) == 0, "%s", err);
	CHECK_MSG(read_path(ogw, NULL, &w, err, sizeof(err)) == 0, "%s", err);
	CHECK_MSG(read_path(csv, &co, &b, err, sizeof(err)) == 0, "%s", err);
	check_keyonly(&a, nrec);
	check_keyonly(&b, ncsv);
	CHECK_EQ(a.ev[0].npages, nrec);	/* oracle: file size / 24 */
	/* the same requests as oracleGeneral records and as csv lines: the
	 * same key sequence (the EV_MMAP bounds may differ) */
	CHECK_EQ(w.n, b.n);
	if (w.n == b.n) {
		size_t diff = 0, writes = 0;
		for (size_t i = 1; i < w.n; i++) {
			diff += w.ev[i].page != b.ev[i].page;
			writes += b.ev[i].write;
		}
		CHECK_EQ(diff, 0);
		CHECK(writes > 0 && writes < ncsv);	/* op 2a = writes */
	}
	/* the renumbering is a bijection obj_id <-> dense id */
	if (a.n == nrec + 1) {
		struct pair *p = malloc(nrec * sizeof(*p));
		size_t bad = 0;
		for (size_t i = 0; i < nrec; i++) {
			memcpy(&p[i].key, raw + i * 24 + 4, 8);
			p[i].id = a.ev[i + 1].page;
		}
		qsort(p, nrec, sizeof(*p), pair_cmp);
		for (size_t i = 1; i < nrec; i++)
			if ((p[i].key == p[i - 1].key) != (p[i].id == p[i - 1].id))
				bad++;
		CHECK_EQ(bad, 0);
		free(p);
	}
	/* zstd: one frame and three frames, detected by magic */
	path_in(z1, sizeof(z1), "cp.oracleGeneral.zst");
	path_in(z2, sizeof(z2), "cp3.csv.zst");
	REQUIRE(zstd_file(z1, raw, rawlen, 1) == 0);
	{
		size_t cl;
		unsigned char *cr = file_read(csv, &cl);
		REQUIRE(cr && zstd_file(z2, cr, cl, 3) == 0);
		free(cr);
	}
	CHECK_MSG(read_path(z1, NULL, &c, err, sizeof(err)) == 0, "%s", err);
	CHECK(events_equal(&a, &c));
	CHECK_MSG(read_path(z2, &co, &d, err, sizeof(err)) == 0, "%s", err);
	CHECK(events_equal(&b, &d));
	{
		struct trace_reader *r = trace_open(z1, NULL, err, sizeof(err));
		CHECK(r && trace_header(r)->compressed && !strcmp(trace_header(r)->format, "oracle"));
		trace_close(r);
	}
	free(raw);
	free(a.ev);
	free(b.ev);
	free(c.ev);
	free(d.ev);
	free(w.ev);
}

static void read_mem(const char *txt, const struct trace_opts *o, struct evbuf *b,
		     const char *name)
{
	char err[1200];
	struct trace_reader *r = trace_open_mem(txt, strlen(txt), name, o, err,
						sizeof(err));
	CHECK_MSG(r != NULL, "%s", err);
	if (r)
		CHECK_MSG(read_all(r, b, err, sizeof(err)) == 0, "%s", err);
}

static int pages_are(const struct evbuf *b, const uint64_t *pg, const int *wr,
		     size_t n)
{
	if (b->n != n + 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (b->ev[i + 1].type != EV_ACCESS || b->ev[i + 1].page != pg[i] ||
		    b->ev[i + 1].write != wr[i])
			return 0;
	return 1;
}

static void csv_specs(void)
{
	struct evbuf b = { 0 };
	static const uint64_t pg[] = { 0, 1, 0, 2, 1 };
	static const int r0[] = { 0, 0, 0, 0, 0 };
	static const int w1[] = { 0, 1, 1, 0, 0 };
	struct trace_opts o = { 0 };

	/* no header, key in column 1 */
	read_mem("100\n7\n100\n0x10\n7\n", NULL, &b, "k.csv");
	CHECK(pages_are(&b, pg, r0, 5));
	CHECK_EQ(b.ev[0].npages, 5);	/* the line count */
	b.n = 0;
	/* header names the columns; op values; \r\n; blank lines; quotes */
	read_mem("time,op,obj_id,size\r\n1,get,\"100\",5\r\n2,SET,7,5\r\n\r\n"
		 "3,write,100,1\r\n4,read,9,1\r\n5,delete,7,1\r\n", NULL, &b, "h.csv");
	CHECK(pages_are(&b, pg, w1, 5));
	b.n = 0;
	/* forced columns, separator, write values, header=1 without names */
	o.format = "csv";
	o.csv = "key=2,op=3,header=1,sep=;,write=W|X";
	read_mem("a;b;c\n1;100;R\n1;7;W\n1;100;x\n1;9;r\n1;7;Q\n", &o, &b, "sep");
	CHECK(pages_are(&b, pg, w1, 5));
	b.n = 0;
	/* sep=, at the end of a spec and tab separators */
	o.csv = "key=1,sep=,";
	read_mem("100,x\n7,x\n100,x\n16,x\n7,x\n", &o, &b, "comma");
	CHECK(pages_are(&b, pg, r0, 5));
	b.n = 0;
	o.csv = "key=2,sep=tab";
	read_mem("x\t100\nx\t7\nx\t100\nx\t16\nx\t7\n", &o, &b, "tab");
	CHECK(pages_are(&b, pg, r0, 5));
	b.n = 0;
	/* hashed string keys */
	o.csv = "key=1,hashkeys=1";
	read_mem("alpha\nbeta\nalpha\ngamma\nbeta\n", &o, &b, "str");
	CHECK(pages_are(&b, pg, r0, 5));
	b.n = 0;
	/* bad specs are refused at open */
	{
		char err[1200];
		const char *bad[] = { "key=0", "nokey=1", "header=2", "sep=ab",
				      "key", "op=x" };
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct trace_opts ob = { .format = "csv", .csv = bad[i] };
			struct trace_reader *r = trace_open_mem("1\n", 2, "s", &ob,
								err, sizeof(err));
			CHECK_MSG(r == NULL, "spec %s accepted", bad[i]);
			trace_close(r);
		}
	}
	free(b.ev);
}

static void lackey(void)
{
	static const char txt[] =
		"==1234== Lackey, an example Valgrind tool\n"
		"==1234== Command: ./a.out\n"
		"I  04016d0,3\n"
		" L 1ffefffd78,8\n"
		" S 1ffefffd80,8\n"
		"I  04016d3,5\n"
		" M 0421e8c0,4\n"
		" L 1ffefffffe,4\n"	/* crosses into page 0x1fff00 */
		" S 1ffefffd78,8\n"
		"==1234== \n";
	struct evbuf b = { 0 };
	struct trace_opts o = { 0 };
	/* pages: 0x1ffefff -> 0, 0x421e -> 1, 0x1fff000 -> 2 */
	static const uint64_t pg[] = { 0, 0, 1, 1, 0, 2, 0 };
	static const int wr[] = { 0, 1, 0, 1, 0, 0, 1 };
	/* with I lines: 0x401 -> 0 */
	static const uint64_t pgi[] = { 0, 1, 1, 0, 2, 2, 1, 3, 1 };
	static const int wri[] = { 0, 0, 1, 0, 0, 1, 0, 0, 1 };

	read_mem(txt, NULL, &b, "t.lackey");
	CHECK(pages_are(&b, pg, wr, 7));
	CHECK_EQ(b.ev[0].npages, 2 * 10);	/* twice the lines */
	b.n = 0;
	o.lackey_instr = 1;
	read_mem(txt, &o, &b, "t.lackey");
	CHECK(pages_are(&b, pgi, wri, 9));
	b.n = 0;
	/* detected without an extension; other page sizes */
	o.lackey_instr = 0;
	o.page_size = 1 << 21;
	read_mem(txt, &o, &b, "noext");
	CHECK_EQ(b.n, 8);	/* 2 MiB pages: no crossing, one page per access */
	free(b.ev);
}

static void detection(void)
{
	char err[1200];
	struct {
		const char *name, *content, *want;
	} cases[] = {
		{ "a.txt", "r 0 1\n", "text" },
		{ "noext", "mmap 0 0 0 10\nr 0 1\n", "text" },
		{ "noext", "# just a comment\n", "text" },
		{ "noext", "a,b,c\n4,5,6\n", "csv" },
		{ "x.csv", "whatever,header\n1,2\n", "csv" },
		{ "noext", " L 0400,4\n", "lackey" },
		{ "t.lackey", "I  0400,4\n", "lackey" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct trace_reader *r = trace_open_mem(cases[i].content,
							strlen(cases[i].content),
							cases[i].name, NULL, err,
							sizeof(err));
		CHECK_MSG(r && !strcmp(trace_header(r)->format, cases[i].want),
			  "%s: %s", cases[i].name, r ? trace_header(r)->format : err);
		trace_close(r);
	}
	/* oracle records detected by content; a forced format wins */
	{
		unsigned char rec[48] = { 0 };
		struct trace_opts o = { .format = "text" };
		struct trace_reader *r;
		memset(rec + 16, 0xff, 8);
		memset(rec + 40, 0xff, 8);
		rec[4] = 9;
		r = trace_open_mem(rec, sizeof(rec), "blob", NULL, err, sizeof(err));
		CHECK(r && !strcmp(trace_header(r)->format, "oracle"));
		trace_close(r);
		r = trace_open_mem("1,2\n", 4, "x.csv", &o, err, sizeof(err));
		CHECK(r && !strcmp(trace_header(r)->format, "text"));
		trace_close(r);
	}
	/* the generator path */
	{
		struct evbuf b = { 0 };
		CHECK(read_path("gen:seq:pages=10:accesses=3", NULL, &b, err,
				sizeof(err)) == 0);
		CHECK(b.n == 4 && b.ev[3].page == 2);
		free(b.ev);
	}
}

int main(void)
{
	T_BEGIN("trace_readers");
	REQUIRE(tmpdir_make(dir, sizeof(dir)));
	cloudphysics_traces();
	csv_specs();
	lackey();
	detection();
	tmpdir_remove(dir);
	return T_END();
}

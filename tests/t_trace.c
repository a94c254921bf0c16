/*
 * tests/t_trace.c — the native and text formats: every generator's stream
 * survives native -> read and text -> read unchanged, native -> text ->
 * native reproduces the file byte for byte, headers carry the counts and
 * the generator string, hand-written text parses as documented.
 */
#include "tests/testhelp.h"
#include "tests/trace_testutil.h"

static const char *const specs[] = {
	"seq:pages=300:accesses=5000:start=7",
	"uniform:pages=1000:accesses=20000:write_ratio=0.3",
	"zipf:pages=5000:accesses=20000:alpha=0.8:seed=3",
	"zipf:pages=5000:accesses=20000:alpha=1:scramble=1:write_ratio=1",
	"loop:pages=1000:accesses=8000:loop=100:start=50",
	"stride:pages=999:accesses=5000:stride=7",
	"hotset:pages=2000:accesses=30000:hot=0.05:phase=1000:writeout=777:write_ratio=0.5",
	"slices:pages=500:accesses=20000:views=5:slice=60:life=300:write_ratio=0.2",
	"matrix:pages=64:accesses=9000:order=col",
	"matrix:rows=100:cols=3000:accesses=9000:order=block:block=37",
	"matrix:pages=300:accesses=2000:order=row",
	"uniform:pages=1099511627776:accesses=3000",	/* 2^40, the most a VMA may have */
};

static void round_trip(const char *dir, const char *spec)
{
	char err[1200], pn[600], pt[600], pn2[600];
	struct evbuf g = { 0 }, a = { 0 }, b = { 0 }, c = { 0 };
	struct trace_reader *r = gen_open(spec, err, sizeof(err));
	struct trace_header h;
	unsigned char *f1, *f2;
	size_t l1 = 0, l2 = 0;

	REQUIRE_MSG(r != NULL, "%s: %s", spec, err);
	h = *trace_header(r);
	CHECK(read_all(r, &g, err, sizeof(err)) == 0);
	CHECK(g.n > 0);
	snprintf(pn, sizeof(pn), "%s/a.pgt", dir);
	snprintf(pt, sizeof(pt), "%s/a.txt", dir);
	snprintf(pn2, sizeof(pn2), "%s/b.pgt", dir);
	CHECK(write_events(pn, "native", &h, g.ev, g.n) == 0);
	CHECK(write_events(pt, "text", &h, g.ev, g.n) == 0);
	CHECK_MSG(read_path(pn, NULL, &a, err, sizeof(err)) == 0, "%s", err);
	CHECK_MSG(events_equal(&g, &a), "%s native", spec);
	CHECK_MSG(read_path(pt, NULL, &b, err, sizeof(err)) == 0, "%s", err);
	CHECK_MSG(events_equal(&g, &b), "%s text", spec);

	/* native -> text -> native: the same bytes */
	r = trace_open(pt, NULL, err, sizeof(err));
	CHECK(r != NULL);
	if (r) {
		struct trace_header ht = *trace_header(r);
		CHECK(!strcmp(ht.format, "text"));
		CHECK(!strcmp(ht.generator, h.generator));
		CHECK(read_all(r, &c, err, sizeof(err)) == 0);
		CHECK(write_events(pn2, "native", &ht, c.ev, c.n) == 0);
	}
	f1 = file_read(pn, &l1);
	f2 = file_read(pn2, &l2);
	CHECK(f1 && f2 && l1 == l2 && !memcmp(f1, f2, l1));
	free(f1);
	free(f2);

	/* header counts */
	r = trace_open(pn, NULL, err, sizeof(err));
	CHECK(r != NULL);
	if (r) {
		const struct trace_header *hh = trace_header(r);
		uint64_t acc = 0, wr = 0;
		for (size_t i = 0; i < g.n; i++) {
			acc += g.ev[i].type == EV_ACCESS;
			wr += g.ev[i].type == EV_ACCESS && g.ev[i].write;
		}
		CHECK(!strcmp(hh->format, "native"));
		CHECK_EQ(hh->nevents, g.n);
		CHECK_EQ(hh->naccesses, acc);
		CHECK_EQ(hh->nwrites, wr);
		CHECK(hh->nvmas >= 1);
		CHECK(!strcmp(hh->generator, h.generator));
		trace_close(r);
	}
	free(g.ev);
	free(a.ev);
	free(b.ev);
	free(c.ev);
}

static void hand_written(const char *dir)
{
	static const char txt[] =
		"# a hand-written case\n"
		"@pagelab-trace text 1\n"
		"@page_size 2097152\n"
		"\n"
		"mmap 0 0 0 100   # the whole file\n"
		"mmap 1 0 50 10\n"
		"r 0 5\n"
		"w 0 0x6\n"
		"read 1 3\n"
		"write 1 9\r\n"
		"unmap 0\n"
		"writeout 0 store,markstored\n"
		"writeout 0 store\n"
		"writeout 0 markstored\n"
		"writeout 0\n"
		"writeout 0 none\n"
		"discard 0\n"
		"invalidate 0 7\n"
		"unmap 1";
	char path[600], err[1200];
	struct evbuf b = { 0 };
	struct trace_reader *r;

	snprintf(path, sizeof(path), "%s/hand.txt", dir);
	REQUIRE(file_write(path, txt, sizeof(txt) - 1) == 0);
	r = trace_open(path, NULL, err, sizeof(err));
	REQUIRE_MSG(r != NULL, "%s", err);
	CHECK_EQ(trace_header(r)->page_size, 2097152);
	CHECK(read_all(r, &b, err, sizeof(err)) == 0);
	CHECK_EQ(b.n, 15);
	if (b.n == 15) {
		CHECK(b.ev[0].type == EV_MMAP && b.ev[0].vma == 0 &&
		      b.ev[0].page == 0 && b.ev[0].npages == 100);
		CHECK(b.ev[1].type == EV_MMAP && b.ev[1].vma == 1 &&
		      b.ev[1].page == 50 && b.ev[1].npages == 10);
		CHECK(b.ev[2].type == EV_ACCESS && !b.ev[2].write && b.ev[2].page == 5);
		CHECK(b.ev[3].type == EV_ACCESS && b.ev[3].write && b.ev[3].page == 6);
		CHECK(b.ev[4].vma == 1 && b.ev[4].page == 3 && !b.ev[4].write);
		CHECK(b.ev[5].vma == 1 && b.ev[5].page == 9 && b.ev[5].write);
		CHECK(b.ev[6].type == EV_UNMAP && b.ev[6].vma == 0);
		CHECK(b.ev[7].type == EV_WRITEOUT &&
		      b.ev[7].flags == (EV_STORE | EV_MARKSTORED));
		CHECK(b.ev[8].flags == EV_STORE);
		CHECK(b.ev[9].flags == EV_MARKSTORED);
		CHECK(b.ev[10].flags == (EV_STORE | EV_MARKSTORED));
		CHECK(b.ev[11].type == EV_WRITEOUT && b.ev[11].flags == 0);
		CHECK(b.ev[12].type == EV_DISCARD && b.ev[12].file == 0);
		CHECK(b.ev[13].type == EV_INVALIDATE && b.ev[13].page == 7);
		CHECK(b.ev[14].type == EV_UNMAP && b.ev[14].vma == 1);
	}
	free(b.ev);
}

/* Every event kind and extreme values through native. */
static void extremes(const char *dir)
{
	struct event ev[] = {
		{ .type = EV_MMAP, .vma = UINT32_MAX, .file = UINT32_MAX,
		  .page = UINT64_MAX - 5, .npages = 5 },
		{ .type = EV_ACCESS, .vma = UINT32_MAX, .page = UINT64_MAX },
		{ .type = EV_ACCESS, .vma = 0, .page = 0, .write = 1 },
		{ .type = EV_ACCESS, .vma = 3, .page = UINT64_MAX / 2 },
		{ .type = EV_ACCESS, .vma = 3, .page = 1 },
		{ .type = EV_WRITEOUT, .file = 9, .flags = EV_STORE },
		{ .type = EV_DISCARD, .file = UINT32_MAX },
		{ .type = EV_INVALIDATE, .file = 1, .page = UINT64_MAX },
		{ .type = EV_UNMAP, .vma = UINT32_MAX },
	};
	struct evbuf want = { ev, sizeof(ev) / sizeof(ev[0]), 0 }, got = { 0 }, gt = { 0 };
	char pn[600], pt[600], err[1200];

	snprintf(pn, sizeof(pn), "%s/x.pgt", dir);
	snprintf(pt, sizeof(pt), "%s/x.txt", dir);
	CHECK(write_events(pn, "native", NULL, ev, want.n) == 0);
	CHECK(write_events(pt, "text", NULL, ev, want.n) == 0);
	CHECK_MSG(read_path(pn, NULL, &got, err, sizeof(err)) == 0, "%s", err);
	CHECK(events_equal(&want, &got));
	CHECK_MSG(read_path(pt, NULL, &gt, err, sizeof(err)) == 0, "%s", err);
	CHECK(events_equal(&want, &gt));
	free(got.ev);
	free(gt.ev);
}

/* Same spec: byte-identical files; another seed: different. */
static void determinism(const char *dir)
{
	const char *s1 = "zipf:pages=10000:accesses=50000:alpha=0.9:seed=42:write_ratio=0.25";
	const char *s2 = "zipf:pages=10000:accesses=50000:alpha=0.9:seed=43:write_ratio=0.25";
	char p[3][600], err[1200];
	unsigned char *f[3];
	size_t l[3];

	for (int i = 0; i < 3; i++) {
		struct evbuf b = { 0 };
		struct trace_reader *r = gen_open(i < 2 ? s1 : s2, err, sizeof(err));
		struct trace_header h = *trace_header(r);
		snprintf(p[i], sizeof(p[i]), "%s/d%d.pgt", dir, i);
		CHECK(read_all(r, &b, err, sizeof(err)) == 0);
		CHECK(write_events(p[i], "native", &h, b.ev, b.n) == 0);
		f[i] = file_read(p[i], &l[i]);
		free(b.ev);
	}
	CHECK(l[0] == l[1] && !memcmp(f[0], f[1], l[0]));
	CHECK(l[0] != l[2] || memcmp(f[0], f[2], l[0]));
	/* compact: well under 8 bytes per access on a zipf trace */
	CHECK_MSG(l[0] < 50000 * 4, "%zu bytes for 50000 accesses", l[0]);
	for (int i = 0; i < 3; i++)
		free(f[i]);
}

int main(void)
{
	char dir[256];

	T_BEGIN("trace");
	REQUIRE(tmpdir_make(dir, sizeof(dir)));
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		round_trip(dir, specs[i]);
	hand_written(dir);
	extremes(dir);
	determinism(dir);
	tmpdir_remove(dir);
	return T_END();
}

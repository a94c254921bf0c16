/*
 * tests/t_trace_formats.c — libCacheSim's formats (txt, vscsi v1 and v2,
 * twr, twrNS), csv by RFC 4180, block requests split into pages
 * (--block-unit), detection by content before the name, and the shared
 * input options: each reader yields exactly the accesses its records name,
 * and damaged input (truncation, a flipped byte) is one line "PATH: offset
 * N: reason" with the right offset.  The cuts of the CloudPhysics sample
 * under tests/data/formats (the same 300 requests in four formats) must
 * agree with each other.
 */
#include "tests/testhelp.h"
#include "tests/trace_testutil.h"

#define DATA "tests/data/formats/"

/* Read a memory trace into b: 0, or -1 with the message in err. */
static int rd(const void *p, size_t n, const char *name,
	      const struct trace_opts *o, struct evbuf *b, char *err,
	      size_t errlen)
{
	struct trace_reader *r = trace_open_mem(p, n, name, o, err, errlen);

	b->n = 0;
	if (!r)
		return -1;
	return read_all(r, b, err, errlen);
}

/* b holds EV_MMAP then accesses to exactly pg[] with writes wr[]. */
static int accesses_are(const struct evbuf *b, const uint64_t *pg,
			const int *wr, size_t n)
{
	if (b->n != n + 1 || b->ev[0].type != EV_MMAP)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (b->ev[i + 1].type != EV_ACCESS || b->ev[i + 1].page != pg[i] ||
		    b->ev[i + 1].write != (wr ? wr[i] : 0))
			return 0;
	return 1;
}

static void put16(unsigned char *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/* A vscsi record of version ver (1: 32 bytes, 2: 40) at p. */
static size_t vscsi_rec(unsigned char *p, int ver, unsigned cmd, uint32_t len,
			uint64_t lbn)
{
	size_t n = ver == 1 ? 32 : 40;

	memset(p, 0, n);
	if (ver == 1) {
		put32(p + 4, len);
		put16(p + 12, (uint16_t)cmd);
		put16(p + 14, 0x100);
	} else {
		put16(p, (uint16_t)cmd);
		put16(p + 2, 0x200);
		put32(p + 8, len);
	}
	put64(p + 16, lbn);
	put64(p + 24, 1000);
	return n;
}

static void txt(void)
{
	struct evbuf b = { 0 };
	char err[1200];
	static const uint64_t pg[] = { 0, 1, 0, 2, 1 };

	const char *k = "100\n 7 \r\n\n100\n0x10\n7";

	CHECK_MSG(rd(k, strlen(k), "k.txt", NULL, &b, err, sizeof(err)) == 0,
		  "%s", err);
	CHECK(accesses_are(&b, pg, NULL, 5));
	CHECK_EQ(b.ev[0].npages, 6);	/* the line count bounds the keys */
	CHECK(rd("1\n2\nx3\n", 7, "bad.txt", NULL, &b, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "bad.txt", 4, "line 3: bad key 'x3'"));
	/* --block-unit does not apply to keys */
	{
		struct trace_opts o = { .block_unit = 512, .block_unit_set = 1 };
		const char *k2 = "100\n7\n100\n16\n7\n";
		CHECK(rd(k2, strlen(k2), "k.txt", &o, &b, err, sizeof(err)) == 0);
		CHECK(accesses_are(&b, pg, NULL, 5));
	}
	free(b.ev);
}

static void vscsi(void)
{
	unsigned char f[8 * 40];
	struct evbuf b = { 0 };
	char err[1200];
	struct trace_opts keys = { .block_unit_set = 1 };	/* unit 0 */

	for (int ver = 1; ver <= 2; ver++) {
		size_t n = 0, rec = ver == 1 ? 32 : 40;
		/* 512-byte sectors, 4 KiB pages: lbn 7 + 1024 bytes = bytes
		 * 3584..4607, pages 0 and 1; lbn 16, 512 bytes: page 2; lbn 0,
		 * 8192 bytes: pages 0 and 1 again */
		static const uint64_t pg[] = { 0, 1, 2, 0, 1 };
		static const int wr[] = { 1, 1, 0, 1, 1 };
		static const uint64_t kpg[] = { 0, 1, 2 };
		static const int kwr[] = { 1, 0, 1 };

		n += vscsi_rec(f + n, ver, 0x2a, 1024, 7);
		n += vscsi_rec(f + n, ver, 0x28, 512, 16);
		n += vscsi_rec(f + n, ver, 0x8a, 8192, 0);
		CHECK_MSG(rd(f, n, "blob", NULL, &b, err, sizeof(err)) == 0, "%s", err);
		CHECK(accesses_are(&b, pg, wr, 5));
		CHECK_MSG(rd(f, n, "blob", &keys, &b, err, sizeof(err)) == 0, "%s",
			  err);
		CHECK(accesses_are(&b, kpg, kwr, 3));
		CHECK_EQ(b.ev[0].npages, 3);	/* one key per record */
		/* other units and page sizes */
		{
			struct trace_opts o = { .block_unit = 4096,
						.block_unit_set = 1,
						.page_size = 8192 };
			/* lbn 7 * 4096 = page 3 (1024 bytes); 16 -> page 8;
			 * 0 -> page 0 */
			static const uint64_t opg[] = { 0, 1, 2 };
			CHECK(rd(f, n, "blob", &o, &b, err, sizeof(err)) == 0);
			CHECK(accesses_are(&b, opg, kwr, 3));
		}
		/* damage: an opcode that is neither read nor write */
		{
			unsigned char g[sizeof(f)];
			memcpy(g, f, n);
			vscsi_rec(g + rec, ver, 0x12, 512, 16);
			CHECK(rd(g, n, "bad.vscsi", NULL, &b, err, sizeof(err)) < 0);
			CHECK(msg_is(err, "bad.vscsi", (long)rec,
				     "corrupt record 1: SCSI opcode 0x12"));
			/* truncation inside the last record */
			CHECK(rd(f, n - 5, "cut.vscsi", NULL, &b, err, sizeof(err)) < 0);
			CHECK(msg_is(err, "cut.vscsi", (long)(n - rec),
				     "truncated: partial record"));
		}
	}
	/* a version byte that changes in the middle */
	{
		size_t n = 0;
		n += vscsi_rec(f + n, 1, 0x28, 512, 1);
		n += vscsi_rec(f + n, 1, 0x28, 512, 2);
		f[32 + 15] = 2;
		CHECK(rd(f, n, "v.vscsi", NULL, &b, err, sizeof(err)) < 0);
		CHECK(msg_is(err, "v.vscsi", 32, "version 2 in a version 1 trace"));
	}
	/* a request whose end passes 2^64 bytes */
	{
		size_t n = vscsi_rec(f, 1, 0x28, 4096, UINT64_MAX / 512);
		CHECK(rd(f, n, "x.vscsi", NULL, &b, err, sizeof(err)) < 0);
		CHECK(msg_is(err, "x.vscsi", 0, "ends beyond 2^64 bytes"));
	}
	free(b.ev);
}

static size_t twr_rec(unsigned char *p, int ns, unsigned op, uint64_t key)
{
	memset(p, 0, 22);
	put32(p, 5);
	put64(p + 4, key);
	put32(p + 12, (8u << 22) | 100);
	put32(p + 16, (op << 24) | 60);
	if (ns)
		put16(p + 20, 3);
	return ns ? 22 : 20;
}

static void twr(void)
{
	unsigned char f[8 * 22];
	struct evbuf b = { 0 };
	char err[1200];

	for (int ns = 0; ns <= 1; ns++) {
		const char *name = ns ? "t.twrNS" : "t.twr";
		size_t n = 0, rec = ns ? 22 : 20;

		n += twr_rec(f + n, ns, 1, 500);	/* get: read page 0 */
		n += twr_rec(f + n, ns, 3, 600);	/* set: write page 1 */
		n += twr_rec(f + n, ns, 9, 500);	/* delete: invalidate 0 */
		n += twr_rec(f + n, ns, 9, 777);	/* delete unseen: nothing */
		n += twr_rec(f + n, ns, 12, 500);	/* read: page 0 */
		CHECK_MSG(rd(f, n, name, NULL, &b, err, sizeof(err)) == 0, "%s", err);
		CHECK_EQ(b.n, 5);
		if (b.n == 5) {
			CHECK(b.ev[0].type == EV_MMAP && b.ev[0].npages == 5);
			CHECK(b.ev[1].type == EV_ACCESS && b.ev[1].page == 0 &&
			      !b.ev[1].write);
			CHECK(b.ev[2].type == EV_ACCESS && b.ev[2].page == 1 &&
			      b.ev[2].write);
			CHECK(b.ev[3].type == EV_INVALIDATE && b.ev[3].file == 0 &&
			      b.ev[3].page == 0);
			CHECK(b.ev[4].type == EV_ACCESS && b.ev[4].page == 0);
		}
		/* an operation libCacheSim does not define */
		twr_rec(f + rec, ns, 200, 600);
		CHECK(rd(f, n, name, NULL, &b, err, sizeof(err)) < 0);
		CHECK(msg_is(err, name, (long)rec, "corrupt record 1: unknown "
			     "operation 200"));
		twr_rec(f + rec, ns, 3, 600);
		CHECK(rd(f, n - 1, name, NULL, &b, err, sizeof(err)) < 0);
		CHECK(msg_is(err, name, (long)(n - rec), "truncated: partial record"));
	}
	free(b.ev);
}

static void csv(void)
{
	struct evbuf b = { 0 };
	char err[1200];
	struct trace_opts o = { .csv = "key=1,op=2,hashkeys=1" };
	static const uint64_t pg[] = { 0, 1, 0, 2 };
	static const int wr[] = { 1, 0, 0, 1 };
	const char *q = "\"a,b\",w\n\"say \"\"hi\"\"\",r\n  \"a,b\" , r\nc,\"w\"\n";

	/* a quoted comma is inside one field; "" is a quote */
	CHECK_MSG(rd(q, strlen(q), "q.csv", &o, &b, err, sizeof(err)) == 0, "%s",
		  err);
	CHECK(accesses_are(&b, pg, wr, 4));
	/* malformed quoting */
	CHECK(rd("1,w\n\"2,w\n", 9, "u.csv", &o, &b, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "u.csv", 4, "line 2: column 1: unterminated quoted field"));
	CHECK(rd("1,w\n\"2\"x,w\n", 11, "u.csv", &o, &b, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "u.csv", 4, "line 2: column 1: text after the closing quote"));
	/* headerless, several columns, no key=: refused, the columns listed */
	CHECK(rd("5633898,2a,42932745\n", 19, "h.csv", NULL, &b, err,
		 sizeof(err)) < 0);
	CHECK(msg_is(err, "h.csv", 0, "without a header and 3 columns "
		     "(1=5633898 2=2a 3=42932745)"));
	CHECK(strstr(err, "--csv key=N") != NULL);
	{
		struct trace_opts k = { .csv = "key=3" };
		static const uint64_t one[] = { 0 };
		CHECK(rd("5633898,2a,42932745\n", 19, "h.csv", &k, &b, err,
			 sizeof(err)) == 0);
		CHECK(accesses_are(&b, one, NULL, 1));
	}
	/* lbn and size columns: split into pages by default (512-byte
	 * sectors), one key per request with --block-unit 0, and no
	 * splitting for a key column that is not a block number */
	{
		const char *blk = "op,size,lbn\nw,1024,7\nr,512,16\nw,8192,0\n";
		const char *obj = "op,size,obj_id\nw,1024,7\nr,512,16\nw,8192,0\n";
		static const uint64_t sp[] = { 0, 1, 2, 0, 1 };
		static const int sw[] = { 1, 1, 0, 1, 1 };
		static const uint64_t kp[] = { 0, 1, 2 };
		static const int kw[] = { 1, 0, 1 };
		struct trace_opts k = { .block_unit_set = 1 };
		CHECK(rd(blk, strlen(blk), "b.csv", NULL, &b, err, sizeof(err)) == 0);
		CHECK(accesses_are(&b, sp, sw, 5));
		CHECK(rd(blk, strlen(blk), "b.csv", &k, &b, err, sizeof(err)) == 0);
		CHECK(accesses_are(&b, kp, kw, 3));
		CHECK(rd(obj, strlen(obj), "o.csv", NULL, &b, err, sizeof(err)) == 0);
		CHECK(accesses_are(&b, kp, kw, 3));
		k.block_unit = 512;	/* asked for: split */
		CHECK(rd(obj, strlen(obj), "o.csv", &k, &b, err, sizeof(err)) == 0);
		CHECK(accesses_are(&b, sp, sw, 5));
		CHECK(rd("op,size,lbn\nw,x,7\n", 18, "s.csv", NULL, &b, err,
			 sizeof(err)) < 0);
		CHECK(msg_is(err, "s.csv", 12, "line 2: bad size 'x'"));
	}
	free(b.ev);
}

static void detection(void)
{
	char err[1200];
	unsigned char v[80], t[42];
	struct {
		const char *name;
		const void *content;
		size_t len;
		const char *want;
	} cases[] = {
		/* the README's lackey example: a .trace name, valgrind's banner */
		{ "ls.trace", "==14552== Lackey, an example Valgrind tool\n"
			      "I  04016d0,3\n", 0, "lackey" },
		{ "a.txt", "42932745\n42932746\n", 0, "txt" },
		{ "a.txt", "mmap 0 0 0 4\nr 0 1\n", 0, "text" },
		{ "a.csv", "17\n", 0, "txt" },
		{ "x.trace", "op,lbn\nw,1\n", 0, "csv" },
		{ "noext", v, sizeof(v), "vscsi" },
		{ "x.oracleGeneral.bin", v, sizeof(v), "vscsi" },
		{ "t.twr", t, 40, "twr" },
		{ "t.twrNS.zst", t, 40, "twrNS" },
	};

	vscsi_rec(v, 2, 0x28, 512, 1);
	vscsi_rec(v + 40, 2, 0x2a, 512, 2);
	twr_rec(t, 0, 1, 1);
	twr_rec(t + 20, 0, 1, 2);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].content);
		struct trace_reader *r = trace_open_mem(cases[i].content, len,
							cases[i].name, NULL, err,
							sizeof(err));
		CHECK_MSG(r && !strcmp(trace_header(r)->format, cases[i].want),
			  "%s: %s", cases[i].name, r ? trace_header(r)->format : err);
		trace_close(r);
	}
	/* an empty file is no trace, whatever its name says (issue #13) */
	{
		struct trace_reader *r = trace_open_mem("", 0, "c.vscsi", NULL, err,
							sizeof(err));
		CHECK_MSG(!r && strstr(err, "empty file"), "%s", r ? "opened" : err);
		trace_close(r);
	}
	/* a name of an unknown format: the message lists the known ones */
	{
		struct trace_opts o = { .format = "vsci" };
		CHECK(trace_open_mem("1\n", 2, "f", &o, err, sizeof(err)) == NULL);
		CHECK_MSG(strstr(err, "unknown format 'vsci'") &&
			  strstr(err, "txt, vscsi, twr, twrNS"), "%s", err);
	}
}

static void input_options(void)
{
	struct trace_opts o = { 0 };
	char err[256];

	CHECK_EQ(trace_opts_set(&o, "--block-unit", "0", err, sizeof(err)), 1);
	CHECK(o.block_unit_set && o.block_unit == 0);
	CHECK_EQ(trace_opts_set(&o, "--block-unit", "4096", err, sizeof(err)), 1);
	CHECK_EQ(o.block_unit, 4096);
	CHECK_EQ(trace_opts_set(&o, "--block-unit", "-1", err, sizeof(err)), -1);
	CHECK_MSG(strstr(err, "--block-unit: '-1'"), "%s", err);
	CHECK_EQ(trace_opts_set(&o, "--block-unit", NULL, err, sizeof(err)), -1);
	CHECK_EQ(trace_opts_set(&o, "--in-format", "vscsi", err, sizeof(err)), 1);
	CHECK(!strcmp(o.format, "vscsi"));
	CHECK_EQ(trace_opts_set(&o, "--csv", "key=2", err, sizeof(err)), 1);
	CHECK_EQ(trace_opts_set(&o, "--lackey-instr", NULL, err, sizeof(err)), 1);
	CHECK(o.lackey_instr && trace_opts_is_flag("--lackey-instr"));
	CHECK_EQ(trace_opts_set(&o, "--ram", "5", err, sizeof(err)), 0);
}

/* The committed cuts: 300 CloudPhysics requests as oracleGeneral, txt,
 * csv and vscsi. */
static void sample_cuts(void)
{
	static const char *const names[] = {
		DATA "cp300.oracleGeneral.bin", DATA "cp300.txt", DATA "cp300.csv",
		DATA "cp300.vscsi",
	};
	struct evbuf b[4] = { { 0 } }, c = { 0 };
	struct trace_opts keys = { .block_unit_set = 1 };
	char err[1200];
	size_t writes = 0;

	for (int i = 0; i < 4; i++) {
		CHECK_MSG(read_path(names[i], &keys, &b[i], err, sizeof(err)) == 0,
			  "%s", err);
		CHECK_EQ(b[i].n, 301);
	}
	/* the same keys in the same order, whatever the format */
	for (int i = 1; i < 4; i++) {
		size_t diff = 0;
		for (size_t j = 1; j < b[0].n && j < b[i].n; j++)
			diff += b[0].ev[j].page != b[i].ev[j].page;
		CHECK_MSG(diff == 0, "%s: %zu keys differ", names[i], diff);
	}
	/* csv op 2a and vscsi opcode 0x2a: the same writes */
	for (size_t j = 1; j < b[2].n && j < b[3].n; j++) {
		writes += b[2].ev[j].write;
		CHECK(b[2].ev[j].write == b[3].ev[j].write);
	}
	CHECK(writes > 0 && writes < 300);
	/* split into pages (the default): csv and vscsi still agree, and
	 * there are at least as many accesses as requests */
	b[2].n = 0;
	CHECK(read_path(names[2], NULL, &b[2], err, sizeof(err)) == 0);
	CHECK(read_path(names[3], NULL, &c, err, sizeof(err)) == 0);
	CHECK(c.n > 301 && events_equal(&b[2], &c));
	{
		struct trace_reader *r = trace_open(names[3], NULL, err, sizeof(err));
		struct evbuf d = { 0 };
		CHECK(r != NULL);
		if (r) {
			struct event ev[64];
			long n;
			while ((n = trace_read(r, ev, 64)) > 0)
				evbuf_push(&d, ev, (size_t)n);
			CHECK_EQ(trace_header(r)->nrequests, 300);
			CHECK_EQ(d.n, c.n);
			trace_close(r);
		}
		free(d.ev);
	}
	for (int i = 0; i < 4; i++)
		free(b[i].ev);
	free(c.ev);
}

/* Every cut and every flipped byte of small traces of each new format:
 * an error is one clean line naming the file and an offset inside it. */
static void damage_sweep(void)
{
	unsigned char v[4 * 40], t[4 * 22];
	const char *cs = "op,size,lbn\nw,1024,7\nr,512,16\n\"w\",8192,0\n";
	struct {
		const char *name;
		const unsigned char *p;
		size_t n;
	} f[4];
	struct evbuf b = { 0 };
	size_t bad = 0, runs = 0;

	for (int i = 0; i < 4; i++) {
		vscsi_rec(v + 40 * i, 2, i & 1 ? 0x28 : 0x2a, 4096, (uint64_t)i * 9);
		twr_rec(t + 22 * i, 1, 1 + (unsigned)i, (uint64_t)i);
	}
	f[0].name = "d.vscsi"; f[0].p = v; f[0].n = sizeof(v);
	f[1].name = "d.twrNS"; f[1].p = t; f[1].n = sizeof(t);
	f[2].name = "d.csv"; f[2].p = (const unsigned char *)cs; f[2].n = strlen(cs);
	f[3].name = "d.txt"; f[3].p = (const unsigned char *)"1\n22\n0x3\n"; f[3].n = 9;
	for (int i = 0; i < 4; i++) {
		unsigned char g[256];
		for (size_t cut = 0; cut <= f[i].n; cut++) {
			for (size_t flip = 0; flip <= f[i].n; flip++) {
				char err[1200];
				size_t n = flip < f[i].n ? f[i].n : cut;
				if (flip < f[i].n && cut != f[i].n)
					continue;	/* cuts or flips, not both */
				memcpy(g, f[i].p, n);
				if (flip < f[i].n)
					g[flip] ^= 0x5a;
				runs++;
				if (rd(g, n, f[i].name, NULL, &b, err, sizeof(err)) < 0) {
					char head[64];
					const char *o;
					snprintf(head, sizeof(head), "%s: offset ", f[i].name);
					o = err + strlen(head);
					if (strncmp(err, head, strlen(head)) ||
					    strchr(err, '\n') || strtoull(o, NULL, 10) > n) {
						fprintf(stderr, "  bad message: %s\n", err);
						bad++;
					}
				}
			}
		}
	}
	CHECK(runs > 400);
	CHECK_EQ(bad, 0);
	free(b.ev);
}

int main(void)
{
	T_BEGIN("trace_formats");
	txt();
	vscsi();
	twr();
	csv();
	detection();
	input_options();
	sample_cuts();
	damage_sweep();
	return T_END();
}

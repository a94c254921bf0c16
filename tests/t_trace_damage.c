/*
 * tests/t_trace_damage.c — bad input is reported, never half-read:
 * truncation at every byte, a flipped bit in every byte, bad magic, an
 * unknown version, a corrupt record behind a valid checksum, an unknown
 * format, damaged oracle/csv/text/lackey/zstd input — each one line
 * "PATH: offset N: reason" with the right offset — and writers that leave
 * nothing behind when abandoned.
 */
#include <zstd.h>

#include "tests/testhelp.h"
#include "tests/trace_testutil.h"
#include "workloads/trace_impl.h"

static char dir[256];

/* Read a memory trace: 0 clean, -1 failed (message in err). */
static int try_mem(const void *p, size_t n, const char *name,
		   const struct trace_opts *o, char *err, size_t errlen)
{
	struct evbuf b = { 0 };
	struct trace_reader *r = trace_open_mem(p, n, name, o, err, errlen);
	int rc;

	if (!r)
		return -1;
	rc = read_all(r, &b, err, errlen);
	free(b.ev);
	return rc;
}

static unsigned char *make_native(size_t *len)
{
	char path[600], err[1200];
	struct evbuf b = { 0 };
	struct trace_reader *r;
	struct trace_header h;
	unsigned char *p;

	/* three blocks: ~150 KiB of records */
	r = gen_open("hotset:pages=100000:accesses=80000:write_ratio=0.5:writeout=5000",
		     err, sizeof(err));
	h = *trace_header(r);
	read_all(r, &b, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/d.pgt", dir);
	write_events(path, "native", &h, b.ev, b.n);
	free(b.ev);
	p = file_read(path, len);
	return p;
}

static void native_damage(void)
{
	size_t len = 0, fails = 0, badmsg = 0;
	unsigned char *f = make_native(&len), *g;
	char err[1200];

	REQUIRE(f && len > 3 * 65536);
	CHECK(try_mem(f, len, "ok.pgt", NULL, err, sizeof(err)) == 0);
	/* truncation: at every byte of the first KiB and the last KiB, and at
	 * every block boundary region */
	for (size_t cut = 0; cut < len; cut++) {
		if (cut > 200 && cut < len - 100 && cut % 1499)
			continue;
		if (try_mem(f, cut, "cut.pgt", NULL, err, sizeof(err)) == 0)
			fails++;
		else if (strncmp(err, "cut.pgt: offset ", 16))
			badmsg++;
	}
	CHECK_EQ(fails, 0);
	CHECK_EQ(badmsg, 0);
	/* a cut exactly between blocks is still a truncation */
	{
		size_t hb = 64 + (size_t)f[56];
		uint32_t nb = (uint32_t)f[hb] | (uint32_t)f[hb + 1] << 8 |
			      (uint32_t)f[hb + 2] << 16 | (uint32_t)f[hb + 3] << 24;
		size_t cut = hb + 16 + nb;
		CHECK(try_mem(f, cut, "b.pgt", NULL, err, sizeof(err)) < 0);
		CHECK(msg_is(err, "b.pgt", (long)cut, "truncated: no end marker"));
		CHECK(try_mem(f, len - 10, "t.pgt", NULL, err, sizeof(err)) < 0);
		CHECK(msg_is(err, "t.pgt", (long)(len - 40), "truncated: partial end marker"));
	}
	/* one flipped bit in every byte: always detected */
	g = malloc(len);
	fails = 0;
	for (size_t i = 0; i < len; i += (i < 300 || i > len - 100) ? 1 : 1499) {
		memcpy(g, f, len);
		g[i] ^= (unsigned char)(1u << (i % 8));
		if (try_mem(g, len, "flip.pgt", NULL, err, sizeof(err)) == 0) {
			fails++;
			fprintf(stderr, "  undetected flip at %zu\n", i);
		}
	}
	CHECK_EQ(fails, 0);
	/* bad magic, unknown version, corrupt header */
	memcpy(g, f, len);
	g[0] = 'X';
	CHECK(try_mem(g, len, "m.pgt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "m.pgt", 0, "bad magic"));
	memcpy(g, f, len);
	g[8] = 2;
	CHECK(try_mem(g, len, "v.pgt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "v.pgt", 8, "unknown version 2"));
	memcpy(g, f, len);
	g[30] ^= 1;	/* a count in the header */
	CHECK(try_mem(g, len, "h.pgt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "h.pgt", 0, "header checksum mismatch"));
	/* a flipped bit in the first block's records */
	memcpy(g, f, len);
	{
		size_t hb = 64 + (size_t)f[56];
		g[hb + 16 + 100] ^= 4;
		CHECK(try_mem(g, len, "c.pgt", NULL, err, sizeof(err)) < 0);
		CHECK(msg_is(err, "c.pgt", (long)hb, "checksum mismatch in block 0"));
	}
	/* trailing garbage */
	{
		unsigned char *h = malloc(len + 3);
		memcpy(h, f, len);
		memcpy(h + len, "abc", 3);
		CHECK(try_mem(h, len + 3, "g.pgt", NULL, err, sizeof(err)) < 0);
		CHECK(msg_is(err, "g.pgt", (long)len, "data after the end marker"));
		free(h);
	}
	free(g);
	free(f);
}

/* Recompute the check of a one-byte block at hb and the end marker's chain
 * after it, as FORMAT.md describes them. */
static void reseal(unsigned char *g, size_t hb, uint64_t seed)
{
	uint64_t check = trace_hash64(g + hb + 16, 1, seed), chain, c2;
	unsigned char b8[8], *tr = g + hb + 17;

	for (int i = 0; i < 8; i++)
		g[hb + 8 + i] = b8[i] = (unsigned char)(check >> (8 * i));
	chain = trace_hash64(b8, 8, 0);
	c2 = trace_hash64(tr, 32, chain);
	for (int i = 0; i < 8; i++)
		tr[32 + i] = (unsigned char)(c2 >> (8 * i));
}

/* A block with a valid checksum but an undecodable record (FORMAT.md). */
static void forged_record(void)
{
	char path[600], err[1200];
	unsigned char *f, *g;
	size_t len, hb;
	struct event ev = { .type = EV_ACCESS, .page = 1 };
	uint64_t seed;

	snprintf(path, sizeof(path), "%s/one.pgt", dir);
	REQUIRE(write_events(path, "native", NULL, &ev, 1) == 0);
	f = file_read(path, &len);
	REQUIRE(f != NULL);
	hb = 64 + (size_t)f[56];
	/* block: nbytes=1 nevents=1 | one byte: kind 7 (reserved) = 0x0f */
	g = malloc(len);
	memcpy(g, f, len);
	CHECK_EQ(g[hb], 1);
	g[hb + 16] = 0x0f;
	seed = (0 * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)1 << 32 | 1);
	reseal(g, hb, seed);
	CHECK(try_mem(g, len, "f.pgt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "f.pgt", (long)(hb + 16), "corrupt record: unknown record kind"));
	/* the same with a valid record still reads: the forging is right */
	g[hb + 16] = 0x00;	/* access page +0 read */
	reseal(g, hb, seed);
	CHECK_MSG(try_mem(g, len, "f.pgt", NULL, err, sizeof(err)) == 0, "%s", err);
	free(f);
	free(g);
}

static void other_formats(void)
{
	char err[1200];
	unsigned char rec[72];
	struct trace_opts oo = { .format = "oracle" };

	/* oracle: partial record, bad next_access_vtime */
	memset(rec, 0, sizeof(rec));
	for (int i = 0; i < 3; i++)
		memset(rec + i * 24 + 16, 0xff, 8);
	CHECK(try_mem(rec, 72, "o.oracleGeneral", NULL, err, sizeof(err)) == 0);
	CHECK(try_mem(rec, 70, "o.oracleGeneral", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "o.oracleGeneral", 48, "truncated: partial record"));
	memset(rec + 24 + 16, 0, 8);	/* record 1: next access at 0 */
	CHECK(try_mem(rec, 72, "o.bin", &oo, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "o.bin", 24, "corrupt record 1"));
	/* csv: the offset of the bad line */
	CHECK(try_mem("1\n2\nxyz\n", 8, "k.csv", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "k.csv", 4, "line 3: bad key 'xyz'"));
	{
		struct trace_opts o = { .csv = "key=3" };
		CHECK(try_mem("1,2,3\n1,2\n", 10, "k.csv", &o, err, sizeof(err)) < 0);
		CHECK(msg_is(err, "k.csv", 6, "line 2: no column 3"));
	}
	/* text */
	CHECK(try_mem("r 0 1\nr 0 2\njump 3\n", 19, "t.txt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.txt", 12, "line 3: unknown event 'jump'"));
	CHECK(try_mem("x\033[2J 0 1\n", 11, "t.txt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.txt", 0, "unknown event 'x?[2J'"));
	CHECK(try_mem("r 0 1\nr 0\n", 10, "t.txt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.txt", 6, "line 2: 'r' takes 2 numbers, 1 given"));
	CHECK(try_mem("r 0 99999999999999999999\n", 25, "t.txt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.txt", 0, "line 1: bad number"));
	CHECK(try_mem("r 4294967296 1\n", 15, "t.txt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.txt", 0, "bad number"));
	CHECK(try_mem("mmap 0 0 0 0\n", 13, "t.txt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.txt", 0, "bad mmap range"));
	CHECK(try_mem("@pagelab-trace text 7\n", 22, "t.txt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.txt", 0, "unknown version 7"));
	CHECK(try_mem("r 0 1\n@page_size 4096\n", 22, "t.txt", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.txt", 6, "directive after the first event"));
	/* lackey */
	CHECK(try_mem(" L 0400,4\n S 0400;4\n", 20, "t.lackey", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.lackey", 10, "line 2: not a lackey access line"));
	CHECK(try_mem(" L 0400,8192\n", 13, "t.lackey", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "t.lackey", 0, "larger than a page"));
	/* unknown format */
	CHECK(try_mem("\x01\x02\x03\x04\x05", 5, "blob", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "blob", 0, "unknown format"));
	CHECK(try_mem("hello world\n", 12, "words", NULL, err, sizeof(err)) < 0);
	CHECK(msg_is(err, "words", 0, "unknown format"));
	{
		struct trace_opts o = { .format = "nope" };
		CHECK(try_mem("r 0 1\n", 6, "t", &o, err, sizeof(err)) < 0);
		CHECK(strstr(err, "unknown format 'nope'") != NULL);
	}
	/* zstd: truncated and corrupt frames */
	{
		const char *txt = "r 0 1\nr 0 2\nw 0 3\n";
		unsigned char z[256];
		size_t zl = ZSTD_compress(z, sizeof(z), txt, strlen(txt), 1);
		CHECK(!ZSTD_isError(zl));
		CHECK(try_mem(z, zl, "z.txt.zst", NULL, err, sizeof(err)) == 0);
		CHECK(try_mem(z, zl - 3, "z.txt.zst", NULL, err, sizeof(err)) < 0);
		CHECK(strstr(err, "truncated compressed stream") != NULL);
		CHECK(!strncmp(err, "z.txt.zst: offset ", 18));
		z[zl / 2] ^= 0x55;
		z[zl / 2 + 1] ^= 0x55;
		CHECK(try_mem(z, zl, "z.txt.zst", NULL, err, sizeof(err)) < 0);
		CHECK(!strncmp(err, "z.txt.zst: offset ", 18));
	}
	/* files: missing, a directory */
	CHECK(trace_open("/nonexistent/x.pgt", NULL, err, sizeof(err)) == NULL);
	CHECK(!strcmp(err, "/nonexistent/x.pgt: No such file or directory"));
	CHECK(trace_open(dir, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "is a directory") != NULL);
}

static void writers_leave_nothing(void)
{
	char path[600], err[1200], cmd[800];
	struct event ev = { .type = EV_ACCESS, .page = 1 };
	struct event bad = { .type = 77 };
	struct trace_writer *w;
	FILE *p;
	int n = 0;

	snprintf(path, sizeof(path), "%s/w.pgt", dir);
	w = trace_writer_open(path, "native", NULL, err, sizeof(err));
	CHECK(w != NULL);
	CHECK(trace_write(w, &ev, 1) == 0);
	CHECK(file_size(path) < 0);	/* not there until committed */
	CHECK(trace_writer_close(w, 0) == 0);
	CHECK(file_size(path) < 0);
	/* an invalid event fails the write and the commit */
	w = trace_writer_open(path, "text", NULL, err, sizeof(err));
	CHECK(trace_write(w, &bad, 1) < 0);
	CHECK(strstr(trace_writer_error(w), "unknown event type 77") != NULL);
	CHECK(trace_writer_close_err(w, 1, err, sizeof(err)) < 0);
	CHECK(file_size(path) < 0);
	/* no temporary files left in the directory */
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c tmp", dir);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	CHECK_EQ(n, 0);
	CHECK(trace_writer_open("/nonexistent/dir/x", "native", NULL, err,
				sizeof(err)) == NULL);
	CHECK(trace_writer_open(path, "vscsi", NULL, err, sizeof(err)) == NULL);
}

int main(void)
{
	T_BEGIN("trace_damage");
	REQUIRE(tmpdir_make(dir, sizeof(dir)));
	native_damage();
	forged_record();
	other_formats();
	writers_leave_nothing();
	tmpdir_remove(dir);
	return T_END();
}

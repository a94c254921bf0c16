/*
 * tests/t_trace_export.c — `pagelab trace convert` as a user runs it (the
 * binary from PAGELAB_BIN): native -> oracleGeneral -> read back gives the
 * same miss counts under every policy tried, the next-access fields of the
 * oracleGeneral output are the true next uses (checked by brute force),
 * csv and .zst output read back to the same keys, the format follows
 * --out-format or the name, and a name of a format pagelab cannot write is
 * refused with nothing left behind.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests/testhelp.h"
#include "tests/trace_testutil.h"

static char dir[256], bin[512], errout[4096];	/* stderr of the last sh() */

/* Run cmd (with %s = dir substituted by the caller); exit status, stdout
 * in out (may be NULL). */
static int sh(const char *cmd, char *out, size_t outlen)
{
	char full[4096], path[600];
	FILE *f;
	int st;

	snprintf(full, sizeof(full), "cd %s && ( %s ) >out 2>err", dir, cmd);
	st = system(full);
	{
		size_t n;
		snprintf(path, sizeof(path), "%s/err", dir);
		f = fopen(path, "r");
		n = f ? fread(errout, 1, sizeof(errout) - 1, f) : 0;
		errout[n] = '\0';
		if (f)
			fclose(f);
	}
	if (out) {
		size_t n;
		snprintf(path, sizeof(path), "%s/out", dir);
		f = fopen(path, "r");
		n = f ? fread(out, 1, outlen - 1, f) : 0;
		out[n] = '\0';
		if (f)
			fclose(f);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int exists(const char *name)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

/* The faults column of every row of `pagelab sim FILE ...`, in order,
 * into f[]; returns the number of rows. */
static int sim_faults(const char *file, uint64_t *f, int max)
{
	char cmd[1200], out[16384], *line;
	int n = 0, col = -1;

	snprintf(cmd, sizeof(cmd), "%s sim %s --reclaim lru,fifo,clock,arc,sieve,"
		 "opt --ram 50,400 --observe full -j 1", bin, file);
	if (sh(cmd, out, sizeof(out)) != 0)
		return -1;
	line = strtok(out, "\n");
	if (line) {	/* the header: find "faults" */
		int c = 0;
		for (char *p = line; p; p = strchr(p, ','), c++) {
			if (*p == ',')
				p++;
			if (!strncmp(p, "faults,", 7))
				col = c;
		}
	}
	while (col >= 0 && (line = strtok(NULL, "\n")) && n < max) {
		char *p = line;
		for (int c = 0; c < col && p; c++) {
			p = strchr(p, ',');
			if (p)
				p++;
		}
		f[n++] = p ? strtoull(p, NULL, 10) : UINT64_MAX;
	}
	return n;
}

static void round_trip(void)
{
	char cmd[3000], path[600], err[1200];
	uint64_t a[16], b[16], c[16];
	int na, nb, nc;

	/* two mappings of different files: page keys keep them apart */
	snprintf(cmd, sizeof(cmd), "%s trace gen zipf -o z.pgt --pages 3000 "
		 "--accesses 40000 --alpha 0.8 --seed 7", bin);
	CHECK_EQ(sh(cmd, NULL, 0), 0);
	snprintf(cmd, sizeof(cmd), "%s trace convert z.pgt -o z.oracleGeneral.bin",
		 bin);
	CHECK_EQ(sh(cmd, NULL, 0), 0);
	snprintf(cmd, sizeof(cmd), "%s trace convert z.pgt -o zz --out-format "
		 "oracle", bin);
	CHECK_EQ(sh(cmd, NULL, 0), 0);
	snprintf(cmd, sizeof(cmd), "cmp z.oracleGeneral.bin zz");
	CHECK_EQ(sh(cmd, NULL, 0), 0);
	snprintf(cmd, sizeof(cmd), "%s trace convert z.pgt -o z.csv.zst", bin);
	CHECK_EQ(sh(cmd, NULL, 0), 0);
	na = sim_faults("z.pgt", a, 16);
	nb = sim_faults("z.oracleGeneral.bin", b, 16);
	nc = sim_faults("z.csv.zst", c, 16);
	CHECK_EQ(na, 12);
	CHECK_EQ(nb, na);
	CHECK_EQ(nc, na);
	for (int i = 0; i < na && i < nb && i < nc; i++) {
		CHECK_MSG(a[i] == b[i] && a[i] == c[i] && a[i] > 0,
			  "row %d: native %llu, oracle %llu, csv %llu faults", i,
			  (unsigned long long)a[i], (unsigned long long)b[i],
			  (unsigned long long)c[i]);
	}
	/* the next-access fields, by brute force */
	snprintf(path, sizeof(path), "%s/z.oracleGeneral.bin", dir);
	{
		size_t len = 0, bad = 0, nrec;
		unsigned char *p = file_read(path, &len);
		CHECK(p && len == 40000 * 24);
		nrec = p ? len / 24 : 0;
		for (size_t i = 0; i < nrec; i++) {
			uint64_t key, k2;
			int64_t next, want = -1;
			uint32_t t, size;
			memcpy(&t, p + i * 24, 4);
			memcpy(&key, p + i * 24 + 4, 8);
			memcpy(&size, p + i * 24 + 12, 4);
			memcpy(&next, p + i * 24 + 16, 8);
			for (size_t j = i + 1; j < nrec; j++) {
				memcpy(&k2, p + j * 24 + 4, 8);
				if (k2 == key) {
					want = (int64_t)j;
					break;
				}
			}
			bad += next != want || t != i || size != 4096;
		}
		CHECK_EQ(bad, 0);
		free(p);
	}
	/* the csv read back: the same key sequence as the oracle output */
	{
		struct evbuf x = { 0 }, y = { 0 };
		char p2[600];
		snprintf(p2, sizeof(p2), "%s/z.csv.zst", dir);
		CHECK_MSG(read_path(path, NULL, &x, err, sizeof(err)) == 0, "%s", err);
		CHECK_MSG(read_path(p2, NULL, &y, err, sizeof(err)) == 0, "%s", err);
		CHECK_EQ(x.n, 40001);
		CHECK(x.n == y.n);
		for (size_t i = 1; i < x.n && i < y.n; i++)
			if (x.ev[i].page != y.ev[i].page) {
				CHECK_MSG(0, "access %zu differs", i);
				break;
			}
		free(x.ev);
		free(y.ev);
	}
}

static void names(void)
{
	char cmd[3000], out[4096];

	/* a name of a format pagelab reads but cannot write: refused */
	snprintf(cmd, sizeof(cmd), "%s trace convert z.pgt -o x.vscsi", bin);
	CHECK_EQ(sh(cmd, NULL, 0), 2);
	CHECK(!exists("x.vscsi"));
	/* .trace (the README's name for generated traces) stays native, .txt
	 * is text */
	snprintf(cmd, sizeof(cmd), "%s trace convert z.pgt -o g.trace && %s trace "
		 "convert z.pgt -o g.TXT && %s trace info g.trace && %s trace info "
		 "g.TXT", bin, bin, bin, bin);
	CHECK_EQ(sh(cmd, out, sizeof(out)), 0);
	CHECK_MSG(strstr(out, "format      native") && strstr(out, "format      text"),
		  "%s", out);
	/* --out-format wins over the name; --format is its old spelling */
	snprintf(cmd, sizeof(cmd), "%s trace convert z.pgt -o x.vscsi "
		 "--out-format native && %s trace info x.vscsi", bin, bin);
	CHECK_EQ(sh(cmd, out, sizeof(out)), 0);
	CHECK_MSG(strstr(out, "format      native"), "%s", out);
	snprintf(cmd, sizeof(cmd), "%s trace convert z.pgt -o y.out --format csv "
		 "&& %s trace info y.out", bin, bin);
	CHECK_EQ(sh(cmd, out, sizeof(out)), 0);
	CHECK_MSG(strstr(out, "format      csv"), "%s", out);
	/* native .zst: compressed, read back to the same events */
	snprintf(cmd, sizeof(cmd), "%s trace convert z.pgt -o z2.pgt.zst && "
		 "%s trace cat z2.pgt.zst >a && %s trace cat z.pgt >b && cmp a b "
		 "&& %s trace info z2.pgt.zst", bin, bin, bin, bin);
	CHECK_EQ(sh(cmd, out, sizeof(out)), 0);
	CHECK_MSG(strstr(out, "native (zstd)"), "%s", out);
	/* what a key-only format cannot hold is counted aloud */
	snprintf(cmd, sizeof(cmd), "%s trace gen seq -o w.pgt --pages 10 "
		 "--accesses 100 --write-ratio 1 --writeout 10 && %s trace convert "
		 "w.pgt -o w.csv", bin, bin);
	CHECK_EQ(sh(cmd, out, sizeof(out)), 0);
	CHECK_MSG(strstr(errout, "note: csv holds accesses only: 10 events"),
		  "%s", errout);
}

int main(void)
{
	char tmpl[] = "/tmp/t_trace_export.XXXXXX";
	char cmd[600];

	T_BEGIN("trace_export");
	snprintf(bin, sizeof(bin), "%s", t_pagelab_bin());
	REQUIRE(mkdtemp(tmpl) != NULL);
	snprintf(dir, sizeof(dir), "%s", tmpl);
	round_trip();
	names();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
	return T_END();
}

/*
 * tests/t_hostile_cli.c — issue #13 as a new user met it (the binary from
 * PAGELAB_BIN): each function is one defect, checks the fix, and failed
 * before it.  -o of a device, an interrupted `trace gen`, an empty file, a
 * .zst that is not zstd, a bad @page_size, an unknown option, a generator
 * size beyond what the engines take, stdout that refuses the output, and a
 * native header whose page count lies.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/testhelp.h"
#include "tests/trace_testutil.h"
#include "workloads/trace_impl.h"

static char dir[256];
static const char *bin;
static char out[4096], err[4096];
static const char *run_prefix = "";	/* e.g. "timeout 10 " */

static const char *at(const char *name)
{
	static char p[4][600];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* Run "BIN ARGS" (ARGS may name files in dir as @D); stdout to redirect
 * (NULL: captured in out), stderr captured in err.  Exit status. */
static int run(const char *redirect, const char *fmt, ...)
{
	char args[2048], cmd[4096], *d;
	va_list ap;
	size_t n;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	while ((d = strstr(args, "@D"))) {
		char rest[2048];

		snprintf(rest, sizeof(rest), "%s", d + 2);
		*d = '\0';
		snprintf(d, sizeof(args) - (size_t)(d - args), "%s%s", dir, rest);
	}
	snprintf(cmd, sizeof(cmd), "%s%s %s >%s 2>%s/err", run_prefix, bin, args,
		 redirect ? redirect : at("out"), dir);
	st = system(cmd);
	out[0] = err[0] = '\0';
	if (!redirect && (f = fopen(at("out"), "r"))) {
		n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = '\0';
		fclose(f);
	}
	if ((f = fopen(at("err"), "r"))) {
		n = fread(err, 1, sizeof(err) - 1, f);
		err[n] = '\0';
		fclose(f);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && !nl[1];
}

static int tmp_files(void)
{
	return dir_count_suffix(dir, ".tmp");
}

/* defect 1: `-o` of a device is written in place and its errors count */
static void output_to_device_written_in_place(void)
{
	if (mknod(at("full"), S_IFCHR | 0666, makedev(1, 7)) ||
	    mknod(at("null"), S_IFCHR | 0666, makedev(1, 3))) {
		T_SKIP("mknod needs root");
		return;
	}
	CHECK_EQ(run(NULL, "sim @D/t.txt --ram 10 -o @D/full"), 1);
	CHECK_MSG(strstr(err, "full: No space left on device") && one_line(err), "%s", err);
	CHECK(path_type(at("full")) == S_IFCHR);
	CHECK_EQ(run(NULL, "sim @D/t.txt --ram 10 -o @D/null"), 0);
	CHECK(path_type(at("null")) == S_IFCHR);
	CHECK_EQ(run(NULL, "trace gen zipf -o @D/full --pages 100 --accesses 1000"), 1);
	CHECK(path_type(at("full")) == S_IFCHR);
	CHECK_EQ(run(NULL, "mrc @D/t.txt -o @D/full"), 1);
	CHECK(path_type(at("full")) == S_IFCHR);
	CHECK_EQ(tmp_files(), 0);
}

/* defect 1: a read-only file is not replaced, not even by root */
static void output_read_only_file_kept(void)
{
	size_t n;
	unsigned char *p;

	CHECK(file_write(at("ro.csv"), "keep\n", 5) == 0);
	CHECK(chmod(at("ro.csv"), 0444) == 0);
	CHECK_EQ(run(NULL, "sim @D/t.txt --ram 10 -o @D/ro.csv"), 1);
	CHECK_MSG(strstr(err, "read-only file, not replaced") != NULL, "%s", err);
	p = file_read(at("ro.csv"), &n);
	CHECK(p && n == 5 && !memcmp(p, "keep\n", 5));
	free(p);
}

/* defect 6: SIGINT or SIGTERM during `trace gen` leaves no *.tmp */
static void interrupted_gen_leaves_no_temporary(int sig)
{
	char big[700];
	pid_t pid;
	int st = 0, seen = 0;

	snprintf(big, sizeof(big), "%s/big.pgt", dir);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(bin, bin, "trace", "gen", "uniform", "-o", big, "--pages",
		      "1000000", "--accesses", "2000000000", (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0);
	/* wait (bounded) until the temporary file exists, then interrupt */
	for (int i = 0; i < 20000 && !seen; i++) {
		struct timespec ts = { 0, 1000000 };

		seen = tmp_files() > 0;
		if (!seen)
			nanosleep(&ts, NULL);
	}
	CHECK_MSG(seen, "no temporary file appeared");
	kill(pid, sig);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig);
	CHECK_EQ(tmp_files(), 0);
	CHECK(path_type(big) == 0);
}

/* defect 6: an empty file is not an empty trace */
static void empty_file_refused(void)
{
	CHECK(file_write(at("empty"), "", 0) == 0);
	CHECK_EQ(run(NULL, "trace info @D/empty"), 1);
	CHECK_MSG(strstr(err, "empty file") && one_line(err), "%s", err);
	CHECK_EQ(run(NULL, "sim @D/empty --ram 10"), 1);
	CHECK_MSG(strstr(err, "empty file") && one_line(err), "%s", err);
	/* the explicit empty text trace still is one */
	CHECK(file_write(at("e.txt"), "@pagelab-trace text 1\n", 22) == 0);
	CHECK_EQ(run(NULL, "trace info @D/e.txt"), 0);
}

/* defect 6: a .zst file that is not zstd says so */
static void zst_without_magic_refused(void)
{
	static const char t[] = "mmap 0 0 0 10\nr 0 1\n";

	CHECK(file_write(at("plain.txt.zst"), t, sizeof(t) - 1) == 0);
	CHECK_EQ(run(NULL, "trace info @D/plain.txt.zst"), 1);
	CHECK_MSG(strstr(err, "not zstd") && one_line(err), "%s", err);
}

/* defect 6: a text trace's page size is a power of two */
static void text_page_size_validated(void)
{
	static const char t[] = "@page_size 3\nmmap 0 0 0 10\nr 0 1\n";

	CHECK(file_write(at("ps3.txt"), t, sizeof(t) - 1) == 0);
	CHECK_EQ(run(NULL, "trace info @D/ps3.txt"), 1);
	CHECK_MSG(strstr(err, "bad page size") && one_line(err), "%s", err);
}

/* defect 6: an unknown option last on the line is "unknown", not "needs a
 * value" */
static void unknown_last_option_named(void)
{
	CHECK_EQ(run(NULL, "sim @D/t.txt --ram 10 -x"), 2);
	CHECK_MSG(strstr(err, "unknown option '-x'") != NULL, "%s", err);
	CHECK_EQ(run(NULL, "mrc @D/t.txt -x"), 2);
	CHECK_MSG(strstr(err, "unknown option '-x'") != NULL, "%s", err);
	CHECK_EQ(run(NULL, "sim @D/t.txt --ram"), 2);
	CHECK_MSG(strstr(err, "--ram needs a value") != NULL, "%s", err);
}

/* defect 6: trace gen refuses what the engines would refuse */
static void gen_pages_within_engine_limit(void)
{
	CHECK_EQ(run(NULL, "trace gen zipf -o @D/huge.pgt --pages 2000000000000 "
		     "--accesses 10"), 2);
	CHECK(path_type(at("huge.pgt")) == 0);
	CHECK_EQ(run(NULL, "trace gen matrix -o @D/huge.pgt --rows 100000000 "
		     "--cols 100000000 --accesses 10"), 2);
	CHECK_MSG(strstr(err, "beyond the 2^40 pages") != NULL, "%s", err);
	CHECK(path_type(at("huge.pgt")) == 0);
}

/* defect 6: output that stdout refuses is a failed run */
static void stdout_failure_fails(void)
{
	if (access("/dev/full", W_OK)) {
		T_SKIP("no /dev/full");
		return;
	}
	CHECK_EQ(run("/dev/full", "trace info @D/t.txt"), 1);
	CHECK_MSG(strstr(err, "stdout: No space left on device") != NULL, "%s", err);
	CHECK_EQ(run("/dev/full", "--list"), 1);
	CHECK_EQ(run("/dev/full", "--help"), 1);
	CHECK_EQ(run("/dev/full", "sim --help"), 1);
	CHECK_EQ(run("/dev/full", "compare @D/t.txt --ram 10"), 2);	/* trouble */
	CHECK(run("/dev/full", "sim @D/t.txt --ram 10") != 0);
}

/* defect 5: --ram N% rests on a recount, and a header that lies fails */
static void native_header_page_count_verified(void)
{
	unsigned char *p, tmp[64];
	size_t n;
	uint64_t c, lie = 1000000;

	CHECK_EQ(run(NULL, "trace gen zipf -o @D/z.pgt --pages 200 --accesses 3000"), 0);
	CHECK_EQ(run(NULL, "sim @D/z.pgt --ram 10%%"), 0);
	p = file_read(at("z.pgt"), &n);
	CHECK(p && n > 64);
	if (!p || n <= 64) {
		free(p);
		return;
	}
	/* npages at offset 40, the header check recomputed (FORMAT.md) */
	for (int i = 0; i < 8; i++)
		p[40 + i] = (unsigned char)(lie >> (8 * i));
	memcpy(tmp, p, 64);
	memset(tmp + 60, 0, 4);
	c = trace_hash64(tmp, 64, trace_hash64(p + 64,
					      (size_t)(p[12] | p[13] << 8) - 64,
					      0x50474c48ull));
	for (int i = 0; i < 4; i++)
		p[60 + i] = (unsigned char)(c >> (8 * i));
	CHECK(file_write(at("lie.pgt"), p, n) == 0);
	free(p);
	CHECK_EQ(run(NULL, "trace info @D/lie.pgt"), 0);	/* the header is well-formed */
	CHECK_EQ(run(NULL, "sim @D/lie.pgt --ram 10%%"), 1);
	CHECK_MSG(strstr(err, "the header says 1000000 distinct pages") && one_line(err),
		  "%s", err);
	/* a RAM size in pages does not depend on the count */
	CHECK_EQ(run(NULL, "sim @D/lie.pgt --ram 20"), 0);
}

/* defect 6: compare's status says what happened, as cmp(1)'s does */
static void compare_status_as_cmp(void)
{
	CHECK_EQ(run(NULL, "compare @D/t.txt --ram 10"), 0);	/* agree */
	CHECK_EQ(run(NULL, "compare @D/t.txt --ram 10 --bogus 1"), 2);	/* usage */
	CHECK_EQ(run(NULL, "compare @D/missing.txt --ram 10"), 2);	/* run error */
	CHECK_MSG(strstr(err, "missing.txt") && one_line(err), "%s", err);
	CHECK_EQ(run(NULL, "compare @D/empty --ram 10"), 2);
}

/* defect 2: unmapping a huge VMA costs what it mapped, not its size (the
 * timeout only turns the old minutes-long walk into a failure, 30x above
 * what the run takes) */
static void huge_vma_teardown_costs_pages_mapped(void)
{
	static const char t40[] = "mmap 0 0 0 1099511627776\nr 0 1\nw 0 1099511627775\n"
				  "unmap 0\nmmap 1 0 0 1099511627776\nr 1 1\n";
	static const char t32[] = "mmap 0 0 0 268435456\nr 0 1\nw 0 268435455\nunmap 0\n";

	CHECK(file_write(at("t40.txt"), t40, sizeof(t40) - 1) == 0);
	CHECK(file_write(at("t32.txt"), t32, sizeof(t32) - 1) == 0);
	run_prefix = "timeout 10 ";
	CHECK_EQ(run(NULL, "sim @D/t40.txt --ram 10"), 0);
	CHECK_MSG(strstr(out, ",10,4096,1,3,0,3,2,1,0,0,2,") != NULL, "%s", out);
	CHECK_EQ(run(NULL, "sim @D/t40.txt --ram 10 --observe sampled:1"), 0);
	CHECK_EQ(run(NULL, "mrc @D/t40.txt"), 0);
	/* the real engine: 2^28 pages (1 TiB) fit the address space, 2^40 do not */
	CHECK_EQ(run(NULL, "compare @D/t32.txt --ram 10"), 0);
	CHECK_EQ(run(NULL, "real @D/t40.txt --ram 10"), 1);
	CHECK_MSG(strstr(err, "cannot reserve") && one_line(err), "%s", err);
	run_prefix = "";
}

/* defect 3: a FIFO is read once, like stdin: no hang, no false corruption */
static void fifo_trace_read_once(void)
{
	char feed[1400];

	CHECK(mkfifo(at("f.txt"), 0600) == 0);
	/* the writer gives up after 10 s if nobody opens the FIFO */
	snprintf(feed, sizeof(feed), "timeout 10 sh -c 'cat %s/t.txt > %s/f.txt' &", dir, dir);
	CHECK(system(feed) == 0);
	run_prefix = "timeout 10 ";
	CHECK_EQ(run(NULL, "sim @D/f.txt --ram 20"), 0);
	CHECK_MSG(strstr(out, "sim,") != NULL, "%s", out);
	CHECK(system(feed) == 0);
	CHECK_EQ(run(NULL, "sim @D/f.txt --ram 20,30"), 2);
	CHECK_MSG(strstr(err, "not a regular file") && strstr(err, "only once") &&
		  one_line(err), "%s", err);
	CHECK(system(feed) == 0);
	CHECK_EQ(run(NULL, "sim @D/f.txt --ram 10%%"), 2);	/* a pre-pass */
	CHECK_MSG(strstr(err, "cannot give") && one_line(err), "%s", err);
	CHECK_EQ(run(NULL, "compare @D/f.txt --ram 20"), 2);	/* never opened */
	CHECK_MSG(strstr(err, "replayed twice") && one_line(err), "%s", err);
	CHECK(system(feed) == 0);
	CHECK_EQ(run(NULL, "real @D/f.txt --ram 20"), 0);
	run_prefix = "";
}

/* defect 4: --file PATH never writes through a planted symlink, and a trace
 * cannot make it create files without bound */
static void real_file_no_symlink_bounded(void)
{
	static const char t2[] = "mmap 0 1 0 4\nw 0 1\nwriteout 1\n";
	static const char tmany[] = "mmap 0 300 0 4\nr 0 1\n";
	size_t n;
	unsigned char *p;

	CHECK(file_write(at("victim"), "keep", 4) == 0);
	CHECK(file_write(at("t2.txt"), t2, sizeof(t2) - 1) == 0);
	CHECK(file_write(at("tmany.txt"), tmany, sizeof(tmany) - 1) == 0);
	CHECK(symlink("victim", at("back.1")) == 0);
	CHECK_EQ(run(NULL, "real @D/t2.txt --ram 10 --file @D/back"), 1);
	CHECK_MSG(strstr(err, "symbolic link") && one_line(err), "%s", err);
	p = file_read(at("victim"), &n);
	CHECK(p && n == 4 && !memcmp(p, "keep", 4));
	free(p);
	CHECK_EQ(run(NULL, "real @D/tmany.txt --ram 10 --file @D/many"), 1);
	CHECK_MSG(strstr(err, "at most 256 files") && one_line(err), "%s", err);
	CHECK(path_type(at("many.300")) == 0);
}

int main(void)
{
	static const char t[] = "mmap 0 0 0 100\nr 0 1\nw 0 5\nr 0 7\n";

	T_BEGIN("hostile_cli");
	bin = getenv("PAGELAB_BIN");
	if (!bin || access(bin, X_OK) != 0) {
		T_SKIP("PAGELAB_BIN not set or not executable");
		return T_END();
	}
	if (!tmpdir_make(dir, sizeof(dir))) {
		CHECK(!"mkdtemp");
		return T_END();
	}
	CHECK(file_write(at("t.txt"), t, sizeof(t) - 1) == 0);
	output_to_device_written_in_place();
	output_read_only_file_kept();
	interrupted_gen_leaves_no_temporary(SIGINT);
	interrupted_gen_leaves_no_temporary(SIGTERM);
	empty_file_refused();
	zst_without_magic_refused();
	text_page_size_validated();
	unknown_last_option_named();
	gen_pages_within_engine_limit();
	stdout_failure_fails();
	native_header_page_count_verified();
	compare_status_as_cmp();
	huge_vma_teardown_costs_pages_mapped();
	fifo_trace_read_once();
	real_file_no_symlink_bounded();
	tmpdir_remove(dir);
	return T_END();
}

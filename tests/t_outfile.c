/*
 * tests/t_outfile.c — common/outfile.h, the writer behind every -o: what a
 * path names decides how it is written (issue #13, defect 1).  Each check
 * below failed with the old temp-and-rename-whatever-is-there writers: a
 * device or FIFO became a regular file, a read-only file or a symlink was
 * replaced, /dev/full "succeeded", and a killed writer left its *.tmp.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/outfile.h"
#include "tests/testhelp.h"
#include "tests/trace_testutil.h"

static char dir[256];

static const char *at(const char *name)
{
	static char p[4][600];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static int tmp_files(void)
{
	return dir_count_suffix(dir, ".tmp");
}

static int content_is(const char *path, const char *want)
{
	size_t n;
	unsigned char *p = file_read(path, &n);
	int ok = p && n == strlen(want) && !memcmp(p, want, n);

	free(p);
	return ok;
}

static void device_full_fails_and_stays_a_device(void)
{
	char err[512] = "";

	if (mknod(at("full"), S_IFCHR | 0666, makedev(1, 7))) {
		T_SKIP("mknod needs root");
		return;
	}
	CHECK(outfile_write_all(at("full"), "a,b\n", 4, err, sizeof(err)) < 0);
	CHECK_MSG(strstr(err, "No space left on device") != NULL, "%s", err);
	CHECK(path_type(at("full")) == S_IFCHR);
	CHECK_EQ(tmp_files(), 0);
}

static void device_null_written_in_place(void)
{
	char err[512] = "";

	if (mknod(at("null"), S_IFCHR | 0666, makedev(1, 3))) {
		T_SKIP("mknod needs root");
		return;
	}
	CHECK(outfile_write_all(at("null"), "a,b\n", 4, err, sizeof(err)) == 0);
	CHECK(path_type(at("null")) == S_IFCHR);
	CHECK_EQ(tmp_files(), 0);
}

static void fifo_written_in_place(void)
{
	char err[512] = "", buf[16] = "";
	int rfd;

	CHECK(mkfifo(at("fifo"), 0600) == 0);
	rfd = open(at("fifo"), O_RDONLY | O_NONBLOCK);
	CHECK(rfd >= 0);
	CHECK(outfile_write_all(at("fifo"), "x,y\n", 4, err, sizeof(err)) == 0);
	CHECK_EQ(read(rfd, buf, sizeof(buf)), 4);
	CHECK(!memcmp(buf, "x,y\n", 4));
	close(rfd);
	CHECK(path_type(at("fifo")) == S_IFIFO);
}

/* root opens a 0444 file for writing: the permission bits must decide */
static void read_only_file_refused(void)
{
	char err[512] = "";

	CHECK(file_write(at("ro"), "old\n", 4) == 0);
	CHECK(chmod(at("ro"), 0444) == 0);
	CHECK(outfile_write_all(at("ro"), "new\n", 4, err, sizeof(err)) < 0);
	CHECK_MSG(strstr(err, "read-only file, not replaced") != NULL, "%s", err);
	CHECK(content_is(at("ro"), "old\n"));
	CHECK_EQ(tmp_files(), 0);
}

static void symlink_followed_link_kept(void)
{
	char err[512] = "";
	struct stat st;

	CHECK(file_write(at("target"), "old\n", 4) == 0);
	CHECK(chmod(at("target"), 0640) == 0);
	CHECK(symlink("target", at("link")) == 0);
	CHECK(outfile_write_all(at("link"), "new\n", 4, err, sizeof(err)) == 0);
	CHECK(path_type(at("link")) == S_IFLNK);
	CHECK(content_is(at("target"), "new\n"));
	CHECK(stat(at("target"), &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK_EQ(tmp_files(), 0);
}

static void dangling_symlink_refused(void)
{
	char err[512] = "";

	CHECK(symlink("nowhere", at("dangling")) == 0);
	CHECK(outfile_write_all(at("dangling"), "new\n", 4, err, sizeof(err)) < 0);
	CHECK_MSG(strstr(err, "symbolic link to a missing file") != NULL, "%s", err);
	CHECK(path_type(at("dangling")) == S_IFLNK);
	CHECK(path_type(at("nowhere")) == 0);
}

static void directory_refused(void)
{
	char err[512] = "";

	CHECK(mkdir(at("sub"), 0700) == 0);
	CHECK(outfile_write_all(at("sub"), "new\n", 4, err, sizeof(err)) < 0);
	CHECK_MSG(strstr(err, "is a directory") != NULL, "%s", err);
	CHECK(path_type(at("sub")) == S_IFDIR);
}

static void regular_file_replaced_atomically(void)
{
	char err[512] = "";
	struct outfile of;

	CHECK(file_write(at("reg"), "old\n", 4) == 0);
	CHECK(outfile_open(&of, at("reg"), err, sizeof(err)) == 0);
	CHECK(!of.streamed);
	CHECK(outfile_write(&of, "new\n", 4, err, sizeof(err)) == 0);
	CHECK(content_is(at("reg"), "old\n"));	/* not yet */
	CHECK_EQ(tmp_files(), 1);
	CHECK(outfile_commit(&of, err, sizeof(err)) == 0);
	CHECK(content_is(at("reg"), "new\n"));
	CHECK_EQ(tmp_files(), 0);

	CHECK(outfile_open(&of, at("reg"), err, sizeof(err)) == 0);
	CHECK(outfile_write(&of, "gone\n", 5, err, sizeof(err)) == 0);
	outfile_abort(&of);
	CHECK(content_is(at("reg"), "new\n"));
	CHECK_EQ(tmp_files(), 0);
}

/* A writer killed by SIGINT/SIGTERM removes its temporary file, and still
 * dies of the signal. */
static void signal_removes_temporary_file(int sig)
{
	char err[512] = "";
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct outfile of;

		if (outfile_open(&of, at("big"), err, sizeof(err)) ||
		    outfile_write(&of, "partial", 7, err, sizeof(err)))
			_exit(3);
		raise(sig);
		_exit(4);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig);
	CHECK_EQ(tmp_files(), 0);
	CHECK(path_type(at("big")) == 0);
}

int main(void)
{
	T_BEGIN("outfile");
	if (!tmpdir_make(dir, sizeof(dir))) {
		T_SKIP("cannot create a temporary directory");
		return T_END();
	}
	device_full_fails_and_stays_a_device();
	device_null_written_in_place();
	fifo_written_in_place();
	read_only_file_refused();
	symlink_followed_link_kept();
	dangling_symlink_refused();
	directory_refused();
	regular_file_replaced_atomically();
	signal_removes_temporary_file(SIGINT);
	signal_removes_temporary_file(SIGTERM);
	tmpdir_remove(dir);
	return T_END();
}

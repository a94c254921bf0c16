/*
 * common/outfile.c — writing a file the user named without destroying what
 * it names (common/outfile.h has the rules).
 *
 * The atomic replace is the classic temp-then-rename(2) (as editors and
 * package managers do); the difference from a bare rename is the lstat()
 * first: only a regular file or a new path is ever replaced, and a file
 * whose permission bits forbid writing is refused, even to root.
 *
 * Signal cleanup: the temporary names live in a small static table of
 * slots; the handler unlinks every used slot (unlink(2) is
 * async-signal-safe), restores the default action and re-raises, so the
 * exit status still says "killed by SIGINT".  The signals are blocked
 * while a slot is claimed or released, so a temporary file never exists
 * unregistered.
 */
#include "common/outfile.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- signal cleanup of temporary files ---- */

#define OUTFILE_SLOTS 8

static char outfile_tmp_names[OUTFILE_SLOTS][OUTFILE_PATH_MAX + 16];
static volatile sig_atomic_t outfile_tmp_used[OUTFILE_SLOTS];
static pthread_mutex_t outfile_lock = PTHREAD_MUTEX_INITIALIZER;
static int outfile_handler_installed;
static const int outfile_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define OUTFILE_NSIGNALS (int)(sizeof(outfile_signals) / sizeof(outfile_signals[0]))

static void outfile_on_signal(int sig)
{
	for (int i = 0; i < OUTFILE_SLOTS; i++)
		if (outfile_tmp_used[i])
			unlink(outfile_tmp_names[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Called with outfile_lock held and the signals blocked. */
static void outfile_install_handler(void)
{
	if (outfile_handler_installed)
		return;
	outfile_handler_installed = 1;
	for (int i = 0; i < OUTFILE_NSIGNALS; i++) {
		struct sigaction old, sa;

		if (sigaction(outfile_signals[i], NULL, &old) ||
		    old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO))
			continue;	/* ignored (nohup) or someone else's */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = outfile_on_signal;
		sigemptyset(&sa.sa_mask);
		for (int j = 0; j < OUTFILE_NSIGNALS; j++)
			sigaddset(&sa.sa_mask, outfile_signals[j]);
		sigaction(outfile_signals[i], &sa, NULL);
	}
}

static void outfile_block(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	for (int i = 0; i < OUTFILE_NSIGNALS; i++)
		sigaddset(&s, outfile_signals[i]);
	pthread_sigmask(SIG_BLOCK, &s, old);
}

/* mkstemps() of of->tmp, registered for cleanup: the fd, or -1 (errno). */
static int outfile_mktemp(struct outfile *of)
{
	sigset_t old;
	int fd, e;

	outfile_block(&old);
	pthread_mutex_lock(&outfile_lock);
	outfile_install_handler();
	of->slot = -1;
	for (int i = 0; i < OUTFILE_SLOTS; i++)
		if (!outfile_tmp_used[i]) {
			of->slot = i;
			break;
		}
	fd = mkstemps(of->tmp, 4);
	e = errno;
	if (fd >= 0 && of->slot >= 0) {
		memcpy(outfile_tmp_names[of->slot], of->tmp, sizeof(of->tmp));
		outfile_tmp_used[of->slot] = 1;
	}
	pthread_mutex_unlock(&outfile_lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return fd;
}

/* Remove of->tmp (unless it was renamed) and release its slot. */
static void outfile_untemp(struct outfile *of, int renamed)
{
	sigset_t old;

	outfile_block(&old);
	pthread_mutex_lock(&outfile_lock);
	if (!renamed)
		unlink(of->tmp);
	if (of->slot >= 0)
		outfile_tmp_used[of->slot] = 0;
	of->slot = -1;
	of->tmp[0] = '\0';
	pthread_mutex_unlock(&outfile_lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- open, write, commit ---- */

__attribute__((format(printf, 4, 5)))
static int outfile_fail(const struct outfile *of, char *err, size_t errlen,
			const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", of->path, why);
	return -1;
}

/* May this process write the existing regular file st (at path)?  Root's
 * open() ignores the permission bits, so they are checked here. */
static int outfile_writable(const char *path, const struct stat *st)
{
	if (geteuid() == 0)
		return (st->st_mode & 0222) != 0;
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

/* A temporary file next to of->target, with st's mode and owner (or the
 * umask's mode for a new path). */
static int outfile_open_temp(struct outfile *of, const struct stat *st,
			     char *err, size_t errlen)
{
	mode_t mode;

	if (snprintf(of->tmp, sizeof(of->tmp), "%s.XXXXXX.tmp", of->target) >=
	    (int)sizeof(of->tmp))
		return outfile_fail(of, err, errlen, "path too long");
	of->fd = outfile_mktemp(of);
	if (of->fd < 0) {
		int e = errno;

		of->tmp[0] = '\0';
		return outfile_fail(of, err, errlen,
				    "cannot create a temporary file: %s",
				    strerror(e));
	}
	if (st) {
		mode = st->st_mode & 07777;
		if (geteuid() == 0 && fchown(of->fd, st->st_uid, st->st_gid)) {
			int e = errno;

			outfile_abort(of);
			return outfile_fail(of, err, errlen, "chown: %s", strerror(e));
		}
	} else {
		mode_t um = umask(0);

		umask(um);
		mode = 0666 & ~um;
	}
	if (fchmod(of->fd, mode)) {
		int e = errno;

		outfile_abort(of);
		return outfile_fail(of, err, errlen, "chmod: %s", strerror(e));
	}
	return 0;
}

int outfile_open(struct outfile *of, const char *path, char *err, size_t errlen)
{
	struct stat st;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	of->slot = -1;
	if (!path || !strcmp(path, "-")) {
		snprintf(of->path, sizeof(of->path), "stdout");
		fflush(stdout);
		of->fd = STDOUT_FILENO;
		of->streamed = 1;
		return 0;
	}
	if (snprintf(of->path, sizeof(of->path), "%s", path) >= (int)sizeof(of->path) ||
	    snprintf(of->target, sizeof(of->target), "%s", path) >= (int)sizeof(of->target))
		return outfile_fail(of, err, errlen, "path too long");
	if (lstat(path, &st)) {
		if (errno != ENOENT)
			return outfile_fail(of, err, errlen, "%s", strerror(errno));
		return outfile_open_temp(of, NULL, err, errlen);
	}
	if (S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);

		if (!real)
			return outfile_fail(of, err, errlen,
					    "symbolic link to a missing file, not followed");
		snprintf(of->target, sizeof(of->target), "%s", real);
		free(real);
		if (stat(of->target, &st))
			return outfile_fail(of, err, errlen, "%s", strerror(errno));
	}
	if (S_ISREG(st.st_mode)) {
		if (!outfile_writable(of->target, &st))
			return outfile_fail(of, err, errlen,
					    "read-only file, not replaced");
		return outfile_open_temp(of, &st, err, errlen);
	}
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
		of->fd = open(of->target, O_WRONLY | O_CLOEXEC);
		if (of->fd < 0)
			return outfile_fail(of, err, errlen, "%s", strerror(errno));
		of->streamed = 1;
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return outfile_fail(of, err, errlen, "is a directory");
	if (S_ISBLK(st.st_mode))
		return outfile_fail(of, err, errlen,
				    "is a block device, not written");
	return outfile_fail(of, err, errlen, "not a file, device or FIFO");
}

int outfile_write(struct outfile *of, const void *p, size_t n, char *err,
		  size_t errlen)
{
	const char *s = p;

	while (n) {
		ssize_t k = write(of->fd, s, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return outfile_fail(of, err, errlen, "%s", strerror(errno));
		}
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

int outfile_commit(struct outfile *of, char *err, size_t errlen)
{
	int e;

	if (of->fd == STDOUT_FILENO) {
		of->fd = -1;
		return 0;
	}
	if (of->streamed) {
		e = close(of->fd) ? errno : 0;
		of->fd = -1;
		return e ? outfile_fail(of, err, errlen, "%s", strerror(e)) : 0;
	}
	e = fsync(of->fd) ? errno : 0;
	if (close(of->fd) && !e)
		e = errno;
	of->fd = -1;
	if (!e && rename(of->tmp, of->target))
		e = errno;
	outfile_untemp(of, !e);
	return e ? outfile_fail(of, err, errlen, "%s", strerror(e)) : 0;
}

void outfile_abort(struct outfile *of)
{
	if (of->fd >= 0 && of->fd != STDOUT_FILENO)
		close(of->fd);
	of->fd = -1;
	if (of->tmp[0])
		outfile_untemp(of, 0);
}

int outfile_write_all(const char *path, const void *p, size_t n, char *err,
		      size_t errlen)
{
	struct outfile of;

	if (outfile_open(&of, path, err, errlen))
		return -1;
	if (outfile_write(&of, p, n, err, errlen)) {
		outfile_abort(&of);
		return -1;
	}
	return outfile_commit(&of, err, errlen);
}

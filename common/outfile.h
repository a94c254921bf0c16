/*
 * common/outfile.h — the one way pagelab writes a file the user named
 * (`-o PATH` of sim, mrc, real, compare, calibrate, trace gen/convert, and
 * the histogram file next to it).
 *
 * What happens to PATH depends on what it is, so that nothing the user
 * named is destroyed and no error goes unreported:
 *
 *   "-" (or NULL)          stdout, written in place
 *   a new path             a temporary file PATH.XXXXXX.tmp next to it,
 *   a regular file           renamed over PATH by outfile_commit() (rename(2)
 *                            is atomic: PATH is the old file or the complete
 *                            new one, never a partial one); an existing
 *                            file keeps its permission bits (and, as root,
 *                            its owner)
 *   a read-only file       refused ("PATH: read-only file, not replaced"):
 *                            the permission bits are checked too, since
 *                            root may open any file for writing
 *   a character device,    written in place (no temporary, no rename):
 *   a FIFO                   /dev/null stays a device, and a write error
 *                            (ENOSPC from /dev/full) fails the command
 *   a symbolic link        followed, as a shell's `>` would: the rules
 *                            above apply to its target, which is replaced
 *                            (the link stays a link); a dangling link is
 *                            refused
 *   a directory, a block   refused with a one-line reason
 *   device, a socket
 *
 * While a temporary file exists, SIGINT, SIGTERM and SIGHUP remove it
 * before the process dies of the signal (a handler installed on the first
 * temporary file, only where the signal's action was the default), so an
 * interrupted `trace gen` leaves no 80 MB *.tmp behind.  A kill -9 can still
 * leave one; its name ends in ".tmp".
 *
 * Every function returns 0 or -1 with a one-line message "PATH: reason" in
 * err.  Called from the main thread of a command (not from a signal
 * handler, not from a fault path).
 */
#ifndef PAGELAB_COMMON_OUTFILE_H
#define PAGELAB_COMMON_OUTFILE_H

#include <stddef.h>
#include <sys/types.h>

#define OUTFILE_PATH_MAX 4096

struct outfile {
	int fd;				/* write here (outfile_write or direct) */
	int streamed;			/* stdout, a device or a FIFO: written in
					 * place, no seeking back, nothing to undo */
	int slot;			/* signal-cleanup slot of tmp, or -1 */
	char path[OUTFILE_PATH_MAX];	/* as the user named it (for messages) */
	char target[OUTFILE_PATH_MAX];	/* what the rename replaces */
	char tmp[OUTFILE_PATH_MAX + 16];/* the temporary file, or "" */
};

/* Open path as described above; of->fd is ready for writing. */
int outfile_open(struct outfile *of, const char *path, char *err, size_t errlen);
/* Write all n bytes (retrying short writes and EINTR). */
int outfile_write(struct outfile *of, const void *p, size_t n, char *err,
		  size_t errlen);
/* Finish: fsync, close and rename a temporary file over its target (or
 * just close a streamed file; stdout is flushed, not closed).  On failure
 * the temporary file is removed and the target left as it was. */
int outfile_commit(struct outfile *of, char *err, size_t errlen);
/* Give up: close, remove the temporary file; the target is untouched. */
void outfile_abort(struct outfile *of);

/* open + write + commit of one buffer. */
int outfile_write_all(const char *path, const void *p, size_t n, char *err,
		      size_t errlen);

#endif

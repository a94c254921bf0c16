/*
 * real/bigfile_file.c — a BigFile on a real file: block blk is the bytes
 * [blk * blksize, (blk + 1) * blksize) of the file, read with pread and
 * written with pwrite.  Reading past the end gives zeros (a sparse tail).
 */
#define _GNU_SOURCE
#include "real/bigfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bug.h"

struct bigfile_file {
	struct bigfile base;
	int fd;
};

static int file_loadblk(struct bigfile *f, uint64_t blk, void *buf, size_t blksize)
{
	struct bigfile_file *ff = container_of(f, struct bigfile_file, base);
	size_t done = 0;

	while (done < blksize) {
		ssize_t n = pread(ff->fd, (char *)buf + done, blksize - done,
				  (off_t)(blk * blksize + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	memset((char *)buf + done, 0, blksize - done);
	return 0;
}

static int file_storeblk(struct bigfile *f, uint64_t blk, const void *buf, size_t blksize)
{
	struct bigfile_file *ff = container_of(f, struct bigfile_file, base);
	size_t done = 0;

	while (done < blksize) {
		ssize_t n = pwrite(ff->fd, (const char *)buf + done, blksize - done,
				   (off_t)(blk * blksize + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

static void file_release(struct bigfile *f)
{
	struct bigfile_file *ff = container_of(f, struct bigfile_file, base);

	close(ff->fd);
	free(ff);
}

static const struct bigfile_ops bigfile_file_ops = {
	.loadblk = file_loadblk,
	.storeblk = file_storeblk,
	.release = file_release,
};

struct bigfile *bigfile_file_new(const char *path, unsigned flags, char *err,
				 size_t errlen)
{
	struct bigfile_file *ff = calloc(1, sizeof(*ff));
	struct stat st;

	if (!ff) {
		snprintf(err, errlen, "bigfile %s: out of memory", path);
		return NULL;
	}
	/* never through a symlink, never a device: a planted link must not
	 * make the replay write someone else's file */
	ff->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
			    ((flags & BIGFILE_FILE_CREATE) ? O_CREAT : 0), 0644);
	if (ff->fd < 0) {
		snprintf(err, errlen, "bigfile %s: %s", path, errno == ELOOP ?
			 "a symbolic link, not followed" : strerror(errno));
		free(ff);
		return NULL;
	}
	if (fstat(ff->fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "bigfile %s: not a regular file", path);
		close(ff->fd);
		free(ff);
		return NULL;
	}
	ff->base.ops = &bigfile_file_ops;
	return &ff->base;
}

/*
 * real/ram_shmfs.c — RAM type "shmfs": pages in tmpfs files.
 *
 * Without an argument each RAM handle is an anonymous memfd (memfd_create,
 * the kernel's internal tmpfs mount: no size limit but memory).  With an
 * argument it is a directory on a tmpfs mount (/dev/shm, or a size-limited
 * `mount -t tmpfs -o size=...`): each handle is a file created there and
 * unlinked at once; pages are preallocated with fallocate so a full mount
 * fails the allocation (ENOSPC), never a later touch (SIGBUS).
 * After Wendelin.core's ram_shmfs.c (2015), which used /dev/shm files.
 */
#define _GNU_SOURCE
#include "real/ram.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "real/ram_type.h"

struct shmfs_priv {
	char *dir;		/* NULL: memfd */
};

static int shmfs_init(struct ram *ram, const char *arg, char *err, size_t errlen)
{
	struct shmfs_priv *p = calloc(1, sizeof(*p));
	struct stat st;

	if (!p) {
		snprintf(err, errlen, "ram shmfs: out of memory");
		return -ENOMEM;
	}
	if (arg && *arg) {
		if (stat(arg, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "ram shmfs: '%s' is not a directory (%s)", arg,
				 errno ? strerror(errno) : "not a directory");
			free(p);
			return -EINVAL;
		}
		p->dir = strdup(arg);
		if (!p->dir) {
			free(p);
			snprintf(err, errlen, "ram shmfs: out of memory");
			return -ENOMEM;
		}
	}
	ram->type_priv = p;
	ram->pagesize = (size_t)sysconf(_SC_PAGESIZE);
	return 0;
}

static int shmfs_open_file(struct ram *ram, char *err, size_t errlen)
{
	struct shmfs_priv *p = ram->type_priv;

	if (!p->dir) {
		int fd = memfd_create("pagelab-ram", MFD_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "ram shmfs: memfd_create: %s", strerror(errno));
			return -errno;
		}
		return fd;
	}
	return ram_type_open_in_dir(p->dir, "ram shmfs", err, errlen);
}

static uint64_t shmfs_current_maxsize(struct ram *ram)
{
	struct shmfs_priv *p = ram->type_priv;
	struct statvfs sv;

	if (statvfs(p->dir ? p->dir : "/dev/shm", &sv) < 0)
		return 0;
	return (uint64_t)sv.f_bavail * sv.f_frsize;
}

static int shmfs_prealloc(const struct ram *ram)
{
	const struct shmfs_priv *p = ram->type_priv;
	return p->dir != NULL;
}

static void shmfs_fini(struct ram *ram)
{
	struct shmfs_priv *p = ram->type_priv;

	if (p)
		free(p->dir);
	free(p);
}

const struct ram_type ram_type_shmfs = {
	.name = "shmfs",
	.help = "tmpfs pages: a memfd, or files in a tmpfs directory (arg)",
	.init = shmfs_init,
	.open_file = shmfs_open_file,
	.current_maxsize = shmfs_current_maxsize,
	.prealloc = shmfs_prealloc,
	.fini = shmfs_fini,
	.write_ok = 1,
};

/*
 * real/ram_hugetlbfs.c — RAM type "hugetlbfs": pages of 2 MiB.
 *
 * Without an argument each RAM handle is a memfd with MFD_HUGETLB (2 MiB);
 * with an argument, a file in that hugetlbfs mount.  Huge pages come from
 * the kernel's pool (vm.nr_hugepages): when the pool has no free page,
 * ram_new fails with a message saying how to reserve some, and alloc_page
 * preallocates (fallocate) so an emptied pool fails the allocation instead
 * of a later touch.  Hugetlbfs mappings never merge: each mapped 2 MiB page
 * is one kernel VMA (docs/ENGINE.md).
 * After Wendelin.core's ram_hugetlbfs.c (2015).
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
#include <sys/statfs.h>
#include <unistd.h>

#include "real/ram_type.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB (21U << 26)
#endif
#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

#define HUGE_2M (2ul << 20)
#define NR_FREE_PATH "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"

struct hugetlbfs_priv {
	char *dir;		/* NULL: memfd */
};

static uint64_t free_hugepages(void)
{
	FILE *f = fopen(NR_FREE_PATH, "r");
	unsigned long long n = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

static int hugetlbfs_init(struct ram *ram, const char *arg, char *err, size_t errlen)
{
	struct hugetlbfs_priv *p;
	struct statfs sf;

	if (arg && *arg) {
		if (statfs(arg, &sf) < 0 || (unsigned long)sf.f_type != HUGETLBFS_MAGIC) {
			snprintf(err, errlen, "ram hugetlbfs: '%s' is not a hugetlbfs mount "
				 "(mount -t hugetlbfs none DIR)", arg);
			return -EINVAL;
		}
		if ((size_t)sf.f_bsize != HUGE_2M) {
			snprintf(err, errlen, "ram hugetlbfs: '%s' has %ld-byte pages, want 2 MiB",
				 arg, (long)sf.f_bsize);
			return -EINVAL;
		}
	}
	if (free_hugepages() == 0) {
		snprintf(err, errlen, "ram hugetlbfs: no free 2 MiB huge pages (%s is 0); "
			 "reserve some as root: echo 64 > /proc/sys/vm/nr_hugepages", NR_FREE_PATH);
		return -ENOSPC;
	}
	p = calloc(1, sizeof(*p));
	if (!p || (arg && *arg && !(p->dir = strdup(arg)))) {
		free(p);
		snprintf(err, errlen, "ram hugetlbfs: out of memory");
		return -ENOMEM;
	}
	ram->type_priv = p;
	ram->pagesize = HUGE_2M;
	return 0;
}

static int hugetlbfs_open_file(struct ram *ram, char *err, size_t errlen)
{
	struct hugetlbfs_priv *p = ram->type_priv;

	if (!p->dir) {
		int fd = memfd_create("pagelab-ram-huge", MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2MB);
		if (fd < 0) {
			snprintf(err, errlen, "ram hugetlbfs: memfd_create(MFD_HUGETLB): %s "
				 "(reserve pages: echo 64 > /proc/sys/vm/nr_hugepages)",
				 strerror(errno));
			return -errno;
		}
		return fd;
	}
	return ram_type_open_in_dir(p->dir, "ram hugetlbfs", err, errlen);
}

static uint64_t hugetlbfs_current_maxsize(struct ram *ram)
{
	(void)ram;
	return free_hugepages() * HUGE_2M;
}

static int hugetlbfs_prealloc(const struct ram *ram)
{
	(void)ram;
	return 1;
}

static void hugetlbfs_fini(struct ram *ram)
{
	struct hugetlbfs_priv *p = ram->type_priv;

	if (p)
		free(p->dir);
	free(p);
}

const struct ram_type ram_type_hugetlbfs = {
	.name = "hugetlbfs",
	.help = "2 MiB huge pages: a MFD_HUGETLB memfd, or files in a hugetlbfs mount (arg)",
	.init = hugetlbfs_init,
	.open_file = hugetlbfs_open_file,
	.current_maxsize = hugetlbfs_current_maxsize,
	.prealloc = hugetlbfs_prealloc,
	.fini = hugetlbfs_fini,
};

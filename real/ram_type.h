/*
 * real/ram_type.h — helpers shared by the RAM type files (not a public API).
 */
#ifndef PAGELAB_REAL_RAM_TYPE_H
#define PAGELAB_REAL_RAM_TYPE_H

#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * mmap/mprotect as raw system calls, for the mappings of views.  Sanitizers
 * intercept mmap and record a mapping as a write to the whole range by the
 * mapping thread; a view page mapped by one thread's fault and read by
 * another that never faulted is ordered by the kernel, which TSan cannot
 * see, so it would report a race on every such read.  The engine's own
 * lock orders everything else.
 */
static inline void *ram_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}
static inline int ram_sys_mprotect(void *addr, size_t len, int prot)
{
	return (int)syscall(SYS_mprotect, addr, len, prot);
}

/* Create a file in dir and unlink it at once: the fd, or -errno and a
 * message prefixed by what. */
int ram_type_open_in_dir(const char *dir, const char *what, char *err, size_t errlen);

#endif

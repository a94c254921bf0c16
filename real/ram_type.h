/*
 * real/ram_type.h — helpers shared by the RAM type files (not a public API).
 */
#ifndef PAGELAB_REAL_RAM_TYPE_H
#define PAGELAB_REAL_RAM_TYPE_H

#include <stddef.h>

/* Create a file in dir and unlink it at once: the fd, or -errno and a
 * message prefixed by what. */
int ram_type_open_in_dir(const char *dir, const char *what, char *err, size_t errlen);

#endif

/*
 * common/version.h — what this pagelab is: the release number and the git
 * commit it was built from, baked in by the Makefile (common/version.c is
 * compiled with them; "unknown" outside a git checkout, "-modified" when
 * the tree had uncommitted changes).  Printed by `pagelab --version`,
 * recorded in machine.txt of every results folder.
 */
#ifndef PAGELAB_COMMON_VERSION_H
#define PAGELAB_COMMON_VERSION_H

/* "0.2" (static storage; any context). */
const char *pagelab_release(void);
/* The short commit hash, e.g. "d86e37d" or "d86e37d-modified", or
 * "unknown" (static storage; any context). */
const char *pagelab_commit(void);

#endif

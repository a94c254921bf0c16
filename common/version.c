/*
 * common/version.c — the release and commit of this build (common/version.h).
 * The Makefile passes both as macros when it compiles this file, and
 * rebuilds it when either changes ($(O)/version.txt).
 */
#include "common/version.h"

#ifndef PAGELAB_RELEASE
#define PAGELAB_RELEASE "unknown"
#endif
#ifndef PAGELAB_COMMIT
#define PAGELAB_COMMIT "unknown"
#endif

const char *pagelab_release(void)
{
	return PAGELAB_RELEASE;
}

const char *pagelab_commit(void)
{
	return PAGELAB_COMMIT;
}

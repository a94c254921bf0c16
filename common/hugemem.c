/* common/hugemem.c — big zeroed blocks on transparent huge pages (hugemem.h). */
#include "common/hugemem.h"

#include <stdint.h>
#include <sys/mman.h>

static bool hugemem_is_huge(size_t bytes, bool huge)
{
	return huge && bytes >= HUGEMEM_BYTES;
}

/* The length of the mapping a block of bytes is. */
static size_t hugemem_len(size_t bytes, bool huge)
{
	if (hugemem_is_huge(bytes, huge))
		return (bytes + HUGEMEM_BYTES - 1) & ~(HUGEMEM_BYTES - 1);
	return bytes;
}

void *hugemem_alloc(size_t bytes, bool huge)
{
	size_t len;
	char *p, *q;

	if (bytes == 0 || bytes > SIZE_MAX - 2 * HUGEMEM_BYTES)
		return NULL;
	if (!hugemem_is_huge(bytes, huge)) {
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	}
	/* map one huge page more than needed and trim to a 2 MiB boundary */
	len = hugemem_len(bytes, huge);
	p = mmap(NULL, len + HUGEMEM_BYTES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	q = (char *)(((uintptr_t)p + HUGEMEM_BYTES - 1) &
		     ~(uintptr_t)(HUGEMEM_BYTES - 1));
	if (q > p)
		munmap(p, (size_t)(q - p));
	if (q + len < p + len + HUGEMEM_BYTES)
		munmap(q + len, (size_t)(p + len + HUGEMEM_BYTES - (q + len)));
#ifdef MADV_HUGEPAGE
	(void)madvise(q, len, MADV_HUGEPAGE);	/* advice only */
#endif
	return q;
}

void hugemem_free(void *p, size_t bytes, bool huge)
{
	if (p)
		munmap(p, hugemem_len(bytes, huge));
}

size_t hugemem_granule(size_t bytes, bool huge)
{
	return hugemem_is_huge(bytes, huge) ? HUGEMEM_BYTES : 4096;
}

/*
 * policies/alloc/registry.c — the explicit table of allocator policies.
 * Adding a policy is one file in this folder and one line here.
 */
#include "policies/alloc.h"

#include <stdio.h>

#include "common/args.h"
#include "common/bug.h"

extern const struct alloc_ops alloc_vmem;
extern const struct alloc_ops alloc_bitmap;
extern const struct alloc_ops alloc_first_fit;

const struct alloc_ops *const alloc_registry[] = {
	&alloc_vmem,
	&alloc_bitmap,
	&alloc_first_fit,
	NULL
};

struct alloc *alloc_create(const char *spec, const struct alloc_params *p,
			   char *err, size_t errlen)
{
	uint64_t base = p->base, size = p->size, quantum = p->quantum;
	char name[64];
	const char *args;
	const struct alloc_ops *ops;
	struct alloc *a;

	BUG_ON(!p->mem);
	if (spec_split(spec, name, sizeof(name), &args, err, errlen))
		return NULL;
	ops = registry_lookup("alloc", (const void *const *)alloc_registry,
			      name, err, errlen);
	if (!ops)
		return NULL;
	if (quantum == 0 || base % quantum || size % quantum || size == 0) {
		snprintf(err, errlen,
			 "alloc %s: arena [%llu, +%llu) not a non-empty multiple of quantum %llu",
			 name, (unsigned long long)base, (unsigned long long)size,
			 (unsigned long long)quantum);
		return NULL;
	}
	a = ops->create(args, p, err, errlen);
	if (!a)
		return NULL;
	a->ops = ops;
	a->base = base;
	a->size = size;
	a->quantum = quantum;
	a->mem = p->mem;
	return a;
}

/*
 * policies/pagemap/registry.c — the explicit table of pagemap policies.
 * Adding a policy is one file in this folder and one line here.
 */
#include "policies/pagemap.h"

#include "common/args.h"
#include "common/bug.h"

extern const struct pagemap_ops pagemap_radix;
extern const struct pagemap_ops pagemap_hash;

const struct pagemap_ops *const pagemap_registry[] = {
	&pagemap_radix,
	&pagemap_hash,
	NULL
};

struct pagemap *pagemap_create(const char *spec, const struct pagemap_params *p,
			       char *err, size_t errlen)
{
	char name[64];
	const char *args;
	const struct pagemap_ops *ops;
	struct pagemap *pm;

	BUG_ON(!p->mem);
	if (spec_split(spec, name, sizeof(name), &args, err, errlen))
		return NULL;
	ops = registry_lookup("pagemap", (const void *const *)pagemap_registry,
			      name, err, errlen);
	if (!ops)
		return NULL;
	pm = ops->create(args, p, err, errlen);
	if (!pm)
		return NULL;
	pm->ops = ops;
	pm->count = 0;
	pm->mem = p->mem;
	return pm;
}

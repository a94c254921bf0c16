/*
 * policies/tmem/registry.c — the explicit table of tmem page stores.
 * Adding a store is one file in this folder and one line here.
 */
#include "policies/tmem.h"

#include "common/args.h"

extern const struct tmem_store_ops tmem_store_copy;
extern const struct tmem_store_ops tmem_store_lz4;
extern const struct tmem_store_ops tmem_store_zstd;

const struct tmem_store_ops *const tmem_store_registry[] = {
	&tmem_store_copy,
	&tmem_store_lz4,
	&tmem_store_zstd,
	NULL
};

struct tmem_store *tmem_store_create(const char *spec, size_t page_bytes,
				     const struct mem_source *mem, char *err,
				     size_t errlen)
{
	char name[64];
	const char *args;
	const struct tmem_store_ops *ops;
	struct tmem_store *s;

	if (!mem)
		mem = &mem_default;
	if (spec_split(spec, name, sizeof(name), &args, err, errlen))
		return NULL;
	ops = registry_lookup("tmem store",
			      (const void *const *)tmem_store_registry, name,
			      err, errlen);
	if (!ops)
		return NULL;
	s = ops->create(args, page_bytes, mem, err, errlen);
	if (s)
		s->ops = ops;
	return s;
}

/*
 * policies/pagemap.h — the pagemap policy: a map from 64-bit page keys to
 * page pointers.
 *
 * Each engine keeps one pagemap per file handle, keyed by file page offset
 * (pgoff), holding its struct page pointers.  The real virtmem looks pages up
 * here from the SIGSEGV handler; the simulator once per access.  So get() is
 * the hot path: O(1), no allocation, no locks (the caller serialises).
 *
 * Policies (one file each under policies/pagemap/, listed in
 * policies/pagemap/registry.c):
 *   radix  multi-level tables of hardware-page-sized nodes (Wendelin.core's
 *          pagemap): O(1) get/set/del, ordered for_each, memory proportional
 *          to the populated ranges, empty nodes freed;
 *   hash   open addressing.
 *
 * Memory: everything comes from the memory source in pagemap_params
 * (common/mem.h).  set() may allocate (a node, a bigger table) and reports
 * failure; del() and clear() may give memory back; get() never allocates
 * (docs/ENGINE.md "Memory").
 *
 * Context: all methods may be called from the SIGSEGV handler with the
 * virtmem lock held, so they never take locks of their own.
 */
#ifndef PAGELAB_POLICIES_PAGEMAP_H
#define PAGELAB_POLICIES_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/mem.h"

struct pagemap_ops;

/* What a pagemap is created with. */
struct pagemap_params {
	const struct mem_source *mem;	/* every byte the map holds */
};

/* Base of every pagemap; a policy embeds it as its first member. */
struct pagemap {
	const struct pagemap_ops *ops;
	size_t count;		/* keys present; maintained by the policy */
	const struct mem_source *mem;	/* from pagemap_params */
};

/* Called for each (key, value) in increasing key order; return non-zero to stop. */
typedef int (*pagemap_fn)(uint64_t key, void *value, void *arg);

struct pagemap_ops {
	const char *name;	/* --pagemap NAME */
	const char *help;	/* one line for --list */
	/* Bad args: NULL and a one-line message in err; never exits.
	 * Allocates through p->mem only. */
	struct pagemap *(*create)(const char *args, const struct pagemap_params *p,
				  char *err, size_t errlen);
	/* Free every node and the pagemap itself (to pm->mem).  Values are
	 * not touched. */
	void (*destroy)(struct pagemap *pm);
	/* The value at key, or NULL.  Never allocates. */
	void *(*get)(const struct pagemap *pm, uint64_t key);
	/* Set key to value (non-NULL); overwriting is allowed.  0, or -ENOMEM
	 * with the map unchanged. */
	int (*set)(struct pagemap *pm, uint64_t key, void *value);
	/* Remove key; returns the old value or NULL if absent (then nothing
	 * changes).  Frees nodes that become empty, up to the root. */
	void *(*del)(struct pagemap *pm, uint64_t key);
	/* Remove every key and free every node; the map stays usable. */
	void (*clear)(struct pagemap *pm);
	/* Visit keys in increasing order; returns what fn returned to stop, or
	 * 0.  fn must not modify the map. */
	int (*for_each)(const struct pagemap *pm, pagemap_fn fn, void *arg);
	/* Bytes of memory the map holds now (nodes, tables, the struct). */
	size_t (*mem_bytes)(const struct pagemap *pm);
	/* Optional (NULL: none), simulator only: the real engine never
	 * calls it.  A hint, for speed alone, that key will be get, set or
	 * del soon: start loading the memory that will touch (a CPU prefetch
	 * of its slot), without waiting for it.  Changes nothing, never
	 * allocates; any key is allowed; any context. */
	void (*hint)(const struct pagemap *pm, uint64_t key);
};

/* NULL-terminated, in the order --list shows them. */
extern const struct pagemap_ops *const pagemap_registry[];

/* Create from a spec "NAME[:ARGS]" with p (p->mem required); NULL and a
 * message naming the valid policies on error. */
struct pagemap *pagemap_create(const char *spec, const struct pagemap_params *p,
			       char *err, size_t errlen);

static inline void *pagemap_get(const struct pagemap *pm, uint64_t key)
{
	return pm->ops->get(pm, key);
}
static inline int pagemap_set(struct pagemap *pm, uint64_t key, void *v)
{
	return pm->ops->set(pm, key, v);
}
static inline void *pagemap_del(struct pagemap *pm, uint64_t key)
{
	return pm->ops->del(pm, key);
}
static inline void pagemap_hint(const struct pagemap *pm, uint64_t key)
{
	if (pm->ops->hint)
		pm->ops->hint(pm, key);
}
static inline void pagemap_clear(struct pagemap *pm)
{
	pm->ops->clear(pm);
}
static inline int pagemap_for_each(const struct pagemap *pm, pagemap_fn fn,
				   void *arg)
{
	return pm->ops->for_each(pm, fn, arg);
}
static inline void pagemap_destroy(struct pagemap *pm)
{
	if (pm)
		pm->ops->destroy(pm);
}

#endif

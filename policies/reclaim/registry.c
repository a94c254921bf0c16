/*
 * policies/reclaim/registry.c — the explicit table of reclaim policies.
 * Adding a policy is one file in this folder and one line here.
 */
#include "policies/reclaim.h"

#include <stdio.h>

#include "common/args.h"
#include "common/bug.h"

/* extern const struct reclaim_ops reclaim_lru; ... one per policy file */
extern const struct reclaim_ops reclaim_lru;
extern const struct reclaim_ops reclaim_fifo;
extern const struct reclaim_ops reclaim_clock;
extern const struct reclaim_ops reclaim_random;
extern const struct reclaim_ops reclaim_arc;
extern const struct reclaim_ops reclaim_2q;
extern const struct reclaim_ops reclaim_sieve;
extern const struct reclaim_ops reclaim_lfu;
extern const struct reclaim_ops reclaim_opt;
extern const struct reclaim_ops reclaim_lirs;
extern const struct reclaim_ops reclaim_s3fifo;
extern const struct reclaim_ops reclaim_clock_pro;

const struct reclaim_ctx reclaim_ctx_none = {
	.next_use = UINT64_MAX,
	.miss_key = RECLAIM_KEY_NONE,
};

const struct reclaim_ops *const reclaim_registry[] = {
	&reclaim_lru,
	&reclaim_fifo,
	&reclaim_clock,
	&reclaim_random,
	&reclaim_arc,
	&reclaim_2q,
	&reclaim_sieve,
	&reclaim_lfu,
	&reclaim_opt,
	&reclaim_lirs,
	&reclaim_s3fifo,
	&reclaim_clock_pro,
	NULL
};

struct reclaim *reclaim_create(const char *spec, const struct reclaim_params *p,
			       char *err, size_t errlen)
{
	char name[64];
	const char *args;
	const struct reclaim_ops *ops;
	struct reclaim *r;

	BUG_ON(!p->mem);
	if (spec_split(spec, name, sizeof(name), &args, err, errlen))
		return NULL;
	ops = registry_lookup("reclaim", (const void *const *)reclaim_registry,
			      name, err, errlen);
	if (!ops)
		return NULL;
	if (p->npages == 0) {
		snprintf(err, errlen, "reclaim %s: RAM of 0 pages", name);
		return NULL;
	}
	r = ops->create(args, p, err, errlen);
	if (!r)
		return NULL;
	r->ops = ops;
	r->npages = p->npages;
	r->nresident = 0;
	r->mem = p->mem;
	return r;
}

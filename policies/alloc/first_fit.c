/*
 * policies/alloc/first_fit.c — the `first-fit` allocator policy: the
 * classic address-ordered first fit (Knuth, TAOCP vol. 1, 2.5): the free
 * extents in address order, the lowest one large enough is split from its
 * low end, freed extents coalesce with their neighbours.
 *
 * It keeps allocations packed towards low addresses, the opposite of next
 * fit's rotor, which matters for how many kernel VMAs RAM offsets need
 * (DESIGN.md, "VMA counting").
 *
 * Built on a vmem arena (policies/vmem.h) with VM_FIRSTFIT: its free
 * segments sit in an address-ordered tree, so the walk from the lowest
 * address costs O(log n) per extent visited and freeing is O(1) plus the
 * tree insert.  Same hint rule as every allocator: a free [hint, hint+size)
 * is taken as is.
 */
#include "common/args.h"
#include "policies/alloc.h"
#include "policies/alloc/vmem_policy.h"

static struct alloc *first_fit_create(const char *args,
				      const struct alloc_params *p,
				      char *err, size_t errlen)
{
	if (args_parse("alloc first-fit", args, NULL, 0, err, errlen))
		return NULL;
	return vmem_policy_new(p, VM_FIRSTFIT, 0, err, errlen);
}

/* alloc, free: under the engine lock, possibly in the SIGSEGV handler
 * (docs/ENGINE.md "Memory"); see policies/alloc/vmem_policy.h. */
const struct alloc_ops alloc_first_fit = {
	.name = "first-fit",
	.help = "address-ordered first fit: the lowest free extent that fits",
	.describe_args = NULL,
	.create = first_fit_create,
	.destroy = vmem_policy_destroy,
	.alloc = vmem_policy_alloc,
	.release = vmem_policy_free,
	.stats = vmem_policy_stats,
};

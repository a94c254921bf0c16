/*
 * policies/alloc/vmem_policy.h — the allocator policies built on one vmem
 * arena (policies/alloc.h, policies/vmem.h), for the policy files that
 * differ only in the fit: `vmem` (vmem_policy.c, with one-quantum slabs)
 * and `first-fit` (first_fit.c).  Not a public header.
 *
 * vmem_policy_new() creates one over p's arena with the given fit and
 * quantum caches; the other functions are alloc_ops members.  alloc tries
 * a hint as an exact window first; stats counts in_use without the
 * quantum caches.  Context: as policies/alloc.h's ops.
 */
#ifndef PAGELAB_POLICIES_ALLOC_VMEM_POLICY_H
#define PAGELAB_POLICIES_ALLOC_VMEM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policies/alloc.h"
#include "policies/vmem.h"

struct alloc *vmem_policy_new(const struct alloc_params *p, int fit,
			      uint64_t qcache_max, char *err, size_t errlen);
void vmem_policy_destroy(struct alloc *a);
int vmem_policy_alloc(struct alloc *a, uint64_t size, uint64_t hint,
		      uint64_t *addrp);
void vmem_policy_free(struct alloc *a, uint64_t addr, uint64_t size);
void vmem_policy_stats(const struct alloc *a, struct alloc_stats *st);

#endif

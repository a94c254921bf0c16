/*
 * policies/alloc/vmem_test.h — hooks into the `vmem` allocator policy for
 * tests only (tests/t_vmem_slab.c); nothing else includes this header.
 *
 * vmem_policy_set_fast(): turn the fast paths of the policy's hinted
 * one-quantum alloc and its free on or off (on after creation); the
 * results are the same either way, only the cost differs, which is what
 * the test checks.  vmem_policy_arena(): the arena under a policy, for
 * vmem_check() and vmem_walk().
 */
#ifndef PAGELAB_POLICIES_ALLOC_VMEM_TEST_H
#define PAGELAB_POLICIES_ALLOC_VMEM_TEST_H

#include <stdbool.h>

#include "policies/alloc.h"
#include "policies/vmem.h"

void vmem_policy_set_fast(struct alloc *a, bool on);
struct vmem *vmem_policy_arena(struct alloc *a);

#endif

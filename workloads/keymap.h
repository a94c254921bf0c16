/*
 * workloads/keymap.h — dense renumbering of the keys of key-only traces.
 *
 * Cache traces name objects by sparse 64-bit keys (block numbers, hashes);
 * pagemaps want dense page numbers.  keymap_id() gives each key the next
 * integer 0, 1, 2, ... the first time it is seen and the same integer ever
 * after (first-seen order).  An open-addressing table with linear probing,
 * kept at most half full: O(distinct keys) memory, 16 bytes per slot — the
 * one part of reading a trace whose memory grows with the trace.
 */
#ifndef PAGELAB_WORKLOADS_KEYMAP_H
#define PAGELAB_WORKLOADS_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

struct keymap_slot {
	uint64_t key;
	uint64_t id1;		/* id + 1; 0 = empty */
};

struct keymap {
	struct keymap_slot *slots;
	size_t mask;		/* capacity - 1 */
	uint64_t n;		/* distinct keys so far */
};

int keymap_init(struct keymap *m);
void keymap_free(struct keymap *m);
/* The dense id of key (assigned on first sight); UINT64_MAX if out of memory. */
uint64_t keymap_id(struct keymap *m, uint64_t key);
/* The id of key, or UINT64_MAX if it was never seen (does not insert). */
uint64_t keymap_find(const struct keymap *m, uint64_t key);

#endif

/*
 * common/stackdist.h — exact LRU stack distances, one access at a time.
 *
 * The stack distance of an access (Mattson, Gecsei, Slutz, Traiger:
 * "Evaluation techniques for storage hierarchies", IBM Systems Journal,
 * 1970) is 1 + the number of distinct other keys accessed since the
 * previous access to the same key: an LRU cache of c pages hits exactly
 * the accesses at distance <= c.  `pagelab mrc` builds its miss-ratio
 * curves from it (sim/mrc.c) and `trace info` its reuse figures.
 *
 * The structure (Bennett & Kruskal, 1975; Almasi, Cascaval, Padua,
 * "Calculating stack distances efficiently", MSP 2002): every access takes
 * the next time slot; a Fenwick tree over the slots holds a 1 at the latest
 * slot of every key, and a u64map maps each key to that slot.  The distance
 * of an access is 1 + the ones after the key's previous slot, one prefix
 * sum: O(log slots).  When the slots run out they are renumbered in time
 * order (compacted: only the latest slot of each key stays), and doubled
 * while more than half of them are live, so memory stays O(distinct keys)
 * and the renumbering costs O(1) per access amortized.
 *
 * Memory per distinct key: 32 to 64 bytes of u64map, and 4 bytes of tree
 * and 1 bit of bitmap (which slots are latest) for each of its 1 to 4
 * slots.  Compaction walks the map and the bitmap in address order, not a
 * key at a time.  Ordinary thread context (calloc/realloc/free); not
 * thread-safe.
 */
#ifndef PAGELAB_COMMON_STACKDIST_H
#define PAGELAB_COMMON_STACKDIST_H

#include <stdint.h>

#define STACKDIST_OOM UINT64_MAX

struct stackdist;

/* An empty structure, or NULL when out of memory. */
struct stackdist *stackdist_create(void);
void stackdist_destroy(struct stackdist *s);

/* Record an access to key.  Returns its stack distance (>= 1), 0 when the
 * key is new (never seen, or forgotten since), or STACKDIST_OOM when out of
 * memory (nothing recorded then). */
uint64_t stackdist_access(struct stackdist *s, uint64_t key);

/* Forget key, as if it had never been accessed (SHARDS drops a key that
 * leaves its sample); nothing if it is not held. */
void stackdist_forget(struct stackdist *s, uint64_t key);

/* The keys held: distinct keys accessed and not forgotten. */
uint64_t stackdist_nkeys(const struct stackdist *s);

#endif

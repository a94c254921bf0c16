/*
 * sim/scan.c — key-level views of an event stream: the VMA table reduced to
 * (file, pgoff) keys (sim_keys), and the pre-pass the simulator runs before
 * a replay (sim_scan): distinct pages, for `--ram N%`, and each access's next
 * use, for OPT (Belady, 1966), which needs the future.
 *
 * Next use: forward, the key of every access is stored; at the end one
 * backward pass with a hash table key -> latest index seen replaces each
 * key by the index of the next access to it, in place (8 bytes per access).
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bug.h"
#include "common/u64map.h"
#include "policies/reclaim.h"

/* ---- sim_keys -------------------------------------------------------------- */

struct keys_vma {
	uint64_t pgoff, npages;
	uint32_t file;
	int live;
};

struct sim_keys {
	struct keys_vma *v;
	uint32_t n;
};

struct sim_keys *sim_keys_create(void)
{
	return calloc(1, sizeof(struct sim_keys));
}

void sim_keys_destroy(struct sim_keys *k)
{
	if (!k)
		return;
	free(k->v);
	free(k);
}

int sim_keys_event(struct sim_keys *k, const struct event *ev, uint64_t idx,
		   uint64_t *key, char *err, size_t errlen)
{
	struct keys_vma *v;

	switch (ev->type) {
	case EV_ACCESS:
		if (ev->vma >= k->n || !k->v[ev->vma].live) {
			snprintf(err, errlen, "event %llu: access to vma %u, which is not mapped",
				 (unsigned long long)idx, ev->vma);
			return -1;
		}
		v = &k->v[ev->vma];
		if (ev->page >= v->npages) {
			snprintf(err, errlen,
				 "event %llu: access to page %llu of vma %u, which has %llu pages",
				 (unsigned long long)idx, (unsigned long long)ev->page,
				 ev->vma, (unsigned long long)v->npages);
			return -1;
		}
		*key = RPAGE_KEY(v->file, v->pgoff + ev->page);
		return 1;
	case EV_MMAP:
		if (ev->vma >= SIM_MAX_VMAS || ev->file >= SIM_MAX_IDS ||
		    ev->npages == 0 || ev->page >= SIM_ARENA_PAGES ||
		    ev->npages > SIM_ARENA_PAGES - ev->page) {
			snprintf(err, errlen,
				 "event %llu: mmap: vma %u file %u pages [%llu, +%llu) beyond the model's limits",
				 (unsigned long long)idx, ev->vma, ev->file,
				 (unsigned long long)ev->page,
				 (unsigned long long)ev->npages);
			return -1;
		}
		if (ev->vma >= k->n) {
			uint32_t n = k->n ? k->n : 4;
			struct keys_vma *nv;

			while (n <= ev->vma)
				n *= 2;
			nv = realloc(k->v, n * sizeof(*nv));
			if (!nv) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			memset(nv + k->n, 0, (n - k->n) * sizeof(*nv));
			k->v = nv;
			k->n = n;
		}
		v = &k->v[ev->vma];
		if (v->live) {
			snprintf(err, errlen, "event %llu: mmap: vma %u is already mapped",
				 (unsigned long long)idx, ev->vma);
			return -1;
		}
		*v = (struct keys_vma){ ev->page, ev->npages, ev->file, 1 };
		return 0;
	case EV_UNMAP:
		if (ev->vma >= k->n || !k->v[ev->vma].live) {
			snprintf(err, errlen, "event %llu: unmap: vma %u is not mapped",
				 (unsigned long long)idx, ev->vma);
			return -1;
		}
		k->v[ev->vma].live = 0;
		return 0;
	case EV_WRITEOUT:
	case EV_DISCARD:
	case EV_INVALIDATE:
		return 0;
	default:
		snprintf(err, errlen, "event %llu: unknown event type %u",
			 (unsigned long long)idx, ev->type);
		return -1;
	}
}

/* ---- sim_scan ----------------------------------------------------------------- */

struct sim_scan {
	struct sim_keys *keys;
	int want_next;
	struct u64map seen;	/* distinct keys (when next use is not wanted) */
	uint64_t *acc;		/* key of every access (want_next) */
	uint64_t nacc, acc_cap;
};

struct sim_scan *sim_scan_create(int want_next_use, char *err, size_t errlen)
{
	struct sim_scan *sc = calloc(1, sizeof(*sc));

	if (!sc || !(sc->keys = sim_keys_create()) ||
	    (!want_next_use && u64map_init(&sc->seen, 0))) {
		snprintf(err, errlen, "out of memory");
		sim_scan_destroy(sc);
		return NULL;
	}
	sc->want_next = want_next_use;
	return sc;
}

void sim_scan_destroy(struct sim_scan *sc)
{
	if (!sc)
		return;
	sim_keys_destroy(sc->keys);
	u64map_free(&sc->seen);
	free(sc->acc);
	free(sc);
}

int sim_scan_apply(struct sim_scan *sc, const struct event *ev, size_t n,
		   uint64_t idx0, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t key;
		bool isnew;
		int r = sim_keys_event(sc->keys, &ev[i], idx0 + i, &key, err, errlen);

		if (r <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if (sc->want_next) {
			if (sc->nacc == sc->acc_cap) {
				uint64_t cap = sc->acc_cap ? 2 * sc->acc_cap : 1 << 16;
				uint64_t *na = realloc(sc->acc, cap * sizeof(*na));
				if (!na) {
					snprintf(err, errlen,
						 "out of memory for the next-use table (%llu accesses)",
						 (unsigned long long)sc->nacc);
					return -1;
				}
				sc->acc = na;
				sc->acc_cap = cap;
			}
			sc->acc[sc->nacc] = key;
		} else if (!u64map_insert(&sc->seen, key, 0, &isnew)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		sc->nacc++;
	}
	return 0;
}

int sim_scan_finish(struct sim_scan *sc, uint64_t *ndistinct,
		    uint64_t *naccesses, uint64_t **next_use, char *err,
		    size_t errlen)
{
	struct u64map last;

	*naccesses = sc->nacc;
	if (next_use)
		*next_use = NULL;
	if (!sc->want_next) {
		*ndistinct = sc->seen.n;
		return 0;
	}
	if (u64map_init(&last, 0)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint64_t i = sc->nacc; i-- > 0;) {
		bool isnew;
		uint64_t *slot = u64map_insert(&last, sc->acc[i], UINT64_MAX, &isnew);

		if (!slot) {
			u64map_free(&last);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		sc->acc[i] = *slot;
		*slot = i;
	}
	*ndistinct = last.n;
	u64map_free(&last);
	if (next_use) {
		*next_use = sc->acc;
		sc->acc = NULL;
	}
	return 0;
}

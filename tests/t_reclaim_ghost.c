/*
 * tests/t_reclaim_ghost.c — the ghost table (policies/reclaim/ghost.h)
 * against a naive model (per list, an array of keys oldest first, searched
 * linearly), on seeded random streams of find / ghost hit / add / drop
 * oldest with keys that collide in the hash (dense, strided and random
 * 64-bit keys), on one and on two lists.  The table is kept nearly full,
 * so buckets overflow into their neighbours.  After every step the counts,
 * and periodically every key's presence and list, must agree; every drop
 * must take the model's oldest.  Then one old ghost stays while thousands
 * of newer ones come and are hit: the ring fills with dead positions and
 * is compacted again and again, and the lists must still drain in order.
 * The same for nonres.h's table: its index and its FIFO of entries (freed
 * from anywhere, oldest first), against the same kind of model.
 */
#include <string.h>

#include "common/bug.h"
#include "common/rng.h"
#include "policies/reclaim/ghost.h"
#include "policies/reclaim/nonres.h"
#include "tests/testhelp.h"

#define CAP 300
#define STEPS 200000

struct model {
	uint64_t key[2][CAP];	/* per list, oldest first */
	size_t n[2];
};

static uint64_t pick_key(struct rng *r, int kind)
{
	switch (kind) {
	case 0:
		return rng_below(r, 2 * CAP);			/* dense */
	case 1:
		return rng_below(r, 2 * CAP) << 20;		/* strided */
	default:
		return rng_next(r);				/* sparse */
	}
}

/* Where key is in the model: list * CAP + index, or -1. */
static long model_find(const struct model *m, uint64_t key)
{
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < m->n[l]; i++)
			if (m->key[l][i] == key)
				return (long)(l * CAP + i);
	return -1;
}

static void model_del(struct model *m, int l, size_t i)
{
	memmove(&m->key[l][i], &m->key[l][i + 1], (m->n[l] - i - 1) * sizeof(uint64_t));
	m->n[l]--;
}

/* The model's oldest key of list l leaves; check the table drops the same. */
static size_t drop_oldest(struct ghost_table *g, struct model *m, int l)
{
	size_t bad = 0;
	uint64_t old = m->key[l][0];

	bad += !ghost_drop_oldest(g, (unsigned)l);
	model_del(m, l, 0);
	bad += ghost_find(g, old) != GHOST_NONE;
	return bad;
}

static void run(int kind, unsigned nlists, uint64_t seed)
{
	struct ghost_table g;
	struct model m = { .n = { 0, 0 } };
	size_t bad = 0;
	struct rng r;

	rng_seed(&r, seed);
	BUG_ON(ghost_init(&g, CAP, nlists, &mem_default));
	for (long step = 0; step < STEPS && !bad; step++) {
		uint64_t key = pick_key(&r, kind);
		int l = (int)rng_below(&r, nlists);
		size_t total = m.n[0] + m.n[1];
		uint32_t ref;
		long at;

		if (total && rng_below(&r, 2)) {	/* a present key, often */
			int ml = m.n[0] && (!m.n[1] || rng_below(&r, 2)) ? 0 : 1;
			key = m.key[ml][rng_below(&r, m.n[ml])];
		}
		at = model_find(&m, key);
		ref = ghost_find(&g, key);
		if ((ref != GHOST_NONE) != (at >= 0)) {
			bad++;
			break;
		}
		if (ref != GHOST_NONE) {
			bad += !ghost_ref_holds(&g, ref, key);
			bad += ghost_ref_list(&g, ref) != (unsigned)(at / CAP);
			if (rng_below(&r, 4)) {		/* ghost hit */
				ghost_del(&g, ref);
				model_del(&m, (int)(at / CAP), (size_t)(at % CAP));
				bad += ghost_ref_holds(&g, ref, key);
			}
		} else if (rng_below(&r, 4) == 0 && m.n[l]) {
			bad += drop_oldest(&g, &m, l);
		} else {
			if (total == CAP)	/* full: drop an oldest first */
				bad += drop_oldest(&g, &m, m.n[l] ? l : 1 - l);
			ghost_add(&g, (unsigned)l, key);
			m.key[l][m.n[l]++] = key;
			ref = ghost_find(&g, key);
			bad += ref == GHOST_NONE || !ghost_ref_holds(&g, ref, key);
		}
		for (int i = 0; i < 2; i++)
			bad += i < (int)nlists && ghost_len(&g, (unsigned)i) != m.n[i];
		bad += g.x.used != m.n[0] + m.n[1];
		if (step % 1000 == 0)
			for (int i = 0; i < 2; i++)
				for (size_t j = 0; j < m.n[i]; j++) {
					ref = ghost_find(&g, m.key[i][j]);
					bad += ref == GHOST_NONE ||
					       ghost_ref_list(&g, ref) != (unsigned)i;
				}
	}
	CHECK_MSG(bad == 0, "ghost table disagrees with the model (keys %d, %u lists)",
		  kind, nlists);
	/* the lists empty in FIFO order */
	for (int i = 0; i < (int)nlists; i++)
		while (m.n[i])
			bad += drop_oldest(&g, &m, i);
	CHECK_MSG(bad == 0 && g.x.used == 0, "draining disagrees with the model");
	CHECK(!ghost_drop_oldest(&g, 0));
	/* one old ghost stays while many newer ones come and are hit */
	for (int i = 0; i < (int)nlists; i++) {
		uint64_t old = 1ull << 60 | (uint64_t)i;
		size_t passes = 0;

		ghost_add(&g, (unsigned)i, old);
		for (uint64_t k = 0; k < 6 * CAP; k++) {
			uint32_t span0 = g.f[i].span, ref;

			ghost_add(&g, (unsigned)i, k);
			passes += g.f[i].span <= span0;
			ref = ghost_find(&g, k);
			bad += ref == GHOST_NONE;
			if (ref != GHOST_NONE && k % 7)
				ghost_del(&g, ref);
		}
		CHECK_MSG(passes >= 2, "list %d: ring compacted %zu times", i, passes);
		while (ghost_len(&g, (unsigned)i) > 1)
			bad += !ghost_drop_oldest(&g, (unsigned)i);
		/* FIFO order survived compaction: the newest is the last one */
		bad += ghost_find(&g, old) != GHOST_NONE;
		bad += ghost_find(&g, 6 * CAP - 1 - (6 * CAP - 1) % 7) == GHOST_NONE;
		bad += !ghost_drop_oldest(&g, (unsigned)i) || g.x.used != 0;
	}
	CHECK_MSG(bad == 0, "a long-lived ghost among many hit ones");
	CHECK(ghost_bytes(&g) >= CAP * (2 * nlists * sizeof(uint32_t) + 16));
	ghost_fini(&g, &mem_default);
}

/* nonres: alloc / find / free from anywhere / free the FIFO's oldest. */
static void run_nonres(int kind, uint64_t seed)
{
	struct nonres_table t;
	uint64_t model[CAP];	/* queued keys, oldest first */
	size_t n = 0, bad = 0, compactions = 0;
	struct rng r;

	rng_seed(&r, seed);
	BUG_ON(nonres_init(&t, CAP, true, &mem_default));
	for (long step = 0; step < STEPS && !bad; step++) {
		uint64_t key = pick_key(&r, kind);
		struct nonres *e;
		size_t i = 0;

		if (n == CAP || (n && rng_below(&r, 2)))	/* newer ones leave */
			key = model[n / 2 + rng_below(&r, n - n / 2)];
		while (i < n && model[i] != key)
			i++;
		e = nonres_find(&t, key);
		if ((e != NULL) != (i < n) || (e && e->key != key)) {
			bad++;
			break;
		}
		if (e) {			/* leaves from the middle */
			nonres_free(&t, e);
			memmove(&model[i], &model[i + 1], (n - i - 1) * sizeof(*model));
			n--;
		} else {
			uint32_t span0 = t.rspan;

			if (rng_below(&r, 64) == 0) {
				e = nonres_fifo_oldest(&t);
				bad += n ? !e || e->key != model[0] : e != NULL;
				if (e) {
					nonres_free(&t, e);
					memmove(&model[0], &model[1], (n - 1) * sizeof(*model));
					n--;
				}
				span0 = t.rspan;
			}
			e = nonres_alloc(&t, key);
			nonres_fifo_push(&t, e);
			model[n++] = key;
			compactions += t.rspan <= span0;
		}
		bad += t.count != n || t.rlive != n;
	}
	CHECK_MSG(bad == 0, "nonres table disagrees with the model (keys %d)", kind);
	CHECK_MSG(compactions > 0, "nonres FIFO never compacted");
	while (n) {
		struct nonres *e = nonres_fifo_oldest(&t);

		bad += !e || e->key != model[0];
		if (!e)
			break;
		nonres_free(&t, e);
		memmove(&model[0], &model[1], --n * sizeof(*model));
	}
	CHECK(bad == 0 && nonres_fifo_oldest(&t) == NULL && t.count == 0);
	nonres_destroy(&t, &mem_default);
}

int main(void)
{
	T_BEGIN("reclaim_ghost");
	for (int kind = 0; kind < 3; kind++)
		for (unsigned lists = 1; lists <= 2; lists++)
			for (uint64_t seed = 1; seed <= 2; seed++)
				run(kind, lists, seed);
	for (int kind = 0; kind < 3; kind++)
		run_nonres(kind, 7);
	return T_END();
}

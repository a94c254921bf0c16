/*
 * tests/t_reclaim_ghost.c — the ghost table (policies/reclaim/ghost.h)
 * against a naive model (an array of keys with linear search), on seeded
 * random add / delete / find streams with keys that collide in the hash
 * (dense, strided and random 64-bit keys), the table kept nearly full so
 * that probe runs and backward shifts wrap around.  After every step the
 * table's count, and periodically every key's presence, must agree.
 */
#include <string.h>

#include "common/bug.h"
#include "common/rng.h"
#include "policies/reclaim/ghost.h"
#include "tests/testhelp.h"

#define CAP 300
#define STEPS 200000

static uint64_t pick_key(struct rng *r, int kind)
{
	switch (kind) {
	case 0:
		return rng_below(r, 2 * CAP);			/* dense */
	case 1:
		return rng_below(r, 2 * CAP) << 20;		/* strided */
	default:
		return rng_next(r) | 1;				/* sparse */
	}
}

static void run(int kind, uint64_t seed)
{
	struct ghost_table g;
	struct list_head list;
	uint64_t model[CAP];
	size_t n = 0, bad = 0;
	struct rng r;

	rng_seed(&r, seed);
	list_init(&list);
	BUG_ON(ghost_init(&g, CAP));
	for (long step = 0; step < STEPS && !bad; step++) {
		uint64_t key = pick_key(&r, kind);
		size_t i = 0;
		struct ghost *e;

		if (kind == 2 && n && rng_below(&r, 2))
			key = model[rng_below(&r, n)];	/* hit sparse keys too */
		while (i < n && model[i] != key)
			i++;
		e = ghost_find(&g, key);
		if ((e != NULL) != (i < n) || (e && e->key != key)) {
			bad++;
			break;
		}
		if (e) {
			if (rng_below(&r, 4)) {
				ghost_del(&g, e);
				model[i] = model[--n];
			}
		} else if (n < CAP) {
			e = ghost_add(&g, key, 7);
			list_add(&e->link, &list);
			model[n++] = key;
		} else {
			/* full: drop the oldest on the list, as policies do */
			struct ghost *old = ghost_oldest(&list);
			for (i = 0; model[i] != old->key; i++)
				;
			model[i] = model[--n];
			ghost_del(&g, old);
		}
		bad += g.used != n;
		if (step % 1000 == 0)
			for (i = 0; i < n; i++)
				bad += ghost_find(&g, model[i]) == NULL;
	}
	CHECK_MSG(bad == 0, "ghost table disagrees with the model (keys %d)", kind);
	CHECK_EQ(g.used, n);
	CHECK(ghost_bytes(&g) >= CAP * sizeof(struct ghost));
	ghost_fini(&g);
}

int main(void)
{
	T_BEGIN("reclaim_ghost");
	for (int kind = 0; kind < 3; kind++)
		for (uint64_t seed = 1; seed <= 3; seed++)
			run(kind, seed);
	return T_END();
}

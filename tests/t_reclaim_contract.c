/*
 * tests/t_reclaim_contract.c — the reclaim contract (policies/reclaim.h),
 * checked over every entry of reclaim_registry: a policy added to the
 * registry is tested here without a line of change.
 *
 * For each policy, seeded random streams of insert / hit / fault / remove /
 * victim with pages made unevictable and evictable again at random, against
 * a shadow of what is tracked:
 *   - nresident always equals the shadow's count;
 *   - victim() returns a tracked, evictable page whenever one exists, and
 *     NULL only when none does (never an unevictable page);
 *   - with every page unevictable victim() is NULL and changes nothing;
 *     releasing one page makes exactly that one the victim;
 *   - remove() works on any tracked page, in any order;
 *   - metadata_bytes() >= sizeof(struct rpage) per resident page, grows by
 *     at least that much when pages arrive, and stays bounded by a multiple
 *     of npages however long the history (ghosts are bounded);
 *   - bad arguments give an error naming the valid parameters, an unknown
 *     name an error listing every registered policy;
 *   - memory comes from the memory source alone (tests/memtest.h): only
 *     create() takes any, the ops allocate nothing, and destroy() gives
 *     back every block with the size it was taken with; a create() whose
 *     allocation fails returns NULL with nothing held.
 * RECLAIM_NEEDS_FUTURE policies (OPT) get a random reclaim_ctx.next_use in
 * every insert/hit/fault, which is all their contract needs.
 *
 * The optional hint changes no decision: the same seeded stream run with a
 * hint call before every operation names the same victims in the same
 * order.  The hint names a tracked page or NULL, and when the page it
 * names is evictable, the next victim() returns it in at least 90 % of the
 * calls (printed).
 */
#include <string.h>

#include "common/bug.h"
#include "common/rng.h"
#include "policies/reclaim.h"
#include "tests/memtest.h"
#include "tests/testhelp.h"

#define NPAGES 64
#define NKEYS (4 * NPAGES)
#define NOPS 40000
/* Generous bound on policy memory: a fixed part plus so much per page. */
#define META_FIXED_BYTES 65536
#define META_PER_PAGE_BYTES 512

struct cpage {
	struct rpage rp;
	bool tracked;
};

struct world {
	struct reclaim *r;
	struct cpage pages[NKEYS];
	size_t ntracked;
	struct rng rng;
	const char *name;
	unsigned long bad;	/* failures of this policy, reported once each */
	bool hints;		/* call the optional hint before every op */
	struct rng hrng;	/* its choices (the stream's rng is untouched) */
	uint64_t vtrace;	/* hash of the victims named, in order */
	unsigned long peeks, peeks_right;	/* evictable victims hinted, right ones */
	struct reclaim_ctx ctx;	/* for the next insert/hit/fault */
	struct memtest mt;	/* the policy's memory */
};

static struct cpage *cpage_of(struct rpage *rp)
{
	return (struct cpage *)(void *)rp;
}

static bool any_evictable(const struct world *w)
{
	for (size_t k = 0; k < NKEYS; k++)
		if (w->pages[k].tracked && rpage_evictable(&w->pages[k].rp))
			return true;
	return false;
}

static void give_future(struct world *w)
{
	w->ctx.next_use = rng_below(&w->rng, 4) ? rng_below(&w->rng, 1u << 20)
						: UINT64_MAX;
	w->ctx.miss_key = RECLAIM_KEY_NONE;
}

static void do_insert(struct world *w, size_t k)
{
	struct cpage *p = &w->pages[k];

	give_future(w);
	p->rp.key = RPAGE_KEY(1, k);
	p->rp.flags = rng_below(&w->rng, 8) == 0 ? RPAGE_UNEVICTABLE : 0;
	p->tracked = true;
	w->ntracked++;
	reclaim_insert(w->r, &p->rp, &w->ctx);
}

/* One victim() call, checked; returns the victim or NULL. */
static struct cpage *do_victim(struct world *w, uint64_t miss_key)
{
	bool expect = any_evictable(w);
	struct rpage *rp;
	struct cpage *p;
	struct reclaim_ctx ctx = { .next_use = UINT64_MAX, .miss_key = miss_key };

	/* the hint only in the hinted run: the other must never call it */
	const struct rpage *pk = w->hints ? reclaim_hint(w->r, RECLAIM_KEY_NONE)
					  : NULL;

	rp = reclaim_victim(w->r, &ctx);
	w->vtrace = w->vtrace * 1000003u + (rp ? rp->key + 1 : 0);
	if (pk && rpage_evictable(pk)) {
		w->peeks++;
		w->peeks_right += pk == rp;
	}
	/* failures are reported here, the pass counted once per policy */
	if (!rp) {
		if (expect) {
			CHECK_MSG(0, "%s: victim NULL with evictable pages", w->name);
			w->bad++;
		}
		return NULL;
	}
	p = cpage_of(rp);
	if (p < w->pages || p >= w->pages + NKEYS || !p->tracked) {
		CHECK_MSG(0, "%s: victim is not a tracked page", w->name);
		w->bad++;
		return p;
	}
	if (!rpage_evictable(rp)) {
		CHECK_MSG(0, "%s: victim is unevictable", w->name);
		w->bad++;
	}
	p->tracked = false;
	w->ntracked--;
	return p;
}

static size_t meta_bound(void)
{
	return META_FIXED_BYTES + (size_t)META_PER_PAGE_BYTES * NPAGES;
}

static void check_meta(struct world *w)
{
	size_t m = w->r->ops->metadata_bytes(w->r);

	if (m < w->r->nresident * sizeof(struct rpage) || m > meta_bound()) {
		CHECK_MSG(0, "%s: metadata_bytes %zu with %zu resident", w->name,
			  m, w->r->nresident);
		w->bad++;
	}
}

/* Call the policy's optional hint, for a coming key or none; check the
 * victim it names. */
static void give_hints(struct world *w)
{
	size_t k = rng_below(&w->hrng, NKEYS + 1);
	const struct rpage *pk = reclaim_hint(w->r, k < NKEYS ? RPAGE_KEY(1, k)
							      : RECLAIM_KEY_NONE);

	if (pk && (pk < &w->pages[0].rp || pk > &w->pages[NKEYS - 1].rp ||
		   !cpage_of((struct rpage *)pk)->tracked)) {
		CHECK_MSG(0, "%s: the hint names a page that is not tracked", w->name);
		w->bad++;
	}
}

/* A seeded random stream of every hook. */
static void random_stream(struct world *w)
{
	for (int op = 0; op < NOPS; op++) {
		size_t k, what;
		struct cpage *p;

		if (w->hints)
			give_hints(w);
		k = rng_below(&w->rng, NKEYS);
		p = &w->pages[k];
		what = (unsigned)rng_below(&w->rng, 10);

		if (!p->tracked) {
			if (w->ntracked == NPAGES) {
				/* a load fault: make room first, as engines do */
				if (!do_victim(w, RPAGE_KEY(1, k)))
					continue;
			}
			do_insert(w, k);
		} else if (what < 4) {
			give_future(w);
			reclaim_hit(w->r, &p->rp, &w->ctx);
		} else if (what < 6) {
			give_future(w);
			reclaim_fault(w->r, &p->rp, &w->ctx);
		} else if (what < 8) {
			p->rp.flags ^= RPAGE_UNEVICTABLE;
		} else if (what < 9) {
			reclaim_remove(w->r, &p->rp);
			p->tracked = false;
			w->ntracked--;
		} else {
			do_victim(w, RECLAIM_KEY_NONE);
		}
		if (w->r->nresident != w->ntracked) {
			CHECK_MSG(0, "%s: nresident %zu, tracked %zu", w->name,
				  w->r->nresident, w->ntracked);
			w->ntracked = w->r->nresident;	/* report once */
			return;
		}
		check_meta(w);
		if (w->bad)
			return;
	}
	CHECK_EQ(w->r->nresident, w->ntracked);
}

static void check_policy(const struct reclaim_ops *ops, uint64_t seed)
{
	struct world *w = calloc(1, sizeof(*w));
	struct reclaim_params prm = { .npages = NPAGES, .seed = seed };
	char spec[64], err[512];
	size_t meta0, meta_full;
	uint64_t allocs;

	BUG_ON(!w);
	w->mt = (struct memtest)MEMTEST_INIT;
	prm.mem = &w->mt.ms;
	w->name = ops->name;
	rng_seed(&w->rng, seed);
	w->r = reclaim_create(ops->name, &prm, err, sizeof(err));
	REQUIRE_MSG(w->r != NULL, "%s: create failed: %s", ops->name, err);
	CHECK(w->r->ops == ops);
	CHECK_EQ(w->r->nresident, 0);
	CHECK(ops->help && *ops->help);
	CHECK_MSG(w->mt.bytes > 0, "%s: nothing taken from the memory source",
		  ops->name);
	allocs = w->mt.allocs;

	/* empty: nothing to evict */
	CHECK(do_victim(w, RECLAIM_KEY_NONE) == NULL);

	/* fill: metadata grows by at least one node per page */
	meta0 = ops->metadata_bytes(w->r);
	for (size_t k = 0; k < NPAGES; k++) {
		do_insert(w, k);
		w->pages[k].rp.flags = RPAGE_UNEVICTABLE;
	}
	CHECK_EQ(w->r->nresident, NPAGES);
	meta_full = ops->metadata_bytes(w->r);
	CHECK_MSG(meta_full >= meta0 + NPAGES * sizeof(struct rpage),
		  "%s: metadata %zu empty, %zu full", ops->name, meta0, meta_full);
	check_meta(w);

	/* everything unevictable: NULL, nothing changes */
	for (int i = 0; i < 3; i++)
		CHECK(do_victim(w, RPAGE_KEY(1, NPAGES + i)) == NULL);
	CHECK_EQ(w->r->nresident, NPAGES);
	/* hits and faults on unevictable pages are fine, still NULL */
	for (size_t k = 0; k < NPAGES; k += 3) {
		give_future(w);
		reclaim_hit(w->r, &w->pages[k].rp, &w->ctx);
		reclaim_fault(w->r, &w->pages[k].rp, &w->ctx);
	}
	CHECK(do_victim(w, RECLAIM_KEY_NONE) == NULL);
	/* release one: it is the only possible victim */
	w->pages[NPAGES / 2].rp.flags = 0;
	CHECK(do_victim(w, RPAGE_KEY(1, NPAGES)) == &w->pages[NPAGES / 2]);
	CHECK(do_victim(w, RPAGE_KEY(1, NPAGES)) == NULL);
	CHECK_EQ(w->r->nresident, NPAGES - 1);

	/* remove works on any page, in a random order */
	{
		size_t perm[NPAGES];

		for (size_t i = 0; i < NPAGES; i++) {
			size_t j = rng_below(&w->rng, i + 1);
			perm[i] = perm[j];
			perm[j] = i;
		}
		for (size_t i = 0; i < NPAGES; i++) {
			size_t k = perm[i];
			if (!w->pages[k].tracked)
				continue;
			reclaim_remove(w->r, &w->pages[k].rp);
			w->pages[k].tracked = false;
			w->ntracked--;
			if (i % 7 == 0)
				w->pages[(k + 1) % NPAGES].rp.flags = 0;
		}
	}
	CHECK_EQ(w->r->nresident, 0);
	CHECK(do_victim(w, RECLAIM_KEY_NONE) == NULL);

	/* long random stream of every hook */
	random_stream(w);
	check_meta(w);

	/* drain by victims after releasing every page */
	for (size_t k = 0; k < NKEYS; k++)
		w->pages[k].rp.flags = 0;
	for (size_t i = 0; i < NKEYS && w->ntracked; i++)
		if (!do_victim(w, RECLAIM_KEY_NONE))
			break;
	CHECK_EQ(w->ntracked, 0);
	CHECK_EQ(w->r->nresident, 0);
	CHECK_MSG(w->bad == 0, "%s: %lu bad victims or metadata sizes", ops->name,
		  w->bad);
	CHECK_MSG(w->mt.allocs == allocs, "%s: %llu allocations outside create()",
		  ops->name, (unsigned long long)(w->mt.allocs - allocs));
	reclaim_destroy(w->r);
	CHECK_MSG(w->mt.bytes == 0 && w->mt.blocks == 0,
		  "%s: %lld bytes in %lld blocks not given back", ops->name,
		  (long long)w->mt.bytes, (long long)w->mt.blocks);

	/* every allocation create() makes may fail: NULL, nothing held */
	for (uint64_t n = 1; n <= allocs; n++) {
		int64_t held = w->mt.bytes;
		struct reclaim *r;

		w->mt.fail_in = n;
		r = reclaim_create(ops->name, &prm, err, sizeof(err));
		CHECK_MSG(!r && *err && w->mt.bytes == held,
			  "%s: allocation %llu refused: %s, %lld bytes kept",
			  ops->name, (unsigned long long)n, r ? "created" : "NULL",
			  (long long)(w->mt.bytes - held));
		reclaim_destroy(r);
		w->mt.fail_in = 0;
	}

	/* bad arguments: one message naming the valid parameters */
	snprintf(spec, sizeof(spec), "%s:nosuchparam=1", ops->name);
	err[0] = '\0';
	CHECK(reclaim_create(spec, &prm, err, sizeof(err)) == NULL);
	CHECK_MSG(strstr(err, "nosuchparam") && strstr(err, "valid"),
		  "%s: bad-args message '%s'", ops->name, err);
	snprintf(spec, sizeof(spec), "%s:novalue", ops->name);
	CHECK(reclaim_create(spec, &prm, err, sizeof(err)) == NULL);
	CHECK(*err != '\0');
	if (ops->describe_args) {
		char d[1024] = "";
		ops->describe_args(d, sizeof(d));
		CHECK_MSG(*d != '\0', "%s: empty describe_args", ops->name);
	}
	free(w);
}

/* The same stream with and without hints: the same victims. */
static void check_hints(const struct reclaim_ops *ops, uint64_t seed)
{
	struct reclaim_params prm = { .npages = NPAGES, .seed = seed,
				      .mem = &mem_default };
	struct world *w[2];
	char err[512];

	for (int h = 0; h < 2; h++) {
		w[h] = calloc(1, sizeof(*w[h]));
		BUG_ON(!w[h]);
		w[h]->name = ops->name;
		w[h]->hints = h;
		rng_seed(&w[h]->rng, seed);
		rng_seed(&w[h]->hrng, seed + 1);
		w[h]->r = reclaim_create(ops->name, &prm, err, sizeof(err));
		BUG_ON(!w[h]->r);
		random_stream(w[h]);
	}
	CHECK_MSG(w[0]->vtrace == w[1]->vtrace,
		  "%s: the hints changed which pages were evicted", ops->name);
	if (w[1]->peeks) {
		printf("  %s: the hint named the next victim in %lu of %lu calls\n",
		       ops->name, w[1]->peeks_right, w[1]->peeks);
		CHECK_MSG(10 * w[1]->peeks_right >= 9 * w[1]->peeks,
			  "%s: the hint right in %lu of %lu calls", ops->name,
			  w[1]->peeks_right, w[1]->peeks);
	}
	for (int h = 0; h < 2; h++) {
		CHECK_EQ(w[h]->bad, 0);
		reclaim_destroy(w[h]->r);
		free(w[h]);
	}
}

int main(void)
{
	struct reclaim_params prm = { .npages = NPAGES, .seed = 1,
				      .mem = &mem_default };
	char err[512];
	size_t n = 0;

	T_BEGIN("reclaim_contract");
	for (size_t i = 0; reclaim_registry[i]; i++, n++) {
		for (uint64_t seed = 1; seed <= 3; seed++)
			check_policy(reclaim_registry[i], seed * 7919 + i);
		check_hints(reclaim_registry[i], 4242 + i);
	}
	CHECK(n >= 4);

	/* unknown name: lists every valid name */
	CHECK(reclaim_create("no-such-policy", &prm, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no-such-policy") != NULL);
	for (size_t i = 0; reclaim_registry[i]; i++)
		CHECK_MSG(strstr(err, reclaim_registry[i]->name) != NULL,
			  "'%s' not listed in '%s'", reclaim_registry[i]->name, err);
	/* zero RAM is refused */
	prm.npages = 0;
	CHECK(reclaim_create(reclaim_registry[0]->name, &prm, err, sizeof(err))
	      == NULL);
	return T_END();
}

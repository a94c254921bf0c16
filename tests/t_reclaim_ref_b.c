/*
 * tests/t_reclaim_ref_b.c — lirs, s3fifo and clock-pro against naive
 * references written here from their papers' pseudo-code: keys in plain
 * arrays kept in order, found by linear scans, moved with memmove.
 *
 * Each reference models the same hooks as the policy (insert, hit, remove,
 * victim) with the same unevictable rule (victims pass over pinned keys and
 * leave them as they are), so two checks share it:
 *   - miss counts on seeded traces (uniform, zipf, zipf with scans) at
 *     several sizes, with hits reported (`full`) and without (`faults`):
 *     the policy through tests/reclaim_harness.h, the reference through
 *     the same cache loop;
 *   - identical victim sequences on seeded random streams of insert / hit /
 *     fault / remove / victim with pinned pages mixed in.
 * The CLOCK-Pro reference walks one array-clock with three hands; the
 * policy keeps an extra cold-page list for speed, which this checks.
 */
#include <string.h>

#include "common/bug.h"
#include "common/rng.h"
#include "policies/reclaim.h"
#include "tests/reclaim_harness.h"
#include "tests/testhelp.h"
#include "tests/zipf.h"

#define MAXK 1600	/* keys of every test stream are below this */
#define NONE (-1L)

/* An ordered array of keys: index 0 is the bottom / oldest / front. */
struct arr {
	size_t n;
	long k[3 * MAXK];
};

static long arr_find(const struct arr *a, long key)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->k[i] == key)
			return (long)i;
	return NONE;
}

static long arr_take(struct arr *a, size_t i)
{
	long key = a->k[i];

	memmove(&a->k[i], &a->k[i + 1], (a->n - i - 1) * sizeof(a->k[0]));
	a->n--;
	return key;
}

static void arr_push(struct arr *a, long key)	/* at the top / newest / end */
{
	a->k[a->n++] = key;
}

static void arr_insert_at(struct arr *a, size_t i, long key)
{
	memmove(&a->k[i + 1], &a->k[i], (a->n - i) * sizeof(a->k[0]));
	a->k[i] = key;
	a->n++;
}

static void arr_del(struct arr *a, long key)
{
	long i = arr_find(a, key);

	BUG_ON(i == NONE);
	arr_take(a, (size_t)i);
}

/* The reference models; pinned[key] is shared with the driver. */
struct model {
	size_t npages;
	const bool *pinned;
	/* LIRS */
	struct arr s, q;
	uint8_t st[MAXK];		/* LIR / HIR / NONRES for keys on S */
	uint64_t nonres_since[MAXK];
	uint64_t clock;
	size_t lir_limit, nlir, s_max;
	/* S3-FIFO */
	struct arr small, main, ghost;
	uint8_t freq[MAXK];
	size_t small_cap, main_cap, ghost_cap;
	/* CLOCK-Pro: ring in clock order, hands hold keys */
	struct arr ring;
	uint8_t cpf[MAXK];		/* CP_* bits, CPR_RES for resident */
	long hh, hc, ht;
	size_t nhot, ncold, nnonres, cold_target, cold_min, cold_max;
};

struct model_ops {
	const char *spec;
	void (*init)(struct model *m);
	void (*insert)(struct model *m, long key);
	void (*hit)(struct model *m, long key);
	void (*remove)(struct model *m, long key);
	long (*victim)(struct model *m);
};

/* ---- LIRS (Jiang & Zhang, SIGMETRICS'02) ------------------------------ */

enum { LIR = 1, HIR, NONRES };

static void lirs_init(struct model *m)
{
	size_t hir = (size_t)(0.01 * (double)m->npages);

	hir = hir < 1 ? 1 : hir;
	m->lir_limit = m->npages - hir;
	m->s_max = 2 * m->npages;
}

/* Stack pruning: the bottom of S is a LIR block. */
static void lirs_prune(struct model *m)
{
	while (m->s.n && m->st[m->s.k[0]] != LIR)
		arr_take(&m->s, 0);
}

static void lirs_demote_bottom(struct model *m)
{
	long key = arr_take(&m->s, 0);

	BUG_ON(m->st[key] != LIR);
	m->st[key] = HIR;
	m->nlir--;
	arr_push(&m->q, key);
	lirs_prune(m);
}

/* S holds at most s_max entries: drop the longest non-resident one. */
static void lirs_bound(struct model *m)
{
	while (m->s.n > m->s_max) {
		long best = NONE;
		for (size_t i = 0; i < m->s.n; i++)
			if (m->st[m->s.k[i]] == NONRES &&
			    (best == NONE ||
			     m->nonres_since[m->s.k[i]] < m->nonres_since[m->s.k[best]]))
				best = (long)i;
		if (best == NONE)
			return;
		arr_take(&m->s, (size_t)best);
	}
}

static void lirs_make_lir(struct model *m, long key)
{
	m->st[key] = LIR;
	if (++m->nlir > m->lir_limit)
		lirs_demote_bottom(m);
}

static void lirs_insert(struct model *m, long key)
{
	long i = arr_find(&m->s, key);

	if (i != NONE) {	/* a non-resident HIR block in S */
		BUG_ON(m->st[key] != NONRES);
		arr_take(&m->s, (size_t)i);
		arr_push(&m->s, key);
		lirs_make_lir(m, key);
	} else if (m->nlir < m->lir_limit) {
		arr_push(&m->s, key);
		m->st[key] = LIR;
		m->nlir++;
	} else {
		arr_push(&m->s, key);
		m->st[key] = HIR;
		arr_push(&m->q, key);
	}
	lirs_bound(m);
}

static void lirs_hit(struct model *m, long key)
{
	long i = arr_find(&m->s, key);

	if (i != NONE && m->st[key] == LIR) {
		arr_take(&m->s, (size_t)i);
		arr_push(&m->s, key);
		lirs_prune(m);
	} else if (i != NONE) {	/* resident HIR in S: becomes LIR */
		arr_take(&m->s, (size_t)i);
		arr_push(&m->s, key);
		arr_del(&m->q, key);
		lirs_make_lir(m, key);
	} else {		/* resident HIR not in S: stays HIR */
		arr_push(&m->s, key);
		m->st[key] = HIR;
		arr_del(&m->q, key);
		arr_push(&m->q, key);
		lirs_bound(m);
	}
}

static void lirs_remove(struct model *m, long key)
{
	long i = arr_find(&m->s, key);

	if (i != NONE && m->st[key] == LIR) {
		arr_take(&m->s, (size_t)i);
		m->nlir--;
		lirs_prune(m);
		return;
	}
	arr_del(&m->q, key);
	if (i != NONE)
		arr_take(&m->s, (size_t)i);
}

static long lirs_victim(struct model *m)
{
	for (size_t i = 0; i < m->q.n; i++) {
		long key = m->q.k[i];
		if (m->pinned[key])
			continue;
		arr_take(&m->q, i);
		if (arr_find(&m->s, key) != NONE) {
			m->st[key] = NONRES;
			m->nonres_since[key] = ++m->clock;
		}
		return key;
	}
	for (size_t i = 0; i < m->s.n; i++) {
		long key = m->s.k[i];
		if (m->st[key] != LIR || m->pinned[key])
			continue;
		arr_take(&m->s, i);
		m->nlir--;
		lirs_prune(m);
		return key;
	}
	return NONE;
}

/* ---- S3-FIFO (Yang et al., SOSP'23) ----------------------------------- */

static void s3_init(struct model *m)
{
	m->small_cap = (size_t)((double)m->npages * 0.1);
	m->small_cap = m->small_cap < 1 ? 1 : m->small_cap;
	m->main_cap = m->npages - m->small_cap;
	m->ghost_cap = (size_t)((double)m->npages * 0.9);
}

static void s3_insert(struct model *m, long key)
{
	long g = arr_find(&m->ghost, key);

	m->freq[key] = 0;
	if (g != NONE) {
		arr_take(&m->ghost, (size_t)g);
		arr_push(&m->main, key);
	} else {
		arr_push(&m->small, key);
	}
}

static void s3_hit(struct model *m, long key)
{
	if (m->freq[key] < 3)
		m->freq[key]++;
}

static void s3_remove(struct model *m, long key)
{
	long i = arr_find(&m->small, key);

	if (i != NONE)
		arr_take(&m->small, (size_t)i);
	else
		arr_del(&m->main, key);
}

/* evictS: the oldest small page reused twice moves to main, else it goes. */
static long s3_evict_small(struct model *m)
{
	size_t i = 0;

	while (i < m->small.n) {
		long key = m->small.k[i];
		if (m->pinned[key]) {
			i++;
		} else if (m->freq[key] >= 2) {
			arr_take(&m->small, i);
			m->freq[key] = 0;
			arr_push(&m->main, key);
		} else {
			arr_take(&m->small, i);
			if (m->ghost_cap) {
				if (m->ghost.n >= m->ghost_cap)
					arr_take(&m->ghost, 0);
				arr_push(&m->ghost, key);
			}
			return key;
		}
	}
	return NONE;
}

/* evictM: reinsert with freq - 1 while freq > 0, else evict. */
static long s3_evict_main(struct model *m)
{
	size_t i = 0;

	while (i < m->main.n) {
		long key = m->main.k[i];
		if (m->pinned[key]) {
			i++;
		} else if (m->freq[key]) {
			m->freq[key]--;
			arr_take(&m->main, i);
			arr_push(&m->main, key);
		} else {
			return arr_take(&m->main, i);
		}
	}
	return NONE;
}

static long s3_victim(struct model *m)
{
	long key;

	if (m->main.n > m->main_cap || m->small.n == 0) {
		key = s3_evict_main(m);
		if (key == NONE)
			key = s3_evict_small(m);
	} else {
		key = s3_evict_small(m);
	}
	return key != NONE ? key : s3_evict_main(m);
}

/* ---- CLOCK-Pro (Jiang, Chen & Zhang, USENIX ATC'05) ------------------- */

#define CP_HOT  0x1
#define CP_TEST 0x2
#define CP_REF  0x4
#define CPR_RES 0x8

static void cp_init(struct model *m)
{
	m->hh = m->hc = m->ht = NONE;
	m->cold_min = 1;
	m->cold_max = m->npages > 1 ? m->npages - 1 : 1;
	m->cold_target = (size_t)(0.01 * (double)m->npages);
	if (m->cold_target < m->cold_min)
		m->cold_target = m->cold_min;
}

static bool cp_is_cold(const struct model *m, long key)
{
	return (m->cpf[key] & (CPR_RES | CP_HOT)) == CPR_RES;
}

static long cp_after(const struct model *m, long key)	/* next on the ring */
{
	long i = arr_find(&m->ring, key);

	BUG_ON(i == NONE);
	return m->ring.k[((size_t)i + 1) % m->ring.n];
}

/* The first resident cold page after key (key itself last), or NONE. */
static long cp_next_cold(const struct model *m, long key)
{
	long i = arr_find(&m->ring, key);

	for (size_t d = 1; d <= m->ring.n; d++) {
		long k = m->ring.k[((size_t)i + d) % m->ring.n];
		if (cp_is_cold(m, k))
			return k;
	}
	return NONE;
}

/* key stops being a resident cold page: hand-cold moves on from it. */
static void cp_uncold(struct model *m, long key)
{
	if (m->hc == key) {
		m->cpf[key] |= CP_HOT;	/* not a candidate for the search */
		m->hc = cp_next_cold(m, key);
		m->cpf[key] &= ~CP_HOT;
	}
	m->ncold--;
}

static void cp_cold_appears(struct model *m, long key)
{
	if (m->hc == NONE)
		m->hc = key;
	m->ncold++;
}

/* key leaves the ring; hands on it move to the next entry. */
static void cp_unring(struct model *m, long key)
{
	long nx = m->ring.n > 1 ? cp_after(m, key) : NONE;

	if (m->hh == key)
		m->hh = nx;
	if (m->ht == key)
		m->ht = nx;
	arr_del(&m->ring, key);
}

/* key goes to the ring's head, right behind hand-hot. */
static void cp_at_head(struct model *m, long key)
{
	if (m->hh == NONE) {
		arr_push(&m->ring, key);
		m->hh = m->ht = key;
		return;
	}
	arr_insert_at(&m->ring, (size_t)arr_find(&m->ring, m->hh), key);
}

static void cp_up(struct model *m)
{
	if (m->cold_target < m->cold_max)
		m->cold_target++;
}

static void cp_down(struct model *m)
{
	if (m->cold_target > m->cold_min)
		m->cold_target--;
}

static void cp_drop_nonres(struct model *m, long key)
{
	cp_unring(m, key);
	m->cpf[key] = 0;
	m->nnonres--;
}

/* Hand-hot until one evictable hot page is demoted. */
static bool cp_demote_one(struct model *m)
{
	size_t idle = 0;

	while (m->hh != NONE && idle <= m->nhot + m->ncold + m->nnonres) {
		long key = m->hh;
		uint8_t f = m->cpf[key];

		if (!(f & CPR_RES)) {	/* test period over */
			cp_drop_nonres(m, key);
			cp_down(m);
			idle = 0;
			continue;
		}
		idle++;
		if (!m->pinned[key] && (f & CP_HOT)) {
			if (!(f & CP_REF)) {
				m->cpf[key] = CPR_RES;
				m->nhot--;
				cp_cold_appears(m, key);
				m->hh = cp_after(m, key);
				return true;
			}
			m->cpf[key] &= ~CP_REF;
			idle = 0;
		} else if (!m->pinned[key] && (f & CP_TEST)) {
			m->cpf[key] &= ~CP_TEST;
			cp_down(m);
			idle = 0;
		}
		m->hh = cp_after(m, key);
	}
	return false;
}

static void cp_balance(struct model *m)
{
	while (m->nhot + m->cold_target > m->npages)
		if (!cp_demote_one(m))
			return;
}

static void cp_run_test(struct model *m)
{
	while (m->nnonres > m->npages) {
		long key = m->ht;
		uint8_t f = m->cpf[key];

		if (!(f & CPR_RES)) {
			cp_drop_nonres(m, key);
			cp_down(m);
			continue;
		}
		if ((f & CP_TEST) && !m->pinned[key]) {
			m->cpf[key] &= ~CP_TEST;
			cp_down(m);
		}
		m->ht = cp_after(m, key);
	}
}

static void cp_insert(struct model *m, long key)
{
	if (arr_find(&m->ring, key) != NONE) {	/* non-resident test page */
		cp_drop_nonres(m, key);
		cp_up(m);
		m->cpf[key] = CPR_RES | CP_HOT;
		m->nhot++;
		cp_at_head(m, key);
		cp_balance(m);
		return;
	}
	m->cpf[key] = CPR_RES | CP_TEST;
	cp_at_head(m, key);
	cp_cold_appears(m, key);
}

static void cp_hit(struct model *m, long key)
{
	m->cpf[key] |= CP_REF;
}

static void cp_remove(struct model *m, long key)
{
	if (m->cpf[key] & CP_HOT)
		m->nhot--;
	else
		cp_uncold(m, key);
	cp_unring(m, key);
	m->cpf[key] = 0;
}

static long cp_victim(struct model *m)
{
	size_t idle = 0;
	long key;

	for (;;) {
		key = m->hc;
		if (key == NONE) {
			if (!cp_demote_one(m))
				return NONE;
			continue;
		}
		if (m->pinned[key]) {
			m->hc = cp_next_cold(m, key);
			if (++idle >= m->ncold) {
				if (!cp_demote_one(m))
					return NONE;
				idle = 0;
			}
			continue;
		}
		idle = 0;
		if (!(m->cpf[key] & CP_REF))
			break;
		cp_uncold(m, key);
		cp_unring(m, key);
		if (m->cpf[key] & CP_TEST) {	/* reused in its test period */
			m->cpf[key] = CPR_RES | CP_HOT;
			m->nhot++;
			cp_at_head(m, key);
			cp_up(m);
			cp_balance(m);
		} else {			/* a new test period */
			m->cpf[key] = CPR_RES | CP_TEST;
			cp_at_head(m, key);
			cp_cold_appears(m, key);
		}
	}
	cp_uncold(m, key);
	if (m->cpf[key] & CP_TEST) {	/* stays as a non-resident test page */
		m->cpf[key] = CP_TEST;
		m->nnonres++;
		cp_run_test(m);
	} else {
		cp_unring(m, key);
		m->cpf[key] = 0;
	}
	return key;
}

static const struct model_ops models[] = {
	{ "lirs", lirs_init, lirs_insert, lirs_hit, lirs_remove, lirs_victim },
	{ "s3fifo", s3_init, s3_insert, s3_hit, s3_remove, s3_victim },
	{ "clock-pro", cp_init, cp_insert, cp_hit, cp_remove, cp_victim },
};

static struct model *model_new(const struct model_ops *ops, size_t npages,
			       const bool *pinned)
{
	struct model *m = calloc(1, sizeof(*m));

	BUG_ON(!m || npages > MAXK);
	m->npages = npages;
	m->pinned = pinned;
	ops->init(m);
	return m;
}

/* ---- miss counts on traces -------------------------------------------- */

/* hits = false: hits are not reported (`faults` observation). */
static uint64_t model_misses(const struct model_ops *ops, const uint32_t *keys,
			     size_t n, size_t npages, bool hits)
{
	static bool resident[MAXK], pinned[MAXK];
	struct model *m = model_new(ops, npages, pinned);
	size_t nres = 0;
	uint64_t misses = 0;

	memset(resident, 0, sizeof(resident));
	for (size_t i = 0; i < n; i++) {
		long key = keys[i];
		if (resident[key]) {
			if (hits)
				ops->hit(m, key);
			continue;
		}
		misses++;
		if (nres >= npages) {
			long v = ops->victim(m);
			BUG_ON(v == NONE);
			resident[v] = false;
			nres--;
		}
		ops->insert(m, key);
		resident[key] = true;
		nres++;
	}
	free(m);
	return misses;
}

#define TR_LEN 12000
#define TR_NKEYS 1500

static uint32_t *make_trace(int kind, uint64_t seed)
{
	uint32_t *keys = zipf_keys(TR_LEN, TR_NKEYS, kind == 0 ? 0.0 : 0.9, seed);

	/* kind 2: every third burst of 1500 accesses is a sequential scan */
	for (size_t i = 0; kind == 2 && i < TR_LEN; i++)
		if ((i / 1500) % 3 == 2)
			keys[i] = (uint32_t)(i % TR_NKEYS);
	return keys;
}

/* ---- victim sequences with pinned pages ------------------------------- */

#define SEQ_NPAGES 40
#define SEQ_NKEYS (4 * SEQ_NPAGES)
#define SEQ_NOPS 20000

struct seq_page {
	struct rpage rp;
	bool resident;
};

/* Victims compared (all equal), or -1 at the first difference. */
static long seq_run(const struct model_ops *ops, uint64_t seed)
{
	static struct seq_page pages[SEQ_NKEYS];
	static bool pinned[MAXK];
	struct reclaim_params prm = { .npages = SEQ_NPAGES, .seed = seed,
				      .mem = &mem_default };
	char err[256];
	struct reclaim *r = reclaim_create(ops->spec, &prm, err, sizeof(err));
	struct model *m = model_new(ops, SEQ_NPAGES, pinned);
	struct rng rng;
	long nvictims = 0;

	BUG_ON(!r);
	memset(pages, 0, sizeof(pages));
	memset(pinned, 0, sizeof(pinned));
	rng_seed(&rng, seed);
	for (int op = 0; op < SEQ_NOPS; op++) {
		/* a skewed key choice so that some keys are reused often */
		uint64_t k = rng_below(&rng, 2) ? rng_below(&rng, SEQ_NKEYS / 4)
						 : rng_below(&rng, SEQ_NKEYS);
		struct seq_page *p = &pages[k];
		unsigned what = (unsigned)rng_below(&rng, 32);
		bool do_victim = false;

		if (!p->resident) {
			if (r->nresident == SEQ_NPAGES) {
				do_victim = true;
			} else {
				p->rp.key = k;
				pinned[k] = rng_below(&rng, 8) == 0;
				p->rp.flags = pinned[k] ? RPAGE_UNEVICTABLE : 0;
				p->resident = true;
				reclaim_insert(r, &p->rp, &reclaim_ctx_none);
				ops->insert(m, (long)k);
			}
		} else if (what < 14) {
			reclaim_hit(r, &p->rp, &reclaim_ctx_none);
			ops->hit(m, (long)k);
		} else if (what < 18) {
			reclaim_fault(r, &p->rp, &reclaim_ctx_none);
			ops->hit(m, (long)k);
		} else if (what < 23) {
			pinned[k] = !pinned[k];
			p->rp.flags = pinned[k] ? RPAGE_UNEVICTABLE : 0;
		} else if (what < 24) {
			reclaim_remove(r, &p->rp);
			ops->remove(m, (long)k);
			p->resident = false;
		} else {
			do_victim = true;
		}
		if (do_victim) {
			struct rpage *v = reclaim_victim(r, &reclaim_ctx_none);
			long want = ops->victim(m);
			long got = v ? (long)v->key : NONE;

			if (got != want) {
				fprintf(stderr, "%s seed %llu op %d: victim %ld, "
					"reference %ld\n", ops->spec,
					(unsigned long long)seed, op, got, want);
				nvictims = -1;
				break;
			}
			if (v)
				pages[v->key].resident = false;
			nvictims++;
		}
	}
	reclaim_destroy(r);
	free(m);
	return nvictims;
}

int main(void)
{
	static const size_t sizes[] = { 4, 37, 150, 400 };
	static const char *const tr_name[] = { "uniform", "zipf", "zipf+scan" };

	T_BEGIN("reclaim_ref_b");
	for (int t = 0; t < 3; t++) {
		uint32_t *keys = make_trace(t, 200 + t);

		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
			for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
				const struct model_ops *ops = &models[i];
				for (int hits = 0; hits < 2; hits++) {
					uint64_t got = harness_run_obs(ops->spec, keys,
							TR_LEN, TR_NKEYS, sizes[s], 1,
							NULL, hits);
					uint64_t want = model_misses(ops, keys, TR_LEN,
							sizes[s], hits);
					CHECK_MSG(got == want, "%s on %s at %zu pages%s: "
						  "%llu misses, reference %llu",
						  ops->spec, tr_name[t], sizes[s],
						  hits ? "" : " without hits",
						  (unsigned long long)got,
						  (unsigned long long)want);
				}
			}
		free(keys);
	}
	for (size_t i = 0; i < ARRAY_SIZE(models); i++)
		for (uint64_t seed = 1; seed <= 4; seed++) {
			long nv = seq_run(&models[i], seed);
			CHECK_MSG(nv > SEQ_NOPS / 20, "%s seed %llu: victim "
				  "sequences differ (%ld)", models[i].spec,
				  (unsigned long long)seed, nv);
		}
	return T_END();
}

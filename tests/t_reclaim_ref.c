/*
 * tests/t_reclaim_ref.c — every reclaim policy against a deliberately naive
 * reference implementation of the same definition, written here with
 * arrays and linear scans so that each is obviously right.
 *
 * Two tables; a new policy is one reference and one row:
 *   seq_rows   the identical victim sequence on seeded random streams of
 *              insert / hit / fault / remove / victim with unevictable
 *              pages mixed in (policies whose definition fixes every
 *              victim, unevictable pages included);
 *   miss_rows  identical miss counts on seeded traces (uniform, zipf-like,
 *              zipf with scans) at several sizes, the policy driven by
 *              tests/reclaim_harness.h, the reference by the paper's
 *              "on a request for x" pseudo-code.
 */
#include <string.h>

#include "common/bug.h"
#include "common/rng.h"
#include "policies/reclaim.h"
#include "tests/reclaim_harness.h"
#include "tests/testhelp.h"
#include "tests/zipf.h"

/* ---- victim sequences ------------------------------------------------ */

#define SEQ_NPAGES 48
#define SEQ_NKEYS (3 * SEQ_NPAGES)
#define SEQ_NOPS 30000

#define REF_MAX 512	/* resident pages a model holds at most */

/* The naive model: resident keys in an array, oldest first. */
struct ref {
	size_t n;
	uint64_t key[REF_MAX];
	uint64_t t[REF_MAX];	/* last use or insertion time */
	uint64_t count[REF_MAX];	/* uses (LFU) */
	uint32_t bit[REF_MAX];	/* reference / visited bit */
	long hand;		/* SIEVE's hand: an index, -1 for the oldest */
	uint64_t now;
	struct rng rng;
	const bool *unevictable;	/* by key */
};

static size_t ref_find(const struct ref *m, uint64_t key)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->key[i] == key)
			return i;
	BUG();
}

static void ref_drop(struct ref *m, size_t i)
{
	memmove(&m->key[i], &m->key[i + 1], (m->n - i - 1) * sizeof(m->key[0]));
	memmove(&m->t[i], &m->t[i + 1], (m->n - i - 1) * sizeof(m->t[0]));
	memmove(&m->bit[i], &m->bit[i + 1], (m->n - i - 1) * sizeof(m->bit[0]));
	memmove(&m->count[i], &m->count[i + 1],
		(m->n - i - 1) * sizeof(m->count[0]));
	m->n--;
	if (m->hand > (long)i)
		m->hand--;
	if (m->hand >= (long)m->n)
		m->hand = -1;
}

static void ref_append(struct ref *m, uint64_t key)
{
	m->key[m->n] = key;
	m->t[m->n] = ++m->now;
	m->bit[m->n] = 0;
	m->count[m->n] = 1;
	m->n++;
}

/* CLOCK: a new page enters just behind the hand (reached last). */
static void ref_insert_behind_hand(struct ref *m, uint64_t key)
{
	size_t at = m->hand < 0 ? m->n : (size_t)m->hand;

	ref_append(m, key);
	for (size_t i = m->n - 1; i > at; i--) {
		m->key[i] = m->key[i - 1];
		m->t[i] = m->t[i - 1];
		m->bit[i] = m->bit[i - 1];
		m->count[i] = m->count[i - 1];
	}
	m->key[at] = key;
	m->t[at] = m->now;
	m->bit[at] = 0;
	m->count[at] = 1;
	if (m->hand >= 0)
		m->hand++;
}

static void ref_touch(struct ref *m, uint64_t key)
{
	m->t[ref_find(m, key)] = ++m->now;
}

static void ref_setbit(struct ref *m, uint64_t key)
{
	m->bit[ref_find(m, key)] = 1;
}

static void ref_count(struct ref *m, uint64_t key)
{
	size_t i = ref_find(m, key);

	m->count[i]++;
	m->t[i] = ++m->now;
}

static void ref_nothing(struct ref *m, uint64_t key)
{
	(void)m;
	(void)key;
}

static void ref_remove(struct ref *m, uint64_t key)
{
	ref_drop(m, ref_find(m, key));
}

/*
 * The evictable key with the smallest (count, t): LFU with ties to the
 * least recently used; LRU (t = last use) and FIFO (t = insertion) never
 * raise count, so for them it is the smallest t.
 */
static int64_t ref_victim_min(struct ref *m)
{
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < m->n; i++)
		if (!m->unevictable[m->key[i]] &&
		    (best == SIZE_MAX || m->count[i] < m->count[best] ||
		     (m->count[i] == m->count[best] && m->t[i] < m->t[best])))
			best = i;
	if (best == SIZE_MAX)
		return -1;
	int64_t k = (int64_t)m->key[best];
	ref_drop(m, best);
	return k;
}

/* SIEVE and CLOCK: from the hand toward the newest end, wrapping to the
 * oldest: pass unevictable, clear a set bit in place, evict a clear one;
 * the hand stays at the evicted page's newer neighbour (ref_drop keeps the
 * index right). */
static int64_t ref_victim_hand(struct ref *m)
{
	long i = m->hand < 0 ? 0 : m->hand;

	for (size_t steps = 0; m->n && steps < 2 * m->n + 1; steps++) {
		if (i >= (long)m->n)
			i = 0;
		if (m->unevictable[m->key[i]]) {
			i++;
		} else if (m->bit[i]) {
			m->bit[i] = 0;
			i++;
		} else {
			int64_t k = (int64_t)m->key[i];
			m->hand = i;
			ref_drop(m, (size_t)i);	/* hand: now the newer neighbour */
			m->hand = i < (long)m->n ? i : -1;
			return k;
		}
	}
	return -1;
}

/* RANDOM: the array in insertion order with swap-remove; slot i drawn
 * uniformly, then i+1, i+2, ... (wrapping) to the first evictable. */
static void ref_remove_swap(struct ref *m, uint64_t key)
{
	size_t i = ref_find(m, key);
	m->key[i] = m->key[--m->n];
}

static int64_t ref_victim_random(struct ref *m)
{
	size_t i;

	if (m->n == 0)
		return -1;
	i = rng_below(&m->rng, m->n);
	for (size_t k = 0; k < m->n; k++, i = (i + 1) % m->n) {
		if (!m->unevictable[m->key[i]]) {
			int64_t v = (int64_t)m->key[i];
			ref_remove_swap(m, m->key[i]);
			return v;
		}
	}
	return -1;
}

struct seq_row {
	const char *spec;
	void (*insert)(struct ref *m, uint64_t key);
	void (*hit)(struct ref *m, uint64_t key);
	void (*fault)(struct ref *m, uint64_t key);
	void (*remove)(struct ref *m, uint64_t key);
	int64_t (*victim)(struct ref *m);	/* -1: nothing evictable */
};

static const struct seq_row seq_rows[] = {
	{ "lru", ref_append, ref_touch, ref_touch, ref_remove, ref_victim_min },
	{ "fifo", ref_append, ref_nothing, ref_nothing, ref_remove, ref_victim_min },
	{ "clock", ref_insert_behind_hand, ref_setbit, ref_setbit, ref_remove,
	  ref_victim_hand },
	{ "random", ref_append, ref_nothing, ref_nothing, ref_remove_swap,
	  ref_victim_random },
	{ "sieve", ref_append, ref_setbit, ref_setbit, ref_remove, ref_victim_hand },
	{ "lfu", ref_append, ref_count, ref_count, ref_remove, ref_victim_min },
};

struct seq_page {
	struct rpage rp;
	bool resident;
};

/* Returns the number of victims compared (all equal), or -1 at the first
 * difference. */
static long seq_run(const struct seq_row *row, uint64_t seed)
{
	static struct seq_page pages[SEQ_NKEYS];
	static bool unevictable[SEQ_NKEYS];
	static struct ref m;
	struct reclaim_params prm = { .npages = SEQ_NPAGES, .seed = seed,
				      .mem = &mem_default };
	char err[256];
	struct reclaim *r = reclaim_create(row->spec, &prm, err, sizeof(err));
	struct rng rng;
	long nvictims = 0;

	if (!r) {
		fprintf(stderr, "%s: %s\n", row->spec, err);
		return -1;
	}
	memset(pages, 0, sizeof(pages));
	memset(unevictable, 0, sizeof(unevictable));
	memset(&m, 0, sizeof(m));
	m.hand = -1;
	m.unevictable = unevictable;
	rng_seed(&m.rng, seed);
	rng_seed(&rng, seed ^ 0xabcdef);
	for (int op = 0; op < SEQ_NOPS; op++) {
		uint64_t k = rng_below(&rng, SEQ_NKEYS);
		struct seq_page *p = &pages[k];
		unsigned what = (unsigned)rng_below(&rng, 16);
		bool do_victim = false;

		if (!p->resident) {
			if (r->nresident == SEQ_NPAGES)
				do_victim = true;
			else {
				p->rp.key = k;
				unevictable[k] = rng_below(&rng, 6) == 0;
				p->rp.flags = unevictable[k] ? RPAGE_UNEVICTABLE : 0;
				p->resident = true;
				reclaim_insert(r, &p->rp, &reclaim_ctx_none);
				row->insert(&m, k);
			}
		} else if (what < 6) {
			reclaim_hit(r, &p->rp, &reclaim_ctx_none);
			row->hit(&m, k);
		} else if (what < 9) {
			reclaim_fault(r, &p->rp, &reclaim_ctx_none);
			row->fault(&m, k);
		} else if (what < 12) {
			unevictable[k] = !unevictable[k];
			p->rp.flags = unevictable[k] ? RPAGE_UNEVICTABLE : 0;
		} else if (what < 13) {
			reclaim_remove(r, &p->rp);
			row->remove(&m, k);
			p->resident = false;
		} else {
			do_victim = true;
		}
		if (do_victim) {
			struct rpage *v = reclaim_victim(r, &reclaim_ctx_none);
			int64_t want = row->victim(&m);
			int64_t got = v ? (int64_t)v->key : -1;

			if (got != want) {
				fprintf(stderr, "%s seed %llu op %d: victim %lld, "
					"reference %lld\n", row->spec,
					(unsigned long long)seed, op,
					(long long)got, (long long)want);
				reclaim_destroy(r);
				return -1;
			}
			if (v)
				pages[v->key].resident = false;
			nvictims++;
		}
	}
	reclaim_destroy(r);
	return nvictims;
}

/* ---- miss counts on traces ------------------------------------------- */

#define TR_LEN 15000

/* The reference cache: naive lists of keys, index 0 = LRU/oldest end. */
struct klist {
	size_t n;
	uint32_t *k;
};

static void kl_init(struct klist *l, size_t cap)
{
	l->n = 0;
	l->k = malloc((cap + 1) * sizeof(*l->k));
	BUG_ON(!l->k);
}

static long kl_find(const struct klist *l, uint32_t key)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->k[i] == key)
			return (long)i;
	return -1;
}

static uint32_t kl_take(struct klist *l, size_t i)
{
	uint32_t key = l->k[i];
	memmove(&l->k[i], &l->k[i + 1], (l->n - i - 1) * sizeof(l->k[0]));
	l->n--;
	return key;
}

static void kl_push(struct klist *l, uint32_t key)	/* at the MRU end */
{
	l->k[l->n++] = key;
}

/* ARC, Megiddo & Modha FAST'03, Fig. 4, p and delta as reals. */
struct ref_arc {
	struct klist t1, t2, b1, b2;
	double p;
	size_t c;
};

static void arc_replace(struct ref_arc *a, bool in_b2)
{
	if (a->t1.n > 0 && ((double)a->t1.n > a->p ||
			    (in_b2 && (double)a->t1.n == a->p)))
		kl_push(&a->b1, kl_take(&a->t1, 0));
	else
		kl_push(&a->b2, kl_take(&a->t2, 0));
}

static uint64_t ref_sim_arc(const uint32_t *keys, size_t n, size_t c,
			    const uint64_t *next_use)
{
	struct ref_arc a = { .c = c };
	uint64_t misses = 0;
	long i;

	(void)next_use;
	kl_init(&a.t1, 2 * c);
	kl_init(&a.t2, 2 * c);
	kl_init(&a.b1, 2 * c);
	kl_init(&a.b2, 2 * c);
	for (size_t j = 0; j < n; j++) {
		uint32_t x = keys[j];

		if ((i = kl_find(&a.t1, x)) >= 0) {		/* case I */
			kl_push(&a.t2, kl_take(&a.t1, (size_t)i));
		} else if ((i = kl_find(&a.t2, x)) >= 0) {
			kl_push(&a.t2, kl_take(&a.t2, (size_t)i));
		} else if ((i = kl_find(&a.b1, x)) >= 0) {	/* case II */
			double d = a.b1.n >= a.b2.n ? 1.0
				   : (double)a.b2.n / (double)a.b1.n;
			misses++;
			a.p = a.p + d < (double)c ? a.p + d : (double)c;
			arc_replace(&a, false);
			kl_take(&a.b1, (size_t)i);
			kl_push(&a.t2, x);
		} else if ((i = kl_find(&a.b2, x)) >= 0) {	/* case III */
			double d = a.b2.n >= a.b1.n ? 1.0
				   : (double)a.b1.n / (double)a.b2.n;
			misses++;
			a.p = a.p - d > 0 ? a.p - d : 0;
			arc_replace(&a, true);
			kl_take(&a.b2, (size_t)i);
			kl_push(&a.t2, x);
		} else {					/* case IV */
			size_t l1 = a.t1.n + a.b1.n;
			size_t all = l1 + a.t2.n + a.b2.n;
			misses++;
			if (l1 == c) {
				if (a.t1.n < c) {
					kl_take(&a.b1, 0);
					arc_replace(&a, false);
				} else {
					kl_take(&a.t1, 0);
				}
			} else if (all >= c) {
				if (all == 2 * c)
					kl_take(&a.b2, 0);
				arc_replace(&a, false);
			}
			kl_push(&a.t1, x);
		}
	}
	free(a.t1.k);
	free(a.t2.k);
	free(a.b1.k);
	free(a.b2.k);
	return misses;
}

/* 2Q full version, Johnson & Shasha VLDB'94, Kin = 25 %, Kout = 50 %. */
static uint64_t ref_sim_2q(const uint32_t *keys, size_t n, size_t c,
			   const uint64_t *next_use)
{
	struct klist a1in, am, a1out;
	size_t kin = c / 4, kout = c / 2;
	uint64_t misses = 0;
	long i;

	(void)next_use;
	kl_init(&a1in, c);
	kl_init(&am, c);
	kl_init(&a1out, kout + 1);
	for (size_t j = 0; j < n; j++) {
		uint32_t x = keys[j];

		if ((i = kl_find(&am, x)) >= 0) {
			kl_push(&am, kl_take(&am, (size_t)i));
			continue;
		}
		if (kl_find(&a1in, x) >= 0)
			continue;
		misses++;
		i = kl_find(&a1out, x);		/* "if x in A1out", first */
		if (i >= 0)
			kl_take(&a1out, (size_t)i);
		if (a1in.n + am.n >= c) {		/* reclaimfor(x) */
			if (a1in.n > kin || am.n == 0) {
				kl_push(&a1out, kl_take(&a1in, 0));
				if (a1out.n > kout)
					kl_take(&a1out, 0);
			} else {
				kl_take(&am, 0);
			}
		}
		if (i >= 0) {
			kl_push(&am, x);
		} else {
			kl_push(&a1in, x);
		}
	}
	free(a1in.k);
	free(am.k);
	free(a1out.k);
	return misses;
}

/* Belady's OPT: evict the resident key whose next use is farthest. */
static uint64_t ref_sim_opt(const uint32_t *keys, size_t n, size_t c,
			    const uint64_t *next_use)
{
	uint32_t *key = malloc(c * sizeof(*key));
	uint64_t *next = malloc(c * sizeof(*next)), misses = 0;
	size_t nres = 0;

	BUG_ON(!key || !next);
	for (size_t j = 0; j < n; j++) {
		size_t i = 0;

		while (i < nres && key[i] != keys[j])
			i++;
		if (i == nres) {
			misses++;
			if (nres == c) {
				i = 0;
				for (size_t k = 1; k < nres; k++)
					if (next[k] > next[i])
						i = k;
			} else {
				nres++;
			}
			key[i] = keys[j];
		}
		next[i] = next_use[j];
	}
	free(key);
	free(next);
	return misses;
}

struct miss_row {
	const char *spec;
	/* a reference simulator, or NULL to run seq row `model` as a cache */
	uint64_t (*ref)(const uint32_t *keys, size_t n, size_t npages,
			const uint64_t *next_use);
	const char *model;
};

static const struct miss_row miss_rows[] = {
	{ "arc", ref_sim_arc, NULL },
	{ "2q", ref_sim_2q, NULL },
	{ "opt", ref_sim_opt, NULL },
	{ "sieve", NULL, "sieve" },
	{ "lfu", NULL, "lfu" },
	{ "clock", NULL, "clock" },
};

/* Run a seq-row model as a cache simulator (every access is a hit or an
 * insert after one victim when full). */
static uint64_t model_sim(const char *name, const uint32_t *keys, size_t n,
			  uint32_t nkeys, size_t c)
{
	static struct ref m;
	const struct seq_row *row = NULL;
	bool *resident = calloc(nkeys, sizeof(bool));
	bool *never = calloc(nkeys, sizeof(bool));
	uint64_t misses = 0;

	BUG_ON(!resident || !never || c > REF_MAX);
	for (size_t i = 0; i < ARRAY_SIZE(seq_rows); i++)
		if (!strcmp(seq_rows[i].spec, name))
			row = &seq_rows[i];
	BUG_ON(!row);
	memset(&m, 0, sizeof(m));
	m.hand = -1;
	m.unevictable = never;
	for (size_t j = 0; j < n; j++) {
		if (resident[keys[j]]) {
			row->hit(&m, keys[j]);
			continue;
		}
		misses++;
		if (m.n == c)
			resident[row->victim(&m)] = false;
		row->insert(&m, keys[j]);
		resident[keys[j]] = true;
	}
	free(resident);
	free(never);
	return misses;
}

/* Traces: keys in [0, nkeys). */
enum { TR_UNIFORM, TR_ZIPF, TR_ZIPF_SCAN, TR_N };
static const char *const tr_name[TR_N] = { "uniform", "zipf", "zipf+scan" };

static uint32_t *make_trace(int kind, uint32_t nkeys, uint64_t seed)
{
	uint32_t *keys = zipf_keys(TR_LEN, nkeys, kind == TR_UNIFORM ? 0.0 : 1.0,
				   seed);

	/* zipf+scan: every third burst of 2000 accesses scans the keys */
	for (size_t i = 0; kind == TR_ZIPF_SCAN && i < TR_LEN; i++)
		if ((i / 2000) % 3 == 2)
			keys[i] = (uint32_t)(nkeys / 2 + i % (nkeys / 2));
	return keys;
}

int main(void)
{
	static const size_t sizes[] = { 4, 37, 150, 420 };
	const uint32_t nkeys = 1500;

	T_BEGIN("reclaim_ref");
	for (size_t i = 0; i < ARRAY_SIZE(seq_rows); i++)
		for (uint64_t seed = 1; seed <= 4; seed++) {
			long nv = seq_run(&seq_rows[i], seed);
			CHECK_MSG(nv > SEQ_NOPS / 10, "%s: victim sequences differ",
				  seq_rows[i].spec);
		}

	for (int t = 0; t < TR_N; t++) {
		uint32_t *keys = make_trace(t, nkeys, 100 + t);
		uint64_t *next = harness_next_use(keys, TR_LEN, nkeys);

		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
			for (size_t i = 0; i < ARRAY_SIZE(miss_rows); i++) {
				const struct miss_row *row = &miss_rows[i];
				uint64_t got = harness_run(row->spec, keys, TR_LEN,
							   nkeys, sizes[s], 1, next);
				uint64_t want = row->ref ?
					row->ref(keys, TR_LEN, sizes[s], next) :
					model_sim(row->model, keys, TR_LEN,
						  nkeys, sizes[s]);
				CHECK_MSG(got == want, "%s on %s at %zu pages: %llu "
					  "misses, reference %llu", row->spec,
					  tr_name[t], sizes[s],
					  (unsigned long long)got,
					  (unsigned long long)want);
			}
		free(next);
		free(keys);
	}
	return T_END();
}

/*
 * tests/t_sim.c — the simulator engine on event arrays.
 *
 *  - under `full` observation on key-only streams, lru, fifo, clock, random
 *    and opt miss counts equal a naive reference simulator written here (a
 *    linear scan per miss), on seeded zipf and loop streams at several sizes;
 *  - every registered policy gives the same misses as the reclaim harness;
 *  - OPT <= every policy; LRU misses never grow with RAM;
 *  - counters add up; on random multi-VMA streams with writes, writeout,
 *    discard, invalidate and sampling, the incremental kernel VMA count
 *    equals a recount from scratch after every batch (sim_check).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "policies/reclaim.h"
#include "sim/sim.h"
#include "tests/reclaim_harness.h"
#include "tests/testhelp.h"
#include "tests/zipf.h"

/* ---- the naive reference ------------------------------------------------ */

enum ref_kind { REF_LRU, REF_FIFO, REF_CLOCK, REF_RANDOM, REF_OPT };

/* Misses of an obviously correct cache of size c over keys[0..n). */
static uint64_t ref_misses(enum ref_kind kind, const uint32_t *keys, size_t n,
			   uint32_t nkeys, size_t c, uint64_t seed,
			   const uint64_t *next)
{
	uint32_t *cache = malloc(c * sizeof(*cache));	/* resident keys, oldest first */
	uint64_t *stamp = calloc(nkeys, sizeof(*stamp));	/* last use (LRU) */
	uint64_t *nu = calloc(nkeys, sizeof(*nu));		/* next use (OPT) */
	bool *in = calloc(nkeys, sizeof(*in)), *bit = calloc(nkeys, sizeof(*bit));
	size_t used = 0;
	uint64_t misses = 0;
	struct rng rng;

	rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		uint32_t k = keys[i];
		size_t v = 0;

		stamp[k] = i;
		nu[k] = next[i];
		if (in[k]) {
			bit[k] = true;
			continue;
		}
		misses++;
		if (used == c) {
			switch (kind) {
			case REF_LRU:	/* least recently used */
				for (size_t j = 1; j < used; j++)
					if (stamp[cache[j]] < stamp[cache[v]])
						v = j;
				break;
			case REF_FIFO:	/* oldest: slot 0 */
				break;
			case REF_CLOCK:	/* oldest with a clear bit; set bits get a second chance */
				while (bit[cache[0]]) {
					uint32_t t = cache[0];
					bit[t] = false;
					memmove(cache, cache + 1, (used - 1) * sizeof(*cache));
					cache[used - 1] = t;
				}
				break;
			case REF_RANDOM: /* uniform slot of an array kept by swap-remove */
				v = rng_below(&rng, used);
				break;
			case REF_OPT:	/* used farthest in the future */
				for (size_t j = 1; j < used; j++)
					if (nu[cache[j]] > nu[cache[v]])
						v = j;
				break;
			}
			in[cache[v]] = false;
			if (kind == REF_RANDOM)
				cache[v] = cache[used - 1];
			else
				memmove(cache + v, cache + v + 1, (used - v - 1) * sizeof(*cache));
			used--;
		}
		cache[used++] = k;
		in[k] = true;
		bit[k] = false;
	}
	free(cache);
	free(stamp);
	free(nu);
	free(in);
	free(bit);
	return misses;
}

/* ---- driving the simulator ------------------------------------------------- */

/* Key-only stream as events: mmap vma 0 over file 0, then reads. */
static struct event *key_events(const uint32_t *keys, size_t n, uint32_t nkeys,
				size_t *nev)
{
	struct event *ev = calloc(n + 1, sizeof(*ev));

	ev[0] = (struct event){ .type = EV_MMAP, .npages = nkeys };
	for (size_t i = 0; i < n; i++)
		ev[i + 1] = (struct event){ .type = EV_ACCESS, .page = keys[i] };
	*nev = n + 1;
	return ev;
}

static struct sim *mk(const char *reclaim, uint64_t ram, enum observe_mode m,
		      uint64_t interval, const uint64_t *next, uint64_t nnext)
{
	struct sim_config c = {
		.reclaim = reclaim, .pagemap = "radix", .alloc = "vmem",
		.ram_pages = ram, .observe = { m, interval }, .page_size = 4096,
		.reclaim_batch = 1, .seed = 7, .next_use = next, .nnext = nnext,
	};
	char err[256];
	struct sim *s = sim_create(&c, err, sizeof(err));

	if (!s)
		fprintf(stderr, "sim_create(%s): %s\n", reclaim, err);
	return s;
}

/* Run and return the counters; c->accesses = 0 on failure. */
static void run(const char *reclaim, uint64_t ram, const struct event *ev,
		size_t nev, const uint64_t *next, uint64_t nnext,
		struct counters *c)
{
	struct sim *s = mk(reclaim, ram, OBSERVE_FULL, 0, next, nnext);
	char err[256];

	memset(c, 0, sizeof(*c));
	if (!s)
		return;
	/* in uneven batches, to cover batch boundaries */
	for (size_t i = 0; i < nev;) {
		size_t k = 1 + (i * 7919) % 700;
		if (k > nev - i)
			k = nev - i;
		if (sim_apply(s, ev + i, k, i, err, sizeof(err))) {
			fprintf(stderr, "sim_apply: %s\n", err);
			sim_destroy(s);
			return;
		}
		i += k;
	}
	sim_counters(s, c);
	if (sim_check(s, err, sizeof(err)))
		fprintf(stderr, "sim_check: %s\n", err), c->accesses = 0;
	sim_destroy(s);
}

static void test_against_reference(void)
{
	static const struct { const char *name; enum ref_kind kind; } pol[] = {
		{ "lru", REF_LRU }, { "fifo", REF_FIFO }, { "clock", REF_CLOCK },
		{ "random", REF_RANDOM }, { "opt", REF_OPT },
	};
	static const size_t sizes[] = { 1, 3, 17, 100, 400 };
	const uint32_t nkeys = 600;
	const size_t n = 12000;
	uint32_t *keys = malloc(n * sizeof(*keys));
	struct zipf z;
	struct rng zr;

	for (int trace = 0; trace < 2; trace++) {
		uint64_t *next;
		struct event *ev;
		size_t nev;

		if (trace == 0) {
			zipf_init(&z, nkeys, 0.8);
			rng_seed(&zr, 42);
			for (size_t i = 0; i < n; i++)
				keys[i] = (uint32_t)(zipf_rank(&z, &zr) - 1);
		} else {	/* loops with noise: where LRU and OPT differ most */
			struct rng r;
			rng_seed(&r, 9);
			for (size_t i = 0; i < n; i++)
				keys[i] = rng_below(&r, 4) ? (uint32_t)(i % 150)
							   : (uint32_t)rng_below(&r, nkeys);
		}
		next = harness_next_use(keys, n, nkeys);
		ev = key_events(keys, n, nkeys, &nev);
		for (size_t p = 0; p < ARRAY_SIZE(pol); p++) {
			const struct reclaim_ops *ops = NULL;
			for (size_t i = 0; reclaim_registry[i]; i++)
				if (!strcmp(reclaim_registry[i]->name, pol[p].name))
					ops = reclaim_registry[i];
			REQUIRE_MSG(ops != NULL, "reclaim %s is not registered",
				    pol[p].name);
			for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
				struct counters c;
				uint64_t want = ref_misses(pol[p].kind, keys, n, nkeys,
							   sizes[k], 7, next);
				run(pol[p].name, sizes[k], ev, nev, next, n, &c);
				CHECK_EQ(c.accesses, n);
				CHECK_MSG(c.faults == want,
					  "%s trace %d size %zu: sim %llu misses, reference %llu",
					  pol[p].name, trace, sizes[k],
					  (unsigned long long)c.faults,
					  (unsigned long long)want);
			}
		}
		free(next);
		free(ev);
	}
	free(keys);
}

/* Every policy: the sim under `full` equals the reclaim harness; OPT is a
 * lower bound; LRU is monotone in RAM; counters add up. */
static void test_all_policies(void)
{
	static const size_t sizes[] = { 2, 10, 50, 120, 250, 500 };
	const uint32_t nkeys = 800;
	const size_t n = 15000;
	uint32_t *keys = malloc(n * sizeof(*keys));
	uint64_t *next, lru_prev = UINT64_MAX;
	struct event *ev;
	size_t nev;
	struct zipf z;
	struct rng zr;

	zipf_init(&z, nkeys, 0.9);
	rng_seed(&zr, 3);
	for (size_t i = 0; i < n; i++)
		keys[i] = (uint32_t)(zipf_rank(&z, &zr) - 1);
	next = harness_next_use(keys, n, nkeys);
	ev = key_events(keys, n, nkeys, &nev);
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		uint64_t opt = ref_misses(REF_OPT, keys, n, nkeys, sizes[k], 0, next);

		for (size_t p = 0; reclaim_registry[p]; p++) {
			const char *name = reclaim_registry[p]->name;
			struct counters c;
			uint64_t h = harness_run(name, keys, n, nkeys, sizes[k], 7, next);

			run(name, sizes[k], ev, nev, next, n, &c);
			CHECK_MSG(c.faults == h, "%s size %zu: sim %llu, harness %llu",
				  name, sizes[k], (unsigned long long)c.faults,
				  (unsigned long long)h);
			CHECK_MSG(c.faults >= opt, "%s size %zu: %llu misses below OPT's %llu",
				  name, sizes[k], (unsigned long long)c.faults,
				  (unsigned long long)opt);
			CHECK_EQ(c.accesses, n);
			CHECK_EQ(c.hits + c.faults, c.accesses);
			CHECK_EQ(c.loads, c.by_class[FAULT_LOAD]);
			CHECK_EQ(c.faults, c.by_class[FAULT_LOAD]);	/* reads, one VMA */
			CHECK(c.ram_pages_peak <= sizes[k]);
			CHECK_EQ(c.evictions, c.loads - c.ram_pages_peak);
			if (!strcmp(name, "lru")) {
				CHECK(c.faults <= lru_prev);
				lru_prev = c.faults;
			}
		}
	}
	free(next);
	free(ev);
	free(keys);
}

/* Random streams over several files and VMAs (overlapping views), with
 * writes, writeout, discard, invalidate, unmap/remap; every observation
 * mode and both page sizes; sim_check after every event batch. */
/*
 * The same events applied in batches (the whole stream, then uneven
 * pieces) give exactly the counters of one-event-at-a-time application:
 * the simulator's look-ahead, which resolves accesses up to 32 events
 * ahead and must start over after every mmap and unmap, changes nothing.
 */
static void check_batched(const struct sim_config *cfg, const struct event *evs,
			  size_t nev, const struct counters *one, int round)
{
	for (int how = 0; how < 2; how++) {
		char err[256];
		struct sim *s = sim_create(cfg, err, sizeof(err));
		struct counters c;
		size_t i = 0;

		REQUIRE_MSG(s != NULL, "%s", err);
		while (i < nev) {
			size_t k = how == 0 ? nev : 1 + (i * 7919 + 13) % 97;

			if (k > nev - i)
				k = nev - i;
			if (sim_apply(s, evs + i, k, i, err, sizeof(err))) {
				CHECK_MSG(0, "round %d batched: %s", round, err);
				break;
			}
			i += k;
		}
		sim_counters(s, &c);
		CHECK_MSG(memcmp(&c, one, sizeof(c)) == 0,
			  "round %d: batches of %s change the counters (faults %llu vs %llu)",
			  round, how ? "up to 97" : "the whole stream",
			  (unsigned long long)c.faults, (unsigned long long)one->faults);
		CHECK_MSG(sim_check(s, err, sizeof(err)) == 0, "round %d: %s", round, err);
		sim_destroy(s);
	}
}

static void test_random_streams(void)
{
	for (int round = 0; round < 12; round++) {
		enum observe_mode m = round % 3 == 0 ? OBSERVE_FULL :
				      round % 3 == 1 ? OBSERVE_FAULTS : OBSERVE_SAMPLED;
		struct sim_config cfg = {
			.reclaim = round & 4 ? "clock" : "lru", .pagemap = round & 1 ? "hash" : "radix",
			.alloc = round & 2 ? "bitmap" : "vmem", .ram_pages = 24 + (uint64_t)round * 5,
			.observe = { m, 37 }, .page_size = round >= 8 ? 2u << 20 : 4096,
			.reclaim_batch = 1 + (uint32_t)(round % 4), .seed = (uint64_t)round,
		};
		char err[256];
		struct sim *s = sim_create(&cfg, err, sizeof(err));
		struct rng r;
		bool live[6] = { false };
		uint64_t len[6] = { 0 };
		int ok = 1;
		struct event *evs = calloc(4000, sizeof(*evs));
		size_t nev = 0;

		REQUIRE_MSG(s != NULL, "%s", err);
		rng_seed(&r, 100 + (uint64_t)round);
		for (int step = 0; step < 4000 && ok; step++) {
			struct event ev = { 0 };
			uint32_t v = (uint32_t)rng_below(&r, 6);
			uint64_t x = rng_below(&r, 100);

			if (!live[v]) {
				ev.type = EV_MMAP;
				ev.vma = v;
				ev.file = v % 2;	/* VMAs 0,2,4 and 1,3,5 share files */
				ev.page = rng_below(&r, 8);
				ev.npages = 8 + rng_below(&r, 40);
				live[v] = true;
				len[v] = ev.npages;
			} else if (x < 85) {
				ev.type = EV_ACCESS;
				ev.vma = v;
				ev.page = rng_below(&r, 4) ? rng_below(&r, len[v] < 12 ? len[v] : 12)
							   : rng_below(&r, len[v]);
				ev.write = rng_below(&r, 3) == 0;
			} else if (x < 92) {
				ev.type = EV_WRITEOUT;
				ev.file = v % 2;
				ev.flags = (uint8_t)(1 + rng_below(&r, 3));
			} else if (x < 94) {
				ev.type = EV_DISCARD;
				ev.file = v % 2;
			} else if (x < 97) {
				ev.type = EV_INVALIDATE;
				ev.file = v % 2;
				ev.page = rng_below(&r, 50);
			} else {
				ev.type = EV_UNMAP;
				ev.vma = v;
				live[v] = false;
			}
			evs[nev++] = ev;
			if (sim_apply(s, &ev, 1, (uint64_t)step, err, sizeof(err))) {
				/* the only legitimate failure: all of RAM dirty */
				CHECK_MSG(strstr(err, "dirty working set") != NULL, "%s", err);
				ok = 0;
				break;
			}
			if (sim_check(s, err, sizeof(err))) {
				CHECK_MSG(0, "round %d step %d: %s", round, step, err);
				ok = 0;
			}
		}
		{
			struct counters c;
			sim_counters(s, &c);
			CHECK_EQ(c.hits + c.faults, c.accesses);
			CHECK_EQ(c.loads, c.by_class[FAULT_LOAD]);
			CHECK_EQ(c.faults, c.by_class[FAULT_LOAD] + c.by_class[FAULT_MAP] +
					   c.by_class[FAULT_DIRTY] + c.by_class[FAULT_REF]);
			CHECK(c.ram_pages_peak <= cfg.ram_pages);
			CHECK(c.vmas <= c.vmas_peak);
			CHECK((m == OBSERVE_SAMPLED) == (c.by_class[FAULT_REF] > 0));
			CHECK(c.by_class[FAULT_MAP] > 0 && c.by_class[FAULT_DIRTY] > 0);
			if (ok)
				check_batched(&cfg, evs, nev, &c, round);
		}
		sim_destroy(s);
		free(evs);
	}
}

/* Bad configurations and events: messages, no crash. */
static void test_errors(void)
{
	struct sim_config c = {
		.reclaim = "lru", .pagemap = "radix", .alloc = "vmem", .ram_pages = 4,
		.observe = { OBSERVE_FAULTS, 0 }, .page_size = 4096,
	};
	char err[256];
	struct sim *s;
	struct event ev[4] = {
		{ .type = EV_MMAP, .vma = 1, .npages = 4 },
		{ .type = EV_ACCESS, .vma = 1, .page = 4 },
	};

	c.reclaim = "nosuch";
	CHECK(!sim_create(&c, err, sizeof(err)) && strstr(err, "nosuch"));
	c.reclaim = "lru";
	c.pagemap = "nosuch";
	CHECK(!sim_create(&c, err, sizeof(err)) && strstr(err, "nosuch"));
	c.pagemap = "radix";
	c.ram_pages = 0;
	CHECK(!sim_create(&c, err, sizeof(err)) && strstr(err, "0 pages"));
	c.ram_pages = SIM_ARENA_PAGES + 1;
	CHECK(!sim_create(&c, err, sizeof(err)) && strstr(err, "address space"));
	c.ram_pages = 4;
	for (size_t i = 0; reclaim_registry[i]; i++) {
		if (!(reclaim_registry[i]->flags & RECLAIM_NEEDS_FUTURE))
			continue;
		c.reclaim = reclaim_registry[i]->name;
		CHECK(!sim_create(&c, err, sizeof(err)) && strstr(err, "full"));
		c.reclaim = "lru";
	}

	s = sim_create(&c, err, sizeof(err));
	REQUIRE_MSG(s != NULL, "%s", err);
	CHECK(sim_apply(s, ev, 2, 10, err, sizeof(err)) == -1);
	CHECK(strstr(err, "event 11") && strstr(err, "4 pages"));
	sim_destroy(s);

	s = sim_create(&c, err, sizeof(err));
	ev[1] = (struct event){ .type = EV_ACCESS, .vma = 2 };
	CHECK(sim_apply(s, ev, 2, 0, err, sizeof(err)) == -1 && strstr(err, "vma 2"));
	sim_destroy(s);

	/* RAM of 2 pages, 3 dirty pages: the run fails with a message. */
	c.ram_pages = 2;
	s = sim_create(&c, err, sizeof(err));
	ev[1] = (struct event){ .type = EV_ACCESS, .vma = 1, .page = 0, .write = 1 };
	ev[2] = (struct event){ .type = EV_ACCESS, .vma = 1, .page = 1, .write = 1 };
	ev[3] = (struct event){ .type = EV_ACCESS, .vma = 1, .page = 2, .write = 1 };
	CHECK(sim_apply(s, ev, 4, 0, err, sizeof(err)) == -1 &&
	      strstr(err, "event 3") && strstr(err, "dirty working set"));
	sim_destroy(s);
}

int main(void)
{
	T_BEGIN("sim");
	test_against_reference();
	test_all_policies();
	test_random_streams();
	test_errors();
	return T_END();
}

/*
 * policies/tmem/tmem.c — the tmem core: pools, handles, the seed's
 * coherency rules, capacity and the ephemeral eviction order.
 *
 * After drivers/staging/zcache/tmem.c (Magenheimer 2009-2011): a handle is
 * (pool, object, index); objects are found by hash, pages within an object
 * by index.  Here a pool's objects live in a `hash` pagemap keyed by object
 * id and an object's pages in a `radix` pagemap keyed by index, so the tier
 * adds no tree of its own.  policies/tmem.h states the rules and the
 * capacity policy; this file is their one implementation.
 *
 * A stored page is one allocation from the mem source: its record
 * (struct tmem_page) followed by the stored bytes (none for a one-word
 * page, whose word sits in the record).  Ephemeral pages of every pool are
 * on one list in put order, the eviction order of persistent puts.
 */
#include "policies/tmem.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/bug.h"
#include "common/list.h"
#include "policies/pagemap.h"

struct tmem_obj {
	uint64_t oid;
	struct pagemap *pages;		/* index -> struct tmem_page */
};

struct tmem_page {
	struct list_head lru;		/* on tmem.eph_lru if ephemeral */
	struct tmem_obj *obj;
	struct tmem_pool *pool;
	uint64_t index;
	uint32_t bytes;			/* stored bytes charged (8 for a word) */

	uint64_t csum;			/* tmem_checksum of the stored bytes */
	bool is_word;			/* same-filled: kept as word */
	bool has_data;			/* false: a tmem_put_size page */
	uint64_t word;
	unsigned char data[];		/* the store's bytes (!is_word) */
};

struct tmem_pool {
	bool used;
	enum tmem_pool_kind kind;
	struct pagemap *objs;		/* oid -> struct tmem_obj */
};

struct tmem {
	const struct mem_source *mem;
	struct tmem_store *store;
	size_t page_bytes;
	size_t capacity_bytes;
	void *scratch;			/* page_bytes: compress output */
	struct list_head eph_lru;	/* ephemeral pages, oldest first */
	uint64_t eph_bytes;		/* stored bytes of those */
	size_t nobjs;			/* objects in every pool */
	struct tmem_stats st;
	struct tmem_pool pools[TMEM_MAX_POOLS];
};

typedef uint64_t csum_vec __attribute__((vector_size(16)));

uint64_t tmem_checksum(const void *p, size_t bytes)
{
	const unsigned char *b = p;
	const csum_vec lo32 = { 0xffffffffu, 0xffffffffu };
	csum_vec lo = { 0 }, hi = { 0 }, run = { 0 }, w;
	uint64_t sum = 0, pos = 0;
	uint32_t t;

	/*
	 * Fletcher's idea on 32-bit words: sum = the words' sum, pos = the
	 * sum of the running sums after every 16-byte block.  A change
	 * within one 32-bit word changes sum by a nonzero amount below
	 * 2^32, so every single-byte flip (any change inside one word) is
	 * found; pos makes it sensitive to order.  The two lanes of a 16-byte
	 * vector (one SSE2 register; GCC/clang vector extensions) do not
	 * depend on each other.
	 */
	for (; bytes >= 16; b += 16, bytes -= 16) {
		memcpy(&w, b, 16);
		lo += w & lo32;
		hi += w >> 32;
		run += lo + hi;
	}
	for (int i = 0; i < 2; i++) {
		sum += lo[i] + hi[i];
		pos += run[i];
	}
	for (; bytes >= 4; b += 4, bytes -= 4) {
		memcpy(&t, b, 4);
		sum += t;
		pos += sum;
	}
	if (bytes) {
		t = 0;
		memcpy(&t, b, bytes);
		sum += (uint64_t)t + 1;	/* + 1: a zero tail still counts */
		pos += sum;
	}
	return (sum & 0xffffffffull) ^ (sum >> 32 << 32) ^ (pos << 32);
}

/* True if every 64-bit word of page equals the first (stored in *word). */
static bool page_same_filled(const void *page, size_t page_bytes,
			     uint64_t *word)
{
	const unsigned char *b = page;
	uint64_t w0, w;

	memcpy(&w0, b, 8);
	for (size_t off = 8; off < page_bytes; off += 8) {
		memcpy(&w, b + off, 8);
		if (w != w0)
			return false;
	}
	*word = w0;
	return true;
}

static struct tmem_pool *pool_of(struct tmem *t, int pool)
{
	BUG_ON(pool < 0 || pool >= TMEM_MAX_POOLS || !t->pools[pool].used);
	return &t->pools[pool];
}

static struct tmem_obj *obj_find(struct tmem_pool *p, uint64_t oid)
{
	return pagemap_get(p->objs, oid);
}

static struct tmem_obj *obj_find_or_create(struct tmem *t,
					   struct tmem_pool *p, uint64_t oid)
{
	struct tmem_obj *o = obj_find(p, oid);
	char err[128];

	if (o)
		return o;
	o = mem_alloc(t->mem, sizeof(*o), 0);
	if (!o)
		return NULL;
	o->oid = oid;
	o->pages = pagemap_create("radix", &(const struct pagemap_params){
					  .mem = t->mem }, err, sizeof(err));
	if (!o->pages || pagemap_set(p->objs, oid, o)) {
		pagemap_destroy(o->pages);
		mem_free(t->mem, o, sizeof(*o), 0);
		return NULL;
	}
	t->nobjs++;
	return o;
}

/* Free obj if it holds no page. */
static void obj_release_if_empty(struct tmem *t, struct tmem_pool *p,
				 struct tmem_obj *o)
{
	if (o->pages->count)
		return;
	BUG_ON(pagemap_del(p->objs, o->oid) != o);
	pagemap_destroy(o->pages);
	mem_free(t->mem, o, sizeof(*o), 0);
	t->nobjs--;
}

static size_t page_alloc_bytes(const struct tmem_page *pg)
{
	return sizeof(*pg) + (pg->is_word || !pg->has_data ? 0 : pg->bytes);
}

/* Drop pg from its object, the lists and the accounting, and free it;
 * free its object too when that becomes empty, unless keep_obj (a put
 * that replaces pg: the caller releases the object if the put fails). */
static void page_drop_keep(struct tmem *t, struct tmem_page *pg, bool keep_obj)
{
	struct tmem_obj *o = pg->obj;
	struct tmem_pool *p = pg->pool;

	BUG_ON(pagemap_del(o->pages, pg->index) != pg);
	if (p->kind == TMEM_EPHEMERAL) {
		list_del(&pg->lru);
		t->eph_bytes -= pg->bytes;
	}
	t->st.bytes -= pg->bytes;
	t->st.pages--;
	mem_free(t->mem, pg, page_alloc_bytes(pg), 0);
	if (!keep_obj)
		obj_release_if_empty(t, p, o);
}

static void page_drop(struct tmem *t, struct tmem_page *pg)
{
	page_drop_keep(t, pg, false);
}

static struct tmem_page *page_find(struct tmem_pool *p, uint64_t oid,
				   uint64_t index)
{
	struct tmem_obj *o = obj_find(p, oid);

	return o ? pagemap_get(o->pages, index) : NULL;
}

/* Make room for bytes more in a pool of kind: true if they now fit.  A
 * persistent put evicts ephemeral pages, oldest first, but only when that
 * is enough. */
static bool make_room(struct tmem *t, enum tmem_pool_kind kind, size_t bytes)
{
	if (t->st.bytes + bytes <= t->capacity_bytes)
		return true;
	if (kind == TMEM_EPHEMERAL ||
	    t->st.bytes - t->eph_bytes + bytes > t->capacity_bytes)
		return false;
	while (t->st.bytes + bytes > t->capacity_bytes) {
		struct tmem_page *old = container_of(list_first(&t->eph_lru),
						     struct tmem_page, lru);
		page_drop(t, old);
		t->st.evictions++;
	}
	return true;
}

static int put_refused(struct tmem *t, int rc)
{
	t->st.put_refused++;
	return rc;
}

/*
 * The one put: bytes is the stored size (0: the store refused the page),
 * data the stored bytes or NULL (the simulator's dataless put; then is_word
 * and word only say what kind of page it was).
 */
static int put_common(struct tmem *t, int pool, uint64_t oid, uint64_t index,
		      size_t bytes, bool is_word, uint64_t word,
		      const void *data)
{
	struct tmem_pool *p = pool_of(t, pool);
	struct tmem_obj *o = obj_find(p, oid);
	struct tmem_page *pg = o ? pagemap_get(o->pages, index) : NULL;
	size_t data_bytes = data && !is_word ? bytes : 0;

	t->st.puts++;
	if (pg) {			/* rule 1: the old copy goes first */
		page_drop_keep(t, pg, true);
		t->st.put_replaced++;
	}
	if (!bytes || !make_room(t, p->kind, bytes)) {
		if (o)		/* never evicted: make_room drops only
				 * ephemeral pages, and only for a
				 * persistent put */
			obj_release_if_empty(t, p, o);
		return put_refused(t, bytes ? -ENOSPC : -E2BIG);
	}
	o = obj_find_or_create(t, p, oid);
	if (!o)
		return put_refused(t, -ENOMEM);
	pg = mem_alloc(t->mem, sizeof(*pg) + data_bytes, 0);
	if (!pg) {
		obj_release_if_empty(t, p, o);
		return put_refused(t, -ENOMEM);
	}
	pg->obj = o;
	pg->pool = p;
	pg->index = index;
	pg->bytes = (uint32_t)bytes;
	pg->is_word = is_word;
	pg->has_data = data != NULL;
	pg->word = word;
	if (is_word) {
		pg->csum = tmem_checksum(&pg->word, sizeof(pg->word));
	} else if (data) {
		memcpy(pg->data, data, bytes);
		pg->csum = tmem_checksum(pg->data, bytes);
	}
	if (pagemap_set(o->pages, index, pg)) {
		mem_free(t->mem, pg, page_alloc_bytes(pg), 0);
		obj_release_if_empty(t, p, o);
		return put_refused(t, -ENOMEM);
	}
	list_init(&pg->lru);
	if (p->kind == TMEM_EPHEMERAL) {
		list_add_tail(&pg->lru, &t->eph_lru);
		t->eph_bytes += bytes;
	}
	t->st.pages++;
	t->st.bytes += bytes;
	t->st.stored_bytes += bytes;
	t->st.word_pages += is_word;
	if (t->st.bytes > t->st.bytes_peak)
		t->st.bytes_peak = t->st.bytes;
	return 0;
}

int tmem_put(struct tmem *t, int pool, uint64_t oid, uint64_t index,
	     const void *page)
{
	uint64_t word = 0;
	size_t bytes;

	if (page_same_filled(page, t->page_bytes, &word))
		return put_common(t, pool, oid, index, sizeof(word), true,
				  word, page);
	bytes = t->store->ops->compress(t->store, page, t->scratch,
					t->page_bytes);
	BUG_ON(bytes > t->page_bytes);
	return put_common(t, pool, oid, index, bytes, false, 0, t->scratch);
}

int tmem_put_size(struct tmem *t, int pool, uint64_t oid, uint64_t index,
		  size_t stored_bytes)
{
	BUG_ON(stored_bytes > t->page_bytes);
	return put_common(t, pool, oid, index, stored_bytes,
			  stored_bytes == sizeof(uint64_t), 0, NULL);
}

/* Decode pg into page after checking its checksum: 0 or -EIO. */
static int page_decode(struct tmem *t, const struct tmem_page *pg, void *page)
{
	BUG_ON(!pg->has_data);
	if (pg->is_word) {
		uint64_t *w = page;

		if (tmem_checksum(&pg->word, sizeof(pg->word)) != pg->csum)
			return -EIO;
		for (size_t i = 0; i < t->page_bytes / sizeof(*w); i++)
			w[i] = pg->word;
		return 0;
	}
	if (tmem_checksum(pg->data, pg->bytes) != pg->csum)
		return -EIO;
	return t->store->ops->decompress(t->store, pg->data, pg->bytes, page)
		? -EIO : 0;
}

int tmem_get(struct tmem *t, int pool, uint64_t oid, uint64_t index,
	     void *page)
{
	struct tmem_pool *p = pool_of(t, pool);
	struct tmem_page *pg = page_find(p, oid, index);

	t->st.gets++;
	if (!pg)
		return -ENOENT;
	BUG_ON(!page && pg->has_data);
	if (page && page_decode(t, pg, page)) {
		/* rule 4: a bad copy goes, so later gets fail too */
		page_drop(t, pg);
		t->st.get_corrupt++;
		return -EIO;
	}
	if (p->kind == TMEM_EPHEMERAL)	/* rule 2: exclusive */
		page_drop(t, pg);
	t->st.get_hits++;
	return 0;
}

int tmem_flush_page(struct tmem *t, int pool, uint64_t oid, uint64_t index)
{
	struct tmem_page *pg = page_find(pool_of(t, pool), oid, index);

	if (!pg)
		return 0;
	page_drop(t, pg);
	t->st.flushes++;
	return 1;
}

static int first_value(uint64_t key, void *value, void *arg)
{
	(void)key;
	*(void **)arg = value;
	return 1;
}

size_t tmem_flush_object(struct tmem *t, int pool, uint64_t oid)
{
	struct tmem_obj *o = obj_find(pool_of(t, pool), oid);
	size_t n;

	if (!o)
		return 0;
	n = o->pages->count;
	/* The last page frees the object, so stop by count, not by o. */
	for (size_t i = 0; i < n; i++) {
		struct tmem_page *pg = NULL;

		pagemap_for_each(o->pages, first_value, &pg);
		page_drop(t, pg);
	}
	t->st.flushes += n;
	return n;
}

int tmem_new_pool(struct tmem *t, enum tmem_pool_kind kind)
{
	char err[128];

	for (int i = 0; i < TMEM_MAX_POOLS; i++) {
		struct tmem_pool *p = &t->pools[i];

		if (p->used)
			continue;
		p->objs = pagemap_create("hash", &(const struct pagemap_params){
					 .mem = t->mem }, err, sizeof(err));
		if (!p->objs)
			return -ENOMEM;
		p->used = true;
		p->kind = kind;
		return i;
	}
	return -ENOSPC;
}

void tmem_destroy_pool(struct tmem *t, int pool)
{
	struct tmem_pool *p = pool_of(t, pool);

	/* Objects are few (one per file): take the first until none. */
	while (p->objs->count) {
		struct tmem_obj *o = NULL;

		pagemap_for_each(p->objs, first_value, &o);
		tmem_flush_object(t, pool, o->oid);
	}
	pagemap_destroy(p->objs);
	p->objs = NULL;
	p->used = false;
}

struct tmem *tmem_create(size_t capacity_bytes, struct tmem_store *store,
			 char *err, size_t errlen)
{
	const struct mem_source *mem = store->mem;
	size_t page_bytes = store->page_bytes;
	struct tmem *t;

	BUG_ON(page_bytes < 64 || page_bytes % 8 || page_bytes > UINT32_MAX);
	if (!capacity_bytes) {
		snprintf(err, errlen, "tmem: capacity must be at least 1 byte");
		tmem_store_destroy(store);
		return NULL;
	}
	t = mem_alloc(mem, sizeof(*t), 0);
	if (t && !(t->scratch = mem_alloc(mem, page_bytes, 0))) {
		mem_free(mem, t, sizeof(*t), 0);
		t = NULL;
	}
	if (!t) {
		snprintf(err, errlen, "tmem: out of memory");
		tmem_store_destroy(store);
		return NULL;
	}
	t->mem = mem;
	t->store = store;
	t->page_bytes = page_bytes;
	t->capacity_bytes = capacity_bytes;
	list_init(&t->eph_lru);
	return t;
}

void tmem_destroy(struct tmem *t)
{
	if (!t)
		return;
	for (int i = 0; i < TMEM_MAX_POOLS; i++)
		if (t->pools[i].used)
			tmem_destroy_pool(t, i);
	BUG_ON(t->st.pages || t->st.bytes || t->nobjs);
	tmem_store_destroy(t->store);
	mem_free(t->mem, t->scratch, t->page_bytes, 0);
	mem_free(t->mem, t, sizeof(*t), 0);
}

size_t tmem_stored_size(struct tmem *t, const void *page)
{
	uint64_t word;

	if (page_same_filled(page, t->page_bytes, &word))
		return sizeof(word);
	return t->store->ops->compress(t->store, page, t->scratch,
				       t->page_bytes);
}

void *tmem_stored_bytes(struct tmem *t, int pool, uint64_t oid,
			uint64_t index, size_t *bytes)
{
	struct tmem_page *pg = page_find(pool_of(t, pool), oid, index);

	if (!pg || !pg->has_data)
		return NULL;
	*bytes = pg->bytes;
	return pg->is_word ? (void *)&pg->word : (void *)pg->data;
}

const struct tmem_stats *tmem_stats(const struct tmem *t)
{
	return &t->st;
}

size_t tmem_capacity_bytes(const struct tmem *t)
{
	return t->capacity_bytes;
}

static int add_map_bytes(uint64_t key, void *value, void *arg)
{
	const struct tmem_obj *o = value;

	(void)key;
	*(size_t *)arg += sizeof(*o) + o->pages->ops->mem_bytes(o->pages);
	return 0;
}

size_t tmem_index_bytes(const struct tmem *t)
{
	size_t n = sizeof(*t) + t->st.pages * sizeof(struct tmem_page);

	for (int i = 0; i < TMEM_MAX_POOLS; i++) {
		const struct tmem_pool *p = &t->pools[i];

		if (!p->used)
			continue;
		n += p->objs->ops->mem_bytes(p->objs);
		pagemap_for_each(p->objs, add_map_bytes, &n);
	}
	return n;
}

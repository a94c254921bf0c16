/*
 * real/ram.c — the RAM registry and RAM handles (see real/ram.h).
 *
 * What is common to every RAM type lives here: the size limit, the test
 * hook that refuses the N-th allocation, page offsets through the allocator
 * policy, the standing window (a shared mapping of the RAM file in 1 GiB
 * chunks, mapped on first use, so loads need no mmap/munmap of their own),
 * hole punching.  A type only says how to open a file and how big its pages
 * are (ram_shmfs.c, ram_hugetlbfs.c).
 */
#define _GNU_SOURCE
#include "real/ram.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/bug.h"
#include "policies/alloc.h"
#include "real/ram_type.h"
#include "real/virtmem.h"

extern const struct ram_type ram_type_shmfs, ram_type_hugetlbfs;

const struct ram_type *const ram_types[] = {
	&ram_type_shmfs,
	&ram_type_hugetlbfs,
	NULL
};

#define RAM_ARENA_NPAGES	(1ull << 40)	/* docs/ENGINE.md: alloc over [0, 2^40) */
#define RAM_CHUNK_BYTES		(1ull << 30)	/* standing window chunk */
#define RAM_MAX_CHUNKS		(1u << 20)	/* beyond: temporary mappings */

struct ram *ram_new(const char *type, const char *arg, char *err, size_t errlen)
{
	const struct ram_type *t = NULL;
	struct ram *ram;
	size_t i;

	for (i = 0; ram_types[i]; i++)
		if (type && !strcmp(ram_types[i]->name, type))
			t = ram_types[i];
	if (!t) {
		size_t n = (size_t)snprintf(err, errlen, "ram: unknown type '%s' (valid:",
					    type ? type : "(null)");
		for (i = 0; ram_types[i] && n < errlen; i++)
			n += (size_t)snprintf(err + n, errlen - n, " %s", ram_types[i]->name);
		if (n < errlen)
			snprintf(err + n, errlen - n, ")");
		return NULL;
	}
	ram = calloc(1, sizeof(*ram));
	if (!ram) {
		snprintf(err, errlen, "ram %s: out of memory", t->name);
		return NULL;
	}
	ram->type = t;
	if (t->init(ram, arg, err, errlen)) {
		free(ram);
		return NULL;
	}
	BUG_ON(ram->pagesize == 0 || (ram->pagesize & (ram->pagesize - 1)));
	ram->pageshift = (unsigned)__builtin_ctzl(ram->pagesize);
	snprintf(ram->alloc_spec, sizeof(ram->alloc_spec), "%s", virtmem_default_policy("alloc"));
	if (virtmem_ram_init(ram, err, errlen)) {
		if (t->fini)
			t->fini(ram);
		free(ram);
		return NULL;
	}
	return ram;
}

static pthread_mutex_t ram_default_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ram *ram_defaults[8];

struct ram *ram_get_default(const char *type, char *err, size_t errlen)
{
	struct ram *ram;
	size_t i;

	for (i = 0; ram_types[i]; i++)
		if (type && !strcmp(ram_types[i]->name, type))
			break;
	if (!ram_types[i])
		return ram_new(type, NULL, err, errlen);	/* NULL, the message */
	BUG_ON(i >= ARRAY_SIZE(ram_defaults));
	pthread_mutex_lock(&ram_default_lock);
	if (!ram_defaults[i]) {
		ram_defaults[i] = ram_new(type, NULL, err, errlen);
		if (ram_defaults[i])
			ram_defaults[i]->is_default = 1;
	}
	ram = ram_defaults[i];
	pthread_mutex_unlock(&ram_default_lock);
	return ram;
}

uint64_t ram_get_current_maxsize(struct ram *ram)
{
	return ram->type->current_maxsize(ram);
}

int ram_close(struct ram *ram)
{
	if (!ram || ram->is_default)
		return 0;
	if (virtmem_ram_fini(ram)) {
		fprintf(stderr, "ram_close: file handles are still open on this %s RAM; "
			"close them first\n", ram->type->name);
		return -EBUSY;
	}
	if (ram->type->fini)
		ram->type->fini(ram);
	free(ram);
	return 0;
}

void ram_test_fail_nth(struct ram *ram, uint64_t n)
{
	ram->fail_nth = n ? ram->nallocs + n : 0;
}

/* --- handles ---------------------------------------------------------- */

struct ramh *ramh_open(struct ram *ram, const char *alloc_spec, char *err, size_t errlen)
{
	struct ramh *h = calloc(1, sizeof(*h));
	uint64_t chunk_npages = RAM_CHUNK_BYTES >> ram->pageshift;

	if (!h) {
		snprintf(err, errlen, "ram %s: out of memory", ram->type->name);
		return NULL;
	}
	h->ram = ram;
	h->chunk_shift = (unsigned)__builtin_ctzll(chunk_npages);
	h->arena_npages = RAM_ARENA_NPAGES;
	h->fd = ram->type->open_file(ram, err, errlen);
	if (h->fd < 0)
		goto fail;
	/* The whole arena as one sparse file: any offset can be mapped
	 * without growing it (mapping past EOF would SIGBUS on touch). */
	if (ftruncate(h->fd, (off_t)(h->arena_npages << ram->pageshift)) < 0) {
		snprintf(err, errlen, "ram %s: ftruncate to %llu pages: %s", ram->type->name,
			 (unsigned long long)h->arena_npages, strerror(errno));
		goto fail;
	}
	h->alloc = alloc_create(alloc_spec ? alloc_spec : ram->alloc_spec,
				&(const struct alloc_params){
					.base = 0, .size = h->arena_npages,
					.quantum = 1, .mem = &mem_default },
				err, errlen);
	if (!h->alloc)
		goto fail;
	return h;
fail:
	if (h->fd >= 0)
		close(h->fd);
	free(h);
	return NULL;
}

int ramh_alloc_page(struct ramh *h, uint64_t pgoff_hint, uint64_t *ramoff)
{
	struct ram *ram = h->ram;
	uint64_t off;
	int ret;

	ram->nallocs++;
	if (ram->fail_nth && ram->nallocs == ram->fail_nth)
		return -ENOMEM;
	if (ram->npages_limit && ram->npages >= ram->npages_limit)
		return -ENOSPC;
	if (pgoff_hint != ALLOC_NOHINT && pgoff_hint >= h->arena_npages)
		pgoff_hint = ALLOC_NOHINT;
	ret = alloc_alloc(h->alloc, 1, pgoff_hint, &off);
	if (ret)
		return ret < 0 ? ret : -ENOMEM;
	if (ram->type->prealloc && ram->type->prealloc(ram)) {
		/* Make exhaustion of the backing show here, not as a SIGBUS
		 * when the page is first touched. */
		if (fallocate(h->fd, 0, (off_t)(off << ram->pageshift),
			      (off_t)ram->pagesize) < 0) {
			ret = errno == ENOSPC || errno == ENOMEM ? -ENOSPC : -errno;
			alloc_free(h->alloc, off, 1);
			return ret;
		}
	}
	ram->npages++;
	if (ram->npages > ram->npages_peak)
		ram->npages_peak = ram->npages;
	h->npages++;
	*ramoff = off;
	return 0;
}

int ramh_drop_memory(struct ramh *h, uint64_t ramoff)
{
	if (fallocate(h->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(ramoff << h->ram->pageshift), (off_t)h->ram->pagesize) < 0)
		return -errno;
	return 0;
}

void ramh_free_page(struct ramh *h, uint64_t ramoff)
{
	int ret = ramh_drop_memory(h, ramoff);

	/* Punching a hole in our own tmpfs/hugetlbfs file cannot fail short
	 * of a bug (bad offset, closed fd). */
	BUG_ON(ret);
	alloc_free(h->alloc, ramoff, 1);
	BUG_ON(h->npages == 0 || h->ram->npages == 0);
	h->npages--;
	h->ram->npages--;
}

void *ramh_page_addr(struct ramh *h, uint64_t ramoff)
{
	uint64_t chunk = ramoff >> h->chunk_shift;
	size_t off_bytes = (size_t)((ramoff & ((1ull << h->chunk_shift) - 1)) << h->ram->pageshift);
	void *p;

	if (chunk >= RAM_MAX_CHUNKS)
		return NULL;
	if (chunk >= h->nchunks) {
		size_t n = h->nchunks ? h->nchunks : 4;
		void **w;

		while (n <= chunk)
			n *= 2;
		w = realloc(h->window, n * sizeof(*w));
		if (!w)
			return NULL;
		memset(w + h->nchunks, 0, (n - h->nchunks) * sizeof(*w));
		h->window = w;
		h->nchunks = n;
	}
	if (!h->window[chunk]) {
		p = mmap(NULL, RAM_CHUNK_BYTES, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_NORESERVE, h->fd,
			 (off_t)(chunk << h->chunk_shift << h->ram->pageshift));
		if (p == MAP_FAILED)
			return NULL;
		h->window[chunk] = p;
	}
	return (char *)h->window[chunk] + off_bytes;
}

/* The per-thread bounce buffers, freed at thread exit. */
static pthread_key_t ram_bounce_key;
static pthread_once_t ram_bounce_once = PTHREAD_ONCE_INIT;
static __thread void *ram_bounce;
static __thread size_t ram_bounce_len;

static void ram_bounce_free(void *p)
{
	free(p);
}

static void ram_bounce_init(void)
{
	if (pthread_key_create(&ram_bounce_key, ram_bounce_free))
		BUG();
}

void *ramh_load_buf(struct ramh *h, uint64_t ramoff)
{
	size_t ps = h->ram->pagesize;

	if (!h->ram->type->write_ok)
		return ramh_page_addr(h, ramoff);
	if (ram_bounce_len < ps) {
		void *p;

		pthread_once(&ram_bounce_once, ram_bounce_init);
		if (posix_memalign(&p, 4096, ps))
			return NULL;
		free(ram_bounce);
		ram_bounce = p;
		ram_bounce_len = ps;
		pthread_setspecific(ram_bounce_key, p);
	}
	return ram_bounce;
}

int ramh_load_done(struct ramh *h, uint64_t ramoff, void *buf)
{
	size_t ps = h->ram->pagesize, done = 0;
	off_t off = (off_t)(ramoff << h->ram->pageshift);

	if (buf != ram_bounce)
		return 0;
	while (done < ps) {
		ssize_t n = pwrite(h->fd, (char *)buf + done, ps - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

void *ramh_mmap_page(struct ramh *h, uint64_t ramoff, void *addr, int prot)
{
	return ram_sys_mmap(addr, h->ram->pagesize, prot, MAP_SHARED | MAP_POPULATE | (addr ? MAP_FIXED : 0),
			    h->fd, (off_t)(ramoff << h->ram->pageshift));
}

void ramh_unmap_window(struct ramh *h)
{
	size_t i;

	for (i = 0; i < h->nchunks; i++)
		if (h->window[i])
			munmap(h->window[i], RAM_CHUNK_BYTES);
	free(h->window);
	h->window = NULL;
	h->nchunks = 0;
}

void ramh_close(struct ramh *h)
{
	if (!h)
		return;
	ramh_unmap_window(h);
	BUG_ON(h->ram->npages < h->npages);
	h->ram->npages -= h->npages;
	alloc_destroy(h->alloc);
	close(h->fd);
	free(h);
}

/* For the types (real/ram_type.h): a file in dir, unlinked at once. */
int ram_type_open_in_dir(const char *dir, const char *what, char *err, size_t errlen)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	char path[4096];

	if (fd >= 0)
		return fd;
	/* O_TMPFILE unsupported (hugetlbfs): create and unlink. */
	snprintf(path, sizeof(path), "%s/pagelab-ram-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file in '%s': %s", what, dir,
			 strerror(errno));
		return -errno;
	}
	unlink(path);
	return fd;
}

/*
 * cli/engine_real.c — real/ (the userspace virtmem) behind the engine
 * interface: `pagelab real` and `pagelab compare` replay traces with it.
 *
 * Each trace file number becomes one file handle on one RAM (a BigFile of
 * zeros, or blocks of a file on disk), each trace VMA one view; an access is
 * a real one-byte load or store at the view's address, so the fault (if any)
 * is a real SIGSEGV served by real/fault.c, which follows docs/ENGINE.md.
 * The replayer only counts accesses (ram_access_tick, after the access, so
 * sampling comes after every N-th access as in the simulator) and reads the
 * virtmem's counters: a fault happened iff the fault counter moved, and its
 * class is the class counter that moved.
 *
 * Timing: an access the view's protection says will fault (not mapped,
 * sampled, or a write to a read-only page: vma_page_prot) is timed with
 * CLOCK_MONOTONIC right around it, and with the thread's CPU clock around
 * that; the wall time goes into the class's log-scaled histogram
 * (cli/lathist.h), both into per-class sums.  The CPU time leaves out
 * waiting for a CPU (other processes on a busy machine), so `calibrate`
 * fits the cost model to it.  Hits are not timed at all.
 *
 * Kernel VMAs: after every event that can change a mapping (a fault, a
 * sampling, mmap, unmap, writeout, discard, invalidate) the count is read
 * from /proc/self/maps, so vmas_peak is the peak between events as the
 * contract defines it.
 *
 * Failures: an access to a VMA id not mapped or past its end is refused
 * before touching memory ("event N: ..."); a SIGBUS at the access (RAM too
 * small for the dirty working set, loadblk failed, mapping refused) jumps
 * back here from the signal handler and fails the run with the virtmem's
 * reason and the event's index.
 */
#define _GNU_SOURCE
#include "cli/engine.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/bug.h"
#include "common/errmsg.h"
#include "real/bigfile.h"
#include "real/ram.h"
#include "real/virtmem.h"

struct er_vma {
	struct vma *v;
	uint64_t npages;
	uint32_t file;
	char *base;
};

struct er_file {
	struct fileh *fh;
	struct bigfile *bf;
};

struct engine_real {
	struct engine e;
	struct real_config cfg;
	struct ram *ram;
	unsigned pageshift;
	struct bigfile *zero;		/* shared by every file with --file zero */
	struct er_file *files;		/* by trace file number */
	uint32_t nfiles;
	struct er_vma *vmas;		/* by trace VMA id */
	uint32_t nvmas;
	struct counters last;		/* the virtmem's counters after the last access */
	uint64_t map_changes;		/* ram_map_changes at the last VMA count */
	uint64_t vmas_bound;		/* the kernel VMA count can be at most this */
	uint64_t vmas_peak;		/* the highest count read */
	uint64_t sample_every;		/* 0: faults only */
	struct real_stats st;
	struct rusage ru0;
	int failed;
};

/* ---- SIGBUS at an access --------------------------------------------------- */

static __thread sigjmp_buf *volatile er_jmp;	/* set around one replayed access */
static struct sigaction er_prev_bus;
static int er_live;			/* a real engine exists */

static void er_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (er_jmp)
		siglongjmp(*er_jmp, 1);
	/* not a replayed access: whoever handled SIGBUS before us */
	if (er_prev_bus.sa_flags & SA_SIGINFO) {
		er_prev_bus.sa_sigaction(sig, si, uc);
	} else if (er_prev_bus.sa_handler != SIG_DFL &&
		   er_prev_bus.sa_handler != SIG_IGN) {
		er_prev_bus.sa_handler(sig);
	} else {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

static int er_install(char *err, size_t errlen)
{
	struct sigaction sa;

	if (er_live) {
		snprintf(err, errlen, "one real engine at a time per process");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = er_sigbus;
	/* SA_NODEFER: jumping out of the handler leaves the mask as it was */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &er_prev_bus)) {
		snprintf(err, errlen, "sigaction(SIGBUS): %s", strerror(errno));
		return -1;
	}
	er_live = 1;
	virtmem_sigbus_quiet(1);	/* the failed access is reported once, by us */
	return 0;
}

static void er_uninstall(void)
{
	sigaction(SIGBUS, &er_prev_bus, NULL);
	virtmem_sigbus_quiet(0);
	er_live = 0;
}

static inline uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

/* One access: 0, or -1 if it ended in SIGBUS.  With timed set, *wall_ns
 * and *cpu_ns get its wall-clock and thread CPU time. */
static __attribute__((noinline)) int er_touch(char *addr, int write, char val,
					      int timed, uint64_t *wall_ns,
					      uint64_t *cpu_ns)
{
	struct timespec c0, t0, t1, c1;
	sigjmp_buf jb;

	if (sigsetjmp(jb, 0)) {
		er_jmp = NULL;
		return -1;
	}
	er_jmp = &jb;
	if (timed) {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
	}
	if (write)
		*(volatile char *)addr = val;
	else
		(void)*(volatile char *)addr;
	if (timed) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
		*wall_ns = ts_ns(&t1) - ts_ns(&t0);
		*cpu_ns = ts_ns(&c1) - ts_ns(&c0);
	}
	er_jmp = NULL;
	return 0;
}

/* ---- events --------------------------------------------------------------- */

static int er_fail(struct engine_real *er, char *err, size_t errlen,
		   uint64_t idx, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int er_fail(struct engine_real *er, char *err, size_t errlen,
		   uint64_t idx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errmsg_event(err, errlen, idx, fmt, ap);
	va_end(ap);
	er->failed = 1;
	return -1;
}

/* Grow a zeroed table of n entries of size sz to hold index id. */
static int table_fit(void *tabp, uint32_t *n, size_t sz, uint32_t id)
{
	char **tab = tabp;
	uint32_t cap = *n ? *n : 4;
	char *t;

	if (id < *n)
		return 0;
	while (cap <= id) {
		if (cap > UINT32_MAX / 2)
			return -1;
		cap *= 2;
	}
	t = realloc(*tab, (size_t)cap * sz);
	if (!t)
		return -1;
	memset(t + (size_t)*n * sz, 0, (size_t)(cap - *n) * sz);
	*tab = t;
	*n = cap;
	return 0;
}

/* --file PATH: the most files a trace may make the replay create */
#define REAL_FILES_MAX 256u

static struct er_file *er_file_get(struct engine_real *er, uint32_t id,
				   char *err, size_t errlen)
{
	const struct virtmem_policies pol = { er->cfg.pagemap, er->cfg.alloc };
	struct er_file *f;

	if (table_fit(&er->files, &er->nfiles, sizeof(*er->files), id)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f = &er->files[id];
	if (f->fh)
		return f;
	if (!er->cfg.file || !strcmp(er->cfg.file, "zero")) {
		if (!er->zero && !(er->zero = bigfile_zero_new(0))) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		f->bf = NULL;
		f->fh = fileh_open(er->zero, er->ram, &pol, err, errlen);
	} else if (!strncmp(er->cfg.file, "synth:", 6)) {
		struct synth_params sp;

		if (synth_parse(er->cfg.file + 6, &sp, err, errlen))
			return NULL;
		f->bf = bigfile_synth_new(&sp, id);
		if (!f->bf) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		f->fh = fileh_open(f->bf, er->ram, &pol, err, errlen);
	} else {
		char path[4096];

		if (id >= REAL_FILES_MAX) {
			snprintf(err, errlen, "--file %s: the trace uses file %u; --file "
				 "makes at most %u files (%s, %s.1 .. %s.%u)", er->cfg.file,
				 id, REAL_FILES_MAX, er->cfg.file, er->cfg.file,
				 er->cfg.file, REAL_FILES_MAX - 1);
			return NULL;
		}
		if (id == 0)
			snprintf(path, sizeof(path), "%s", er->cfg.file);
		else
			snprintf(path, sizeof(path), "%s.%u", er->cfg.file, id);
		f->bf = bigfile_file_new(path, BIGFILE_FILE_CREATE, err, errlen);
		if (!f->bf)
			return NULL;
		f->fh = fileh_open(f->bf, er->ram, &pol, err, errlen);
	}
	if (!f->fh) {
		bigfile_release(f->bf);
		f->bf = NULL;
		return NULL;
	}
	BUG_ON(fileh_set_key_id(f->fh, id));	/* a new handle has no pages */
	return f;
}

/*
 * After an event: read the kernel VMA count (which updates the virtmem's
 * vmas and vmas_peak) if mapping changes since the last reading could have
 * raised it above the peak; otherwise the peak stands without a reading
 * (real/virtmem.h ram_map_changes), so the peak is exact for a fraction of
 * the /proc/self/maps reads.
 */
static long er_count_vmas(struct engine_real *er)
{
	uint64_t chg = ram_map_changes(er->ram), d = chg - er->map_changes;
	long n;

	if (!d)
		return 0;
	er->map_changes = chg;
	er->vmas_bound = d > (UINT64_C(1) << 40) ? UINT64_MAX : er->vmas_bound + 2 * d;
	if (er->vmas_bound <= er->vmas_peak)
		return 0;
	n = ram_kernel_vmas(er->ram);
	if (n < 0)	/* the peak may have been missed: the run fails */
		return n;
	er->vmas_bound = (uint64_t)n;
	if ((uint64_t)n > er->vmas_peak)
		er->vmas_peak = (uint64_t)n;
	return 0;
}

/* er_count_vmas, a failure failing the run at event idx. */
static int er_count_vmas_at(struct engine_real *er, uint64_t idx, char *err,
			    size_t errlen)
{
	long n = er_count_vmas(er);

	if (n < 0)
		return er_fail(er, err, errlen, idx, "cannot count kernel VMAs: %s",
			       strerror((int)-n));
	return 0;
}

static int er_mmap(struct engine_real *er, const struct event *ev, uint64_t idx,
		   char *err, size_t errlen)
{
	struct er_file *f;
	struct er_vma *ev_v;
	char msg[300];

	if (ev->npages == 0 || ev->page >= (UINT64_C(1) << 40) ||
	    ev->npages > (UINT64_C(1) << 40) - ev->page)
		return er_fail(er, err, errlen, idx,
			       "mmap: vma %u: pages [%llu, +%llu) empty or beyond 2^40",
			       ev->vma, (unsigned long long)ev->page,
			       (unsigned long long)ev->npages);
	if (ev->vma < er->nvmas && er->vmas[ev->vma].v)
		return er_fail(er, err, errlen, idx, "mmap: vma %u is already mapped",
			       ev->vma);
	if (table_fit(&er->vmas, &er->nvmas, sizeof(*er->vmas), ev->vma))
		return er_fail(er, err, errlen, idx, "out of memory");
	f = er_file_get(er, ev->file, msg, sizeof(msg));
	if (!f)
		return er_fail(er, err, errlen, idx, "mmap: file %u: %s", ev->file, msg);
	ev_v = &er->vmas[ev->vma];
	ev_v->v = fileh_mmap(f->fh, ev->page, ev->npages, msg, sizeof(msg));
	if (!ev_v->v)
		return er_fail(er, err, errlen, idx, "mmap: vma %u: %s", ev->vma, msg);
	ev_v->npages = ev->npages;
	ev_v->file = ev->file;
	ev_v->base = vma_addr(ev_v->v);
	return 0;
}

static struct fileh *er_fileh(struct engine_real *er, uint32_t file)
{
	return file < er->nfiles ? er->files[file].fh : NULL;
}

static int er_other(struct engine_real *er, const struct event *ev,
		    uint64_t idx, char *err, size_t errlen)
{
	struct fileh *fh;
	int ret;

	switch (ev->type) {
	case EV_MMAP:
		if (er_mmap(er, ev, idx, err, errlen))
			return -1;
		break;
	case EV_UNMAP:
		if (ev->vma >= er->nvmas || !er->vmas[ev->vma].v)
			return er_fail(er, err, errlen, idx, "unmap: vma %u is not mapped",
				       ev->vma);
		vma_unmap(er->vmas[ev->vma].v);
		er->vmas[ev->vma].v = NULL;
		break;
	case EV_WRITEOUT:
		if (!(fh = er_fileh(er, ev->file)))
			return 0;
		ret = fileh_dirty_writeout(fh, ev->flags & (EV_STORE | EV_MARKSTORED));
		if (ret)
			return er_fail(er, err, errlen, idx, "writeout of file %u: %s",
				       ev->file, strerror(-ret));
		break;
	case EV_DISCARD:
		if (!(fh = er_fileh(er, ev->file)))
			return 0;
		fileh_dirty_discard(fh);
		break;
	case EV_INVALIDATE:
		if (!(fh = er_fileh(er, ev->file)) || ev->page >= (UINT64_C(1) << 40))
			return 0;
		fileh_invalidate_page(fh, ev->page);
		break;
	default:
		return er_fail(er, err, errlen, idx, "unknown event type %u", ev->type);
	}
	return er_count_vmas_at(er, idx, err, errlen);
}

static int er_access(struct engine_real *er, const struct event *ev,
		     uint64_t idx, char *err, size_t errlen)
{
	struct er_vma *v;
	struct counters c;
	uint64_t ns = 0, cpu_ns = 0;
	int prot, timed;

	if (ev->vma >= er->nvmas || !(v = &er->vmas[ev->vma])->v)
		return er_fail(er, err, errlen, idx,
			       "access to vma %u, which is not mapped", ev->vma);
	if (ev->page >= v->npages)
		return er_fail(er, err, errlen, idx,
			       "access to page %llu of vma %u, which has %llu pages",
			       (unsigned long long)ev->page, ev->vma,
			       (unsigned long long)v->npages);
	/* Only an access that will fault is timed (a hit costs no clock
	 * reads); the fault itself is still told by the counters below. */
	prot = vma_page_prot(v->v, ev->page);
	timed = !(prot == VMA_PROT_RW || (prot == VMA_PROT_R && !ev->write));
	if (er_touch(v->base + (ev->page << er->pageshift), ev->write,
		     (char)idx, timed, &ns, &cpu_ns)) {
		const char *why = virtmem_fault_error();

		return er_fail(er, err, errlen, idx,
			       "SIGBUS at the %s of page %llu of vma %u: %s",
			       ev->write ? "write" : "read",
			       (unsigned long long)ev->page, ev->vma,
			       why ? why : "(no reason recorded)");
	}
	ram_counters_nomaps(er->ram, &c);
	if (c.faults != er->last.faults) {
		for (int k = 0; k < FAULT_NCLASSES; k++)
			if (c.by_class[k] != er->last.by_class[k]) {
				if (timed) {
					lat_add(&er->st.lat[k], ns);
					er->st.cpu_ns[k] += cpu_ns;
				} else {
					er->st.untimed++;	/* not foreseen */
				}
				break;
			}
		er->last = c;
		if (er_count_vmas_at(er, idx, err, errlen))
			return -1;
	}
	ram_access_tick(er->ram);
	if (er->sample_every && (c.accesses + 1) % er->sample_every == 0)
		return er_count_vmas_at(er, idx, err, errlen);
	return 0;
}

static int er_apply(struct engine *e, const struct event *ev, size_t n,
		    uint64_t idx0, char *err, size_t errlen)
{
	struct engine_real *er = container_of(e, struct engine_real, e);

	BUG_ON(er->failed);
	for (size_t k = 0; k < n; k++) {
		int ret = ev[k].type == EV_ACCESS ?
			  er_access(er, &ev[k], idx0 + k, err, errlen) :
			  er_other(er, &ev[k], idx0 + k, err, errlen);
		if (ret)
			return -1;
	}
	return 0;
}

static void er_counters(const struct engine *e, struct counters *c)
{
	struct engine_real *er = container_of(e, struct engine_real, e);

	ram_counters(er->ram, c);
	c->hits = c->accesses - c->faults;
}

static void er_rusage(struct engine_real *er)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return;
	er->st.rss_max_kb = ru.ru_maxrss;
	er->st.minflt = ru.ru_minflt - er->ru0.ru_minflt;
	er->st.majflt = ru.ru_majflt - er->ru0.ru_majflt;
}

const struct real_stats *engine_real_stats(struct engine *e)
{
	struct engine_real *er = container_of(e, struct engine_real, e);

	er_rusage(er);
	return &er->st;
}

static void er_destroy(struct engine *e)
{
	struct engine_real *er = container_of(e, struct engine_real, e);

	for (uint32_t i = 0; i < er->nvmas; i++)
		if (er->vmas[i].v)
			vma_unmap(er->vmas[i].v);
	for (uint32_t i = 0; i < er->nfiles; i++) {
		if (!er->files[i].fh)
			continue;
		/* the replay is over: what is still dirty goes on purpose */
		fileh_dirty_discard(er->files[i].fh);
		fileh_close(er->files[i].fh);
		bigfile_release(er->files[i].bf);
	}
	bigfile_release(er->zero);
	if (er->ram)
		ram_close(er->ram);
	free(er->vmas);
	free(er->files);
	er_uninstall();
	free(er);
}

static const struct engine_ops engine_real_ops = {
	.mode = "real",
	.apply = er_apply,
	.counters = er_counters,
	.destroy = er_destroy,
};

struct engine *engine_real_create(const struct real_config *c, char *err,
				  size_t errlen)
{
	struct engine_real *er;
	char observe[64], msg[512];

	if (c->observe.mode == OBSERVE_FULL) {
		snprintf(err, errlen,
			 "--observe full: the real engine sees only faults, never an access "
			 "that hits a mapped page (full is simulator-only)");
		return NULL;
	}
	if (c->ram_pages == 0) {
		snprintf(err, errlen, "RAM of 0 pages");
		return NULL;
	}
	er = calloc(1, sizeof(*er));
	if (!er) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (er_install(err, errlen)) {
		free(er);
		return NULL;
	}
	er->e.ops = &engine_real_ops;
	er->cfg = *c;
	er->ram = ram_new(c->ram_type ? c->ram_type : "shmfs", NULL, msg, sizeof(msg));
	if (!er->ram) {
		snprintf(err, errlen, "%s", msg);
		goto fail;
	}
	er->pageshift = er->ram->pageshift;
	er->st.page_size = (uint32_t)er->ram->pagesize;
	observe_format(&c->observe, observe, sizeof(observe));
	if (c->observe.mode == OBSERVE_SAMPLED)
		er->sample_every = c->observe.interval;
	if (ram_configure(er->ram, c->ram_pages, c->reclaim, c->reclaim_batch,
			  observe, msg, sizeof(msg)) ||
	    ram_set_seed(er->ram, c->seed, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s", msg);
		goto fail;
	}
	getrusage(RUSAGE_SELF, &er->ru0);
	return &er->e;
fail:
	er_destroy(&er->e);
	return NULL;
}

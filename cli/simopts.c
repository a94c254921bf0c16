/* cli/simopts.c — `pagelab sim` options (cli/simopts.h). */
#include "cli/simopts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/engine.h"
#include "common/costs.h"
#include "policies/alloc.h"
#include "policies/pagemap.h"
#include "policies/reclaim.h"
#include "sim/sim.h"
#include "workloads/synth.h"

#define USER_VA_BYTES (1ull << 47)	/* x86-64 user address space */

/* Split a comma list into out[], pointing into a copy chained on *store;
 * SIMOPTS_OK, _USAGE (a bad list) or _FAILED (out of memory). */
static int split_list(const char *what, const char *s, const char **out,
		      size_t *n, char **store, char *err, size_t errlen)
{
	size_t len = strlen(s) + 1;
	char **chain = malloc(sizeof(char *) + len);
	char *buf, *save = NULL;

	if (!chain) {
		snprintf(err, errlen, "out of memory");
		return SIMOPTS_FAILED;
	}
	chain[0] = *store;
	*store = (char *)chain;
	buf = (char *)(chain + 1);
	memcpy(buf, s, len);
	*n = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (*n == SIMOPTS_MAX_LIST) {
			snprintf(err, errlen, "%s: more than %d entries", what,
				 SIMOPTS_MAX_LIST);
			return SIMOPTS_USAGE;
		}
		out[(*n)++] = t;
	}
	if (!*n) {
		snprintf(err, errlen, "%s: empty list", what);
		return SIMOPTS_USAGE;
	}
	return SIMOPTS_OK;
}

static int parse_u64(const char *what, const char *s, uint64_t min, uint64_t max,
		     uint64_t *v, char *err, size_t errlen)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (!*s || *s == '-' || *end || errno || x < min || x > max) {
		snprintf(err, errlen, "%s: '%s' is not a number in [%llu, %llu]", what,
			 s, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*v = x;
	return 0;
}

static int parse_page_size(const char *s, uint32_t *ps, char *err, size_t errlen)
{
	if (!strcasecmp(s, "4K") || !strcmp(s, "4096")) {
		*ps = 4096;
		return 0;
	}
	if (!strcasecmp(s, "2M") || !strcmp(s, "2097152")) {
		*ps = 2u << 20;
		return 0;
	}
	snprintf(err, errlen, "--page-size: '%s' is not 4K or 2M", s);
	return -1;
}

/* The options parse_args() knows (each takes a value): a last argument
 * that is none of them is "unknown", not "needs a value". */
static int opt_known(const char *name, int real)
{
	static const char *const common[] = {
		"--reclaim", "--pagemap", "--alloc", "--ram", "--observe",
		"--page-size", "--reclaim-batch", "--costs", "--seed", "--format",
		"-j", "--jobs", "-o", "--output", NULL
	}, *const real_only[] = { "--ram-type", "--file", "--fault", "--hist", NULL };

	for (int k = 0; common[k]; k++)
		if (!strcmp(name, common[k]))
			return 1;
	for (int k = 0; real && real_only[k]; k++)
		if (!strcmp(name, real_only[k]))
			return 1;
	return 0;
}

static int parse_args(struct sim_opts *o, int real, int argc, char **argv,
		      char *err, size_t errlen)
{
	const char *reclaim = "lru", *ram = "10%";
	int rc;

	memset(o, 0, sizeof(*o));
	o->pagemap = SIMOPTS_DEFAULT_PAGEMAP;
	o->alloc = SIMOPTS_DEFAULT_ALLOC;
	o->observe.mode = OBSERVE_FAULTS;
	o->reclaim_batch = 1;
	o->seed = 1;
	o->njobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (o->njobs < 1)
		o->njobs = 1;

	for (int i = 1; i < argc; i++) {
		int topt;
		const char *a = argv[i], *val = NULL;
		char name[64];
		const char *eq;

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return SIMOPTS_HELP;
		if (a[0] != '-' || !strcmp(a, "-")) {
			if (o->trace) {
				snprintf(err, errlen, "unexpected argument '%s' (one TRACE only)", a);
				return SIMOPTS_USAGE;
			}
			o->trace = a;
			continue;
		}
		eq = strchr(a, '=');
		if (!strncmp(a, "-j", 2) && a[2]) {	/* -jN */
			snprintf(name, sizeof(name), "-j");
			val = a + 2;
		} else if (eq && !strncmp(a, "--", 2)) {
			snprintf(name, sizeof(name), "%.*s", (int)(eq - a), a);
			val = eq + 1;
		} else {
			snprintf(name, sizeof(name), "%s", a);
		}
		if (trace_opts_is_flag(name)) {
			trace_opts_set(&o->topts, name, NULL, err, errlen);
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				if (!opt_known(name, real))
					snprintf(err, errlen, "unknown option '%s' (--help lists them)",
						 name);
				else
					snprintf(err, errlen, "%s needs a value", name);
				return SIMOPTS_USAGE;
			}
			val = argv[++i];
		}
		if (!strcmp(name, "--reclaim")) {
			reclaim = val;
		} else if (!strcmp(name, "--pagemap")) {
			o->pagemap = val;
		} else if (!strcmp(name, "--alloc")) {
			o->alloc = val;
		} else if (!strcmp(name, "--ram")) {
			ram = val;
		} else if (!strcmp(name, "--observe")) {
			if (observe_parse(val, &o->observe, err, errlen))
				return SIMOPTS_USAGE;
		} else if (!strcmp(name, "--page-size")) {
			if (parse_page_size(val, &o->page_size, err, errlen))
				return SIMOPTS_USAGE;
			o->topts.page_size = o->page_size;
		} else if (!strcmp(name, "--reclaim-batch")) {
			uint64_t v;
			if (parse_u64("--reclaim-batch", val, 1, 1u << 30, &v, err, errlen))
				return SIMOPTS_USAGE;
			o->reclaim_batch = (uint32_t)v;
		} else if (!strcmp(name, "--costs")) {
			o->costs_path = val;
		} else if (!strcmp(name, "--seed")) {
			if (parse_u64("--seed", val, 0, UINT64_MAX, &o->seed, err, errlen))
				return SIMOPTS_USAGE;
		} else if (!strcmp(name, "--format")) {	/* old spelling */
			o->topts.format = val;
		} else if ((topt = trace_opts_set(&o->topts, name, val, err,
						  errlen)) != 0) {
			if (topt < 0)
				return SIMOPTS_USAGE;
		} else if (!strcmp(name, "-j") || !strcmp(name, "--jobs")) {
			uint64_t v;
			if (parse_u64("-j", val, 1, 4096, &v, err, errlen))
				return SIMOPTS_USAGE;
			o->njobs = (long)v;
		} else if (!strcmp(name, "-o") || !strcmp(name, "--output")) {
			o->out = val;
		} else if (real && !strcmp(name, "--ram-type")) {
			if (strcmp(val, "shmfs") && strcmp(val, "hugetlbfs")) {
				snprintf(err, errlen, "--ram-type: '%s' is not shmfs or hugetlbfs", val);
				return SIMOPTS_USAGE;
			}
			o->ram_type = val;
		} else if (real && !strcmp(name, "--file")) {
			struct synth_params sp;

			if (!strncmp(val, "synth", 5) && (!val[5] || val[5] == ':') &&
			    synth_parse(val[5] ? val + 6 : "", &sp, err, errlen))
				return SIMOPTS_USAGE;
			o->file = val;
		} else if (real && !strcmp(name, "--fault")) {
			if (strcmp(val, "sigsegv")) {
				snprintf(err, errlen, "--fault: '%s': only sigsegv is implemented", val);
				return SIMOPTS_USAGE;
			}
		} else if (real && !strcmp(name, "--hist")) {
			o->hist = val;
		} else {
			snprintf(err, errlen, "unknown option '%s' (--help lists them)", name);
			return SIMOPTS_USAGE;
		}
	}
	if (!o->trace) {
		snprintf(err, errlen, "no TRACE given (--help for usage)");
		return SIMOPTS_USAGE;
	}
	rc = split_list("--reclaim", reclaim, o->reclaim, &o->nreclaim, &o->lists,
			err, errlen);
	if (rc == SIMOPTS_OK)
		rc = split_list("--ram", ram, o->ram_spec, &o->nram, &o->lists, err,
				errlen);
	return rc;
}

int sim_opts_parse(struct sim_opts *o, int argc, char **argv, char *err,
		   size_t errlen)
{
	return parse_args(o, 0, argc, argv, err, errlen);
}

int sim_opts_parse_real(struct sim_opts *o, int argc, char **argv, char *err,
			size_t errlen)
{
	int rc = parse_args(o, 1, argc, argv, err, errlen);
	uint32_t ps;

	if (rc != SIMOPTS_OK)
		return rc;
	o->real = 1;
	if (!o->ram_type)
		o->ram_type = "shmfs";
	if (!o->file)
		o->file = "zero";
	if (o->observe.mode == OBSERVE_FULL) {
		snprintf(err, errlen,
			 "--observe full is simulator-only: the real engine sees only faults, "
			 "never an access that hits a mapped page (use faults or sampled:N)");
		return SIMOPTS_USAGE;
	}
	ps = !strcmp(o->ram_type, "hugetlbfs") ? 2u << 20 : 4096;
	if (o->page_size && o->page_size != ps) {
		snprintf(err, errlen, "--page-size %s does not match --ram-type %s (%s pages)",
			 o->page_size == 4096 ? "4K" : "2M", o->ram_type,
			 ps == 4096 ? "4K" : "2M");
		return SIMOPTS_USAGE;
	}
	o->page_size = ps;
	o->topts.page_size = ps;
	return SIMOPTS_OK;
}

int sim_parse_ram(const char *spec, uint32_t page_size, uint64_t ndistinct,
		  uint64_t *pages, char *err, size_t errlen)
{
	size_t len = strlen(spec);
	char *end;
	uint64_t p;

	if (len && spec[len - 1] == '%') {
		double pct;

		errno = 0;
		pct = strtod(spec, &end);
		if (end != spec + len - 1 || errno || !(pct > 0) || pct > 1e6) {
			snprintf(err, errlen, "--ram: '%s' is not a positive percentage", spec);
			return -1;
		}
		if (!ndistinct) {
			snprintf(err, errlen, "--ram %s: the trace's distinct pages are unknown", spec);
			return -1;
		}
		p = (uint64_t)floor(pct / 100.0 * (double)ndistinct);
		if (!p) {
			snprintf(err, errlen, "--ram %s: RAM size 0 (%s of %llu distinct pages)",
				 spec, spec, (unsigned long long)ndistinct);
			return -1;
		}
	} else {
		unsigned long long n;
		uint64_t mult = 1;

		errno = 0;
		n = strtoull(spec, &end, 10);
		if (end == spec || *spec == '-' || errno) {
			snprintf(err, errlen, "--ram: '%s' is not pages, bytes (64M) or a percentage (10%%)",
				 spec);
			return -1;
		}
		if (*end) {
			switch (*end) {
			case 'k': case 'K': mult = 1ull << 10; break;
			case 'm': case 'M': mult = 1ull << 20; break;
			case 'g': case 'G': mult = 1ull << 30; break;
			case 't': case 'T': mult = 1ull << 40; break;
			default: mult = 0;
			}
			if (mult && (!strcmp(end + 1, "") || !strcmp(end + 1, "B") ||
				     !strcmp(end + 1, "iB")))
				;
			else
				mult = 0;
			if (!mult) {
				snprintf(err, errlen, "--ram: '%s': unknown size suffix '%s' (K, M, G, T)",
					 spec, end);
				return -1;
			}
			if (n > USER_VA_BYTES / mult) {
				snprintf(err, errlen, "--ram %s: beyond the %llu-byte address space",
					 spec, (unsigned long long)USER_VA_BYTES);
				return -1;
			}
			p = n * mult / page_size;
		} else {
			p = n;
		}
		if (!p) {
			snprintf(err, errlen, "--ram %s: RAM size 0 pages", spec);
			return -1;
		}
	}
	if (p > SIM_ARENA_PAGES || p > USER_VA_BYTES / page_size) {
		snprintf(err, errlen,
			 "--ram %s: %llu pages of %u bytes is beyond the %llu-byte address space",
			 spec, (unsigned long long)p, page_size,
			 (unsigned long long)USER_VA_BYTES);
		return -1;
	}
	*pages = p;
	return 0;
}

/* A policy create that failed with errno ENOMEM (set by the allocator; a
 * bad argument leaves errno alone) is a failed run, not a usage error. */
static int create_failed(void)
{
	return errno == ENOMEM ? SIMOPTS_FAILED : SIMOPTS_USAGE;
}

static int check_policies(struct sim_opts *o, char *err, size_t errlen)
{
	struct reclaim_params rp = { .npages = 1024, .seed = 1, .mem = &mem_default };
	struct pagemap_params pp = { .mem = &mem_default };
	struct alloc_params ap = { .base = 0, .size = SIM_ARENA_PAGES, .quantum = 1,
				   .mem = &mem_default };
	char msg[512];

	for (size_t i = 0; i < o->nreclaim; i++) {
		struct reclaim *r;

		errno = 0;
		r = reclaim_create(o->reclaim[i], &rp, msg, sizeof(msg));
		if (!r) {
			snprintf(err, errlen, "--reclaim: %s", msg);
			return create_failed();
		}
		if (r->ops->flags & RECLAIM_NEEDS_FUTURE) {
			o->needs_future = 1;
			if (o->observe.mode != OBSERVE_FULL) {
				snprintf(err, errlen,
					 "--reclaim %s needs the future (a simulator-only optimum) and sees every access: use --observe full",
					 o->reclaim[i]);
				reclaim_destroy(r);
				return SIMOPTS_USAGE;
			}
		}
		reclaim_destroy(r);
	}
	{
		struct pagemap *pm;

		errno = 0;
		pm = pagemap_create(o->pagemap, &pp, msg, sizeof(msg));
		if (!pm) {
			snprintf(err, errlen, "--pagemap: %s", msg);
			return create_failed();
		}
		pagemap_destroy(pm);
	}
	{
		struct alloc *a;

		errno = 0;
		a = alloc_create(o->alloc, &ap, msg, sizeof(msg));
		if (!a) {
			snprintf(err, errlen, "--alloc: %s", msg);
			return create_failed();
		}
		alloc_destroy(a);
	}
	return SIMOPTS_OK;
}

const char *sim_opts_once_name(const char *trace)
{
	struct stat st;

	if (!strcmp(trace, "-"))
		return "stdin";
	/* a FIFO, a device, a socket: reading consumes it (a missing path or
	 * a gen: spec is no stream; trace_open says what is wrong with it) */
	if (stat(trace, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return "a trace that is not a regular file";
	return NULL;
}

int sim_opts_prepare(struct sim_opts *o, char *err, size_t errlen)
{
	struct trace_reader *r;
	const struct trace_header *h;
	char msg[600];
	int need_distinct = 0, rc;
	uint64_t hdr_npages;

	if ((rc = check_policies(o, err, errlen)) != SIMOPTS_OK)
		return rc;
	r = trace_open(o->trace, &o->topts, msg, sizeof(msg));
	if (!r) {
		snprintf(err, errlen, "%s", msg);
		return SIMOPTS_FAILED;
	}
	o->once_name = sim_opts_once_name(o->trace);
	if (o->once_name && o->nreclaim * o->nram > 1) {
		trace_close(r);
		snprintf(err, errlen,
			 "%s can be replayed only once: give one policy and one RAM size, or a file",
			 o->once_name);
		return SIMOPTS_USAGE;
	}
	h = trace_header(r);
	if (!o->page_size)
		o->page_size = h->page_size == (2u << 20) ? h->page_size : 4096;
	hdr_npages = h->npages;
	for (size_t i = 0; i < o->nram; i++) {
		size_t len = strlen(o->ram_spec[i]);
		/* a header's count is not trusted: N% rests on a recount */
		if (len && o->ram_spec[i][len - 1] == '%')
			need_distinct = 1;
	}
	if (need_distinct || o->needs_future) {
		struct engine *e;
		uint64_t nd;

		if (o->once_name) {
			trace_close(r);
			snprintf(err, errlen,
				 "%s needs a pre-pass over the trace, which %s cannot give: use a file",
				 o->needs_future ? "a policy that needs the future" :
						   "--ram N% (the trace's distinct pages, counted)",
				 o->once_name);
			return SIMOPTS_USAGE;
		}
		e = engine_scan_create(o->needs_future, msg, sizeof(msg));
		if (!e) {
			trace_close(r);
			snprintf(err, errlen, "%s", msg);
			return SIMOPTS_FAILED;
		}
		if (replay(r, o->trace, e, msg, sizeof(msg)) ||
		    sim_scan_finish(engine_scan(e), &nd, &o->naccesses,
				    o->needs_future ? &o->next_use : NULL, msg,
				    sizeof(msg))) {
			e->ops->destroy(e);
			trace_close(r);
			snprintf(err, errlen, "%s", msg);
			return SIMOPTS_FAILED;
		}
		e->ops->destroy(e);
		if (hdr_npages && nd != hdr_npages) {
			trace_close(r);
			snprintf(err, errlen, "%s: the header says %llu distinct pages, "
				 "the trace has %llu (a damaged header)", o->trace,
				 (unsigned long long)hdr_npages, (unsigned long long)nd);
			return SIMOPTS_FAILED;
		}
		o->ndistinct = need_distinct ? nd : hdr_npages;
	} else {
		o->ndistinct = hdr_npages;
	}
	if (o->once_name)
		o->stdin_reader = r;
	else
		trace_close(r);
	for (size_t i = 0; i < o->nram; i++)
		if (sim_parse_ram(o->ram_spec[i], o->page_size, o->ndistinct,
				  &o->ram_pages[i], err, errlen))
			return SIMOPTS_USAGE;
	return SIMOPTS_OK;
}

void sim_opts_free(struct sim_opts *o)
{
	char *p = o->lists;

	while (p) {
		char *next = *(char **)p;
		free(p);
		p = next;
	}
	o->lists = NULL;
	free(o->next_use);
	o->next_use = NULL;
	trace_close(o->stdin_reader);
	o->stdin_reader = NULL;
}

int sim_opts_setup(struct sim_opts *o, struct costs *costs, const char *cmd)
{
	char err[1024];
	int st;

	if (o->costs_path ? costs_load(costs, o->costs_path, err, sizeof(err)) :
			    (costs_default(costs), 0)) {
		fprintf(stderr, "pagelab %s: %s\n", cmd, err);
		return EXIT_RUN_FAILED;
	}
	/* Check the policies, open the trace (header, page size,
	 * readability), run the pre-pass if needed, resolve RAM sizes. */
	st = sim_opts_prepare(o, err, sizeof(err));
	if (st == SIMOPTS_OK)
		return 0;
	fprintf(stderr, "pagelab %s: %s\n", cmd, err);
	return st == SIMOPTS_USAGE ? EXIT_USAGE : EXIT_RUN_FAILED;
}

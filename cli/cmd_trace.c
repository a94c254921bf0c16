/*
 * cli/cmd_trace.c — `pagelab trace`: make, inspect and convert traces.
 *
 *   pagelab trace gen KIND -o FILE [--pages N] [--accesses N] [--seed N]
 *                 [--write-ratio F] [--writeout N] [--out-format F]
 *                 [KIND's own flags, e.g. --alpha A]
 *   pagelab trace info FILE       counts, footprint, VMAs, reuse distances
 *   pagelab trace cat FILE        the events as the text format, to stdout
 *   pagelab trace convert FILE -o OUT [--out-format F]
 *
 * Reading options for info, cat and convert: --in-format F (force the input
 * format), --csv SPEC, --page-size N and --lackey-instr (lackey).
 * Files are written to a temporary name and renamed when complete; a failed
 * run leaves nothing behind (cat's stdout excepted: it streams).
 *
 * info's reuse distance is the exact LRU stack distance of every access
 * (distinct pages touched since the previous access to the same page),
 * from common/stackdist.h: memory O(distinct pages); the percentiles are
 * read from a log-linear histogram (64 sub-buckets per power of two: within
 * 1/64 of the exact value, rounded down).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/stackdist.h"
#include "workloads/gen.h"
#include "workloads/trace.h"

#define BATCH 4096

struct read_flags {
	struct trace_opts o;
	const char *file;
	const char *out;
	const char *format;	/* output format */
};

static void trace_usage(FILE *f)
{
	fprintf(f,
		"usage: pagelab trace gen KIND -o FILE [--pages N] [--accesses N] [--seed N]\n"
		"                         [--write-ratio F] [--writeout N] [--out-format F]\n"
		"                         [KIND's flags, e.g. --alpha A]\n"
		"       pagelab trace info FILE [READ OPTIONS]\n"
		"       pagelab trace cat FILE [READ OPTIONS]\n"
		"       pagelab trace convert FILE -o OUT [--out-format F] [READ OPTIONS]\n"
		"\n"
		"READ OPTIONS:\n%s"
		"  --page-size N      bytes per page (lackey, block traces; default 4096)\n"
		"FILE may be .zst-compressed; '-' is stdin.  pagelab trace SUB --help for more.\n",
		trace_opts_usage);
}

static void gen_help(void)
{
	printf("usage: pagelab trace gen KIND -o FILE [--pages N] [--accesses N] [--seed N]\n"
	       "                         [--write-ratio F] [--writeout N] [--out-format F]\n"
	       "                         [--KEY VALUE for KIND's own keys]\n"
	       "Writes a seeded synthetic trace (same flags, same bytes).  -o - is stdout.\n"
	       "--out-format (old spelling --format): native, text, oracle or csv;\n"
	       "default from OUT's name (.txt text, .csv csv, .oracleGeneral[.bin]\n"
	       "oracle, else native); OUT.zst is zstd-compressed.\n\nkinds:\n");
	for (int i = 0; gen_kinds[i]; i++) {
		const char *help;
		char keys[1024];
		if (gen_describe(gen_kinds[i], &help, keys, sizeof(keys)) == 0)
			printf("  %-8s %s\n           keys: %s\n", gen_kinds[i], help,
			       keys);
	}
}

static int known(const char *const *names, const char *name)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* Parse the reading options shared by info, cat, convert.  Returns 0, or
 * EXIT_USAGE after a message. */
static int parse_read_flags(const char *sub, int argc, char **argv,
			    struct read_flags *f, int want_out)
{
	memset(f, 0, sizeof(*f));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		char err[256];
		int rc = trace_opts_set(&f->o, a, v, err, sizeof(err));

		if (rc < 0) {
			fprintf(stderr, "pagelab trace %s: %s\n", sub, err);
			return EXIT_USAGE;
		}
		if (rc > 0) {
			i += !trace_opts_is_flag(a);
			continue;
		}
		if (!strcmp(a, "--page-size") || (want_out && (!strcmp(a, "-o") ||
							       !strcmp(a, "--out-format") ||
							       !strcmp(a, "--format")))) {
			if (!v) {
				fprintf(stderr, "pagelab trace %s: %s needs a value\n",
					sub, a);
				return EXIT_USAGE;
			}
			i++;
			if (!strcmp(a, "--page-size")) {
				char *end;
				unsigned long ps = strtoul(v, &end, 0);
				if (*end || !trace_page_size_valid(ps)) {
					fprintf(stderr, "pagelab trace %s: bad --page-size "
						"'%s'\n", sub, v);
					return EXIT_USAGE;
				}
				f->o.page_size = (uint32_t)ps;
			} else if (!strcmp(a, "-o")) {
				f->out = v;
			} else {
				f->format = v;
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			fprintf(stderr, "pagelab trace %s: unknown option '%s'\n", sub, a);
			return EXIT_USAGE;
		}
		if (f->file) {
			fprintf(stderr, "pagelab trace %s: unexpected argument '%s'\n",
				sub, a);
			return EXIT_USAGE;
		}
		f->file = a;
	}
	if (!f->file) {
		fprintf(stderr, "pagelab trace %s: no FILE given\n", sub);
		return EXIT_USAGE;
	}
	if (want_out && !f->out) {
		fprintf(stderr, "pagelab trace %s: no -o OUT given\n", sub);
		return EXIT_USAGE;
	}
	if (f->format && !known(trace_writer_formats, f->format)) {
		fprintf(stderr, "pagelab trace %s: --out-format %s (native, text, "
			"oracle or csv)\n", sub, f->format);
		return EXIT_USAGE;
	}
	if (f->o.format && !known(trace_formats, f->o.format)) {
		fprintf(stderr, "pagelab trace %s: --in-format %s (native, text, "
			"oracle, csv, lackey, txt, vscsi, twr or twrNS)\n", sub,
			f->o.format);
		return EXIT_USAGE;
	}
	return 0;
}

/* The output format: --out-format, else what OUT's name asks for; NULL
 * after a message when the name asks for one pagelab cannot write. */
static const char *out_format(const char *sub, const char *format,
			      const char *out)
{
	char err[600];
	const char *f;

	if (format)
		return format;
	f = trace_writer_format_for(out, err, sizeof(err));
	if (!f)
		fprintf(stderr, "pagelab trace %s: %s\n", sub, err);
	return f;
}

static int copy_events(const char *sub, struct trace_reader *r, const char *out,
		       const char *format)
{
	char err[1200];
	struct trace_writer *w = trace_writer_open(out, format, trace_header(r),
						   err, sizeof(err));
	struct event *ev;
	uint64_t dropped;
	long n;

	if (!w) {
		fprintf(stderr, "pagelab trace %s: %s\n", sub, err);
		return EXIT_RUN_FAILED;
	}
	ev = malloc(BATCH * sizeof(*ev));
	if (!ev) {
		fprintf(stderr, "pagelab trace %s: out of memory\n", sub);
		trace_writer_close(w, 0);
		return EXIT_RUN_FAILED;
	}
	while ((n = trace_read(r, ev, BATCH)) > 0) {
		if (trace_write(w, ev, (size_t)n) < 0) {
			fprintf(stderr, "pagelab trace %s: %s\n", sub,
				trace_writer_error(w));
			trace_writer_close(w, 0);
			free(ev);
			return EXIT_RUN_FAILED;
		}
	}
	free(ev);
	if (n < 0) {
		fprintf(stderr, "pagelab trace %s: %s\n", sub, trace_error(r));
		trace_writer_close(w, 0);
		return EXIT_RUN_FAILED;
	}
	dropped = trace_writer_dropped(w);
	if (trace_writer_close_err(w, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "pagelab trace %s: %s\n", sub, err);
		return EXIT_RUN_FAILED;
	}
	if (dropped)
		fprintf(stderr, "pagelab trace %s: note: %s holds accesses only: "
			"%llu events or write flags left out\n", sub, format,
			(unsigned long long)dropped);
	return 0;
}

static int cmd_gen(int argc, char **argv)
{
	char spec[1024], err[1200];
	const char *kind = NULL, *out = NULL, *format = NULL;
	size_t off;
	struct trace_reader *r;
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		gen_help();
		return 0;
	}
	spec[0] = '\0';
	off = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			gen_help();
			return 0;
		}
		if (a[0] != '-') {
			if (kind) {
				fprintf(stderr, "pagelab trace gen: unexpected argument "
					"'%s'\n", a);
				return EXIT_USAGE;
			}
			kind = a;
			continue;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--out-format") ||
		    !strcmp(a, "--format")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "pagelab trace gen: %s needs a value\n", a);
				return EXIT_USAGE;
			}
			if (!strcmp(a, "-o"))
				out = argv[++i];
			else
				format = argv[++i];
			continue;
		}
		if (a[1] == '-' && a[2]) {
			/* --key value or --key=value: a generator key */
			char key[64];
			const char *eq = strchr(a + 2, '='), *val;
			size_t kl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (kl == 0 || kl >= sizeof(key)) {
				fprintf(stderr, "pagelab trace gen: bad option '%s'\n", a);
				return EXIT_USAGE;
			}
			memcpy(key, a + 2, kl);
			key[kl] = '\0';
			for (char *p = key; *p; p++)
				if (*p == '-')
					*p = '_';
			if (eq) {
				val = eq + 1;
			} else {
				if (i + 1 >= argc) {
					fprintf(stderr, "pagelab trace gen: %s needs a "
						"value\n", a);
					return EXIT_USAGE;
				}
				val = argv[++i];
			}
			if (strchr(val, ':')) {
				fprintf(stderr, "pagelab trace gen: bad value '%s' for "
					"%s\n", val, a);
				return EXIT_USAGE;
			}
			off += (size_t)snprintf(spec + off, off < sizeof(spec) ?
						sizeof(spec) - off : 0, ":%s=%s",
						key, val);
			if (off >= sizeof(spec)) {
				fprintf(stderr, "pagelab trace gen: too many options\n");
				return EXIT_USAGE;
			}
			continue;
		}
		fprintf(stderr, "pagelab trace gen: unknown option '%s'\n", a);
		return EXIT_USAGE;
	}
	if (!kind) {
		fprintf(stderr, "pagelab trace gen: no KIND given (pagelab trace gen "
			"--help lists them)\n");
		return EXIT_USAGE;
	}
	if (!out) {
		fprintf(stderr, "pagelab trace gen: no -o FILE given\n");
		return EXIT_USAGE;
	}
	if (format && !known(trace_writer_formats, format)) {
		fprintf(stderr, "pagelab trace gen: --out-format %s (native, text, "
			"oracle or csv)\n", format);
		return EXIT_USAGE;
	}
	{
		char full[1100];
		snprintf(full, sizeof(full), "%s%s", kind, spec);
		r = gen_open(full, err, sizeof(err));	/* sets errno */
	}
	if (!r) {
		fprintf(stderr, "pagelab trace gen: %s\n", err);
		return errno == ENOMEM ? EXIT_RUN_FAILED : EXIT_USAGE;
	}
	format = out_format("gen", format, out);
	rc = format ? copy_events("gen", r, out, format) : EXIT_USAGE;
	trace_close(r);
	return rc;
}

static int cmd_convert(int argc, char **argv)
{
	struct read_flags f;
	struct trace_reader *r;
	char err[1200];
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: pagelab trace convert FILE -o OUT [--out-format F] "
		       "[READ OPTIONS]\n"
		       "Reads any trace pagelab reads and writes it as F: native, text,\n"
		       "oracle (libCacheSim oracleGeneral, next-access fields computed)\n"
		       "or csv (time,obj_id,obj_size,op).  Default from OUT's name: .txt\n"
		       "text, .csv csv, .oracleGeneral[.bin] oracle, else native; a name\n"
		       "of a format pagelab cannot write (.vscsi, .twr, .lackey) is\n"
		       "refused.  OUT.zst is zstd-compressed.  oracle and csv hold\n"
		       "accesses only (key = file << 40 | file page); what they leave\n"
		       "out is counted on stderr.  --format is the old spelling of\n"
		       "--out-format.  OUT appears only when complete.\n");
		return 0;
	}
	if ((rc = parse_read_flags("convert", argc, argv, &f, 1)))
		return rc;
	r = trace_open(f.file, &f.o, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "pagelab trace convert: %s\n", err);
		return EXIT_RUN_FAILED;
	}
	f.format = out_format("convert", f.format, f.out);
	rc = f.format ? copy_events("convert", r, f.out, f.format) : EXIT_USAGE;
	trace_close(r);
	return rc;
}

static int cmd_cat(int argc, char **argv)
{
	struct read_flags f;
	struct trace_reader *r;
	char err[1200];
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: pagelab trace cat FILE [READ OPTIONS]\n"
		       "Prints the trace as the text format (workloads/FORMAT.md) on "
		       "stdout.\n");
		return 0;
	}
	if ((rc = parse_read_flags("cat", argc, argv, &f, 0)))
		return rc;
	r = trace_open(f.file, &f.o, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "pagelab trace cat: %s\n", err);
		return EXIT_RUN_FAILED;
	}
	rc = copy_events("cat", r, "-", "text");
	trace_close(r);
	return rc;
}

/* ---- info ------------------------------------------------------------ */

struct vma_info {
	uint32_t file;
	uint64_t pgoff, npages;
	int live;
};

/* Reuse distances: the exact stack distances, in a log-linear histogram. */
struct reuse {
	struct stackdist *sd;
	uint64_t hist[64 + 58 * 64];
	uint64_t cold, reuses, max;
};

static size_t hist_bucket(uint64_t d)
{
	int e;
	if (d < 64)
		return (size_t)d;
	e = 63 - __builtin_clzll(d);
	return 64 + (size_t)(e - 6) * 64 + (size_t)((d >> (e - 6)) & 63);
}

static uint64_t hist_value(size_t b)
{
	size_t e;
	if (b < 64)
		return b;
	e = (b - 64) / 64 + 6;
	return (uint64_t)(64 + (b - 64) % 64) << (e - 6);
}

static int reuse_access(struct reuse *u, uint64_t key)
{
	uint64_t d = stackdist_access(u->sd, key);

	if (d == STACKDIST_OOM)
		return -1;
	if (!d) {
		u->cold++;
		return 0;
	}
	d--;	/* the distinct other pages between the two accesses */
	u->hist[hist_bucket(d)]++;
	u->reuses++;
	if (d > u->max)
		u->max = d;
	return 0;
}

static uint64_t reuse_pct(const struct reuse *u, double q)
{
	uint64_t want = (uint64_t)(q * (double)u->reuses), acc = 0;
	if (want >= u->reuses)
		want = u->reuses - 1;
	for (size_t b = 0; b < sizeof(u->hist) / sizeof(u->hist[0]); b++) {
		acc += u->hist[b];
		if (acc > want)
			return hist_value(b);
	}
	return u->max;
}

static int cmd_info(int argc, char **argv)
{
	struct read_flags f;
	struct trace_reader *r;
	struct trace_header h;
	char err[1200];
	struct event *ev;
	struct vma_info *vmas = NULL;
	size_t nvmas_cap = 0;
	struct reuse u;
	uint64_t nev = 0, nacc = 0, nwr = 0, nmmap = 0, nunmap = 0, nother = 0;
	uint64_t unmapped = 0, outside = 0, vma_ids = 0, live = 0, peak = 0;
	uint64_t files_max = 0;
	int have_files = 0, rc;
	long n;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: pagelab trace info FILE [READ OPTIONS]\n"
		       "Prints the format, header, events, accesses, writes, distinct pages,\n"
		       "footprint, VMAs and the reuse-distance summary: exact LRU stack\n"
		       "distances, percentiles from a histogram within 1/64 (rounded down).\n");
		return 0;
	}
	if ((rc = parse_read_flags("info", argc, argv, &f, 0)))
		return rc;
	r = trace_open(f.file, &f.o, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "pagelab trace info: %s\n", err);
		return EXIT_RUN_FAILED;
	}
	h = *trace_header(r);
	ev = malloc(BATCH * sizeof(*ev));
	memset(&u, 0, sizeof(u));
	u.sd = stackdist_create();
	if (!ev || !u.sd) {
		fprintf(stderr, "pagelab trace info: out of memory\n");
		rc = EXIT_RUN_FAILED;
		goto out;
	}
	rc = 0;
	while ((n = trace_read(r, ev, BATCH)) > 0) {
		for (long i = 0; i < n; i++) {
			const struct event *e = &ev[i];
			nev++;
			if (e->type == EV_ACCESS) {
				struct vma_info *v;
				uint64_t key;
				nacc++;
				nwr += e->write;
				if (e->vma >= nvmas_cap || !vmas[e->vma].live) {
					unmapped++;
					continue;
				}
				v = &vmas[e->vma];
				if (e->page >= v->npages) {
					outside++;
					continue;
				}
				key = (uint64_t)v->file << 40 ^ (v->pgoff + e->page);
				if (reuse_access(&u, key) < 0) {
					fprintf(stderr, "pagelab trace info: out of memory\n");
					rc = EXIT_RUN_FAILED;
					goto out;
				}
				continue;
			}
			if (e->type == EV_MMAP) {
				nmmap++;
				if (e->vma >= nvmas_cap) {
					size_t nc = nvmas_cap ? nvmas_cap : 16;
					struct vma_info *p;
					if (e->vma >= (1u << 24)) {
						fprintf(stderr, "pagelab trace info: %s: VMA id "
							"%u too large to track\n", f.file, e->vma);
						rc = EXIT_RUN_FAILED;
						goto out;
					}
					while (nc <= e->vma)
						nc *= 2;
					p = realloc(vmas, nc * sizeof(*p));
					if (!p) {
						fprintf(stderr, "pagelab trace info: out of memory\n");
						rc = EXIT_RUN_FAILED;
						goto out;
					}
					memset(p + nvmas_cap, 0, (nc - nvmas_cap) * sizeof(*p));
					vmas = p;
					nvmas_cap = nc;
				}
				if (!vmas[e->vma].npages)
					vma_ids++;
				if (!vmas[e->vma].live && ++live > peak)
					peak = live;
				vmas[e->vma] = (struct vma_info){ e->file, e->page,
								  e->npages, 1 };
				if (e->file + 1ull > files_max)
					files_max = e->file + 1ull;
				have_files = 1;
			} else if (e->type == EV_UNMAP) {
				nunmap++;
				if (e->vma < nvmas_cap && vmas[e->vma].live) {
					vmas[e->vma].live = 0;
					live--;
				}
			} else {
				nother++;
			}
		}
	}
	if (n < 0) {
		fprintf(stderr, "pagelab trace info: %s\n", trace_error(r));
		rc = EXIT_RUN_FAILED;
		goto out;
	}
	printf("file        %s\n", f.file);
	printf("format      %s%s\n", h.format, h.compressed ? " (zstd)" : "");
	if (h.generator[0])
		printf("generator   %s\n", h.generator);
	printf("page_size   %u\n", h.page_size);
	printf("events      %llu\n", (unsigned long long)nev);
	if (trace_header(r)->nrequests)	/* counted while reading */
		printf("requests    %llu\n",
		       (unsigned long long)trace_header(r)->nrequests);
	printf("accesses    %llu\n", (unsigned long long)nacc);
	printf("writes      %llu (%.2f%%)\n", (unsigned long long)nwr,
	       nacc ? 100.0 * (double)nwr / (double)nacc : 0.0);
	printf("pages       %llu distinct\n", (unsigned long long)u.cold);
	printf("footprint   %llu bytes (%.1f MiB)\n",
	       (unsigned long long)(u.cold * h.page_size),
	       (double)u.cold * h.page_size / (1 << 20));
	printf("vmas        %llu ids, %llu mmaps, %llu unmaps, peak %llu live\n",
	       (unsigned long long)vma_ids, (unsigned long long)nmmap,
	       (unsigned long long)nunmap, (unsigned long long)peak);
	if (have_files)
		printf("files       %llu (ids 0..%llu)\n", (unsigned long long)files_max,
		       (unsigned long long)(files_max - 1));
	printf("other       %llu writeout/discard/invalidate events\n",
	       (unsigned long long)nother);
	if (unmapped || outside)
		printf("bad         %llu accesses to unmapped VMAs, %llu beyond a "
		       "VMA's end\n", (unsigned long long)unmapped,
		       (unsigned long long)outside);
	printf("reuse       %llu first accesses, %llu reuses\n",
	       (unsigned long long)u.cold, (unsigned long long)u.reuses);
	if (u.reuses)
		printf("reuse_dist  p50 %llu  p90 %llu  p99 %llu  max %llu  "
		       "(exact LRU stack distances; percentiles within 1/64)\n",
		       (unsigned long long)reuse_pct(&u, 0.5),
		       (unsigned long long)reuse_pct(&u, 0.9),
		       (unsigned long long)reuse_pct(&u, 0.99),
		       (unsigned long long)u.max);
out:
	trace_close(r);
	stackdist_destroy(u.sd);
	free(vmas);
	free(ev);
	return rc;
}

int cmd_trace(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub) {
		trace_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		trace_usage(stdout);
		return 0;
	}
	if (!strcmp(sub, "gen"))
		return cmd_gen(argc - 1, argv + 1);
	if (!strcmp(sub, "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(sub, "cat"))
		return cmd_cat(argc - 1, argv + 1);
	if (!strcmp(sub, "convert"))
		return cmd_convert(argc - 1, argv + 1);
	fprintf(stderr, "pagelab trace: unknown subcommand '%s' (gen, info, cat, "
		"convert)\n", sub);
	return EXIT_USAGE;
}

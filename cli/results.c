/* cli/results.c — CSV rows in the schema of results/SCHEMA.md. */
#include "cli/results.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/engine.h"
#include "cli/simopts.h"
#include "common/costs.h"

static const char *const class_name[FAULT_NCLASSES] = {
	"load", "map", "dirty", "ref",
};
static const char *const lat_name[LAT_N] = {
	"p50", "p90", "p99", "p999", "max",
};

void results_header(FILE *f)
{
	fputs("mode,trace,reclaim,pagemap,alloc,observe,ram_pages,page_size,"
	      "reclaim_batch,accesses,hits,faults,load_faults,map_faults,"
	      "dirty_faults,ref_faults,loads,stores,evictions,writebacks,"
	      "tmem_puts,tmem_gets,tmem_hits,ram_pages_peak,vmas_peak,vmas_end,"
	      "miss_ratio,model_fault_ns,model_load_ns,model_map_ns,"
	      "model_dirty_ns,model_ref_ns,costs,wall_s", f);
	for (int c = 0; c < FAULT_NCLASSES; c++)
		for (int l = 0; l < LAT_N; l++)
			fprintf(f, ",%s_%s_ns", class_name[c], lat_name[l]);
	fputs(",rss_max_kb,minflt,majflt,fault_ns,fault_cpu_ns", f);
	fputc('\n', f);
}

/* A CSV field: quoted when it holds a comma, quote or newline. */
static void field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void results_row(FILE *f, const struct result_row *r)
{
	const struct counters *c = &r->c;
	const char *s[] = { r->mode, r->trace, r->reclaim, r->pagemap, r->alloc,
			    r->observe };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		field(f, s[i]);
		fputc(',', f);
	}
	fprintf(f, "%llu,%u,%u,", (unsigned long long)r->ram_pages, r->page_size,
		r->reclaim_batch);
	{
		const uint64_t v[] = {
			c->accesses, c->hits, c->faults, c->by_class[FAULT_LOAD],
			c->by_class[FAULT_MAP], c->by_class[FAULT_DIRTY],
			c->by_class[FAULT_REF], c->loads, c->stores, c->evictions,
			c->writebacks, 0, 0, 0, c->ram_pages_peak, c->vmas_peak,
			c->vmas,
		};
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			fprintf(f, "%llu,", (unsigned long long)v[i]);
	}
	fprintf(f, "%.6f,%.0f,%.0f,%.0f,%.0f,%.0f,",
		c->accesses ? (double)c->by_class[FAULT_LOAD] / (double)c->accesses : 0.0,
		r->model_total_ns, r->model_ns[FAULT_LOAD], r->model_ns[FAULT_MAP],
		r->model_ns[FAULT_DIRTY], r->model_ns[FAULT_REF]);
	field(f, r->costs);
	fprintf(f, ",%.6f", r->wall_s);
	for (int k = 0; k < FAULT_NCLASSES; k++)
		for (int l = 0; l < LAT_N; l++) {
			if (r->have_latency && !isnan(r->lat_ns[k][l]))
				fprintf(f, ",%.0f", r->lat_ns[k][l]);
			else
				fputc(',', f);
		}
	if (r->have_latency)
		fprintf(f, ",%ld,%ld,%ld,%.0f,%.0f", r->rss_max_kb, r->minflt,
			r->majflt, r->fault_ns, r->fault_cpu_ns);
	else
		fputs(",,,,,", f);
	fputc('\n', f);
}

void results_fill(struct result_row *row, const struct sim_opts *o,
		  const char *mode, const char *reclaim, uint64_t ram_pages,
		  const struct counters *c, const struct costs *costs,
		  double wall_s, char *observe, size_t observe_len)
{
	memset(row, 0, sizeof(*row));
	observe_format(&o->observe, observe, observe_len);
	row->mode = mode;
	row->trace = o->trace;
	row->reclaim = reclaim;
	row->pagemap = o->pagemap;
	row->alloc = o->alloc;
	row->observe = observe;
	row->ram_pages = ram_pages;
	row->page_size = o->page_size;
	row->reclaim_batch = o->reclaim_batch;
	row->c = *c;
	row->model_total_ns = costs_model(costs, o->page_size, &row->c,
					  row->model_ns);
	row->costs = costs->source;
	row->wall_s = wall_s;
}

void results_set_real(struct result_row *row, const struct real_stats *st)
{
	static const double q[LAT_N] = { 0.5, 0.9, 0.99, 0.999, 1.0 };

	row->have_latency = 1;
	row->fault_ns = 0;
	row->fault_cpu_ns = 0;
	for (int k = 0; k < FAULT_NCLASSES; k++) {
		for (int l = 0; l < LAT_N; l++)
			row->lat_ns[k][l] = st->lat[k].count ?
					    lat_quantile(&st->lat[k], q[l]) : NAN;
		row->fault_ns += (double)st->lat[k].sum_ns;
		row->fault_cpu_ns += (double)st->cpu_ns[k];
	}
	row->rss_max_kb = st->rss_max_kb;
	row->minflt = st->minflt;
	row->majflt = st->majflt;
}

void results_hist_header(FILE *f)
{
	fputs("mode,trace,reclaim,pagemap,alloc,observe,ram_pages,page_size,"
	      "class,lo_ns,hi_ns,count\n", f);
}

void results_hist_rows(FILE *f, const struct result_row *r,
		       const struct real_stats *st)
{
	const char *s[] = { r->mode, r->trace, r->reclaim, r->pagemap, r->alloc,
			    r->observe };

	for (int k = 0; k < FAULT_NCLASSES; k++)
		for (unsigned b = 0; b < LAT_NBUCKETS; b++) {
			uint64_t lo, hi;

			if (!st->lat[k].bucket[b])
				continue;
			lat_bucket_range(b, &lo, &hi);
			for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
				field(f, s[i]);
				fputc(',', f);
			}
			fprintf(f, "%llu,%u,%s,%llu,%llu,%llu\n",
				(unsigned long long)r->ram_pages, r->page_size,
				class_name[k], (unsigned long long)lo,
				(unsigned long long)hi,
				(unsigned long long)st->lat[k].bucket[b]);
		}
}

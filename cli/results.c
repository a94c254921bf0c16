/* cli/results.c — CSV rows in the schema of results/SCHEMA.md. */
#include "cli/results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
			if (r->have_latency)
				fprintf(f, ",%.0f", r->lat_ns[k][l]);
			else
				fputc(',', f);
		}
	fputc('\n', f);
}

int results_write_file(const char *path, const char *text, size_t len,
		       char *err, size_t errlen)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if (!path || !strcmp(path, "-")) {
		if (fwrite(text, 1, len, stdout) != len || fflush(stdout)) {
			snprintf(err, errlen, "stdout: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	{
		mode_t um = umask(0);
		umask(um);
		if (fchmod(fd, 0666 & ~um)) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
	}
	f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (fwrite(text, 1, len, f) != len || fflush(f) || fsync(fd)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

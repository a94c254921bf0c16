/* common/costs.c — the per-fault-class cost model and its parameter file. */
#include "common/costs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_key[FAULT_NCLASSES] = {
	[FAULT_LOAD] = "load", [FAULT_MAP] = "map",
	[FAULT_DIRTY] = "dirty", [FAULT_REF] = "ref",
};

void costs_default(struct costs *c)
{
	static const double d4k[FAULT_NCLASSES] = { 4000, 1800, 1500, 1500 };
	static const double d2m[FAULT_NCLASSES] = { 180000, 2500, 2000, 2000 };

	memcpy(c->ns_4k, d4k, sizeof(d4k));
	memcpy(c->ns_2m, d2m, sizeof(d2m));
	snprintf(c->source, sizeof(c->source), "default");
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static double *lookup(struct costs *c, const char *key)
{
	char k[64];

	for (int i = 0; i < FAULT_NCLASSES; i++) {
		snprintf(k, sizeof(k), "%s_ns", class_key[i]);
		if (!strcmp(k, key))
			return &c->ns_4k[i];
		snprintf(k, sizeof(k), "%s_2m_ns", class_key[i]);
		if (!strcmp(k, key))
			return &c->ns_2m[i];
	}
	return NULL;
}

int costs_load(struct costs *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0;

	costs_default(c);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *eq, *key, *val, *end;
		double *dst, v;

		lineno++;
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			goto fail;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		dst = lookup(c, key);
		if (!dst) {
			snprintf(err, errlen,
				 "%s:%d: unknown key '%s' (valid: load_ns, map_ns, dirty_ns, ref_ns, load_2m_ns, map_2m_ns, dirty_2m_ns, ref_2m_ns)",
				 path, lineno, key);
			goto fail;
		}
		errno = 0;
		v = strtod(val, &end);
		if (end == val || *end || errno || !(v >= 0) || v > 1e15) {
			snprintf(err, errlen, "%s:%d: %s: '%s' is not a non-negative number of ns",
				 path, lineno, key, val);
			goto fail;
		}
		*dst = v;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	snprintf(c->source, sizeof(c->source), "%s", path);
	return 0;
fail:
	fclose(f);
	return -1;
}

double costs_model(const struct costs *c, uint32_t page_size_bytes,
		   const struct counters *cnt, double by_class_ns[FAULT_NCLASSES])
{
	const double *ns = page_size_bytes > 4096 ? c->ns_2m : c->ns_4k;
	double total = 0;

	for (int i = 0; i < FAULT_NCLASSES; i++) {
		by_class_ns[i] = (double)cnt->by_class[i] * ns[i];
		total += by_class_ns[i];
	}
	return total;
}

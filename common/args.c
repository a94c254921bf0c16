/* common/args.c — policy specs, argument strings and registry lookup. */
#include "common/args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int spec_split(const char *spec, char *name, size_t namelen, const char **args,
	       char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);

	if (n == 0) {
		snprintf(err, errlen, "empty policy name in '%s'", spec);
		return -1;
	}
	if (n >= namelen) {
		snprintf(err, errlen, "policy name too long in '%s'", spec);
		return -1;
	}
	memcpy(name, spec, n);
	name[n] = '\0';
	*args = colon ? colon + 1 : "";
	return 0;
}

static void list_keys(const struct arg_spec *specs, size_t nspecs, char *buf,
		      size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nspecs && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				 specs[i].key);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (nspecs == 0)
		snprintf(buf, len, "none");
}

static int parse_value(const char *what, const struct arg_spec *s,
		       const char *val, char *err, size_t errlen)
{
	char *end;

	switch (s->type) {
	case ARG_U64: {
		errno = 0;
		if (*val == '-' || *val == '\0')
			goto bad;
		unsigned long long v = strtoull(val, &end, 0);
		if (errno || *end)
			goto bad;
		if ((double)v < s->min || (double)v > s->max) {
			snprintf(err, errlen,
				 "%s: %s=%s out of range [%.0f, %.0f]", what,
				 s->key, val, s->min, s->max);
			return -1;
		}
		*(uint64_t *)s->dst = v;
		return 0;
	}
	case ARG_DOUBLE: {
		errno = 0;
		double v = strtod(val, &end);
		if (errno || *end || end == val || v != v)
			goto bad;
		if (v < s->min || v > s->max) {
			snprintf(err, errlen, "%s: %s=%s out of range [%g, %g]",
				 what, s->key, val, s->min, s->max);
			return -1;
		}
		*(double *)s->dst = v;
		return 0;
	}
	case ARG_CHOICE:
		for (int i = 0; s->choices[i]; i++) {
			if (strcmp(s->choices[i], val) == 0) {
				*(int *)s->dst = i;
				return 0;
			}
		}
		{
			char valid[256];
			size_t off = 0;
			valid[0] = '\0';
			for (int i = 0; s->choices[i] && off < sizeof(valid); i++) {
				int w = snprintf(valid + off, sizeof(valid) - off,
						 "%s%s", i ? ", " : "", s->choices[i]);
				if (w < 0)
					break;
				off += (size_t)w;
			}
			snprintf(err, errlen, "%s: %s=%s is not one of: %s", what,
				 s->key, val, valid);
		}
		return -1;
	case ARG_BOOL:
		if (!strcmp(val, "1") || !strcasecmp(val, "yes") ||
		    !strcasecmp(val, "true")) {
			*(int *)s->dst = 1;
			return 0;
		}
		if (!strcmp(val, "0") || !strcasecmp(val, "no") ||
		    !strcasecmp(val, "false")) {
			*(int *)s->dst = 0;
			return 0;
		}
		goto bad;
	}
bad:
	snprintf(err, errlen, "%s: bad value '%s' for %s", what, val, s->key);
	return -1;
}

int args_parse(const char *what, const char *args, const struct arg_spec *specs,
	       size_t nspecs, char *err, size_t errlen)
{
	char buf[512];
	char *save = NULL;

	if (!args || !*args)
		return 0;
	if (strlen(args) >= sizeof(buf)) {
		snprintf(err, errlen, "%s: argument string too long", what);
		return -1;
	}
	strcpy(buf, args);
	for (char *kv = strtok_r(buf, ":", &save); kv;
	     kv = strtok_r(NULL, ":", &save)) {
		char *eq = strchr(kv, '=');
		const struct arg_spec *s = NULL;

		if (!eq) {
			snprintf(err, errlen, "%s: '%s' is not KEY=VALUE", what, kv);
			return -1;
		}
		*eq = '\0';
		for (size_t i = 0; i < nspecs; i++)
			if (!strcmp(specs[i].key, kv))
				s = &specs[i];
		if (!s) {
			char keys[256];
			list_keys(specs, nspecs, keys, sizeof(keys));
			snprintf(err, errlen, "%s: unknown parameter '%s' (valid: %s)",
				 what, kv, keys);
			return -1;
		}
		if (parse_value(what, s, eq + 1, err, errlen))
			return -1;
	}
	return 0;
}

void args_describe(const struct arg_spec *specs, size_t nspecs, char *buf,
		   size_t buflen)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nspecs && off < buflen; i++) {
		const struct arg_spec *s = &specs[i];
		char def[64];
		int w;

		switch (s->type) {
		case ARG_U64:
			snprintf(def, sizeof(def), "%llu",
				 (unsigned long long)*(uint64_t *)s->dst);
			break;
		case ARG_DOUBLE:
			snprintf(def, sizeof(def), "%g", *(double *)s->dst);
			break;
		case ARG_CHOICE:
			snprintf(def, sizeof(def), "%s", s->choices[*(int *)s->dst]);
			break;
		case ARG_BOOL:
			snprintf(def, sizeof(def), "%d", *(int *)s->dst);
			break;
		}
		w = snprintf(buf + off, buflen - off, "%s%s=%s (%s)", i ? ", " : "",
			     s->key, def, s->help);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

const void *registry_lookup(const char *kind, const void *const *table,
			    const char *name, char *err, size_t errlen)
{
	char valid[512];
	size_t off = 0;

	for (size_t i = 0; table[i]; i++) {
		const char *const *n = table[i];
		if (!strcmp(*n, name))
			return table[i];
	}
	valid[0] = '\0';
	for (size_t i = 0; table[i] && off < sizeof(valid); i++) {
		const char *const *n = table[i];
		int w = snprintf(valid + off, sizeof(valid) - off, "%s%s",
				 i ? ", " : "", *n);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	snprintf(err, errlen, "unknown %s policy '%s' (valid: %s)", kind, name,
		 valid);
	return NULL;
}

/*
 * common/args.h — policy specs and their argument strings.
 *
 * A policy is named on the command line as a spec:
 *
 *     NAME[:KEY=VALUE[:KEY=VALUE...]]      e.g.  s3fifo:small=0.1:ghost=0.9
 *
 * Lists of specs are separated by commas (--reclaim lru,arc,s3fifo:small=0.2),
 * so neither ':' nor ',' may appear inside a value.
 *
 * spec_split() separates NAME from the argument string; args_parse() checks
 * the argument string against a table of what the policy accepts and fills in
 * typed values.  Errors are written to err (one line, no newline) and
 * returned: nothing here exits or aborts.  Not for hot paths (called once,
 * at policy creation).
 */
#ifndef PAGELAB_COMMON_ARGS_H
#define PAGELAB_COMMON_ARGS_H

#include <stddef.h>
#include <stdint.h>

enum arg_type {
	ARG_U64,	/* dst is uint64_t *; accepts decimal or 0x hex, in [min, max] */
	ARG_DOUBLE,	/* dst is double *; in [min, max] */
	ARG_CHOICE,	/* dst is int *: index into choices (NULL-terminated) */
	ARG_BOOL,	/* dst is int *: 0/1, accepts 0 1 yes no true false */
};

struct arg_spec {
	const char *key;
	enum arg_type type;
	void *dst;		/* holds the default on entry */
	double min, max;	/* bounds for ARG_U64 and ARG_DOUBLE */
	const char *const *choices;	/* ARG_CHOICE */
	const char *help;	/* "fraction of RAM for the small FIFO" */
};

/*
 * Split "name:args" into name (copied into name, at most namelen-1 chars)
 * and a pointer to the argument string ("" if none).  Returns 0, or -1 with a
 * message in err when the name is empty or too long.
 */
int spec_split(const char *spec, char *name, size_t namelen, const char **args,
	       char *err, size_t errlen);

/*
 * Parse "k=v:k=v" (args may be "" or NULL) against specs.  Unknown keys,
 * malformed or out-of-range values give -1 and a message naming the key and
 * listing the valid keys (what is "policy" is used as a prefix in messages).
 * Keys not given keep the defaults already in *dst.
 */
int args_parse(const char *what, const char *args, const struct arg_spec *specs,
	       size_t nspecs, char *err, size_t errlen);

/* "key=default (help), ..." for --list; writes at most buflen bytes. */
void args_describe(const struct arg_spec *specs, size_t nspecs, char *buf,
		   size_t buflen);

/*
 * Look a name up in a NULL-terminated table of pointers to ops structs whose
 * first member is `const char *name`.  Returns the entry, or NULL with
 * "unknown KIND policy 'NAME' (valid: a, b, c)" in err.
 */
const void *registry_lookup(const char *kind, const void *const *table,
			    const char *name, char *err, size_t errlen);

#endif

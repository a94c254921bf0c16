/*
 * policies/tmem/spec.c — the tier as the command line names it:
 * `--tmem SIZE[:store=NAME[:ARG=V...]][:pool=ephemeral|persistent|both]`
 * (policies/tmem.h, struct tmem_spec).  SIZE is kept as given; the engine's
 * configuration resolves it like a --ram size, against the RAM it counts
 * against.  Runs once, at option parsing.
 */
#include "policies/tmem.h"

#include <stdio.h>
#include <string.h>

int tmem_spec_parse(const char *s, struct tmem_spec *sp, char *err,
		    size_t errlen)
{
	const char *tok = s, *colon;
	char msg[256];
	size_t store_len = 0;
	int in_store = 0;
	struct tmem_store *st;

	memset(sp, 0, sizeof(*sp));
	snprintf(sp->store, sizeof(sp->store), "lz4");
	sp->ephemeral = true;
	colon = strchr(tok, ':');
	if (colon == tok || !*tok) {
		snprintf(err, errlen, "--tmem: SIZE is required (e.g. 64M or 25%%)");
		return -1;
	}
	if ((size_t)(colon ? colon - tok : (long)strlen(tok)) >= sizeof(sp->size)) {
		snprintf(err, errlen, "--tmem: SIZE '%.*s' is too long",
			 (int)(colon ? colon - tok : (long)strlen(tok)), tok);
		return -1;
	}
	snprintf(sp->size, sizeof(sp->size), "%.*s",
		 (int)(colon ? colon - tok : (long)strlen(tok)), tok);
	while (colon) {
		size_t len;

		tok = colon + 1;
		colon = strchr(tok, ':');
		len = colon ? (size_t)(colon - tok) : strlen(tok);
		if (len > 5 && !strncmp(tok, "pool=", 5)) {
			in_store = 0;
			if (len == 14 && !strncmp(tok + 5, "ephemeral", 9)) {
				sp->ephemeral = true;
				sp->persistent = false;
			} else if (len == 15 && !strncmp(tok + 5, "persistent", 10)) {
				sp->ephemeral = false;
				sp->persistent = true;
			} else if (len == 9 && !strncmp(tok + 5, "both", 4)) {
				sp->ephemeral = sp->persistent = true;
			} else {
				snprintf(err, errlen,
					 "--tmem: pool '%.*s' is not ephemeral, persistent or both",
					 (int)(len - 5), tok + 5);
				return -1;
			}
		} else if (len > 6 && !strncmp(tok, "store=", 6)) {
			in_store = 1;
			store_len = 0;
			tok += 6;
			len -= 6;
			goto append;
		} else if (in_store) {	/* an argument of the store */
			if (store_len + 1 < sizeof(sp->store))
				sp->store[store_len++] = ':';
			goto append;
		} else {
			snprintf(err, errlen,
				 "--tmem: unknown part '%.*s' (SIZE[:store=lz4|zstd|copy][:pool=ephemeral|persistent|both])",
				 (int)len, tok);
			return -1;
		}
		continue;
append:
		if (store_len + len >= sizeof(sp->store)) {
			snprintf(err, errlen, "--tmem: store spec too long");
			return -1;
		}
		memcpy(sp->store + store_len, tok, len);
		store_len += len;
		sp->store[store_len] = '\0';
	}
	/* the store and its arguments are checked by making one */
	st = tmem_store_create(sp->store, 4096, NULL, msg, sizeof(msg));
	if (!st) {
		snprintf(err, errlen, "--tmem: %s", msg);
		return -1;
	}
	tmem_store_destroy(st);
	return 0;
}

/* common/bug.c — the BUG_ON() report path: async-signal-safe, never returns. */
#include "common/bug.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put(const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(2, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

void pagelab_bug(const char *file, int line, const char *expr)
{
	char num[16];
	int i = (int)sizeof(num) - 1;
	unsigned v = line > 0 ? (unsigned)line : 0;

	num[i] = '\0';
	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	put("pagelab: BUG at ");
	put(file);
	put(":");
	put(&num[i]);
	put(": ");
	put(expr);
	put("\n");
	abort();
}

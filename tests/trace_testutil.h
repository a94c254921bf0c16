/*
 * tests/trace_testutil.h — helpers for the trace tests: read a whole trace
 * into memory, write events to a file, compare event arrays, temp dirs.
 */
#ifndef PAGELAB_TESTS_TRACE_TESTUTIL_H
#define PAGELAB_TESTS_TRACE_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/gen.h"
#include "workloads/trace.h"

struct evbuf {
	struct event *ev;
	size_t n, cap;
};

static inline void evbuf_push(struct evbuf *b, const struct event *e, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->ev = realloc(b->ev, b->cap * sizeof(*b->ev));
		if (!b->ev)
			abort();
	}
	memcpy(b->ev + b->n, e, n * sizeof(*e));
	b->n += n;
}

/* Read all of r into b; returns 0 or -1 (message in err); closes r. */
static inline int read_all(struct trace_reader *r, struct evbuf *b, char *err,
			   size_t errlen)
{
	struct event ev[333];	/* odd batch size on purpose */
	long n;

	while ((n = trace_read(r, ev, sizeof(ev) / sizeof(ev[0]))) > 0)
		evbuf_push(b, ev, (size_t)n);
	if (n < 0)
		snprintf(err, errlen, "%s", trace_error(r));
	trace_close(r);
	return n < 0 ? -1 : 0;
}

static inline int read_path(const char *path, const struct trace_opts *o,
			    struct evbuf *b, char *err, size_t errlen)
{
	struct trace_reader *r = trace_open(path, o, err, errlen);
	if (!r)
		return -1;
	return read_all(r, b, err, errlen);
}

static inline int write_events(const char *path, const char *fmt,
			       const struct trace_header *h,
			       const struct event *ev, size_t n)
{
	char err[1200];
	struct trace_writer *w = trace_writer_open(path, fmt, h, err, sizeof(err));

	if (!w) {
		fprintf(stderr, "writer: %s\n", err);
		return -1;
	}
	/* in uneven chunks */
	for (size_t i = 0; i < n; i += 1000) {
		size_t k = n - i < 1000 ? n - i : 1000;
		if (trace_write(w, ev + i, k) < 0) {
			fprintf(stderr, "writer: %s\n", trace_writer_error(w));
			trace_writer_close(w, 0);
			return -1;
		}
	}
	if (trace_writer_close_err(w, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "writer: %s\n", err);
		return -1;
	}
	return 0;
}

/* err is one line "NAME: offset OFF: ..." containing why (else says so on
 * stderr). */
static inline int msg_is(const char *err, const char *name, long off,
			 const char *why)
{
	char head[600];

	snprintf(head, sizeof(head), "%s: offset %ld: ", name, off);
	if (strncmp(err, head, strlen(head)) || !strstr(err, why) ||
	    strchr(err, '\n')) {
		fprintf(stderr, "  message: %s\n  wanted:  %s...%s\n", err, head, why);
		return 0;
	}
	return 1;
}

static inline int events_equal(const struct evbuf *a, const struct evbuf *b)
{
	if (a->n != b->n) {
		fprintf(stderr, "event counts differ: %zu != %zu\n", a->n, b->n);
		return 0;
	}
	for (size_t i = 0; i < a->n; i++)
		if (memcmp(&a->ev[i], &b->ev[i], sizeof(struct event))) {
			fprintf(stderr, "event %zu differs\n", i);
			return 0;
		}
	return 1;
}

/* A fresh directory under $TMPDIR (or /tmp); path into buf. */
static inline const char *tmpdir_make(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");
	snprintf(buf, len, "%s/pagelab-t-XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(buf);
}

static inline void tmpdir_remove(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static inline long file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

static inline unsigned char *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

static inline int file_write(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;
	if (!f)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Files in dir whose name ends in suffix (e.g. leftover ".tmp" files). */
static inline int dir_count_suffix(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t k = strlen(suffix);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		n += l > k && !strcmp(e->d_name + l - k, suffix);
	}
	closedir(d);
	return n;
}

/* What path is (S_IFREG, S_IFLNK, S_IFCHR, ...; a link not followed), or 0
 * if nothing is there. */
static inline mode_t path_type(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : (st.st_mode & S_IFMT);
}

#endif

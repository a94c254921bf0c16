/*
 * workloads/detect.c — which format is this trace?  Content first, then
 * the name.
 *
 * In order: the native magic "PGLTRACE"; then, for text (the first 4 KiB
 * hold no control bytes), the first line that is not blank or a comment:
 * lackey lines ("I  addr,size", " L addr,size", valgrind's "==pid=="
 * banner), text-format keywords, a lone number (libCacheSim txt), fields
 * separated by commas (csv); for binary data, vscsi records (the version
 * byte and a SCSI read/write opcode in each of the first records, as
 * strong as a magic).  Only then the file name's extension (after dropping
 * ".zst"): .pgt, .csv, .oracleGeneral[.bin], .lackey, .vscsi, .twr,
 * .twrNS, .txt/.trace (text); and last, binary data whose first records
 * look like oracleGeneral records (next_access_vtime -1 or later than the
 * record) — a weak test that twr data can pass, so it comes after the
 * name.  NULL means unknown: the caller asks the user to force a format.
 */
#include <string.h>
#include <strings.h>

#include "workloads/trace_impl.h"

static int trace_ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && !strncasecmp(s + n - k, suf, k);
}

const char *trace_format_by_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (trace_ends_with(base, n, ".zst"))
		n -= 4;
	if (trace_ends_with(base, n, ".csv"))
		return "csv";
	if (trace_ends_with(base, n, ".oracleGeneral") ||
	    trace_ends_with(base, n, ".oracleGeneral.bin"))
		return "oracle";
	if (trace_ends_with(base, n, ".lackey"))
		return "lackey";
	if (trace_ends_with(base, n, ".vscsi"))
		return "vscsi";
	if (trace_ends_with(base, n, ".twrNS"))
		return "twrNS";
	if (trace_ends_with(base, n, ".twr"))
		return "twr";
	if (trace_ends_with(base, n, ".txt") || trace_ends_with(base, n, ".trace"))
		return "text";
	if (trace_ends_with(base, n, ".pgt"))
		return "native";
	return NULL;
}

static const char *const text_words[] = {
	"mmap", "r", "w", "unmap", "writeout", "discard", "invalidate", NULL,
};

/* The first line that is not blank or a comment. */
static const char *first_line(const unsigned char *p, const unsigned char *e,
			      size_t *len)
{
	while (p < e) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(e - p));
		const unsigned char *le = nl ? nl : e;
		const unsigned char *q = p;
		while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q < le && *q != '#') {
			*len = (size_t)(le - p);
			return (const char *)p;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int lackey_line(const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 2 && s[0] == '=' && s[1] == '=')
		return 1;
	if (n >= 3 && s[0] == 'I' && s[1] == ' ')
		i = 1;
	else if (n >= 3 && s[0] == ' ' && strchr("LSM", s[1]) && s[2] == ' ')
		i = 2;
	else
		return 0;
	while (i < n && s[i] == ' ')
		i++;
	if (i >= n || !is_hex(s[i]))
		return 0;
	while (i < n && is_hex(s[i]))
		i++;
	return i < n && s[i] == ',';
}

static int text_line(const char *s, size_t n)
{
	size_t w = 0;

	if (n && s[0] == '@')
		return 1;
	while (w < n && s[w] != ' ' && s[w] != '\t')
		w++;
	for (int i = 0; text_words[i]; i++)
		if (strlen(text_words[i]) == w && !strncmp(s, text_words[i], w))
			return 1;
	return 0;
}

static int csv_line(const char *s, size_t n)
{
	int commas = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ',')
			commas++;
		else if (c < 0x20 && c != '\t' && c != '\r')
			return 0;
	}
	return commas > 0;
}

/* One unsigned decimal or 0x-hex number, blanks around it allowed. */
static int number_line(const char *s, size_t n)
{
	uint64_t v;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	return trace_parse_u64(s, s + n, UINT64_MAX, &v) == 0;
}

static int looks_binary(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0 || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' &&
				  p[i] != '\t'))
			return 1;
	return 0;
}

static int looks_oracle(const unsigned char *p, size_t n)
{
	size_t recs = n / 24;

	if (recs == 0)
		return 0;
	if (recs > 64)
		recs = 64;
	for (size_t i = 0; i < recs; i++) {
		int64_t next;
		memcpy(&next, p + i * 24 + 16, 8);
		if (next != -1 && next <= (int64_t)i)
			return 0;
	}
	return 1;
}

const char *trace_detect(struct tin *t, const char *path)
{
	const unsigned char *p = t->buf + t->pos;
	size_t n = t->len - t->pos;
	const char *ext, *line;
	size_t len;

	if (n >= 8 && !memcmp(p, "PGLTRACE", 8))
		return "native";
	ext = trace_format_by_name(path);
	if (looks_binary(p, n < 4096 ? n : 4096)) {
		if (vscsi_version(p, n))
			return "vscsi";
		if (ext)
			return ext;	/* .pgt without the magic: "bad magic" */
		return looks_oracle(p, n) ? "oracle" : NULL;
	}
	line = first_line(p, p + n, &len);
	if (line) {
		if (lackey_line(line, len))
			return "lackey";
		if (text_line(line, len))
			return "text";
		if (number_line(line, len))
			return "txt";
		if (csv_line(line, len))
			return "csv";
	}
	if (ext)
		return ext;
	/* only comments or nothing: an empty text trace */
	return !line && (n == 0 || p[0] == '#') ? "text" : NULL;
}

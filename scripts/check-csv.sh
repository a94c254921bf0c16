#!/bin/sh
# scripts/check-csv.sh FILE.csv — check a results CSV against the schema:
# the header names every required column (DESIGN.md "Command line",
# results/SCHEMA.md), and every row has exactly one field per header column
# with the numeric columns numeric.  One line per problem (at most 10) on
# stderr, naming file and line; exit 1 when there is any.
set -u
f=${1:?usage: scripts/check-csv.sh FILE.csv}
here=$(dirname "$0")
[ -s "$f" ] || { echo "$f: empty or missing" >&2; exit 1; }
awk "$(cat "$here/plot/csv.awk")"'
BEGIN {
	nreq = split("mode trace reclaim pagemap alloc observe ram_pages page_size " \
		"accesses hits faults load_faults map_faults dirty_faults ref_faults " \
		"loads stores evictions writebacks vmas_peak vmas_end wall_s", req, " ")
	nnum = split("ram_pages page_size accesses hits faults load_faults map_faults " \
		"dirty_faults ref_faults loads stores evictions writebacks vmas_peak " \
		"vmas_end wall_s", num, " ")
}
function bad(msg) {
	if (++nbad <= 10) printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
}
NR == 1 {
	csv_header($0)
	for (i = 1; i <= nreq; i++)
		if (!(req[i] in C)) bad("header lacks column " req[i])
	next
}
{
	n = csv_split($0, f)
	if (n != NCOL) { bad(n " fields, the header has " NCOL); next }
	for (i = 1; i <= nnum; i++) {
		v = col(f, num[i])
		if (v !~ /^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/)
			bad(num[i] " is \"" v "\", not a number")
	}
	if (col(f, "mode") == "" || col(f, "trace") == "" || col(f, "reclaim") == "")
		bad("empty mode, trace or reclaim")
	rows++
}
END {
	if (NR < 2) bad("no rows")
	if (nbad > 10) printf "%s: %d problems in all\n", FILENAME, nbad > "/dev/stderr"
	exit nbad > 0
}' "$f"

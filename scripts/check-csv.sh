#!/bin/sh
# scripts/check-csv.sh FILE.csv — check a results CSV against the schema of
# results/SCHEMA.md: the header has every column at its position (later
# columns may follow), every row has one field per header column, counts
# are numbers, hits + faults = accesses, faults = the sum of its classes,
# and sim rows leave the measured latencies empty.  One line per problem (at most 10) on
# stderr, naming file and line; exit 1 when there is any.
set -u
f=${1:?usage: scripts/check-csv.sh FILE.csv}
here=$(dirname "$0")
[ -s "$f" ] || { echo "$f: empty or missing" >&2; exit 1; }
awk "$(cat "$here/plot/csv.awk")"'
BEGIN {
	# results/SCHEMA.md, in order (columns are only ever appended)
	nreq = split("mode trace reclaim pagemap alloc observe ram_pages page_size " \
		"reclaim_batch accesses hits faults load_faults map_faults dirty_faults " \
		"ref_faults loads stores evictions writebacks tmem_puts tmem_gets " \
		"tmem_hits ram_pages_peak vmas_peak vmas_end miss_ratio model_fault_ns " \
		"model_load_ns model_map_ns model_dirty_ns model_ref_ns costs wall_s", req, " ")
	ncl = split("load map dirty ref", cl, " ")
	npc = split("p50 p90 p99 p999 max", pc, " ")
	for (i = 1; i <= ncl; i++)
		for (j = 1; j <= npc; j++)
			req[++nreq] = cl[i] "_" pc[j] "_ns"
	nnum = split("ram_pages page_size reclaim_batch accesses hits faults " \
		"load_faults map_faults dirty_faults ref_faults loads stores evictions " \
		"writebacks ram_pages_peak vmas_peak vmas_end miss_ratio " \
		"model_fault_ns wall_s", num, " ")
}
function bad(msg) {
	if (++nbad <= 10) printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
}
NR == 1 {
	csv_header($0)
	for (i = 1; i <= nreq; i++)
		if (!(req[i] in C)) bad("header lacks column " req[i])
		else if (C[req[i]] != i) bad("column " req[i] " is number " C[req[i]] ", not " i)
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
	if (col(f, "hits") + col(f, "faults") != col(f, "accesses") + 0)
		bad("hits + faults != accesses")
	if (col(f, "faults") + 0 != col(f, "load_faults") + col(f, "map_faults") + \
	    col(f, "dirty_faults") + col(f, "ref_faults"))
		bad("faults is not the sum of the four classes")
	# latency percentiles: measured by real runs only, empty in sim rows
	if (col(f, "mode") == "sim" && col(f, "load_p50_ns") != "")
		bad("a sim row with a measured latency")
	rows++
}
END {
	if (NR < 2) bad("no rows")
	if (nbad > 10) printf "%s: %d problems in all\n", FILENAME, nbad > "/dev/stderr"
	exit nbad > 0
}' "$f"

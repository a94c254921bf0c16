#!/bin/sh
# scripts/check-counters.sh OLD.csv NEW.csv — the counter regression check:
# did a change alter any counter of any run?
#
#   scripts/check-counters.sh results/BEFORE/results.csv results/AFTER/results.csv
#   scripts/check-counters.sh --extract results.csv >golden.csv
#
# Joins the rows of two results CSVs (results/SCHEMA.md) on the columns that
# name a run — mode, trace (by file name: the bench writes its traces into
# a temporary folder), reclaim, pagemap, alloc, observe, ram_pages,
# page_size, reclaim_batch — and compares every counter column (accesses
# through vmas_end), never times, latencies, the modelled time or the
# process figures of a real run.  Columns are found by header name, so
# either file may have columns the other lacks: a counter NEW added is
# noted and not compared; a counter of OLD missing from NEW is a
# difference.  A column this script does not know is noted, not compared
# (add a new counter to COUNTERS below, anything else to IGNORED).
#
# Prints one line per difference and per row found on one side only, then
# one summary line; exits 0 when every row of each side is on the other
# with the same counters, 1 when not, 2 on usage or unreadable input.
#
# --extract FILE prints FILE with only the run columns and the counters it
# has (the form of the golden files under tests/data/).
set -u
here=$(dirname "$0")

RUNCOLS="mode trace reclaim pagemap alloc observe ram_pages page_size reclaim_batch"
COUNTERS="accesses hits faults load_faults map_faults dirty_faults ref_faults \
loads stores evictions writebacks tmem_puts tmem_gets tmem_hits ram_pages_peak \
vmas_peak vmas_end"
# derived, modelled, measured or environment-dependent: never compared
IGNORED="miss_ratio model_fault_ns model_load_ns model_map_ns model_dirty_ns \
model_ref_ns costs wall_s rss_max_kb minflt majflt fault_ns fault_cpu_ns"

usage() {
	echo "usage: scripts/check-counters.sh OLD.csv NEW.csv" >&2
	echo "       scripts/check-counters.sh --extract FILE.csv" >&2
	exit 2
}

if [ $# -eq 2 ] && [ "$1" = --extract ]; then
	[ -r "$2" ] || { echo "check-counters: $2: cannot read" >&2; exit 2; }
	exec awk -v runcols="$RUNCOLS" -v counters="$COUNTERS" \
		"$(cat "$here/plot/csv.awk")"'
	NR == 1 {
		csv_header($0)
		nrun = split(runcols, run, " ")
		for (i = 1; i <= nrun; i++)
			if (!(run[i] in C)) {
				printf "check-counters: %s: no column %s (not a results CSV?)\n",
				       FILENAME, run[i] > "/dev/stderr"
				exit 2
			}
		n = nrun
		ncnt = split(counters, cnt, " ")
		for (i = 1; i <= ncnt; i++)
			if (cnt[i] in C)
				keep[++n] = cnt[i]
		for (i = 1; i <= nrun; i++)
			keep[i] = run[i]
	}
	{
		csv_split($0, f)
		line = ""
		for (i = 1; i <= n; i++) {
			v = f[C[keep[i]]]
			if (v ~ /[",\n]/) {
				gsub(/"/, "\"\"", v)
				v = "\"" v "\""
			}
			line = line (i > 1 ? "," : "") v
		}
		print line
	}' "$2"
fi
[ $# -eq 2 ] || usage
for f in "$1" "$2"; do
	[ -r "$f" ] && [ -f "$f" ] || { echo "check-counters: $f: cannot read" >&2; exit 2; }
done

awk -v runcols="$RUNCOLS" -v counters="$COUNTERS" -v ignored="$IGNORED" \
	"$(cat "$here/plot/csv.awk")"'
BEGIN {
	nrun = split(runcols, run, " ")
	ncnt = split(counters, cnt, " ")
	for (i = 1; i <= nrun; i++) known[run[i]] = 1
	for (i = 1; i <= ncnt; i++) known[cnt[i]] = 1
	n = split(ignored, ig, " ")
	for (i = 1; i <= n; i++) known[ig[i]] = 1
	side[1] = "OLD"; side[2] = "NEW"
}
function fail(msg) {
	printf "check-counters: %s\n", msg > "/dev/stderr"
	bad_input = 1
	exit 2
}
# The run a row describes, as one printable string.
function runkey(f, s,    k, i, v) {
	k = ""
	for (i = 1; i <= nrun; i++) {
		v = f[H[s, run[i]]]
		if (run[i] == "trace")
			sub(/.*\//, "", v)
		k = k (i > 1 ? " " : "") v
	}
	return k
}
FNR == 1 {
	s = ++nfile
	name[s] = FILENAME
	ncol[s] = csv_split($0, h)
	for (i = 1; i <= ncol[s]; i++) {
		H[s, h[i]] = i
		if (!(h[i] in known) && !((h[i], "noted") in seen)) {
			seen[h[i], "noted"] = 1
			if (h[i] ~ /_p[0-9]+_ns$|_max_ns$/)
				continue	# latency percentiles
			printf "note: column %s is not known to this script: not compared\n", h[i]
		}
	}
	for (i = 1; i <= nrun; i++)
		if (!((s, run[i]) in H))
			fail(FILENAME ": no column " run[i] " (not a results CSV?)")
	next
}
{
	if ((n = csv_split($0, f)) != ncol[s])
		fail(FILENAME ":" FNR ": " n " fields, the header has " ncol[s])
	k = runkey(f, s)
	if ((s, k) in row)
		fail(FILENAME ":" FNR ": a second row for run " k)
	row[s, k] = 1
	if (s == 1)
		order[++nold] = k
	else
		neworder[++nnew] = k
	for (i = 1; i <= ncnt; i++)
		if ((s, cnt[i]) in H)
			val[s, k, cnt[i]] = f[H[s, cnt[i]]]
}
END {
	if (bad_input)
		exit 2
	if (nfile != 2)
		fail("an input file is empty")
	for (i = 1; i <= ncnt; i++) {
		c = cnt[i]
		if ((1, c) in H && (2, c) in H)
			cmp[++ncmp] = c
		else if ((1, c) in H) {
			printf "counter %s is in OLD but not in NEW\n", c
			ndiff++
		} else if ((2, c) in H)
			printf "note: counter %s is only in NEW: not compared\n", c
	}
	for (j = 1; j <= nold; j++) {
		k = order[j]
		if (!((2, k) in row)) {
			printf "only in OLD: %s\n", k
			nonly++
			continue
		}
		nboth++
		rowbad = 0
		for (i = 1; i <= ncmp; i++) {
			c = cmp[i]
			if (val[1, k, c] != val[2, k, c]) {
				printf "differs: %s: %s %s -> %s\n", k, c, val[1, k, c], val[2, k, c]
				ndiff++
				rowbad = 1
			}
		}
		nrowbad += rowbad
	}
	for (j = 1; j <= nnew; j++)
		if (!((1, neworder[j]) in row)) {
			printf "only in NEW: %s\n", neworder[j]
			nonly++
		}
	printf "check-counters: %d runs in both, %d counters compared each; " \
	       "%d differences in %d runs; %d runs on one side only\n",
	       nboth, ncmp, ndiff + 0, nrowbad + 0, nonly + 0
	exit (ndiff || nonly) ? 1 : 0
}' "$1" "$2"

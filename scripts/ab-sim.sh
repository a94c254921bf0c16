#!/bin/sh
# scripts/ab-sim.sh — compare bench_sim builds, interleaved, by medians.
#
#   scripts/ab-sim.sh [-n RUNS] [-p POLICIES] [-m PAGEMAP] [-a ALLOC] [-t TRACE]
#                     BENCH_SIM...
#
# The way COMMON.md asks speed to be measured on a shared machine: every
# build is run RUNS times (default 9) for every reclaim policy in POLICIES
# (default "lru arc"), one bench_sim process per figure (--runs 1), the
# builds interleaved (A B A B ..., the order turned round every other run
# so that neither always goes first); bench_sim times its replay with the
# thread's CPU clock.  Prints, per policy, each build's median M accesses/s
# with its range, the ratio of that median to the first build's, and the
# median of the per-run ratios to the first build (each run's figures are
# taken back to back, so this one is the least disturbed by a machine whose
# speed drifts while the comparison runs), e.g.
#
#   lru  build/bench/bench_sim  24.1 (23.5-24.9)  1.000  1.000
#   lru  /tmp/x/bench_sim       23.2 (22.8-23.9)  0.963  0.958
#
# The trace is bench_sim's default (10 M zipf(0.9) accesses over 1 M pages,
# RAM at 10 %, full observation), made once and shared by every build, or
# TRACE (bench_sim --trace).
set -eu

runs=9 policies="lru arc" pagemap=radix alloc=vmem trace=""
usage="usage: $0 [-n RUNS] [-p POLICIES] [-m PAGEMAP] [-a ALLOC] [-t TRACE] BENCH_SIM..."
while getopts n:p:m:a:t: o; do
	case $o in
	n) runs=$OPTARG ;;
	p) policies=$OPTARG ;;
	m) pagemap=$OPTARG ;;
	a) alloc=$OPTARG ;;
	t) trace=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ]; then
	echo "$usage" >&2
	exit 2
fi
[ -z "$trace" ] || [ -r "$trace" ] || { echo "$0: $trace: cannot read it" >&2; exit 2; }
for b in "$@"; do
	[ -x "$b" ] || { echo "$0: $b: not an executable" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ab-sim.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# One figure: M accesses/s of build $1 (index $2) for policy $3.
one() {
	"$1" --runs 1 --reclaim "$3" --pagemap "$pagemap" --alloc "$alloc" \
		${trace:+--trace "$trace"} >"$tmp/out" 2>&1 ||
		{ cat "$tmp/out" >&2; exit 1; }
	awk -v p="$3" '$1 == p && NF >= 4 { print $4 }' "$tmp/out" \
		>>"$tmp/$2.$3"
}

i=0
while [ "$i" -lt "$runs" ]; do
	for p in $policies; do
		if [ $((i % 2)) -eq 0 ]; then
			k=0
			for b in "$@"; do one "$b" $k "$p"; k=$((k + 1)); done
		else
			k=$#
			for b in $(printf '%s\n' "$@" | awk '{ a[NR] = $0 } END { for (i = NR; i > 0; i--) print a[i] }'); do
				k=$((k - 1)); one "$b" $k "$p"
			done
		fi
	done
	i=$((i + 1))
done

for p in $policies; do
	k=0 base=""
	for b in "$@"; do
		paste "$tmp/0.$p" "$tmp/$k.$p" | awk '{ print $2 / $1 }' | sort -g \
			>"$tmp/ratio"
		sort -g "$tmp/$k.$p" | awk -v p="$p" -v b="$b" -v base="$base" \
			-v pr="$(awk '{ r[NR] = $1 } END { print NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }' "$tmp/ratio")" '
			{ v[NR] = $1 }
			END {
				m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "%-10s %-40s %6.2f (%.2f-%.2f)  %.3f  %.3f\n", p, b, m,
				       v[1], v[NR], base == "" ? 1 : m / base, pr
			}' >"$tmp/line"
		cat "$tmp/line"
		[ -n "$base" ] || base=$(awk '{ print $3 }' "$tmp/line")
		k=$((k + 1))
	done
done

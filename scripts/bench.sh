#!/usr/bin/env bash
# scripts/bench.sh BUILD_DIR — the standard study behind `make bench`.
#
#   make bench            the full study (<= 15 minutes on 2 cores)
#   make bench QUICK=1    the same study on small traces (<= 2 minutes; CI)
#   make plot RESULTS=dir redraw the plots and report.md of a finished run
#
# Writes results/YYYYMMDD-HHMMSS-HOST/, built as results/.incomplete-... and
# renamed only when every part finished and results.csv passed its schema
# check, so an interrupted or failed run never looks complete:
#
#   machine.txt        hwloc topology, kernel, compiler, commit (scripts/machine.sh)
#   bench_*.txt        what each benchmark program (bench/*.c) printed
#   costs.txt          `pagelab calibrate` output, when that command exists
#   results.csv        every run, one row per (trace, policies, RAM size,
#                      mode), in the schema of results/SCHEMA.md
#   hyperfine.{json,md,csv}  whole-command timings of the simulator per policy
#   hist/              fault-latency histograms of the real runs
#   jobs/*.jobs        the command lines that were run (GNU parallel input)
#   plots/*.png|svg    gnuplot figures (scripts/plot.sh), report.md
#   run.txt, skipped.txt  what ran, how long, which parts were skipped and why
#
# Phases: machine description, benchmark programs, calibration, trace
# generation, the simulator sweep (every reclaim policy x RAM sizes x {full,
# faults} observation, every allocator), the real replays and `compare`,
# hyperfine, then merge, check, plot, report.  The generation and sweep
# phases are independent jobs run across cores by scripts/runjobs.sh; set
# PARALLEL to hand each job file to another runner instead, e.g.
#   make bench PARALLEL='parallel --sshlogin 2/alpha,2/beta,:'
# (README "Running the study on several machines").  Real replays and
# timings run one at a time, so they measure an otherwise idle machine.
#
# The real trace is the CloudPhysics block trace: PAGELAB_SHARED's
# traces/cloudPhysicsIO.oracleGeneral.bin when that is readable, else the
# copy committed in tests/data/ (decompressed into the run's traces/, so
# its rows name the same file either way).
#
# Environment: QUICK=1, JOBS=N (default: CPUs), PAGELAB_BIN, PAGELAB_SHARED
# (both exported by the Makefile), KEEP_TRACES=1 keeps the generated traces,
# PARALLEL (above).
set -uo pipefail

# The script is one brace group, which bash reads in full before running it:
# editing this file while a study runs cannot change that study.
{

build=${1:-build}
quick=${QUICK:-0}
case "$quick" in '' | 0) quick=0 ;; *) quick=1 ;; esac
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
top=$(cd "$(dirname "$0")/.." && pwd)
pagelab=${PAGELAB_BIN:-$top/$build/bin/pagelab}
shared=${PAGELAB_SHARED:-$top/../shared}
real_trace="$shared/traces/cloudPhysicsIO.oracleGeneral.bin"

stamp=$(date -u +%Y%m%d-%H%M%S)
host=$(hostname -s 2>/dev/null || echo host)
mkdir -p "$top/results"
final="$top/results/$stamp-$host"
# unique even for two studies started in the same second (mktemp -d)
tmp=$(mktemp -d "$top/results/.incomplete-$stamp-$host-XXXXXX")
mkdir -p "$tmp"/{parts,logs,jobs,traces,hist}
t_start=$(date +%s)
trap 'echo "bench: interrupted; partial output left in $tmp" >&2; exit 130' INT TERM

# Huge pages for bench_fault's and the real replays' hugetlbfs parts: as
# root, reserve what they need and put vm.nr_hugepages back at the end.
huge_pages=160
hp_path=/proc/sys/vm/nr_hugepages
hp_prev=""
hugefree=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo 2>/dev/null)
if [ "${hugefree:-0}" -lt $huge_pages ] && [ "$(id -u)" -eq 0 ] && [ -w $hp_path ]; then
	hp_prev=$(cat $hp_path)
	echo $((hp_prev + huge_pages - ${hugefree:-0})) >$hp_path 2>/dev/null || true
	trap 'echo "$hp_prev" >'"$hp_path"' 2>/dev/null' EXIT
	hugefree=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo 2>/dev/null)
fi

say() { echo "bench: $*" >&2; }
# skip PART REASON: one line on stderr, one line in skipped.txt (report.md)
skip() {
	say "skipped $1: $2"
	printf '%s: %s\n' "$1" "$2" >>"$tmp/skipped.txt"
}
failed=0
fail() {
	say "FAILED $1"
	printf '%s\n' "$1" >>"$tmp/failed.txt"
	failed=1
}
q() { printf '%q' "$1"; }
# awkcsv PROGRAM FILE...: awk with the CSV helpers of scripts/plot/csv.awk
awkcsv() {
	local prog=$1
	shift
	awk "$(cat "$top/scripts/plot/csv.awk")
$prog" "$@"
}
: >"$tmp/skipped.txt"

# The study's parameters.  Sizes are percentages of each trace's distinct
# pages (DESIGN.md "Command line"), spaced so the knee of every curve is seen.
if [ $quick -eq 1 ]; then
	pages=10000 accesses=100000
	sizes="1%,2%,5%,10%,20%,40%,70%,100%"
	hf_runs=3
else
	pages=50000 accesses=1000000
	sizes="1%,2%,5%,10%,15%,20%,30%,50%,75%,100%"
	hf_runs=5
fi
real_sizes="5%,20%,50%"
kinds="seq zipf loop hotset slices matrix"

cat >"$tmp/run.txt" <<EOF
quick: $quick
started: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
jobs_parallel: $jobs
generated_pages: $pages
generated_accesses: $accesses
ram_sizes: $sizes
real_ram_sizes: $real_sizes
EOF

# --- machine and benchmark programs --------------------------------------
(cd "$top" && scripts/machine.sh) >"$tmp/machine.txt"

# QUICK runs each benchmark program at a small size; a program not listed
# here has no size flag and is skipped in QUICK mode (the full run has it)
quick_args() {
	case $1 in
	bench_pagemap) echo "-n 65536 -r 3" ;;
	bench_fault) echo "-n 1024 -r 3" ;;
	bench_sim) echo "--accesses 1000000 --pages 100000 --runs 1" ;;
	*) return 1 ;;
	esac
}
for b in "$build"/bench/*; do
	[ -x "$b" ] && [ -f "$b" ] || continue
	name=$(basename "$b")
	args=""
	if [ $quick -eq 1 ] && ! args=$(quick_args "$name"); then
		skip "$name" "no small size for QUICK mode (it runs in the full study)"
		continue
	fi
	say "== $name $args"
	# shellcheck disable=SC2086
	if ! "$b" $args >"$tmp/$name.txt" 2>"$tmp/logs/$name.log"; then
		fail "$name (see logs/$name.log)"
	fi
	cat "$tmp/$name.txt"
done

# --- what this pagelab can do --------------------------------------------
has_cmd() { "$pagelab" --help 2>/dev/null | grep -qE "^  $1 "; }
has_flag() { "$pagelab" $1 --help 2>&1 | grep -q -- "$2"; }

if [ ! -x "$pagelab" ]; then
	say "no pagelab at $pagelab"
	exit 1
fi
"$pagelab" --list >"$tmp/policies.txt" 2>/dev/null
reclaims=$(awk '$1 == "reclaim" { print $2 }' "$tmp/policies.txt")
# policies that need the future see every access: full observation only
full_only=$(awk '$1 == "reclaim" && ($2 == "opt" || /[Bb]elady|needs the future|simulator only|full observation\)/) { print $2 }' \
	"$tmp/policies.txt")
allocs=$(awk '$1 == "alloc" { print $2 }' "$tmp/policies.txt")
# allocator variants: every choice of a "fit=DEFAULT (a, b or c fit)"
# parameter (vmem instant/best/next fit, bitmap first/best fit)
alloc_variants=$(awk '$1 == "alloc" {
	if (match($0, /fit=[a-z]+ \([a-z, ]+ fit\)/)) {
		v = substr($0, RSTART, RLENGTH)
		sub(/^fit=[a-z]+ \(/, "", v); sub(/ fit\)$/, "", v); gsub(/,| or /, " ", v)
		n = split(v, c, " ")
		for (i = 1; i <= n; i++) print $2 ":fit=" c[i]
	} else print $2 }' "$tmp/policies.txt")
have_sim=0 have_gen=0 have_real=0 have_compare=0 have_calibrate=0
has_cmd sim && have_sim=1
has_cmd trace && "$pagelab" trace gen --help >/dev/null 2>&1 && have_gen=1
has_cmd real && have_real=1
has_cmd compare && have_compare=1
has_cmd calibrate && have_calibrate=1
simj=""
# every job runs in the results folder, so the CSV rows name traces by
# relative paths that stay right after the folder is renamed
pre="cd $(q "$tmp") && $(q "$pagelab")"
[ $have_sim -eq 1 ] && has_flag sim ' -j ' && simj="-j 1"

# --- calibration ----------------------------------------------------------
costs=""
if [ $have_calibrate -eq 1 ]; then
	say "== pagelab calibrate"
	if "$pagelab" calibrate -o "$tmp/costs.txt" 2>"$tmp/logs/calibrate.log"; then
		has_flag sim --costs && costs="--costs costs.txt"
	else
		fail "pagelab calibrate (see logs/calibrate.log)"
	fi
else
	skip calibration "pagelab has no 'calibrate' command yet (pagelab --help); the simulator used its built-in costs"
fi

# --- traces ---------------------------------------------------------------
traces=""
if [ $have_gen -eq 1 ]; then
	for k in $kinds; do
		# matrix: tiled (blocked) sweeps; row order touches each page once a sweep
		own=""
		[ "$k" = matrix ] && own="--order block"
		printf '%s trace gen %s -o %s --pages %s --accesses %s --seed 1 --write-ratio 0.2 --writeout 250 %s 2>%s\n' \
			"$pre" "$k" "traces/$k.trace" $pages $accesses "$own" "logs/gen-$k.log"
	done >"$tmp/jobs/gen.jobs"
	say "== generating traces ($kinds)"
	if [ -n "${PARALLEL:-}" ]; then $PARALLEL <"$tmp/jobs/gen.jobs"; else
		"$top/scripts/runjobs.sh" "$tmp/jobs/gen.jobs" "$jobs" "bench: traces"; fi
	for k in $kinds; do
		if [ -s "$tmp/traces/$k.trace" ]; then
			traces="$traces traces/$k.trace"
		else
			fail "trace gen $k: $(head -n 1 "$tmp/logs/gen-$k.log" 2>/dev/null)"
		fi
	done
else
	skip "generated traces" "pagelab has no 'trace gen' command yet (pagelab --help)"
fi
if [ ! -r "$real_trace" ]; then
	committed="$top/tests/data/cloudPhysicsIO.oracleGeneral.bin.zst"
	real_trace=traces/cloudPhysicsIO.oracleGeneral.bin
	if ! zstd -q -d -c "$committed" >"$tmp/$real_trace" 2>"$tmp/logs/real-trace.log"; then
		fail "the real trace: $committed does not decompress (see logs/real-trace.log)"
		rm -f "$tmp/$real_trace"
	fi
fi
if (cd "$tmp" && [ -r "$real_trace" ]); then
	traces="$traces $real_trace"
	echo "real_trace: $real_trace" >>"$tmp/run.txt"
fi

# --- the simulator sweep --------------------------------------------------
# One job per (trace, policy, observation) covering every RAM size, and one
# per (trace, allocator) for the VMA counts; each writes its own CSV part.
if [ $have_sim -eq 1 ]; then
	for t in $traces; do
		tn=$(basename "$t"); tn=${tn%%.*}
		for p in $reclaims; do
			for obs in full faults; do
				if [ $obs = faults ] && printf '%s\n' $full_only | grep -qx "$p"; then
					continue
				fi
				out="sim-$tn-$p-$obs"
				printf '%s sim %s --reclaim %s --ram %s --observe %s %s %s -o %s 2>%s\n' \
					"$pre" "$(q "$t")" "$p" "$sizes" $obs "$simj" "$costs" \
					"parts/$out.csv" "logs/$out.log"
			done
		done
		for a in $alloc_variants; do
			out="alloc-$tn-${a//[:=]/_}"
			printf '%s sim %s --reclaim lru --alloc %s --ram %s --observe faults %s %s -o %s 2>%s\n' \
				"$pre" "$(q "$t")" "$a" "$sizes" "$simj" "$costs" \
				"parts/$out.csv" "logs/$out.log"
		done
	done >"$tmp/jobs/sim.jobs"
	n=$(grep -c . "$tmp/jobs/sim.jobs")
	say "== simulator sweep: $n jobs on $jobs cores"
	if [ -n "${PARALLEL:-}" ]; then $PARALLEL <"$tmp/jobs/sim.jobs" || fail "simulator sweep"
	else "$top/scripts/runjobs.sh" "$tmp/jobs/sim.jobs" "$jobs" "bench: sim" ||
		fail "simulator sweep: $(grep -c . "$tmp/jobs/sim.jobs.failed") jobs (jobs/sim.jobs.failed, logs/)"
	fi
	echo "sim_jobs: $n" >>"$tmp/run.txt"
else
	skip "simulator sweep" "pagelab has no 'sim' command yet (pagelab --help)"
fi

# --- real replays and compare (one at a time) -----------------------------
# shmfs replays use the real trace and the slices trace.  2 MiB
# pages make every page of those traces 512 times larger, so hugetlbfs
# replays use a small zipf trace of their own (256 pages, at most 256 MiB
# of huge pages at the largest RAM size; the pool is reserved above).
ramtypes="shmfs"
if [ "${hugefree:-0}" -ge $huge_pages ] && [ $have_gen -eq 1 ] &&
   (cd "$tmp" && "$pagelab" trace gen zipf -o traces/huge.trace --pages 256 \
	--accesses 4000 --alpha 0.9 --write-ratio 0.2 --writeout 10 --seed 1 2>>logs/gen-huge.log); then
	ramtypes="shmfs hugetlbfs"
	echo "hugetlbfs_trace: zipf pages=256 accesses=4000 alpha=0.9 write_ratio=0.2 writeout=10 seed=1" >>"$tmp/run.txt"
elif [ $have_real -eq 1 ]; then
	skip "hugetlbfs replays" "fewer than $huge_pages free 2 MiB huge pages (HugePages_Free ${hugefree:-0} in /proc/meminfo; as root: echo $huge_pages > $hp_path)"
fi
real_traces="$real_trace"
[ -s "$tmp/traces/slices.trace" ] && real_traces="$real_traces traces/slices.trace"
: >"$tmp/jobs/real.jobs"
if [ $have_real -eq 1 ] || [ $have_compare -eq 1 ]; then
	hist=""
	for rt in $ramtypes; do
		traces_rt=$real_traces
		[ "$rt" = hugetlbfs ] && traces_rt=traces/huge.trace
		for t in $traces_rt; do
			(cd "$tmp" && [ -r "$t" ]) || continue
			tn=$(basename "$t"); tn=${tn%%.*}
			for a in $allocs; do
				base="$tn-$rt-$a"
				if [ $have_real -eq 1 ]; then
					hist="--hist hist/$base.hist.csv"
					printf '%s real %s --reclaim lru --alloc %s --ram %s --ram-type %s --observe faults %s %s -o %s 2>%s\n' \
						"$pre" "$(q "$t")" "$a" "$real_sizes" "$rt" "$costs" "$hist" \
						"parts/real-$base.csv" "logs/real-$base.log"
				fi
				if [ $have_compare -eq 1 ]; then
					printf '%s compare %s --reclaim lru --alloc %s --ram %s --ram-type %s --observe faults %s -o %s 2>%s\n' \
						"$pre" "$(q "$t")" "$a" "$real_sizes" "$rt" "$costs" \
						"parts/compare-$base.csv" "logs/compare-$base.log"
				fi
			done
		done
	done >"$tmp/jobs/real.jobs"
	n=$(grep -c . "$tmp/jobs/real.jobs")
	say "== real replays and compare: $n jobs, one at a time"
	"$top/scripts/runjobs.sh" "$tmp/jobs/real.jobs" 1 "bench: real" ||
		fail "real replays: $(grep -c . "$tmp/jobs/real.jobs.failed") jobs (jobs/real.jobs.failed, logs/)"
	echo "real_jobs: $n" >>"$tmp/run.txt"
fi
[ $have_real -eq 1 ] || skip "real replays" "pagelab has no 'real' command yet (pagelab --help)"
[ $have_compare -eq 1 ] || skip "sim-vs-real compare" "pagelab has no 'compare' command yet (pagelab --help)"

# --- whole-command timings -------------------------------------------------
hf_trace="$tmp/traces/zipf.trace"
[ -s "$hf_trace" ] || hf_trace="$real_trace"
if [ $have_sim -eq 1 ] && command -v hyperfine >/dev/null && (cd "$tmp" && [ -r "$hf_trace" ]) &&
   [ -n "$reclaims" ]; then
	say "== hyperfine: the simulator per policy on $(basename "$hf_trace")"
	list=$(printf '%s\n' $reclaims | paste -sd, -)
	if (cd "$tmp" && hyperfine --style basic --runs $hf_runs --warmup 1 -L policy "$list" \
		--export-json hyperfine.json --export-markdown hyperfine.md --export-csv hyperfine.csv \
		-n "pagelab sim $(basename "$hf_trace") --reclaim {policy} --ram 10% --observe full" \
		"$(q "$pagelab") sim $(q "$hf_trace") --reclaim {policy} --ram 10% --observe full $simj $costs") \
		>"$tmp/logs/hyperfine.log" 2>&1; then
		echo "hyperfine_trace: $(basename "$hf_trace")" >>"$tmp/run.txt"
		echo "hyperfine_runs: $hf_runs" >>"$tmp/run.txt"
	else
		fail "hyperfine (see logs/hyperfine.log)"
	fi
else
	skip "hyperfine timings" "needs pagelab sim, hyperfine and a trace"
fi

# --- merge, check, plot, report -------------------------------------------
# One header; rows deduplicated on the configuration columns (the allocator
# sweep repeats the default allocator's rows of the policy sweep).
set -- "$tmp"/parts/*.csv
if [ -e "$1" ]; then
	awkcsv '
		FNR == 1 { if (NR == 1) { print; csv_header($0) } next }
		{ n = csv_split($0, f)
		  k = f[C["mode"]] SUBSEP f[C["trace"]] SUBSEP f[C["reclaim"]] SUBSEP \
		      f[C["pagemap"]] SUBSEP f[C["alloc"]] SUBSEP f[C["observe"]] SUBSEP \
		      f[C["ram_pages"]] SUBSEP f[C["page_size"]] SUBSEP f[C["reclaim_batch"]]
		  if (!seen[k]++) print }' "$@" >"$tmp/results.csv"
	if ! "$top/scripts/check-csv.sh" "$tmp/results.csv"; then
		fail "results.csv does not match the schema"
	fi
	say "results.csv: $(($(wc -l <"$tmp/results.csv") - 1)) rows"
fi
[ "${KEEP_TRACES:-0}" = 1 ] || rm -rf "$tmp/traces"
find "$tmp" -mindepth 1 -empty -delete	# no empty job lists, logs, folders

t_end=$(date +%s)
{
	echo "finished: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "duration_s: $((t_end - t_start))"
} >>"$tmp/run.txt"

"$top/scripts/plot.sh" "$tmp" || fail "plots (scripts/plot.sh)"

if [ $failed -ne 0 ]; then
	say "the study is incomplete; output left in $tmp:"
	sed 's/^/  /' "$tmp/failed.txt" >&2
	exit 1
fi
# a study finished in the same second may hold the name: take the next
# free one (mv -T fails rather than move the folder into another)
n=1 base=$final
while [ -e "$final" ]; do n=$((n + 1)); final="$base-$n"; done
# the job lists name the folder: point them at its final name
sed -i "s|$tmp|$final|g" "$tmp"/jobs/*.jobs 2>/dev/null
mv -T "$tmp" "$final" || { say "cannot rename $tmp to $final"; exit 1; }
say "done in $((t_end - t_start)) s: $final/report.md"
exit 0
}

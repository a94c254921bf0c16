#!/usr/bin/env bash
# scripts/bench.sh BUILD_DIR — the standard study behind `make bench`.
#
#   make bench            the full study (<= 20 minutes on 2 cores)
#   make bench QUICK=1    the same study on small traces (<= 3 minutes; CI)
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
#   jobs/*.jobs        the command lines that were run (GNU parallel input);
#                      each reruns from the folder alone: a generated trace
#                      it needs is regenerated first (jobs/trace.sh)
#   mrc/*.csv          the exact LRU miss-ratio curve of each trace
#                      (`pagelab mrc`), thinned to log-spaced sizes plus
#                      the sweep's sizes
#   plots/*.png|svg    gnuplot figures (scripts/plot.sh), report.md
#   run.txt, skipped.txt  what ran, how long (stage_*_s: each stage), the
#                      load average at start and end, which parts were
#                      skipped and why
#
# Phases: machine description, benchmark programs, calibration, trace
# generation, exact LRU curves (they fix each trace's RAM sizes), the
# simulator sweep (every reclaim policy x RAM sizes x {full,
# faults} observation, every allocator), the real replays and `compare`,
# hyperfine, then merge, check, plot, report.  The generation and sweep
# phases are independent jobs run across cores by scripts/runjobs.sh; set
# PARALLEL to hand each job file to another runner instead, e.g.
#   make bench PARALLEL='parallel --sshlogin 2/alpha,2/beta,: --workdir .'
# (README "Running the study on several machines"; the job lines are run
# from the results folder, which the machines must see at the same path).  Real replays and
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
mkdir -p "$tmp"/{parts,logs,jobs,traces,hist,mrc}
t_start=$(date +%s)
t_stage=$t_start
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
# stage NAME: the wall-clock seconds since the previous stage ended, and
# the CPU seconds (user + system) its processes used, into run.txt: on a
# shared machine the CPU time says what the stage costs, the wall time
# what it took
cpu_prev=0
# cpu_now: CPU seconds of every finished child of this shell so far, in
# $cpu (`times` in this shell itself: in a pipe or $(...) it would count
# a subshell's children)
cpu_now() {
	times >"$tmp/.times"
	cpu=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }; printf "%.1f\n", t }' "$tmp/.times")
	rm -f "$tmp/.times"
}
stage() {
	local now
	now=$(date +%s)
	cpu_now
	echo "stage_$1_s: $((now - t_stage)) (cpu $(awk -v a="$cpu" -v b="$cpu_prev" 'BEGIN { printf "%.0f", a - b }') s)" >>"$tmp/run.txt"
	t_stage=$now
	cpu_prev=$cpu
}
# awkcsv PROGRAM FILE...: awk with the CSV helpers of scripts/plot/csv.awk
awkcsv() {
	local prog=$1
	shift
	awk "$(cat "$top/scripts/plot/csv.awk")
$prog" "$@"
}
: >"$tmp/skipped.txt"

# The study's parameters.  Each trace is swept over 24 RAM sizes spaced
# evenly on a log scale from 1 % to 100 % of its distinct pages (fixed
# once `pagelab mrc` has counted them); the runs with `faults` observation
# (the observation gap) take every other size, the allocator sweep, which
# looks at VMA counts rather than curves, every third.  Generators
# that draw random numbers run with several seeds (the figures show the
# median and the min-max band); seed k also seeds the randomized policies
# (`sim --seed k`).  Extra seeds run the full-observation sweep only.
nsizes=24
if [ $quick -eq 1 ]; then
	pages=10000 accesses=100000
	hf_runs=3
else
	pages=50000 accesses=1000000
	hf_runs=5
fi
real_sizes="5%,20%,50%"
kinds="seq zipf loop hotset slices matrix"
seeded_kinds="zipf hotset slices"
seeds="1 2 3"

cat >"$tmp/run.txt" <<EOF
name: $stamp-$host
quick: $quick
started: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
load_start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
jobs_parallel: $jobs
generated_pages: $pages
generated_accesses: $accesses
ram_sizes: $nsizes log-spaced sizes from 1% to 100% of each trace's distinct pages
seeds: $seeds (generators $seeded_kinds; sim --seed k on seed k's trace)
real_ram_sizes: $real_sizes
EOF

# --- machine and benchmark programs --------------------------------------
(cd "$top" && PAGELAB_BIN=$pagelab scripts/machine.sh) >"$tmp/machine.txt"

# QUICK runs each benchmark program at a small size; a program not listed
# here has no size flag and is skipped in QUICK mode (the full run has it)
quick_args() {
	case $1 in
	bench_pagemap) echo "-n 65536 -r 3" ;;
	bench_fault) echo "-n 1024 -r 3" ;;
	bench_sim) echo "--accesses 1000000 --pages 100000 --runs 1" ;;
	bench_tmem) echo "-n 1024 -r 5" ;;
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
stage programs

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
# every job line runs in the results folder (runjobs.sh is started there),
# so the CSV rows name traces by relative paths that stay right after the
# folder is renamed or moved; $PAGELAB, when set, replaces the binary
pre="\"\${PAGELAB:-$(q "$pagelab")}\""
[ $have_sim -eq 1 ] && has_flag sim ' -j ' && simj="-j 1"

# --- calibration ----------------------------------------------------------
costs=""
if [ $have_calibrate -eq 1 ]; then
	say "== pagelab calibrate"
	# QUICK: half the pages and accesses per calibration run (the costs
	# only feed the simulator's modelled fault time)
	cal_args=""
	[ $quick -eq 1 ] && cal_args="--pages 500 --accesses 5000"
	echo "calibrate_args: ${cal_args:-(defaults)}" >>"$tmp/run.txt"
	# shellcheck disable=SC2086
	if "$pagelab" calibrate $cal_args -o "$tmp/costs.txt" 2>"$tmp/logs/calibrate.log"; then
		has_flag sim --costs && costs="--costs costs.txt"
	else
		fail "pagelab calibrate (see logs/calibrate.log)"
	fi
else
	skip calibration "pagelab has no 'calibrate' command yet (pagelab --help); the simulator used its built-in costs"
fi
stage calibrate

# --- traces ---------------------------------------------------------------
# tlist: one line "KIND SEED PATH" per trace the sweeps run on; the first
# seed of a kind is its main trace (every sweep), later seeds run the
# full-observation sweep only.  Generated traces are traces/KIND.trace, or
# traces/KIND.sSEED.trace for the seeded kinds (the plots group a trace's
# seeds by the name up to the first dot).
tlist=""
cat >"$tmp/jobs/trace.sh" <<'EOF'
#!/bin/sh
# jobs/trace.sh TRACE...: make each missing TRACE again with its line of
# jobs/gen.jobs (seeded generators: the same bytes).  Every job line that
# reads a generated trace starts with it, so jobs/*.jobs rerun from this
# folder alone after the traces were deleted.
mkdir -p traces logs
for t; do
	[ -s "$t" ] && continue
	line=$(grep -F -e "-o $t " jobs/gen.jobs | head -n 1)
	if [ -z "$line" ]; then
		echo "jobs/trace.sh: $t is missing and no line of jobs/gen.jobs makes it" >&2
		exit 1
	fi
	sh -c "$line" || exit 1
done
EOF
# jpre TRACE: the start of a job line reading TRACE
jpre() {
	case $1 in
	traces/*) printf '%s' "sh jobs/trace.sh $1 && $pre" ;;
	*) printf '%s' "$pre" ;;
	esac
}
if [ $have_gen -eq 1 ]; then
	for k in $kinds; do
		# matrix: tiled (blocked) sweeps; row order touches each page once a sweep
		own=""
		[ "$k" = matrix ] && own="--order block"
		ks=1
		case " $seeded_kinds " in *" $k "*) ks=$seeds ;; esac
		for s in $ks; do
			t="traces/$k.trace"
			[ "$ks" = 1 ] || t="traces/$k.s$s.trace"
			printf '%s trace gen %s -o %s --pages %s --accesses %s --seed %s --write-ratio 0.2 --writeout 250 %s 2>%s\n' \
				"$pre" "$k" "$t" $pages $accesses "$s" "$own" "logs/gen-$(basename "$t" .trace).log"
		done
	done >"$tmp/jobs/gen.jobs"
	# the real replays' own small traces (see the real replays below):
	# views (the slices generator at the QUICK size, in both studies) and huge
	printf '%s trace gen slices -o traces/views.trace --pages 10000 --accesses 100000 --seed 1 --write-ratio 0.2 --writeout 250 2>logs/gen-views.log\n' \
		"$pre" >>"$tmp/jobs/gen.jobs"
	printf '%s trace gen zipf -o traces/huge.trace --pages 256 --accesses 4000 --alpha 0.9 --write-ratio 0.2 --writeout 10 --seed 1 2>logs/gen-huge.log\n' \
		"$pre" >>"$tmp/jobs/gen.jobs"
	say "== generating traces ($kinds; seeds $seeds of $seeded_kinds)"
	if [ -n "${PARALLEL:-}" ]; then (cd "$tmp" && $PARALLEL <jobs/gen.jobs); else
		(cd "$tmp" && "$top/scripts/runjobs.sh" jobs/gen.jobs "$jobs" "bench: traces"); fi
	for k in $kinds; do
		ks=1
		case " $seeded_kinds " in *" $k "*) ks=$seeds ;; esac
		for s in $ks; do
			t="traces/$k.trace"
			[ "$ks" = 1 ] || t="traces/$k.s$s.trace"
			if [ -s "$tmp/$t" ]; then
				tlist="$tlist$k $s $t
"
			else
				fail "trace gen $t: $(head -n 1 "$tmp/logs/gen-$(basename "$t" .trace).log" 2>/dev/null)"
			fi
		done
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
	tlist="${tlist}$(basename "$real_trace" | sed 's/\..*//') 1 $real_trace
"
	echo "real_trace: $real_trace" >>"$tmp/run.txt"
else
	skip "real trace" "$real_trace is not readable"
fi
stage traces

# --- exact LRU curves, and the RAM sizes they fix ------------------------
# `pagelab mrc` gives each trace's exact LRU curve and its distinct pages;
# a kind's 24 sweep sizes come from its first seed's distinct pages (every
# seed of a kind runs the same sizes, so the seeds line up), and each
# curve is kept at log-spaced sizes (3 % apart) plus the sweep's sizes.
# Without `pagelab mrc`, the sweep falls back to percentages.
have_mrc=0
has_cmd mrc && have_mrc=1
fallback_sizes="1%,2%,5%,10%,15%,20%,30%,50%,75%,100%"
# every N SIZES: every Nth of the comma-separated SIZES, the largest kept
every() { printf '%s' "$2" | awk -F, -v n="$1" '{ for (i = NF; i >= 1; i -= n) o = $i (o == "" ? "" : ",") o; print o }'; }
# sizes_of KIND: the comma-separated sweep sizes of a kind
sizes_of() { sed -n "s/^ram_pages_$1: //p" "$tmp/run.txt" | head -n 1; }
# mrcname PATH: the name of a trace's curve file under mrc/
mrcname() { basename "$1" .trace; }
if [ $have_mrc -eq 1 ] && [ -n "$tlist" ]; then
	printf '%s' "$tlist" | while read -r k s t; do
		n=$(mrcname "$t")
		printf '%s mrc %s -o %s 2>%s\n' "$(jpre "$t")" "$(q "$t")" "mrc/$n.full.csv" "logs/mrc-$n.log"
	done >"$tmp/jobs/mrc.jobs"
	say "== exact LRU curves: $(grep -c . "$tmp/jobs/mrc.jobs") traces"
	(cd "$tmp" && "$top/scripts/runjobs.sh" jobs/mrc.jobs "$jobs" "bench: mrc") ||
		fail "pagelab mrc: $(grep -c . "$tmp/jobs/mrc.jobs.failed") jobs (jobs/mrc.jobs.failed, logs/)"
	for k in $(printf '%s' "$tlist" | awk '{ print $1 }' | awk '!seen[$0]++'); do
		first=$(printf '%s' "$tlist" | awk -v k="$k" '$1 == k { print $3; exit }')
		full="$tmp/mrc/$(mrcname "$first").full.csv"
		[ -s "$full" ] || continue
		awkcsv "BEGIN { n = $nsizes }"'
			NR == 1 { csv_header($0); next }
			{ csv_split($0, f); d = f[C["ram_pages"]] + 0 }
			END {
				lo = d * 0.01; if (lo < 1) lo = 1
				for (i = 0; i < n; i++) {
					r = int(lo * exp(log(d / lo) * i / (n - 1)) + 0.5)
					if (r >= 1 && !(r in seen)) { seen[r] = 1; out = out (out == "" ? "" : ",") r }
				}
				print out
			}' "$full" | sed "s/^/ram_pages_$k: /" >>"$tmp/run.txt"
		keep=$(sizes_of "$k")
		for t in $(printf '%s' "$tlist" | awk -v k="$k" '$1 == k { print $3 }'); do
			n=$(mrcname "$t")
			[ -s "$tmp/mrc/$n.full.csv" ] || continue
			awk -F, -v keep="$keep" 'BEGIN { m = split(keep, ks, ","); for (i = 1; i <= m; i++) want[ks[i]] = 1
					for (r = 1; r < 1e9; r = r * 1.03 + 1) want[int(r)] = 1 }
				NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ram_pages") c = i; print; next }
				{ last = $0 }
				($c in want) { print; printed = $c }
				END { split(last, l, ","); if (NR > 1 && l[c] != printed) print last }' \
				"$tmp/mrc/$n.full.csv" >"$tmp/mrc/$n.csv" && rm -f "$tmp/mrc/$n.full.csv"
		done
	done
else
	skip "exact LRU curves" "pagelab has no 'mrc' command (pagelab --help); RAM sizes are percentages"
fi
stage mrc

# --- the simulator sweep --------------------------------------------------
# One job per (trace, policy, observation) covering every RAM size, and one
# per (trace, allocator) for the VMA counts; each writes its own CSV part.
if [ $have_sim -eq 1 ]; then
	printf '%s' "$tlist" | while read -r k s t; do
		sz=$(sizes_of "$k")
		[ -n "$sz" ] || sz=$fallback_sizes
		n=$(mrcname "$t")
		first=$(printf '%s' "$tlist" | awk -v k="$k" '$1 == k { print $2; exit }')
		for p in $reclaims; do
			for obs in full faults; do
				osz=$sz
				if [ $obs = faults ]; then
					[ "$s" != "$first" ] && continue
					printf '%s\n' $full_only | grep -qx "$p" && continue
					osz=$(every 2 "$sz")
				fi
				out="sim-$n-$p-$obs"
				printf '%s sim %s --reclaim %s --ram %s --observe %s --seed %s %s %s -o %s 2>%s\n' \
					"$(jpre "$t")" "$(q "$t")" "$p" "$osz" $obs "$s" "$simj" "$costs" \
					"parts/$out.csv" "logs/$out.log"
			done
		done
		[ "$s" = "$first" ] || continue
		asz=$(every 3 "$sz")
		for a in $alloc_variants; do
			out="alloc-$n-${a//[:=]/_}"
			printf '%s sim %s --reclaim lru --alloc %s --ram %s --observe faults --seed %s %s %s -o %s 2>%s\n' \
				"$(jpre "$t")" "$(q "$t")" "$a" "$asz" "$s" "$simj" "$costs" \
				"parts/$out.csv" "logs/$out.log"
		done
	done >"$tmp/jobs/sim.jobs"
	n=$(grep -c . "$tmp/jobs/sim.jobs")
	say "== simulator sweep: $n jobs on $jobs cores"
	if [ -n "${PARALLEL:-}" ]; then (cd "$tmp" && $PARALLEL <jobs/sim.jobs) || fail "simulator sweep"
	else (cd "$tmp" && "$top/scripts/runjobs.sh" jobs/sim.jobs "$jobs" "bench: sim") ||
		fail "simulator sweep: $(grep -c . "$tmp/jobs/sim.jobs.failed") jobs (jobs/sim.jobs.failed, logs/)"
	fi
	echo "sim_jobs: $n" >>"$tmp/run.txt"
else
	skip "simulator sweep" "pagelab has no 'sim' command yet (pagelab --help)"
fi
stage sim

# --- real replays and compare (one at a time) -----------------------------
# shmfs replays use the real (CloudPhysics) trace and traces/views.trace (the
# slices generator: files mapped and unmapped, at the QUICK size in both
# studies: replayed one at a time, a full-size slices trace would take
# minutes per replay).  2 MiB
# pages make every page of those traces 512 times larger, so hugetlbfs
# replays use a small zipf trace of their own (traces/huge.trace, made
# with the others: 256 pages, at most 256 MiB of huge pages at the largest
# RAM size; the pool is reserved above).
ramtypes="shmfs"
if [ "${hugefree:-0}" -ge $huge_pages ] && [ -s "$tmp/traces/huge.trace" ]; then
	ramtypes="shmfs hugetlbfs"
	echo "hugetlbfs_trace: zipf pages=256 accesses=4000 alpha=0.9 write_ratio=0.2 writeout=10 seed=1" >>"$tmp/run.txt"
elif [ $have_real -eq 1 ]; then
	skip "hugetlbfs replays" "fewer than $huge_pages free 2 MiB huge pages (HugePages_Free ${hugefree:-0} in /proc/meminfo; as root: echo $huge_pages > $hp_path)"
fi
# QUICK leaves out the shared trace: its 4 replays of 113,872 accesses,
# one at a time, cost more than the rest of the QUICK study (the first
# had used 36 s of CPU and was not done; the whole simulator sweep used 69)
real_traces="$real_trace"
[ $quick -eq 1 ] && real_traces=""
[ -s "$tmp/traces/views.trace" ] && real_traces="$real_traces traces/views.trace"
: >"$tmp/jobs/real.jobs"
if [ $have_real -eq 1 ] || [ $have_compare -eq 1 ]; then
	hist=""
	a0=$(printf '%s\n' $allocs | head -n 1)
	for rt in $ramtypes; do
		traces_rt=$real_traces
		[ "$rt" = hugetlbfs ] && traces_rt=traces/huge.trace
		for t in $traces_rt; do
			(cd "$tmp" && [ -r "$t" ]) || continue
			tn=$(basename "$t"); tn=${tn%%.*}
			for a in $allocs; do
				base="$tn-$rt-$a"
				# `compare` writes the real rows too; `real` runs once per
				# (trace, RAM type), with the default allocator, for the
				# latency histograms (and alone when there is no compare)
				if [ $have_real -eq 1 ] && { [ $have_compare -eq 0 ] || [ "$a" = "$a0" ]; }; then
					hist="--hist hist/$base.hist.csv"
					printf '%s real %s --reclaim lru --alloc %s --ram %s --ram-type %s --observe faults %s %s -o %s 2>%s\n' \
						"$(jpre "$t")" "$(q "$t")" "$a" "$real_sizes" "$rt" "$costs" "$hist" \
						"parts/real-$base.csv" "logs/real-$base.log"
				fi
				if [ $have_compare -eq 1 ]; then
					printf '%s compare %s --reclaim lru --alloc %s --ram %s --ram-type %s --observe faults %s -o %s 2>%s\n' \
						"$(jpre "$t")" "$(q "$t")" "$a" "$real_sizes" "$rt" "$costs" \
						"parts/compare-$base.csv" "logs/compare-$base.log"
				fi
			done
		done
	done >"$tmp/jobs/real.jobs"
	n=$(grep -c . "$tmp/jobs/real.jobs")
	say "== real replays and compare: $n jobs, one at a time"
	(cd "$tmp" && "$top/scripts/runjobs.sh" jobs/real.jobs 1 "bench: real") ||
		fail "real replays: $(grep -c . "$tmp/jobs/real.jobs.failed") jobs (jobs/real.jobs.failed, logs/)"
	echo "real_jobs: $n" >>"$tmp/run.txt"
fi
[ $have_real -eq 1 ] || skip "real replays" "pagelab has no 'real' command yet (pagelab --help)"
[ $have_compare -eq 1 ] || skip "sim-vs-real compare" "pagelab has no 'compare' command yet (pagelab --help)"
stage real

# --- whole-command timings -------------------------------------------------
hf_trace="$tmp/traces/zipf.s1.trace"
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
stage hyperfine

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

stage merge
t_end=$(date +%s)
{
	echo "finished: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "duration_s: $((t_end - t_start))"
	echo "load_end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} >>"$tmp/run.txt"

# plotting comes after duration_s (the report quotes it); its own time last
"$top/scripts/plot.sh" "$tmp" || fail "plots (scripts/plot.sh)"
stage plot

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

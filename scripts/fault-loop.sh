#!/bin/bash
# scripts/fault-loop.sh BIN — the whole-command fault loop (issue #13), as
# SQLite runs its malloc tests: every command below is run with its N-th
# allocation failing (tests/faultinj.c: malloc, calloc, realloc, strdup,
# aligned_alloc, posix_memalign and mmap made by our code), for N = 1, 2, ...
# until a run makes fewer than N allocations.  BIN is the pagelab built with
# that shim under ASan (make test-faults builds build-asan/faultinj/pagelab).
#
# Every run with a failure injected must either succeed with the same
# output as the clean run (the failure was absorbed, e.g. a huge-page
# allocation falling back) or exit 1 (compare: 2) with exactly one line on stderr and
# leave no output file and no *.tmp behind; ASan (leaks included) must stay
# silent.  Prints how many injection points each command had; exits 1 on
# the first broken run, with its command line and stderr.
#
# FAULT_STRIDE=K tries only every K-th N (default 1: all of them);
# FAULT_ONLY="sim real" runs only the commands named; FAULT_FROM=N starts at N.
set -u
bin=${1:?usage: fault-loop.sh BIN}
stride=${FAULT_STRIDE:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/pagelab-faults-XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-handle_segv=0:allow_user_segv_handler=1:detect_leaks=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# small inputs, made by the same binary with nothing injected
"$bin" trace gen zipf -o "$work/t.pgt" --pages 64 --accesses 600 --write-ratio 0.3 \
	--writeout 200 || { echo "fault-loop: cannot make the input trace"; exit 1; }
printf 'mmap 0 0 0 16\nr 0 1\nw 0 2\nr 0 9\nunmap 0\n' >"$work/t.txt"

# name | output file (or -) | arguments; OUT stands for the output path
cmds=(
	"gen|g.pgt|trace gen zipf -o OUT --pages 50 --accesses 400"
	"info|-|trace info $work/t.pgt"
	"convert|c.txt|trace convert $work/t.pgt -o OUT --format text"
	"sim|s.csv|sim $work/t.pgt --reclaim lru,arc --ram 40,60 -o OUT"
	"sim-opt|o.csv|sim $work/t.pgt --reclaim opt --observe full --ram 90% -o OUT"
	"mrc|m.csv|mrc $work/t.pgt -o OUT"
	"real|r.csv|real $work/t.pgt --reclaim lru --ram 40 -o OUT"
	"compare|p.csv|compare $work/t.pgt --reclaim lru --ram 40 -o OUT"
)

# The part of an output that must not change: CSVs without the measured
# columns (times, latency percentiles, rusage), other files whole.
stable() {
	case $1 in
	*.csv) awk -F, 'NR == 1 { for (i = 1; i <= NF; i++)
			skip[i] = $i ~ /^(wall_s|rss_max_kb|minflt|majflt|fault_ns|fault_cpu_ns)$|_p[0-9]+_ns$|_max_ns$/ }
		{ s = ""; for (i = 1; i <= NF; i++) if (!skip[i]) s = s $i ","; print s }' "$1" ;;
	*) cat "$1" ;;
	esac
}

status=0
for c in "${cmds[@]}"; do
	IFS='|' read -r name outname args <<<"$c"
	if [ -n "${FAULT_ONLY:-}" ] && ! grep -qw -- "$name" <<<"$FAULT_ONLY"; then
		continue
	fi
	out="$work/out/$outname"
	rm -rf "$work/out"
	mkdir -p "$work/out"
	# the clean run: its output is the reference
	# shellcheck disable=SC2086
	if ! "$bin" ${args//OUT/$out} >"$work/ref.stdout" 2>"$work/ref.stderr"; then
		echo "fault-loop: $name fails with nothing injected:"
		cat "$work/ref.stderr"
		exit 1
	fi
	[ "$outname" = - ] || stable "$out" >"$work/ref.out"
	n=${FAULT_FROM:-1} points=0 absorbed=0 want=1
	[ "$name" = compare ] && want=2	# compare: 1 means "differ", 2 trouble
	while :; do
		rm -rf "$work/out" "$work/state"
		mkdir -p "$work/out"
		# shellcheck disable=SC2086
		PAGELAB_FAIL_AT=$n PAGELAB_FAIL_STATE="$work/state" \
			"$bin" ${args//OUT/$out} >"$work/stdout" 2>"$work/stderr"
		rc=$?
		state=$(cat "$work/state" 2>/dev/null)
		calls=$(sed -nE 's/.*calls=([0-9]+).*/\1/p' <<<"$state")
		bad=""
		if grep -qE 'Sanitizer|runtime error' "$work/stderr"; then
			bad="a sanitizer report"
		elif [ -z "$state" ]; then
			bad="died without its exit handlers (exit $rc)"
		elif [ "${state#*injected=}" = 0 ]; then
			points=$calls
			break
		elif [ $rc -eq 0 ]; then
			if [ "$outname" != - ] && ! stable "$out" | cmp -s - "$work/ref.out"; then
				bad="exit 0 with output that differs from the clean run"
			fi
			absorbed=$((absorbed + 1))
		elif [ $rc -ne "$want" ]; then
			bad="exit $rc (a failed run exits $want)"
		elif [ "$(wc -l <"$work/stderr")" -ne 1 ]; then
			bad="$(wc -l <"$work/stderr") lines on stderr (one line naming what failed)"
		elif [ "$outname" != - ] && [ -e "$out" ]; then
			bad="left its output file"
		elif [ -n "$(find "$work/out" -name '*.tmp')" ]; then
			bad="left a temporary file"
		fi
		if [ -n "$bad" ]; then
			echo "fault-loop: $name, allocation $n failing: $bad"
			echo "  command: PAGELAB_FAIL_AT=$n $bin ${args//OUT/$out}"
			sed 's/^/  | /' "$work/stderr" | head -n 20
			status=1
			break
		fi
		n=$((n + stride))
	done
	[ -n "$bad" ] && continue
	echo "fault-loop: $name: $points injection points, each failing cleanly ($absorbed absorbed)"
done
exit $status

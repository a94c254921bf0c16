#!/usr/bin/env bash
# scripts/runjobs.sh JOBFILE [NJOBS] [LABEL] — run the command lines of
# JOBFILE (one shell command a line; blank lines and "#" lines skipped), at
# most NJOBS at a time (default: the number of CPUs).
#
# The job file is the same plain list GNU parallel takes, so a sweep can be
# spread over machines instead:  parallel --sshlogin 2/hostA,2/hostB,: < JOBFILE
# (the paths in it are absolute: the machines need the tree at the same path).
#
# While jobs run, one progress line on stderr — jobs done/total, elapsed,
# ETA — only when stderr is a terminal.  A failing job does not stop the
# others; its line goes to JOBFILE.failed.  Exit 0 when every job succeeded,
# 1 otherwise.
set -u

jobfile=$1
njobs=${2:-$(nproc 2>/dev/null || echo 2)}
label=${3:-$(basename "$jobfile")}
failed="$jobfile.failed"
: >"$failed"

total=$(grep -cvE '^[[:space:]]*(#|$)' "$jobfile")
done_n=0 running=0
start=$(date +%s)
tty=0
[ -t 2 ] && tty=1

fmt_s() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

progress() {
	[ $tty -eq 1 ] || return 0
	local now el eta="?"
	now=$(date +%s)
	el=$((now - start))
	[ $done_n -gt 0 ] && eta=$(fmt_s $((el * (total - done_n) / done_n)))
	printf '\r%s: %d/%d jobs, %s elapsed, ETA %s ' "$label" $done_n "$total" \
		"$(fmt_s $el)" "$eta" >&2
}

reap() {
	wait -n 2>/dev/null
	running=$((running - 1))
	done_n=$((done_n + 1))
	progress
}

progress
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in '' | '#'*) continue ;; esac
	while [ $running -ge "$njobs" ]; do reap; done
	( bash -c "$line" </dev/null || printf '%s\n' "$line" >>"$failed" ) &
	running=$((running + 1))
done <"$jobfile"
while [ $running -gt 0 ]; do reap; done
[ $tty -eq 1 ] && printf '\n' >&2

nfail=$(grep -c . "$failed")
if [ "$nfail" -gt 0 ]; then
	echo "$label: $nfail of $total jobs failed (listed in $failed)" >&2
	exit 1
fi
rm -f "$failed"
exit 0

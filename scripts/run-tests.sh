#!/bin/sh
# scripts/run-tests.sh TEST... — run test programs, add up their summaries.
#
# Each test prints one line "t_NAME: N passed, N failed[, N skipped]" and
# exits 1 on failure.  A test that exits non-zero without such a line (a
# crash, a sanitizer report) counts as one failure.  Ends with one total
# line "N passed, N failed[, N skipped]"; exits 1 if anything failed.
set -u

pass=0 fail=0 skip=0 bad=""
for t in "$@"; do
	name=$(basename "$t")
	out=$(mktemp)
	"$t" >"$out" 2>&1
	rc=$?
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
		pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + ${s:-0}))
	fi
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		[ -z "$line" ] && fail=$((fail + 1))
		[ -n "$line" ] && [ "$f" -eq 0 ] && fail=$((fail + 1))
		bad="$bad $name"
		cat "$out"
		echo "$name: FAILED (exit $rc)"
	else
		# show skip reasons and the summary line
		grep -E "^(SKIP|skip)" "$out" || true
		echo "$line"
	fi
	rm -f "$out"
done
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ -z "$bad" ] || { echo "failed:$bad" >&2; exit 1; }
exit 0

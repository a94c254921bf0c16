#!/bin/sh
# scripts/run-fuzz.sh DIR SECONDS — build every fuzz/fuzz_*.c harness with
# clang's libFuzzer against DIR/libpagelab.a and run each for SECONDS on a
# working copy of its seed corpus (DIR/corpus/READER; the checked-in
# fuzz/corpus/READER is only read).  Crash inputs land in DIR/ as
# crash-*/leak-*/timeout-*.  Exits 1 on the first finding, with the
# fuzzer's report.
set -eu
dir=$1
secs=${2:-60}
flags="-O1 -g -std=gnu11 -I. -Wall -Wextra -Werror -fno-omit-frame-pointer \
-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
for src in fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	reader=${name#fuzz_}
	# shellcheck disable=SC2086
	clang $flags -o "$dir/$name" "$src" "$dir/libpagelab.a" -lzstd -llz4 -lm -pthread
	mkdir -p "$dir/corpus/$reader"
	seeds=""
	[ -d "fuzz/corpus/$reader" ] && seeds="fuzz/corpus/$reader"
	if ! "$dir/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -artifact_prefix="$dir/$name-" -print_final_stats=1 \
		"$dir/corpus/$reader" $seeds >"$dir/$name.log" 2>&1; then
		tail -n 60 "$dir/$name.log"
		echo "fuzz: $name FAILED (log: $dir/$name.log)"
		exit 1
	fi
	runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$dir/$name.log")
	cov=$(grep -oE 'cov: [0-9]+' "$dir/$name.log" | tail -n 1)
	echo "fuzz: $name ok: ${runs:-?} runs in ${secs}s, $cov"
done

#!/bin/sh
# scripts/bench.sh BUILD_DIR — run every benchmark program and keep what
# they print in a dated results folder, results/YYYYMMDD-HHMMSS-HOST/.
#
# The folder is built under a temporary name and renamed when every
# benchmark has finished, so an interrupted run never looks complete.
set -eu

build=${1:-build}
stamp=$(date -u +%Y%m%d-%H%M%S)
host=$(hostname -s 2>/dev/null || echo host)
final="results/$stamp-$host"
tmp="results/.incomplete-$stamp-$host"

mkdir -p "$tmp"
trap 'echo "bench: interrupted; partial output left in $tmp" >&2' INT TERM

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "kernel: $(uname -srm)"
	echo "compiler: $(${CC:-cc} --version | head -n 1)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "cpus: $(nproc)"
	if command -v lstopo-no-graphics >/dev/null 2>&1; then
		lstopo-no-graphics --no-io --of console 2>/dev/null
	fi
} >"$tmp/machine.txt"

found=0
for b in "$build"/bench/*; do
	[ -x "$b" ] || continue
	case "$b" in *.d) continue ;; esac
	found=1
	name=$(basename "$b")
	echo "== $name" >&2
	"$b" | tee "$tmp/$name.txt"
done
if [ $found -eq 0 ]; then
	echo "bench: no benchmark programs in $build/bench" >&2
	rm -rf "$tmp"
	exit 1
fi
mv "$tmp" "$final"
echo "bench: results in $final" >&2

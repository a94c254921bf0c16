#!/bin/sh
# scripts/machine.sh — describe this machine for a results folder
# (machine.txt): CPU model, cores, caches, NUMA nodes and page sizes from
# hwloc, then kernel, compiler, git commit.  "key: value" lines first (the
# report reads them), the full lstopo tree after.  Missing tools give
# "unknown", never an error.
set -u

cc=${CC:-cc}
topo=$(lstopo-no-graphics --no-io -v 2>/dev/null || true)
xml=$(lstopo-no-graphics --no-io --of xml 2>/dev/null || true)

# attr NAME: the first NAME=value (or NAME="value") in the verbose tree
attr() {
	printf '%s\n' "$topo" | sed -nE "s/.* $1=\"([^\"]*)\".*/\\1/p; s/.* $1=([^ )\"]*).*/\\1/p" |
		head -n 1
}
# cache LEVEL: "size=..." of the first cache of that kind, in KB
cache() {
	printf '%s\n' "$topo" | sed -nE "s/.*$1 L#0 \\(P#[0-9]+ size=([0-9]+KB).*/\\1/p" | head -n 1
}
count() {
	hwloc-calc --number-of "$1" all 2>/dev/null || echo unknown
}

model=$(attr CPUModel)
[ -n "$model" ] || model=$(sed -nE 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
pagesizes=$(printf '%s\n' "$xml" | sed -nE 's/.*<page_type size="([0-9]+)" count="([0-9]+)".*/\1:\2/p' |
	awk -F: '!seen[$1]++ { s = $1 / 1024; u = "KiB"
		if (s >= 1024) { s /= 1024; u = "MiB" }
		if (s >= 1024) { s /= 1024; u = "GiB" }
		printf "%s%g %s (%d pages)", n++ ? ", " : "", s, u, $2 }')
if [ -z "$pagesizes" ]; then
	pagesizes=$(ls /sys/kernel/mm/hugepages 2>/dev/null | sed 's/hugepages-//' | tr '\n' ' ')
fi

echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host: $(hostname 2>/dev/null || echo unknown)"
echo "cpu_model: ${model:-unknown}"
echo "packages: $(count package)"
echo "cores: $(count core)"
echo "pus: $(count pu)"
echo "numa_nodes: $(count numanode)"
echo "l1d: $(cache L1dCache)"
echo "l2: $(cache L2Cache)"
echo "l3: $(cache L3Cache)"
echo "memory: $(attr total | head -n 1)"
echo "page_sizes: ${pagesizes:-unknown}"
echo "hugepages_reserved_2m: $(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null || echo 0)"
echo "kernel: $(uname -srm)"
echo "compiler: $($cc --version 2>/dev/null | head -n 1)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
echo "hwloc: $(hwloc-info --version 2>/dev/null || echo unknown)"
echo
echo "# lstopo-no-graphics --no-io -v"
printf '%s\n' "$topo"

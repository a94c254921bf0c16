#!/bin/sh
# scripts/machine.sh — describe this machine for a results folder
# (machine.txt): CPU model, cores, caches, NUMA nodes and page sizes from
# hwloc, then kernel, compiler, git commit and the version of the pagelab
# binary ($PAGELAB_BIN, `pagelab --version`).  "key: value" lines first
# (the report reads them), the full lstopo tree after.  Missing tools or
# values give "unknown", never an error or an empty field.
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
	printf '%s\n' "$topo" | sed -nE "s/.*$1 L#0 \\((P#[0-9]+ )?size=([0-9]+KB).*/\\2/p" | head -n 1
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

# kv KEY VALUE: one "key: value" line, blanks trimmed, "unknown" if empty
kv() {
	v=$(printf '%s' "$2" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
	echo "$1: ${v:-unknown}"
}
kv date "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
kv host "$(hostname 2>/dev/null || echo unknown)"
kv cpu_model "${model:-unknown}"
kv packages "$(count package)"
kv cores "$(count core)"
kv pus "$(count pu)"
kv numa_nodes "$(count numanode)"
kv l1d "$(cache L1dCache)"
kv l2 "$(cache L2Cache)"
kv l3 "$(cache L3Cache)"
kv memory "$(attr total | head -n 1)"
kv page_sizes "${pagesizes:-unknown}"
kv hugepages_reserved_2m "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null || echo 0)"
kv kernel "$(uname -srm)"
kv compiler "$($cc --version 2>/dev/null | head -n 1)"
kv commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
kv hwloc "$(hwloc-info --version 2>/dev/null || echo unknown)"
kv pagelab "$("${PAGELAB_BIN:-build/bin/pagelab}" --version 2>/dev/null | sed 's/^pagelab //' | grep . || echo unknown)"
echo
echo "# lstopo-no-graphics --no-io -v"
printf '%s\n' "$topo"

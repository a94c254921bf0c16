#!/bin/sh
# scripts/setup-deps.sh — install the Debian packages pagelab needs.
# A no-op when everything is present; runs apt-get when root; otherwise
# prints the exact command to run and fails.
set -eu

PKGS="gcc clang make libhwloc-dev hwloc libnuma-dev gnuplot-nox hyperfine \
libzstd-dev zstd liblz4-dev valgrind libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "pagelab: missing Debian packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "pagelab: run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq $missing >&2
echo "pagelab: installed$missing" >&2

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh [demo|all|bench|bench-user]: make sure the packages the test bed needs are
# installed.  On Debian as root a missing package is installed with apt-get
# (an "apt-get update" first only when the install fails, so a machine with
# fresh lists pays nothing).  Anywhere else a missing package is named and
# the script fails.  When everything is present this is one dpkg-query call.
#
# "demo" is the subset "make demo" needs (no kernel build); "all" (the
# default) is everything "make check" needs; "bench" is "all" and the
# plotting library "make bench" draws latest.png with; "bench-user" what
# "make bench-user" builds and compares against (the peer allocators'
# libraries, valgrind for the instruction counts).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

set_name=${1:-all}

# Boot Debian's kernel in QEMU with a busybox initramfs, build a module
# against its headers, read the console.
demo_pkgs=(qemu-system-x86 busybox-static linux-headers-amd64 linux-image-amd64
	cpio gzip make gcc rsync python3 kmod)
# Build the 6.12 test kernels, check style and docs, run sparse and clang.
all_pkgs=("${demo_pkgs[@]}" linux-source-6.12 flex bison bc libelf-dev
	libssl-dev dwarves sparse clang perl xz-utils)
bench_pkgs=("${all_pkgs[@]}" python3-matplotlib)
bench_user_pkgs=(make gcc python3 valgrind libmimalloc-dev libjemalloc-dev
	libgoogle-perftools-dev)

case "$set_name" in
demo) pkgs=("${demo_pkgs[@]}") ;;
all) pkgs=("${all_pkgs[@]}") ;;
bench) pkgs=("${bench_pkgs[@]}") ;;
bench-user) pkgs=("${bench_user_pkgs[@]}") ;;
*) die "usage: deps.sh [demo|all|bench|bench-user]" ;;
esac

if ! command -v dpkg-query >/dev/null; then
	# Not Debian: we cannot map packages to files reliably; check the
	# commands that matter and name the Debian packages.
	for c in qemu-system-x86_64 busybox cpio gzip make gcc rsync python3; do
		command -v "$c" >/dev/null || die "'$c' missing; install the equivalent of: ${pkgs[*]}"
	done
	exit 0
fi

# dpkg-query fails when a package is unknown: that is a missing one too.
missing=$({ dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null || true; } |
	awk '$2 == "installed" { print $1 }' |
	sort | comm -13 - <(printf '%s\n' "${pkgs[@]}" | sort) | tr '\n' ' ')
missing=${missing% }
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	die "missing packages: $missing (as root: apt-get install $missing)"
fi
note "installing: $missing"
export DEBIAN_FRONTEND=noninteractive
read -ra missing_list <<<"$missing"
if ! apt-get install -y --no-install-recommends "${missing_list[@]}"; then
	apt-get update
	apt-get install -y --no-install-recommends "${missing_list[@]}"
fi

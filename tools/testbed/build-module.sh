#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh [--clean] KERNEL [make arguments, e.g. W=1 C=2]
#
# Build hakmem.ko (and kunit/hakmem_kunit.ko when KERNEL has KUnit, and the
# tools/bench module when HAKMEM_BUILD_BENCH=1 is in the environment), then
# the sample driver samples/hakmem as a separate module that links against
# hakmem's Module.symvers, as a driver author's would,
# against KERNEL: debug, kcsan, perf or uml (a test kernel, built or reused
# by build-kernel.sh) or stock (Debian's linux-headers-*-amd64).
#
# The build happens in a copy of the source tree, $HAKMEM_CACHE/modbuild/
# KERNEL-TREEHASH, so that builds for different kernels (or from different
# checkouts) never overwrite each other's objects nor the .ko files in the
# user's tree.  The copy holds the tracked
# and untracked source files (what .gitignore does not exclude); objects
# stay between runs, so a rebuild only recompiles what changed.
#
# Prints the directory holding the .ko files on stdout; the build log goes
# to stderr.  --clean removes the objects first (to see every warning again).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

clean=0
if [ "${1:-}" = --clean ]; then
	clean=1
	shift
fi
kernel=${1:?usage: build-module.sh [--clean] debug|kcsan|rt|perf|uml|stock [make args]}
shift

arch=()
case "$kernel" in
stock) kdir=$(stock_hdr) ;;
debug | kcsan | rt | perf | uml)
	kdir=$("$TESTBED/build-kernel.sh" "$kernel")
	[ "$kernel" = uml ] && arch=(ARCH=um)
	;;
*) die "unknown kernel '$kernel' (debug, kcsan, rt, perf, uml or stock)" ;;
esac

# One copy per source tree and kernel: two checkouts (git worktrees) can
# build at the same time without overwriting each other.
dest=$HAKMEM_CACHE/modbuild/$kernel-$(printf '%s' "$HAKMEM_TOP" | sha256sum | cut -c1-8)
mkdir -p "$dest"
# Two builds from the same checkout (make check's --clean build beside a
# make soak's boot) would write the same objects at once: one at a time.
exec 9>"$dest.lock"
flock 9
# .gitignore lists the build products: rsync neither copies them nor
# deletes them in $dest (excluded files are protected from --delete), but
# it does delete source files that disappeared from the tree.
rsync -a --delete --exclude=/.git --exclude=/.ci --filter=':- .gitignore' \
	"$HAKMEM_TOP/" "$dest/"

if [ $clean = 1 ]; then
	make -s -C "$kdir" "${arch[@]}" M="$dest" clean >&2 || true
	make -s -C "$kdir" "${arch[@]}" M="$dest/samples/hakmem" clean >&2 || true
fi
if [ "${HAKMEM_BUILD_BENCH:-}" = 1 ] && [ ! -e "$dest/tools/bench/Kbuild" ] &&
	[ ! -e "$dest/tools/bench/Makefile" ]; then
	die "HAKMEM_BUILD_BENCH=1 but tools/bench has no Kbuild yet"
fi

note "building hakmem for '$kernel' ($kdir) in $dest"
# __FILE__ (in WARN and KUnit messages) names the file as in the tree,
# "kunit/hakmem_kunit.c", not the copy's path in the cache.
make -C "$kdir" "${arch[@]}" M="$dest" \
	KCFLAGS="${KCFLAGS:+$KCFLAGS }-fmacro-prefix-map=$dest/=" modules "$@" >&2 ||
	die "building hakmem for '$kernel' failed"
# The sample is a user of hakmem, not part of it: its own M= build, with
# hakmem's exports from the Module.symvers just written.  Not for UML, which
# boots no driver of ours.
[ "$kernel" = uml ] || make -C "$kdir" "${arch[@]}" M="$dest/samples/hakmem" HAKMEM_DIR="$dest" \
	KBUILD_EXTRA_SYMBOLS="$dest/Module.symvers" \
	KCFLAGS="${KCFLAGS:+$KCFLAGS }-fmacro-prefix-map=$dest/=" modules "$@" >&2 ||
	die "building the sample driver (samples/hakmem) for '$kernel' failed"
echo "$dest"

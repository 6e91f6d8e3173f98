#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-intree.sh y|m: build the 6.12 kernel with this project in its tree
# (mm/hakmem, intree-env.sh), CONFIG_HAKMEM and CONFIG_HAKMEM_KUNIT_TEST
# both =y (built into vmlinux: the suites run at boot) or both =m (in-tree
# modules).  Prints the directory of the result on stdout:
#   y: a directory vm-run.sh --kdir boots (arch/x86/boot/bzImage,
#      include/config/kernel.release, System.map, .config);
#   m: the modules (mm/hakmem/**/*.ko) and the .config.
#
# Never a kernel from scratch: the build directory is a copy (never a
# hard link: the build writes into it) of the cached kcsan test kernel
# (build-kernel.sh), and since intree-env.sh keeps the source tree's path,
# every object of that kernel stays valid.  A variant recompiles the
# project and relinks vmlinux; both variants share the one copy, so
# switching recompiles the project only.  Each variant's result is cached,
# keyed by a hash of the project's files in the tree: with nothing changed
# nothing is built.  Bump RECIPE when a change here alters what is built.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RECIPE=1
v=${1:-}
case "$v" in
y | m) ;;
*) die "usage: build-intree.sh y|m" ;;
esac

base=$("$TESTBED/build-kernel.sh" kcsan)
top=$HAKMEM_CACHE/intree
s=$top/$(basename "$base")-r$RECIPE
mkdir -p "$top"
exec 9>"$s.lock"
flock 9

if [ ! -f "$s/.copied" ]; then
	# One copy at a time on disk: drop those of older base kernels.
	for old in "$top"/kcsan-*; do
		[ "$old" = "$s" ] || [ "$old" = "$s.lock" ] || rm -rf "$old"
	done
	note "copying the kcsan build ($base) for the in-tree build"
	rm -rf "$s"
	mkdir -p "$s"
	cp -a "$base" "$s/build"
	touch "$s/.copied"
fi

# Runs inside intree-env.sh: the tree holds the project, $s/hash is what
# it holds.
# shellcheck disable=SC2016
inner='
set -euo pipefail
v=$1 s=$2 ksrc=$3 jobs=$4
out=$s/out-$v b=$s/build log=$s/build-$v.log
if [ -f "$out/.hash" ] && cmp -s "$out/.hash" "$s/hash"; then
	echo "build-intree: =$v up to date" >&2
	exit 0
fi
t0=$(date +%s)
{
	"$ksrc/scripts/config" --file "$b/.config" --set-val HAKMEM "$v" \
		--set-val HAKMEM_KUNIT_TEST "$v" --disable HAKMEM_KASAN_KUNIT_TEST
	make -C "$ksrc" O="$b" olddefconfig
} >"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
for o in HAKMEM HAKMEM_KUNIT_TEST; do
	grep -qx "CONFIG_$o=$v" "$b/.config" ||
		{ echo "build-intree: .config lacks CONFIG_$o=$v" >&2; exit 1; }
done
nice -n 10 make -C "$ksrc" O="$b" -j"$jobs" bzImage modules >>"$log" 2>&1 ||
	{ tail -40 "$log" >&2; exit 1; }
# gcc says "warning:", modpost "WARNING:": the project builds clean in
# the tree as out of it.
if grep -E "(warning|WARNING):" "$log" >&2; then
	echo "build-intree: the =$v build printed warnings (log: $log)" >&2
	exit 1
fi
rm -rf "$out.new"
mkdir -p "$out.new"
cp "$b/.config" "$b/System.map" "$out.new/"
if [ "$v" = y ]; then
	mkdir -p "$out.new/arch/x86/boot" "$out.new/include/config"
	cp "$b/arch/x86/boot/bzImage" "$out.new/arch/x86/boot/"
	cp "$b/include/config/kernel.release" "$out.new/include/config/"
else
	(cd "$b" && find mm/hakmem -name "*.ko" | cpio -pdm --quiet "$out.new")
fi
cp "$log" "$out.new/build.log"
cp "$s/hash" "$out.new/.hash"
rm -rf "$out"
mv "$out.new" "$out"
echo "build-intree: =$v built in $(( $(date +%s) - t0 )) s" >&2
'
INTREE_HASH_FILE=$s/hash "$TESTBED/intree-env.sh" \
	bash -c "$inner" build-intree "$v" "$s" "$KSRC" "$(nproc)"
echo "$s/out-$v"

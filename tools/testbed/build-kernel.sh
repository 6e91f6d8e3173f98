#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh NAME: build (or reuse) the test kernel NAME from
# Debian's linux-source-6.12 and the committed fragments base.config +
# NAME.config.  Prints the build directory (usable as KDIR) on stdout.
#
# The build is cached under $HAKMEM_CACHE/kernels, keyed by kernel version
# and a hash of the fragments and of RECIPE; it is rebuilt only when one of
# them changes.  Bump RECIPE when a change here alters what gets built.  "uml" builds ARCH=um (one CPU, native speed).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RECIPE=1

name=${1:?usage: build-kernel.sh debug|kcsan|rt|perf|uml}
frag=$TESTBED/configs/$name.config
[ -f "$frag" ] || die "no fragment $frag"
arch=x86_64
base=$TESTBED/configs/base.config
if [ "$name" = uml ]; then
	arch=um
	base=$TESTBED/configs/uml-base.config
fi

ensure_ksrc
ver=$(ksrc_version)
hash=$( (cat "$base" "$frag"; echo "recipe $RECIPE") | sha256sum | cut -c1-12)
out=$HAKMEM_CACHE/kernels/$name-$ver-$hash
# One build of a kernel at a time: a second caller waits for the first
# and then reuses its result (several checkouts share this cache).
mkdir -p "$HAKMEM_CACHE/kernels"
exec 9>"$out.lock"
flock 9
if [ -f "$out/.hakmem-built" ]; then
	echo "$out"
	exit 0
fi

note "building the '$name' kernel $ver into $out (several minutes on 2 cores)"
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
log=$out/build.log
jobs=$(nproc)
{
	if [ "$arch" = um ]; then
		make -C "$KSRC" O="$out" ARCH=um defconfig
	else
		make -C "$KSRC" O="$out" tinyconfig
	fi
	# merge_config.sh leaves its temporary files in the current directory.
	(cd "$out" && "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$out" \
		"$out/.config" "$base" "$frag")
	make -C "$KSRC" O="$out" ARCH=$arch olddefconfig
} >"$log" 2>&1 || { tail -30 "$log" >&2; die "configuring '$name' failed (log: $log)"; }

# merge_config -m drops quietly what a dependency refuses: check that the
# final .config holds every line the fragments asked for.  As in
# merge_config, a later fragment overrides an earlier one: only the last
# line about each option counts.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$out/.config" || { note "'$name': .config lacks $line"; missing=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -q "^$opt=" "$out/.config"; then
			note "'$name': .config sets $opt, the fragment unsets it"; missing=1
		fi ;;
	esac
done < <(cat "$base" "$frag" | sed -n 's/^\(# \)\{0,1\}\(CONFIG_[A-Za-z0-9_]*\)[= ].*/\2 &/p' |
	awk '{ opt = $1; sub(/^[^ ]* /, ""); last[opt] = $0; order[opt] = NR }
	     END { for (o in last) print order[o], last[o] }' | sort -n | cut -d' ' -f2-)
[ $missing = 0 ] || die "'$name': the final .config does not match its fragments"

if [ "$arch" = um ]; then
	targets="linux modules"
else
	targets="bzImage modules"
fi
# "modules" writes Module.symvers, which an out-of-tree build needs even
# when the kernel has no modules of its own.
make -C "$KSRC" O="$out" ARCH=$arch -j"$jobs" $targets >>"$log" 2>&1 ||
	{ tail -40 "$log" >&2; die "building '$name' failed (log: $log)"; }
echo "$arch" >"$out/.hakmem-arch"
touch "$out/.hakmem-built"
note "'$name' built in $(( $(date +%s) - start )) s"
echo "$out"

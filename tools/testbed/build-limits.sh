#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-limits.sh: the build targets hakmem cannot serve are refused where
# the kernel looks, each with its reason.
#
#   1. Kconfig: the kernel's own kconfig tool (conf --olddefconfig) keeps
#      CONFIG_HAKMEM only with 64BIT, MMU and PAGE_SIZE_LESS_THAN_64KB, and
#      CONFIG_HAKMEM_KUNIT_TEST only with KUNIT and HAKMEM, defaulting to
#      KUNIT_ALL_TESTS.
#   2. Out of tree against a 32-bit kernel (i386, tinyconfig + MODULES,
#      modules_prepare'd once into $HAKMEM_CACHE, about 2 minutes): the
#      build stops with hakmem's #error naming the reason.
#   3. Pages of 64 KiB: no cross compiler here, so hakmem_superslab.c is
#      compiled against the userspace harness's kernel shim with
#      PAGE_SHIFT=16, and must stop with the #error naming the reason.
#
# Prints "build-limits: PASS" or "build-limits: FAIL (...)"; exit status 0
# or 1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ensure_ksrc
ver=$(ksrc_version)
prep=$HAKMEM_CACHE/kernels/i386-prep-$ver
fails=()
fail() { note "FAIL: $*"; fails+=("$1"); }

mkdir -p "$HAKMEM_CACHE/kernels"
exec 9>"$prep.lock"
flock 9
if [ ! -f "$prep/.hakmem-prepared" ]; then
	note "preparing an i386 tree for out-of-tree builds in $prep"
	rm -rf "$prep"
	mkdir -p "$prep"
	{
		make -C "$KSRC" O="$prep" ARCH=i386 tinyconfig
		"$KSRC/scripts/config" --file "$prep/.config" -e MODULES
		make -C "$KSRC" O="$prep" ARCH=i386 olddefconfig
		make -C "$KSRC" O="$prep" ARCH=i386 -j"$(nproc)" modules_prepare
	} >"$prep/prep.log" 2>&1 || { tail -20 "$prep/prep.log" >&2; die "preparing i386 failed"; }
	touch "$prep/.hakmem-prepared"
fi
exec 9>&-

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- 1. Kconfig ------------------------------------------------------------
# kconfig_case "64BIT MMU PAGE_SIZE_LESS_THAN_64KB KUNIT KUNIT_ALL_TESTS"
#               "asked" "expected HAKMEM HAKMEM_KUNIT_TEST"
kconfig_case() {
	local -a in want asked
	local d=$work/kconfig sym i got_h got_t

	read -r -a in <<<"$1"
	read -r -a asked <<<"$2"
	read -r -a want <<<"$3"
	local -a syms=(64BIT MMU PAGE_SIZE_LESS_THAN_64KB KUNIT KUNIT_ALL_TESTS)

	[ -f "$HAKMEM_TOP/Kconfig" ] || { fail "kconfig($1)" "no Kconfig file"; return; }
	rm -rf "$d"
	mkdir -p "$d"
	cp "$HAKMEM_TOP/Kconfig" "$d/Kconfig.hakmem"
	{
		echo 'mainmenu "hakmem build limits"'
		printf 'config MODULES\n\tdef_bool y\n\tmodules\n'
		for i in "${!syms[@]}"; do
			sym=${syms[$i]}
			case $sym in
			KUNIT*) printf 'config %s\n\ttristate\n\tdefault %s\n' "$sym" "${in[$i]}" ;;
			*) printf 'config %s\n\tdef_bool %s\n' "$sym" "${in[$i]}" ;;
			esac
		done
		echo 'source "Kconfig.hakmem"'
	} >"$d/Kconfig"
	printf '%s\n' "${asked[@]}" >"$d/.config"
	(cd "$d" && "$prep/scripts/kconfig/conf" --olddefconfig Kconfig) >/dev/null ||
		{ fail "kconfig($1)" "conf failed"; return; }
	got_h=$(sed -n 's/^CONFIG_HAKMEM=//p' "$d/.config")
	got_t=$(sed -n 's/^CONFIG_HAKMEM_KUNIT_TEST=//p' "$d/.config")
	if [ "${got_h:-n}" != "${want[0]}" ] || [ "${got_t:-n}" != "${want[1]}" ]; then
		fail "kconfig($1)" "HAKMEM=${got_h:-n} HAKMEM_KUNIT_TEST=${got_t:-n}, want ${want[*]}"
	fi
}

m='CONFIG_HAKMEM=m CONFIG_HAKMEM_KUNIT_TEST=m'
kconfig_case "y y y y n" "$m" "m m"
kconfig_case "n y y y n" "$m" "n n"	# 32-bit
kconfig_case "y n y y n" "$m" "n n"	# no MMU
kconfig_case "y y n y n" "$m" "n n"	# 64 KiB pages
kconfig_case "y y y n n" "$m" "m n"	# no KUnit
kconfig_case "y y y y m" "CONFIG_HAKMEM=m" "m m"	# KUNIT_ALL_TESTS picks the tests
kconfig_case "y y y y n" "CONFIG_HAKMEM=m" "m n"

# --- 2. a 32-bit kernel, out of tree --------------------------------------
src=$work/src
mkdir -p "$src"
(cd "$HAKMEM_TOP" && cp Kbuild hakmem_*.c hakmem_*.h "$src/")
if make -C "$prep" ARCH=i386 M="$src" modules >"$work/i386.log" 2>&1; then
	fail "i386" "hakmem built for a 32-bit kernel"
else
	grep -m1 'error: #error "hakmem needs a 64-bit kernel: ' "$work/i386.log" >&2 ||
		fail "i386" "the build failed without hakmem's #error naming 64-bit"
fi

# --- 3. 64 KiB pages, through the userspace shim ----------------------------
if gcc -std=gnu11 -fsyntax-only -D_GNU_SOURCE -DPAGE_SHIFT=16 \
	-I"$HAKMEM_TOP/tools/testing/shim/include" -I"$HAKMEM_TOP" \
	"$HAKMEM_TOP/hakmem_superslab.c" >"$work/64k.log" 2>&1; then
	fail "64k" "hakmem compiled with 64 KiB pages"
else
	grep -m1 'error: #error "hakmem needs pages under 64 KiB: ' "$work/64k.log" >&2 ||
		fail "64k" "the build failed without hakmem's #error naming the page size"
fi

if [ ${#fails[@]} -eq 0 ]; then
	echo "build-limits: PASS"
else
	echo "build-limits: FAIL (${fails[*]})"
	exit 1
fi

# SPDX-License-Identifier: GPL-2.0
# Shared settings for the test bed scripts.  Sourced, not run.

HAKMEM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TESTBED=$HAKMEM_TOP/tools/testbed
# Kernels and the unpacked source live outside the clone: CI starts from a
# fresh clone, but the machine (and so this cache) may be the same.
HAKMEM_CACHE=${HAKMEM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/hakmem-slab}
KSRC_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
KSRC=$HAKMEM_CACHE/linux-source-6.12
STOCK_HDR_GLOB='/usr/src/linux-headers-*-amd64'

die() { echo "testbed: $*" >&2; exit 1; }
note() { echo "testbed: $*" >&2; }

# Unpack Debian's linux-source-6.12 once.
ensure_ksrc() {
	[ -f "$KSRC/Makefile" ] && return 0
	[ -f "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing: apt-get install linux-source-6.12"
	mkdir -p "$HAKMEM_CACHE"
	note "unpacking $KSRC_TARBALL into $HAKMEM_CACHE"
	tar -C "$HAKMEM_CACHE" -xf "$KSRC_TARBALL" || die "unpacking failed"
}

# A random seed for the load-time stress (stress_seed=): 64 bits, never 0,
# which asks hakmem to pick one itself.
random_seed() {
	local s=0
	while [ "$s" = 0 ]; do
		s=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
	done
	echo "$s"
}

ksrc_version() {
	make -s -C "$KSRC" kernelversion 2>/dev/null
}

# Debian's stock kernel headers and image (linux-headers-amd64,
# linux-image-amd64): the newest installed pair.
stock_hdr() {
	local d
	d=$(ls -d $STOCK_HDR_GLOB 2>/dev/null | sort -V | tail -1)
	[ -n "$d" ] || die "no Debian kernel headers: apt-get install linux-headers-amd64"
	echo "$d"
}

stock_release() {
	basename "$(stock_hdr)" | sed 's/^linux-headers-//'
}

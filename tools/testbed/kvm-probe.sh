#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kvm-probe.sh: print "kvm" when KVM really runs a guest on this host,
# "tcg" otherwise.  /dev/kvm existing proves nothing: nested KVM on this
# kind of machine stops right after the BIOS ("Booting from ROM...").  So
# boot Debian's kernel with KVM and a tiny initramfs that prints a line,
# with a short timeout, and cache the verdict per host kernel and QEMU
# version ($HAKMEM_CACHE/kvm-probe-*).  HAKMEM_ACCEL=tcg|kvm overrides.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -n "${HAKMEM_ACCEL:-}" ]; then
	echo "$HAKMEM_ACCEL"
	exit 0
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo tcg
	exit 0
fi
qver=$(qemu-system-x86_64 --version | head -1 | tr -c 'a-zA-Z0-9.\n' _)
cache=$HAKMEM_CACHE/kvm-probe-$(uname -r)-$(echo "$qver" | sha256sum | cut -c1-8)
if [ -f "$cache" ]; then
	cat "$cache"
	exit 0
fi

image=/boot/vmlinuz-$(stock_release)
work=$(mktemp -d "${TMPDIR:-/tmp}/hakmem-kvm.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin"
cp /bin/busybox "$work/root/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox echo hakmem-kvm-probe-ok\n/bin/busybox reboot -f\n' >"$work/root/init"
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$work/initrd.gz"
note "probing KVM (a 20 s boot at most, once per host)"
verdict=tcg
if timeout -k 5 20 qemu-system-x86_64 -M pc -m 256 -nodefaults -display none \
	-serial stdio -no-reboot -accel kvm -kernel "$image" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1" </dev/null 2>&1 | grep -q hakmem-kvm-probe-ok; then
	verdict=kvm
fi
mkdir -p "$HAKMEM_CACHE"
echo $verdict >"$cache"
note "KVM probe: $verdict (cached in $cache)"
echo $verdict

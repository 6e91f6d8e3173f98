#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh ("make demo"): the first thing to run.  Builds hakmem.ko and the
# sample driver (samples/hakmem, against hakmem's Module.symvers) against
# Debian's stock kernel headers, boots Debian's stock kernel in QEMU (no
# kernel build: under a minute), loads hakmem.ko with selftest=1 and then
# hakmem_sample.ko, runs a shell workload on /dev/hakmem_sample
# (sample-workload.sh: echo, cat and dd, concurrent writers, every byte
# read back and compared) and shows its statistics and hakmem's, unloads
# the sample (its caches must go with nothing left allocated), shows what
# hakmem logged and its debugfs files, unloads it and shows the console
# scanner's verdict on the whole boot.  The exit status is non-zero when
# any of it failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
"$TESTBED/deps.sh" demo
mkdir -p "$HAKMEM_CACHE/logs"
echo "== building hakmem.ko and samples/hakmem/hakmem_sample.ko against $(stock_hdr)"
"$TESTBED/build-module.sh" stock >/dev/null 2>"$HAKMEM_CACHE/logs/demo-build.log" || {
	cat "$HAKMEM_CACHE/logs/demo-build.log" >&2
	die "build failed"
}

# What the guest runs after "insmod hakmem.ko selftest=1".  Output of our
# own commands is indented so that it can be told from the kernel messages
# the console shows at the same time.  The self-test's hakmem-expect
# markers are left out of the copy: the scanner reads markers anywhere in
# a line, and a copy of one would open a bracket of its own.
# The commands run in the guest: single quotes, nothing expands here.
# shellcheck disable=SC2016
guest_cmds=$(cat "$TESTBED/sample-workload.sh")'
d=/sys/kernel/debug/hakmem
echo "== dmesg | grep hakmem | grep -v hakmem-expect"
dmesg | grep hakmem | grep -v hakmem-expect: | sed "s/^/    /"
echo "== cat $d/slabinfo"
cat $d/slabinfo | sed "s/^/    /"
for f in $(find $d -mindepth 2 -type f | sort); do
	echo "== cat $f"
	sed "s/^/    /" $f
done
echo "== rmmod hakmem"
rmmod hakmem && echo "    unloaded; /sys/module/hakmem is gone: $([ -d /sys/module/hakmem ] && echo no || echo yes)"
[ $fails = 0 ]
'
log=$HAKMEM_CACHE/logs/demo-console.log
echo "== booting Debian's $(stock_release) kernel in QEMU (2 CPUs) with hakmem.ko selftest=1 and hakmem_sample.ko"
rc=0
out=$("$TESTBED/vm-run.sh" --kernel stock --smp 2 --mem 1024 --timeout 300 \
	--quiet --log "$log" --exec "$guest_cmds" hakmem.ko:selftest=1 \
	samples/hakmem/hakmem_sample.ko 2>&1) || rc=$?

# The guest's part of the console, without the kernel's own messages
# (those start with a printk timestamp).
sed -n '/^testbed: insmod /p; /^testbed: --exec begin/,/^testbed: --exec end/p' "$log" |
	grep -Ev '^\[ *[0-9]+\.[0-9]+\]|^testbed: --exec (begin|end, status 0)$' || true
echo "== console scan of the whole boot (tools/testbed/scan-console $log)"
printf '%s\n' "$out" | grep -E '^(scan-console: (PASS|FAIL|warning)|vm-run: (PASS|FAIL)|  )' || true
echo "== done in $(( $(date +%s) - start )) s; full console log: $log"
exit $rc

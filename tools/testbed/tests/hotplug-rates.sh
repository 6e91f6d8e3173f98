#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# hotplug-rates.sh: how often a kernel warning shows under KUnit's
# hakmem_reliability_hotplug_load, with hakmem or with kmalloc (the
# control), over many boots: the measurement behind "is it hakmem or the
# kernel?" (Documentation/testing.rst, "PREEMPT_RT and CPU hotplug").
#
#   hotplug-rates.sh [--boots N] [--kernel K] [--cycles C] [--kmalloc]
#                    [--label L] [vm-run arguments...]
#
# Each boot loads hakmem.ko and hakmem_reliability_kunit.ko with only the
# hotplug_load case (kunit.filter_glob) and C hotplug cycles (default 100).
# --kmalloc: the case's workers allocate with kmalloc (hotplug_kmalloc=1).
# --append adds to the kernel command line; further arguments go to
# vm-run.sh (e.g. --pre-exec).  Prints
# one line per boot (PASS or FAIL, and whether sched_cpu_dying warned),
# then "L: W of N boots warned, F failed".  Logs: $HAKMEM_CACHE/logs/rates-*.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

boots=6
kernel=rt
cycles=100
kmalloc=0
label=
append=
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--boots) boots=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--cycles) cycles=${2:?}; shift 2 ;;
	--kmalloc) kmalloc=1; shift ;;
	--label) label=${2:?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	*) args+=("$1"); shift ;;
	esac
done
[ -n "$label" ] || label=$kernel-$([ $kmalloc = 1 ] && echo kmalloc || echo hakmem)
logdir=$HAKMEM_CACHE/logs/rates-$label-$(date +%Y%m%d-%H%M%S)
mkdir -p "$logdir"
warned=0
failed=0
for i in $(seq 1 "$boots"); do
	log=$logdir/boot-$i.log
	rc=0
	"$TESTBED/vm-run.sh" --kernel "$kernel" --smp 4 --quiet --log "$log" \
		--timeout 900 \
		--append "kunit.filter_glob=hakmem_reliability.hakmem_reliability_hotplug_load${append:+ $append}" \
		${args[@]+"${args[@]}"} \
		"kunit/hakmem_reliability_kunit.ko:hotplug_cycles=$cycles:hotplug_kmalloc=$kmalloc" \
		>"$log.vm-run" 2>&1 || rc=$?
	w=no
	if grep -aq 'Dying CPU not properly vacated' "$log"; then
		w=yes
		warned=$((warned + 1))
	fi
	[ $rc = 0 ] || failed=$((failed + 1))
	echo "$label boot $i: $([ $rc = 0 ] && echo PASS || echo FAIL), sched_cpu_dying warned: $w ($log)"
done
echo "$label: $warned of $boots boots warned, $failed failed"

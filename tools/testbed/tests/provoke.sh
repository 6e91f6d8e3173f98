#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/provoke.sh [--reboot]: the console scanner's self-tests on real
# kernel output.  One boot of the debug kernel loads provoke/hakmem_provoke.ko
# and makes the kernel report, one kind at a time, everything scan-console
# must catch (a WARN, a bare stack, sleeping in atomic context, a lockdep
# cycle, UBSAN, KASAN, a kmemleak leak, kmemleak turning itself off, a hung
# task, an RCU stall, an expedited RCU stall, a soft lockup and, last, an
# oops), with "provoke: begin KIND" / "provoke: end KIND" around each.  The
# console is cut at the markers and each piece must get its verdict from
# scan-console: PASS for "clean", FAIL with the right [kind] for the rest.
#
# The console is kept in $HAKMEM_CACHE/provoke/, keyed by the debug
# kernel's build and a hash of the provoker and this script: the boot
# (a few minutes under TCG) happens again only when one of them changes,
# or with --reboot.  A hard LOCKUP cannot be made under TCG (no PMU, so no
# NMI watchdog): tests/logs/fail-hard-lockup.log stands in for it.
#
# Prints "N passed, N failed"; exits non-zero when any test failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

reboot=0
case "${1:-}" in
--reboot) reboot=1 ;;
'') ;;
*) die "usage: provoke.sh [--reboot]" ;;
esac

# KIND and the extended regex scan-console's output must match for it: the
# [kind] first, then what shows the report is the one provoked.  The order
# is the boot's: lockdep reports once per boot and a KASAN report turns
# lockdep off; kmemleak_error turns kmemleak off; the oops ends the boot.
kinds=(
	'clean            PASS'
	'warn             FAIL \[WARNING\] .*WARNING: CPU: .*provoke_warn'
	'call_trace       FAIL \[Call Trace\] '
	'sleep_in_atomic  FAIL \[sleep in atomic\] .*sleeping function called from invalid context'
	'lockdep          FAIL \[lockdep\] .*possible circular locking dependency'
	'ubsan            FAIL \[UBSAN\] .*shift-out-of-bounds'
	'kasan            FAIL \[KASAN\] .*slab-use-after-free in provoke_kasan'
	'kmemleak         FAIL \[kmemleak\] .*(unreferenced object 0x|new suspected memory leaks)'
	'kmemleak_error   FAIL \[kmemleak error\] .*(Cannot insert|leak detector disabled)'
	'hung_task        FAIL \[hung task\] .*task provoke_hung:[0-9]+ blocked for more than'
	'rcu_stall        FAIL \[RCU stall\] .*(self-detected stall|detected stalls)'
	'rcu_exp_stall    FAIL \[RCU stall\] .*detected expedited stalls'
	'soft_lockup      FAIL \[soft lockup\] .*soft lockup - CPU#[0-9]+ stuck .*provoke_lockup'
	'oops             FAIL \[Oops\] '
)

# What the guest runs once the provoker is loaded.  Markers go through
# /dev/kmsg, so that they sit in the kernel log in order with the reports.
# kmemleak reports an object only when it is older than 5 s and unchanged
# since the previous scan: wait, scan twice (verbose: onto the console).
# The watchdogs' timeouts are shortened only for their own provocation:
# a short RCU stall timeout during the whole boot would report every slow
# moment of a debug kernel under TCG.
# The commands run in the guest: single quotes, nothing expands here.
# shellcheck disable=SC2016
guest='
d=/sys/kernel/debug/hakmem_provoke
r=/sys/module/rcupdate/parameters
m() { echo "provoke: $*" > /dev/kmsg; }
p() { m begin $1; echo $1 > $d || m "writing $1 failed"; m end $1; }
echo 1 > /sys/module/kmemleak/parameters/verbose
p clean
p warn
p call_trace
p sleep_in_atomic
p lockdep
p ubsan
p kasan
m begin kmemleak
echo kmemleak > $d
sleep 6
echo scan > /sys/kernel/debug/kmemleak
echo scan > /sys/kernel/debug/kmemleak
m end kmemleak
echo clear > /sys/kernel/debug/kmemleak
p kmemleak_error
echo 2 > /proc/sys/kernel/hung_task_timeout_secs
p hung_task
echo 120 > /proc/sys/kernel/hung_task_timeout_secs
echo 3 > $r/rcu_cpu_stall_timeout
p rcu_stall
echo 60 > $r/rcu_cpu_stall_timeout
echo 1000 > $r/rcu_exp_cpu_stall_timeout
p rcu_exp_stall
echo 0 > $r/rcu_exp_cpu_stall_timeout
echo 1 > /proc/sys/kernel/watchdog_thresh
p soft_lockup
echo 10 > /proc/sys/kernel/watchdog_thresh
m begin oops
echo oops > $d
'

kdir=$("$TESTBED/build-kernel.sh" debug)
key=$({
	basename "$kdir"
	cat "$here/provoke/Kbuild" "$here/provoke/hakmem_provoke.c" "$0"
} | sha256sum | cut -c1-16)
console=$HAKMEM_CACHE/provoke/console-$key.log

# Build the provoker in a copy, as build-module.sh does for hakmem.
build_provoker() {
	local dest out
	dest=$HAKMEM_CACHE/modbuild/provoke-debug-$(printf '%s' "$HAKMEM_TOP" | sha256sum | cut -c1-8)
	mkdir -p "$dest"
	rsync -a --delete "$here/provoke/" "$dest/"
	out=$(make -C "$kdir" M="$dest" W=1 \
		KCFLAGS="-fmacro-prefix-map=$dest/=tools/testbed/tests/provoke/" modules 2>&1) ||
		{ printf '%s\n' "$out" >&2; die "building the provoker failed"; }
	if grep -Ei '(warning|error):' <<<"$out" >&2; then
		die "the provoker's build printed warnings"
	fi
	echo "$dest/hakmem_provoke.ko"
}

# Every marker there, the oops seen: the capture is whole.
complete_capture() {
	local log=$1 k
	for k in "${kinds[@]}"; do
		k=${k%% *}
		grep -q "provoke: begin $k\$" "$log" || return 1
		[ "$k" = oops ] || grep -q "provoke: end $k\$" "$log" || return 1
	done
	sed -n '/provoke: begin oops$/,$p' "$log" | grep -q 'Oops'
}

if [ $reboot = 1 ] || [ ! -s "$console" ]; then
	ko=$(build_provoker)
	mkdir -p "$(dirname "$console")"
	tmp=$console.new
	note "booting the debug kernel once with the provoker (console: $console)"
	# panic_on_warn off: the boot must live through every report but the
	# last (oops=panic ends it).  kasan_multi_shot: report every KASAN
	# error, not the first only.  vm-run's own verdict is FAIL (the boot
	# ends in an oops): only the pieces of the console are judged here.
	"$TESTBED/vm-run.sh" --kernel debug --smp 4 --timeout 1200 --no-hakmem \
		--quiet --log "$tmp" --append "panic_on_warn=0 kasan_multi_shot" \
		--exec "$guest" "$ko" >"$tmp.vm-run" 2>&1 || true
	if ! complete_capture "$tmp"; then
		echo "FAIL provoke boot: the console misses a marker or the oops; its end:"
		tail -40 "$tmp" | sed 's/^/     /'
		echo "     (whole console: $tmp; vm-run's output: $tmp.vm-run)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	mv "$tmp" "$console"
	rm -f "$tmp.vm-run"
	# Older captures are of no use any more.
	find "$(dirname "$console")" -name 'console-*.log' ! -name "$(basename "$console")" -delete
else
	note "reusing the console of an earlier boot: $console"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hakmem-provoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Cut the console into one file per kind: from its begin marker to its end
# marker (for the oops, to the end of the log), both excluded.
awk -v dir="$work" '
	match($0, /provoke: begin [a-z_]+$/) {
		k = substr($0, RSTART + 15, RLENGTH - 15); out = dir "/" k ".log"
		printf "" > out; next
	}
	/provoke: end [a-z_]+$/ { out = ""; next }
	out != "" { print >> out }
' "$console"

passed=0
failed=0
for entry in "${kinds[@]}"; do
	read -r k verdict regex <<<"$entry"
	seg=$work/$k.log
	rc=0
	out=$("$TESTBED/scan-console" --quiet --no-end-marker --max-shown 50 "$seg" 2>&1) || rc=$?
	got=PASS
	[ $rc = 0 ] || got=FAIL
	if [ $rc -gt 1 ]; then
		why="scan-console exited with status $rc"
	elif [ "$got" != "$verdict" ]; then
		why="verdict $got, expected $verdict"
	elif [ -n "$regex" ] && ! grep -Eq -- "$regex" <<<"$out"; then
		why="no line matches /$regex/"
	else
		echo "ok   provoke $k"
		passed=$((passed + 1))
		continue
	fi
	echo "FAIL provoke $k: $why"
	printf '%s\n' "$out" | grep -E '^scan-console: ' | sed 's/^/     /'
	failed=$((failed + 1))
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]

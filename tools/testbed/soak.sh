#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh ("make soak RUNS=N", "make soak REPLAY=SEED"): boot many times
# with hakmem.ko's multi-CPU stress at load (stress_seed=, stress_ms=), one
# random seed per boot, so rare races get many chances.  Each boot's seed
# also draws the loads that run beside the stress threads (stress_mix:
# shrink and drain, bulk calls, hrtimer GFP_ATOMIC users, an RCU-typesafe
# cache, CPU hotplug); the boot's line shows them.
#
#   soak.sh --runs N [--ms MS] [--smp N] [--mix LOADS]
#       N boots.  With N >= 3 the first three boot the sanitizer kernels,
#       debug (KASAN, kmemleak, lockdep), kcsan and rt (PREEMPT_RT), so
#       that every soak of three boots or more puts the stress under each;
#       every tenth boot after that boots one of them again, in turn.  The
#       others run on the perf kernel (no debug options: fastest, most
#       iterations).  N = 1 or 2: perf only.
#   soak.sh --replay SEED [--kernel K] [--ms MS] [--smp N] [--mix LOADS]
#       one boot with that seed (a seed from a failure: it replays the
#       loads too), perf by default.
#
# --mix LOADS passes stress_mix=LOADS (e.g. "all", "rcu,hotplug") instead
# of the seed's draw.
#
# A boot is clean when hakmem prints "stress seed=S ... passed" and the
# console scanner finds nothing (the same gate as make check's boots,
# tools/testbed/gate.sh).  Prints clean/total per kernel and the seed and
# console log of each failure.  Logs: $HAKMEM_CACHE/logs/soak-*.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$TESTBED/gate.sh"

runs=
replay=
kernel=perf
ms=5000
smp=4
mix=
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs=${2:?}; shift 2 ;;
	--replay) replay=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--ms) ms=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mix) mix=${2:?}; shift 2 ;;
	*) die "usage: soak.sh --runs N | --replay SEED [--kernel K] [--ms MS] [--smp N] [--mix LOADS]" ;;
	esac
done
[ -n "$runs$replay" ] || die "usage: soak.sh --runs N | --replay SEED"

# SOAK_VM_RUN and SOAK_LOGDIR are for the self-test (tests/gates.sh).
VM_RUN=${SOAK_VM_RUN:-$TESTBED/vm-run.sh}
logdir=${SOAK_LOGDIR:-$HAKMEM_CACHE/logs/soak-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$logdir"
declare -A clean total
failures=()

# boot KERNEL SEED: one boot; 0 when clean.
boot() {
	local k=$1 seed=$2 log rc=0 loads why
	log=$logdir/$k-$seed.log
	# The stress itself runs $ms; boot, CPU hotplug and teardown are extra,
	# and the debug kernels are many times slower under TCG.
	"$VM_RUN" --kernel "$k" --smp "$smp" --quiet --log "$log" \
		--timeout $(( ms * 20 / 1000 + 900 )) \
		"hakmem.ko:stress_seed=$seed:stress_ms=$ms${mix:+:stress_mix=$mix}" \
		>"$log.vm-run" 2>&1 || rc=$?
	gate_vm_verdict stress "$rc" "$log.vm-run" "$log" || rc=1
	loads=$(grep -ao 'stress seed=[0-9]* mix=[a-z,]*' "$log" 2>/dev/null | sed 's/.* mix=//' | head -1 || true)
	total[$k]=$(( ${total[$k]:-0} + 1 ))
	if [ $rc = 0 ]; then
		clean[$k]=$(( ${clean[$k]:-0} + 1 ))
		echo "clean  $k seed=$seed mix=${loads:-?}"
	else
		failures+=("$k seed=$seed mix=${loads:-?}  log $log  (replay: tools/testbed/soak.sh --replay $seed --kernel $k${mix:+ --mix $mix})")
		echo "FAILED $k seed=$seed mix=${loads:-?} ($log)"
		for why in "${gate_why[@]}"; do
			echo "       $why"
		done
		grep -E '^scan-console: FAIL' "$log.vm-run" | head -5 || true
	fi
}

if [ -n "$replay" ]; then
	boot "$kernel" "$replay"
else
	sanitizers=(debug kcsan rt)
	for i in $(seq 1 "$runs"); do
		k=perf
		if [ "$runs" -ge 3 ] && [ "$i" -le 3 ]; then
			k=${sanitizers[i - 1]}
		elif [ $((i % 10)) = 0 ]; then
			# Then every tenth boot: debug, kcsan, rt, debug, ...
			k=${sanitizers[(i / 10 - 1) % 3]}
		fi
		boot "$k" "$(random_seed)"
	done
fi

echo "== soak: logs in $logdir"
for k in "${!total[@]}"; do
	echo "$k: ${clean[$k]:-0}/${total[$k]} clean"
done
for f in ${failures[@]+"${failures[@]}"}; do
	echo "failed: $f"
done
[ ${#failures[@]} = 0 ]

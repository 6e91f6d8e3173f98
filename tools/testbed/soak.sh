#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh ("make soak RUNS=N", "make soak REPLAY=SEED"): boot many times
# with hakmem.ko's multi-CPU stress at load (stress_seed=, stress_ms=), one
# random seed per boot, so rare races get many chances.
#
#   soak.sh --runs N [--ms MS] [--smp N]
#       N boots.  Most run on the perf kernel (no debug options: fastest,
#       most iterations); every tenth boot runs on the debug kernel, the next
#       tenth on kcsan, so the sanitizers see the same stress now and then.
#   soak.sh --replay SEED [--kernel K] [--ms MS] [--smp N]
#       one boot with that seed (a seed from a failure), perf by default.
#
# A boot is clean when hakmem prints "stress seed=S ... passed" and the
# console scanner finds nothing.  Prints clean/total per kernel and the seed
# and console log of each failure.  Logs: $HAKMEM_CACHE/logs/soak-*.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

runs=
replay=
kernel=perf
ms=5000
smp=4
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs=${2:?}; shift 2 ;;
	--replay) replay=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--ms) ms=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	*) die "usage: soak.sh --runs N | --replay SEED [--kernel K] [--ms MS] [--smp N]" ;;
	esac
done
[ -n "$runs$replay" ] || die "usage: soak.sh --runs N | --replay SEED"

logdir=$HAKMEM_CACHE/logs/soak-$(date +%Y%m%d-%H%M%S)
mkdir -p "$logdir"
declare -A clean total
failures=()

# boot KERNEL SEED: one boot; 0 when clean.
boot() {
	local k=$1 seed=$2 log rc=0
	log=$logdir/$k-$seed.log
	# The stress itself runs $ms; boot and teardown are extra, and the
	# debug kernels are many times slower under TCG.
	"$TESTBED/vm-run.sh" --kernel "$k" --smp "$smp" --quiet --log "$log" \
		--timeout $(( ms * 20 / 1000 + 600 )) \
		"hakmem.ko:stress_seed=$seed:stress_ms=$ms" >"$log.vm-run" 2>&1 || rc=1
	grep -Eq "hakmem: stress seed=$seed .*: passed" "$log" || rc=1
	total[$k]=$(( ${total[$k]:-0} + 1 ))
	if [ $rc = 0 ]; then
		clean[$k]=$(( ${clean[$k]:-0} + 1 ))
		echo "clean  $k seed=$seed"
	else
		failures+=("$k seed=$seed  log $log  (replay: tools/testbed/soak.sh --replay $seed --kernel $k)")
		echo "FAILED $k seed=$seed ($log)"
		grep -E '^scan-console: FAIL|stress seed=.*FAILED' "$log.vm-run" "$log" | head -5 || true
	fi
}

random_seed() {
	local s=0
	while [ "$s" = 0 ]; do
		s=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
	done
	echo "$s"
}

if [ -n "$replay" ]; then
	boot "$kernel" "$replay"
else
	for i in $(seq 1 "$runs"); do
		k=perf
		if [ $((i % 10)) = 0 ]; then
			# Tenth boots alternate: debug, kcsan, debug, ...
			if [ $(( (i / 10) % 2 )) = 1 ]; then k=debug; else k=kcsan; fi
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

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh ("make check"): every test the project has, in one command.
#
# Each step counts as one test, passed or failed; each KUnit case run in
# QEMU counts as one test too, and so does each test of the userspace
# harness (tools/testing).  A failed step does not stop the others.  The
# last line is exactly "N passed, N failed"; the exit status is non-zero
# when anything failed.
#
# On a fresh 2-core machine the first run builds the debug and kcsan test
# kernels (about 5-7 min each, cached in $HAKMEM_CACHE/kernels after that);
# KUnit on the KASAN kernel under TCG takes the longest.  CI allows 90 min.
#
# Environment:
#   CHECK_ONLY="regex"     run only the steps whose name matches
#   KUNIT_PARAMS_debug, KUNIT_PARAMS_kcsan
#                          hakmem_kunit.ko parameters for that kernel
#   RELIABILITY_PARAMS_debug, RELIABILITY_PARAMS_kcsan
#                          hakmem_reliability_kunit.ko parameters
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# The stress cases run stress_ms per case.  KASAN under TCG is slow, so
# one second finds little there but costs a lot; KCSAN needs time to see
# races, and its kernel is faster.
: "${KUNIT_PARAMS_debug=stress_ms=1000}"
: "${KUNIT_PARAMS_kcsan=stress_ms=3000}"
# CPU hotplug under load: a cycle takes seconds on the KASAN kernel under
# TCG, a fraction of one on the KCSAN kernel, which does the full 100.
: "${RELIABILITY_PARAMS_debug=hotplug_cycles=5}"
: "${RELIABILITY_PARAMS_kcsan=hotplug_cycles=100}"
KUNIT_TIMEOUT=${KUNIT_TIMEOUT:-1500}

passed=0
failed=0
summary=()
logdir=$HAKMEM_CACHE/logs/check-$(date +%Y%m%d-%H%M%S)
mkdir -p "$logdir"
t_all=$(date +%s)

# step NAME COMMAND...: run one step, its output into $logdir/NAME.log
# (shown when it fails), count it.
step() {
	local name=$1 t0 rc
	shift
	if [ -n "${CHECK_ONLY:-}" ] && ! [[ $name =~ $CHECK_ONLY ]]; then
		return 0
	fi
	echo "== $name"
	t0=$(date +%s)
	"$@" >"$logdir/$name.log" 2>&1
	rc=$?
	record "$name" $rc $(( $(date +%s) - t0 ))
}

# record NAME RC SECONDS [LOG]
record() {
	local name=$1 rc=$2 secs=$3 log=${4:-$logdir/$1.log}
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		summary+=("$(printf 'ok   %-34s %5ss' "$name" "$secs")")
		echo "   ok ($secs s)"
	else
		failed=$((failed + 1))
		summary+=("$(printf 'FAIL %-34s %5ss  %s' "$name" "$secs" "$log")")
		echo "   FAILED ($secs s), last lines of $log:"
		tail -40 "$log" | sed 's/^/   | /'
	fi
}

# The project's C files, without the userspace shims of tools/testing.
sources() {
	(cd "$HAKMEM_TOP" && ls -- *.[ch] kunit/*.[ch] tools/bench/*.c 2>/dev/null)
}

do_checkpatch() {
	local f bad=0
	cd "$HAKMEM_TOP" || return 1
	for f in $(sources); do
		"$KSRC/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
			-f "$f" || bad=1
	done
	return $bad
}

do_kerneldoc() {
	local out
	out=$(cd "$HAKMEM_TOP" && "$KSRC/scripts/kernel-doc" -none -Wall \
		hakmem_slab.h hakmem_slab.c hakmem_superslab.c hakmem_internal.h 2>&1)
	[ -z "$out" ] && return 0
	printf '%s\n' "$out"
	return 1
}

# build KERNEL FLAGS...: a clean build; any compiler or sparse warning fails.
do_build() {
	local kernel=$1 out rc=0
	shift
	out=$("$TESTBED/build-module.sh" --clean "$kernel" "$@" 2>&1) || rc=$?
	printf '%s\n' "$out"
	[ $rc = 0 ] || return $rc
	# gcc and sparse say "warning:", modpost "WARNING:".
	if grep -Ei '(warning|error):' <<<"$out" >/dev/null; then
		echo "check: the build printed warnings (see above)"
		return 1
	fi
}

# KUnit in QEMU: the boot itself is one step (splats, leaks, hangs),
# each KUnit case one more test.
kunit_in_vm() {
	local kernel=$1 name="kunit-$1" t0 rc log params rparams out counts k
	[ -n "${CHECK_ONLY:-}" ] && ! [[ $name =~ $CHECK_ONLY ]] && return 0
	echo "== $name (QEMU, 4 CPUs, timeout ${KUNIT_TIMEOUT}s)"
	params=KUNIT_PARAMS_$kernel
	params=${!params:-}
	rparams=RELIABILITY_PARAMS_$kernel
	rparams=${!rparams:-}
	t0=$(date +%s)
	log=$logdir/$name.log
	"$TESTBED/vm-run.sh" --kernel "$kernel" --smp 4 --timeout "$KUNIT_TIMEOUT" \
		--quiet --log "$logdir/$name-console.log" \
		"kunit/hakmem_kunit.ko${params:+:${params// /:}}" \
		"kunit/hakmem_reliability_kunit.ko${rparams:+:${rparams// /:}}" \
		kunit/hakmem_free_word_kunit.ko \
		kunit/hakmem_gfp_kunit.ko >"$log" 2>&1
	rc=$?
	out=$(grep '^scan-console: ' "$log")
	counts=$(sed -n 's/^scan-console: kunit //p' <<<"$out")
	k=$(sed -n 's/^scan-console: problems kernel=\([0-9]*\).*/\1/p' <<<"$out")
	if [ -n "$counts" ]; then
		local p f s
		p=$(sed -n 's/.*passed=\([0-9]*\).*/\1/p' <<<"$counts")
		f=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$counts")
		s=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' <<<"$counts")
		echo "   KUnit: $p passed, $f failed, $s skipped"
		passed=$((passed + p))
		failed=$((failed + f))
		summary+=("$(printf '     %-34s        %s passed, %s failed, %s skipped' \
			"$name cases" "$p" "$f" "$s")")
		if [ "$p" = 0 ] && [ "$f" = 0 ]; then
			# No case ran: the module did not load or KUnit is silent.
			echo "check: no KUnit case ran" >>"$log"
			k=${k:-1}
			[ "$k" = 0 ] && k=1
		fi
	fi
	# The boot step: clean unless the kernel misbehaved, the guest did not
	# finish, or vm-run failed before scanning (a build error).
	rc=0
	[ "${k:-x}" = 0 ] || rc=1
	record "$name boot" $rc $(( $(date +%s) - t0 )) "$log"
	[ $rc = 0 ] || [ ! -f "$logdir/$name-console.log" ] ||
		echo "   console log: $logdir/$name-console.log"
}

do_userspace() {
	make -s --no-print-directory -C "$HAKMEM_TOP/tools/testing" check
}

echo "check: logs in $logdir"
step deps "$TESTBED/deps.sh" all
ensure_ksrc >/dev/null 2>&1 || true
step scanner-selftests "$TESTBED/tests/run.sh"
step checkpatch do_checkpatch
step kernel-doc do_kerneldoc
step build-debug-W1 do_build debug W=1
step build-debug-sparse do_build debug C=2
step build-stock-W1 do_build stock W=1
step build-limits "$TESTBED/build-limits.sh"
kunit_in_vm debug
kunit_in_vm kcsan

# The userspace harness reports its own "N passed, N failed".
if [ -f "$HAKMEM_TOP/tools/testing/Makefile" ] &&
	{ [ -z "${CHECK_ONLY:-}" ] || [[ userspace =~ $CHECK_ONLY ]]; }; then
	echo "== userspace (make -C tools/testing check)"
	t0=$(date +%s)
	do_userspace >"$logdir/userspace.log" 2>&1
	rc=$?
	# Its result line, wherever make's own error lines put it.
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logdir/userspace.log" | tail -1)
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		echo "   $last ($(( $(date +%s) - t0 )) s)"
		summary+=("$(printf '     %-34s %5ss  %s' userspace $(( $(date +%s) - t0 )) "$last")")
		# A harness that failed without saying which test did.
		if [ $rc != 0 ] && [ "${BASH_REMATCH[2]}" = 0 ]; then
			record userspace-make 1 0
		fi
	else
		echo "   (no 'N passed, N failed' line in its output)"
		record userspace $(( rc == 0 ? 1 : rc )) $(( $(date +%s) - t0 ))
	fi
fi

echo
echo "== summary ($(( ($(date +%s) - t_all) / 60 )) min $(( ($(date +%s) - t_all) % 60 )) s, logs in $logdir)"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ $failed = 0 ]

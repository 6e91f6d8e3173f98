#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check: every suite, each line PASS/FAIL, then "N passed, N failed".
#
# A suite passes only if each of its tests printed PASS, it printed its
# summary line, its exit status agrees with that summary (a crash or a
# sanitizer's exit-time report after the summary fails it) and its stderr
# holds no sanitizer report.  The gate self-tests first feed this script
# deliberately broken runs and check that each is reported as FAIL.
B=${B:-build}
FUZZ_CHECK_SECONDS=${FUZZ_CHECK_SECONDS:-20}
LOG=$B/check.log
: > "$LOG"
here=$(pwd)
SAN_REPORT='ERROR: (AddressSanitizer|LeakSanitizer)|WARNING: ThreadSanitizer|runtime error:'
ASAN_OPTS=detect_leaks=1:abort_on_error=1
UBSAN_OPTS=print_stacktrace=1:halt_on_error=1

# Run one suite; append its verdict lines to $LOG.
suite() {	# name, command...
	name=$1; shift
	echo "== $name" >&2
	"$@" > "$B/$name.out" 2> "$B/$name.err"
	rc=$?
	sed -n "s/^\(PASS\|FAIL\) /\1 $name:/p" "$B/$name.out" | tee -a "$LOG"
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$B/$name.out" | tail -1)
	failed=${summary#* passed, }
	failed=${failed% failed}
	if [ -z "$summary" ]; then
		echo "FAIL $name: crashed (rc $rc), see $B/$name.err" | tee -a "$LOG"
	elif [ "$rc" -ne "$(( failed > 0 ? 1 : 0 ))" ]; then
		echo "FAIL $name: exit status $rc after \"$summary\", see $B/$name.err" | tee -a "$LOG"
	elif [ "$failed" -eq 0 ] && grep -qE "$SAN_REPORT" "$B/$name.err"; then
		echo "FAIL $name: sanitizer report in $B/$name.err" | tee -a "$LOG"
	fi
	grep -E "check failed|leak:|unexpected kernel errors|$SAN_REPORT" "$B/$name.err" | head -20 >&2
}

# The gate's own tests: a deliberately broken run must give a FAIL line
# matching $2, for the reason $3 (found in the run's stderr or FAIL line).
gate() {	# name, FAIL-line regex, reason regex, command...
	g=$1 want=$2 why=$3; shift 3
	( LOG=$B/gate-$g.log; : > "$LOG"; suite "gate-$g" "$@" ) > /dev/null 2>&1
	if grep -qE "^FAIL gate-$g:$want" "$B/gate-$g.log" &&
		cat "$B/gate-$g.err" "$B/gate-$g.log" | grep -qE "$why"; then
		echo "PASS gate:$g" | tee -a "$LOG"
	else
		echo "FAIL gate:$g: a deliberately broken run was not failed for \"$why\", see $B/gate-$g.*" |
			tee -a "$LOG"
	fi
}
gate heap_leak_fails 'gate_leak_heap_block' 'leak: LeakSanitizer found' \
	env ASAN_OPTIONS=$ASAN_OPTS UBSAN_OPTIONS=$UBSAN_OPTS "$B/asan/unit" --gate gate_leak_heap_block
gate kmalloc_leak_fails 'gate_leak_kmalloc' 'leak: 1 kmalloc blocks' \
	"$B/plain/unit" --gate gate_leak_kmalloc
gate page_leak_fails 'gate_leak_pages' 'leak: 2 pages' \
	"$B/plain/unit" --gate gate_leak_pages
gate warn_not_excused 'gate_warn_while_errors_expected' '1 WARN \(0 expected\)' \
	"$B/plain/unit" --gate gate_warn_while_errors_expected
gate missing_warn_fails 'gate_expected_warn_missing' '0 WARN \(1 expected\)' \
	"$B/plain/unit" --gate gate_expected_warn_missing
gate late_abort_fails ' exit status' 'exit status 134 after "1 passed, 0 failed"' \
	"$B/plain/unit" --abort-after-summary create_alloc_free_destroy
gate sanitizer_report_fails ' sanitizer report' 'sanitizer report' \
	sh -c 'echo "PASS x"; echo "1 passed, 0 failed"; echo "==1==ERROR: AddressSanitizer: heap-use-after-free" >&2'

suite unit "$B/plain/unit"
ASAN_OPTIONS=$ASAN_OPTS UBSAN_OPTIONS=$UBSAN_OPTS suite asan "$B/asan/unit"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$here/tsan.supp" \
	suite tsan "$B/tsan/stress"
# the same under the PREEMPT_RT model (sleeping spinlock_t and local_lock_t)
suite unit-rt "$B/rt/unit"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$here/tsan.supp" \
	suite tsan-rt "$B/tsanrt/stress"
# the benchmarks' binaries run clean (bench/smoke.sh)
[ -x "$B/bench/hotpair" ] && suite bench-smoke ./bench/smoke.sh
# the fuzzer, bounded
mkdir -p "$B/fuzz/corpus"
echo "== fuzz ${FUZZ_CHECK_SECONDS}s" >&2
if "$B/fuzz/fuzz_hakmem" -max_total_time="$FUZZ_CHECK_SECONDS" -max_len=4096 -timeout=30 -artifact_prefix="$B/fuzz/" \
	"$B/fuzz/corpus" > "$B/fuzz.out" 2>&1; then
	echo "PASS fuzz:libfuzzer_${FUZZ_CHECK_SECONDS}s ($(grep -o 'Done [0-9]* runs' "$B/fuzz.out"))" | tee -a "$LOG"
else
	echo "FAIL fuzz:libfuzzer_${FUZZ_CHECK_SECONDS}s, see $B/fuzz.out and crash-* files" | tee -a "$LOG"
fi
# make mutate, when asked (MUTATE=1): every mutant of mutants.py must die
if [ "${MUTATE:-0}" = 1 ]; then
	echo "== mutate" >&2
	./mutate.py > "$B/mutate.out" 2>&1
	rc=$?
	verdict=$(grep '^mutants: ' "$B/mutate.out" | tail -1)
	if [ "$rc" -eq 0 ] && [ -n "$verdict" ]; then
		echo "PASS mutate: ${verdict#mutants: }" | tee -a "$LOG"
	else
		echo "FAIL mutate: ${verdict:-no verdict} (rc $rc), see $B/mutate.out" | tee -a "$LOG"
	fi
fi
p=$(grep -c '^PASS' "$LOG")
f=$(grep -c '^FAIL' "$LOG")
echo "$p passed, $f failed"
[ "$f" -eq 0 ]

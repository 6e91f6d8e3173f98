#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check: every suite, each line PASS/FAIL, then "N passed, N failed".
B=${B:-build}
FUZZ_CHECK_SECONDS=${FUZZ_CHECK_SECONDS:-20}
LOG=$B/check.log
: > "$LOG"
here=$(pwd)
suite() {	# name, command...
	name=$1; shift
	echo "== $name" >&2
	"$@" > "$B/$name.out" 2> "$B/$name.err"
	rc=$?
	sed -n "s/^\(PASS\|FAIL\) /\1 $name:/p" "$B/$name.out" | tee -a "$LOG"
	if ! grep -q '^[0-9]* passed, [0-9]* failed' "$B/$name.out"; then
		echo "FAIL $name: crashed (rc $rc), see $B/$name.err" | tee -a "$LOG"
	fi
	grep -E 'check failed|ERROR|WARNING: ThreadSanitizer|runtime error' "$B/$name.err" | head -20 >&2
}
suite unit "$B/plain/unit"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	suite asan "$B/asan/unit"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$here/tsan.supp" \
	suite tsan "$B/tsan/stress"
# the fuzzer, bounded
mkdir -p "$B/fuzz/corpus"
echo "== fuzz ${FUZZ_CHECK_SECONDS}s" >&2
if "$B/fuzz/fuzz_hakmem" -max_total_time="$FUZZ_CHECK_SECONDS" -max_len=4096 -timeout=30 -artifact_prefix="$B/fuzz/" \
	"$B/fuzz/corpus" > "$B/fuzz.out" 2>&1; then
	echo "PASS fuzz:libfuzzer_${FUZZ_CHECK_SECONDS}s ($(grep -o 'Done [0-9]* runs' "$B/fuzz.out"))" | tee -a "$LOG"
else
	echo "FAIL fuzz:libfuzzer_${FUZZ_CHECK_SECONDS}s, see $B/fuzz.out and crash-* files" | tee -a "$LOG"
fi
p=$(grep -c '^PASS' "$LOG")
f=$(grep -c '^FAIL' "$LOG")
echo "$p passed, $f failed"
[ "$f" -eq 0 ]

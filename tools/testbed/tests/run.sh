#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run.sh: run scan-console on the saved console logs in logs/ and
# check each verdict against the table in "expected" (the verdict and a
# line that shows the right thing was caught, not just anything); check
# that the scanner's list of hakmem's informational lines matches the
# sources (info-lines.py).
# Prints "N passed, N failed"; exits non-zero when any test failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

# KTAP is parsed by the 6.12 source's kunit.py.
ensure_ksrc
export KUNIT_PY=$KSRC/tools/testing/kunit/kunit.py

passed=0
failed=0
seen=()
while read -r log verdict regex; do
	case "$log" in '' | '#'*) continue ;; esac
	seen+=("$log")
	rc=0
	out=$("$here/../scan-console" --quiet "$here/logs/$log" 2>&1) || rc=$?
	got=PASS
	[ $rc = 0 ] || got=FAIL
	if [ $rc -gt 1 ]; then
		why="scan-console exited with status $rc"
	elif [ "$got" != "$verdict" ]; then
		why="verdict $got, expected $verdict"
	elif ! grep -Eq -- "$regex" <<<"$out"; then
		why="no line matches /$regex/"
	else
		echo "ok   $log"
		passed=$((passed + 1))
		continue
	fi
	echo "FAIL $log: $why"
	printf '%s\n' "$out" | sed 's/^/     /'
	failed=$((failed + 1))
done <"$here/expected"

# hakmem's pr_info lines pass, its pr_err/pr_warn lines do not.
if out=$(python3 "$here/info-lines.py" 2>&1); then
	echo "ok   info-lines.py"
	passed=$((passed + 1))
else
	echo "FAIL info-lines.py: scan-console's HAKMEM_INFO and the sources disagree"
	printf '%s\n' "$out" | sed 's/^/     /'
	failed=$((failed + 1))
fi

# A log without a line in the table is a test nobody checks.
for f in "$here"/logs/*.log; do
	b=$(basename "$f")
	if ! printf '%s\n' "${seen[@]}" | grep -qxF "$b"; then
		echo "FAIL $b: not listed in tests/expected"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]

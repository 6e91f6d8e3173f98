#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/trace-check.sh: the tracing step's checker (../trace-check) must
# pass a real trace (trace/good.log: the announcements and the trace of a
# kcsan boot, other console lines left out) and fail each copy of it with
# one thing wrong, naming that thing.  Prints "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
check=$here/../trace-check
good=$here/trace/good.log
work=$(mktemp -d "${TMPDIR:-/tmp}/trace-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
# expect NAME VERDICT REGEX [SED-SCRIPT]: the checker on good.log edited by
# SED-SCRIPT (none: as is) must give VERDICT and a line matching REGEX.
expect() {
	local name=$1 verdict=$2 regex=$3 script=${4:-} out rc got
	if [ -n "$script" ]; then
		sed -E "$script" "$good" >"$work/$name.log"
		if cmp -s "$good" "$work/$name.log"; then
			echo "FAIL $name: the edit changed nothing (stale good.log?)"
			failed=$((failed + 1))
			return
		fi
	else
		cp "$good" "$work/$name.log"
	fi
	out=$("$check" "$work/$name.log" 2>&1)
	rc=$?
	got=PASS
	[ $rc = 0 ] || got=FAIL
	if [ $rc -gt 1 ]; then
		echo "FAIL $name: trace-check exited with status $rc"
	elif [ "$got" != "$verdict" ]; then
		echo "FAIL $name: verdict $got, expected $verdict"
	elif ! grep -Eq -- "$regex" <<<"$out"; then
		echo "FAIL $name: no line matches /$regex/"
	else
		echo "ok   $name"
		passed=$((passed + 1))
		return
	fi
	printf '%s\n' "$out" | sed 's/^/     /'
	failed=$((failed + 1))
}

# once RE CMD: a sed script applying CMD to the first line matching RE only.
once() { echo "0,/$1/{/$1/$2}"; }

expect good PASS '^trace-check: PASS \([0-9]+ events, 0 problems\)'
# A kernel message printed into the middle of a trace line is no problem.
expect kmsg-mid-line PASS '^trace-check: PASS \([0-9]+ events, 0 problems\)' \
	"$(once 'hakmem_alloc: .*node=' 's/$/[   19.997438] clocksource: Long readout interval, skipping watchdog check/')"
expect bytes-alloc FAIL 'bytes_alloc=16, expected 24' \
	"$(once 'hakmem_alloc: .*bytes_req=24 ' 's/bytes_alloc=24/bytes_alloc=16/')"
expect bytes-req FAIL 'bytes_req=1, expected 1000' \
	"$(once 'hakmem_alloc: .*bytes_req=1000 ' 's/bytes_req=1000/bytes_req=1/')"
expect cache-name FAIL 'cache=hakmem-64, expected hakmem-112' \
	"$(once 'hakmem_alloc: .*cache=hakmem-112 ' 's/cache=hakmem-112/cache=hakmem-64/')"
expect kmalloc-name FAIL 'cache=hakmem-1024, expected kmalloc' \
	"$(once 'hakmem_alloc: .*bytes_req=3000 ' 's/cache=kmalloc/cache=hakmem-1024/')"
expect gfp FAIL 'gfp_flags=GFP_KERNEL, expected GFP_KERNEL[|]__GFP_ZERO' \
	"$(once 'hakmem_alloc: .*__GFP_ZERO' 's/GFP_KERNEL[|]__GFP_ZERO/GFP_KERNEL/')"
expect node FAIL 'node=-1, expected 1' \
	"$(once 'hakmem_alloc: .* node=1$' 's/node=1$/node=-1/')"
expect free-lost FAIL 'never freed in the trace' \
	"$(once 'hakmem_free: .*cache=kmalloc' d)"
expect free-unknown FAIL 'which no announced allocation returned' \
	"$(once 'hakmem_free: .*cache=hakmem-8$' 's/ptr=[0-9a-f]+/ptr=ffff888012345678/')"
expect free-cache FAIL 'free names cache hakmem-16, allocated from hakmem-8' \
	"$(once 'hakmem_free: .*cache=hakmem-8$' 's/cache=hakmem-8$/cache=hakmem-16/')"
expect extra-call FAIL 'calls announced, [0-9]+ hakmem_alloc/hakmem_free' \
	"$(once 'hakmem_tracegen: op free cache=- ' 's/count=[0-9]+/count=99/')"
expect refill-count FAIL 'below empty|after the shrink' \
	"$(once 'hakmem_refill: cache=hakmem-trace-a' 's/count=[0-9]+/count=31/')"
expect flush-count FAIL 'after the shrink|below empty' \
	"$(once 'hakmem_flush: cache=hakmem-trace-a' 's/count=64/count=63/')"
expect refill-batch FAIL 'refill of 65, batch is 64' \
	"$(once 'hakmem_refill: cache=hakmem-trace-a count=64' 's/count=64/count=65/')"
expect ss-order FAIL 'order 4, cache hakmem-trace-a uses 0 to 3' \
	"$(once 'hakmem_superslab_free: cache=hakmem-trace-a' 's/order=3/order=4/')"
expect ss-node FAIL 'freed with another node or order' \
	"$(once 'hakmem_superslab_free: cache=hakmem-trace-bulk' 's/node=0/node=1/')"
expect ss-kept FAIL 'SuperSlab [0-9a-f]+ never freed' \
	"$(once 'hakmem_superslab_free: cache=hakmem-trace-a' d)"
expect lost-events FAIL 'the trace lost events' \
	"s|entries-written: ([0-9]+)/([0-9]+)|entries-written: \\1/9\\2|"
expect no-trace FAIL 'no complete trace' '/trace-guest: end/d'

echo "$passed passed, $failed failed"
[ $failed = 0 ]

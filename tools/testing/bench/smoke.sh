#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench-smoke (make check): the benchmark binaries of make bench-user run
# briefly and cleanly.  A benchmark of hakmem that WARNs on every operation
# still prints a figure; this is where that fails, not in a table of
# numbers nobody reads for stderr.  Each line PASS/FAIL, then
# "N passed, N failed".
#
# larson: both builds (shared vCPUs, exclusive), both parameter sets of
# bench-user.sh, one and two threads, 0.3 s each; larson itself fails a
# run during which the emulation logged a WARN or an error.  hotpair: both
# builds, 1000 pairs per loop.
B=${B:-build}
export HK_NR_CPUS=4
p=0 f=0
check() {	# name, command...
	name=$1; shift
	if out=$("$@" 2>&1) && ! echo "$out" | grep -q 'FAILED'; then
		echo "PASS $name"
		p=$((p + 1))
	else
		echo "FAIL $name"
		echo "$out" | grep -E 'FAILED|WARNING|BUG' | head -5 | sed 's/^/  /'
		f=$((f + 1))
	fi
}
for build in bench benchx; do
	for t in 1 2; do
		check "larson_${build}_seed_${t}t" \
			"$B/$build/larson" -a hakmem,hakmem-excl 0.3 8 1024 1024 1 12345 "$t"
		check "larson_${build}_mimalloc_bench_${t}t" \
			"$B/$build/larson" -a hakmem,hakmem-excl 0.3 8 1000 5000 100 4141 "$t"
	done
	check "hotpair_$build" "$B/$build/hotpair" 1000
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# record-trace.sh: record the kernel's own slab traffic for the replay
# benchmark (hbench_replay.c, Documentation/benchmarks.rst).
#
#   tools/bench/record-trace.sh [--kernel perf] [--smp 2] [--out DIR]
#                               [--raw FILE]
#
# Boots KERNEL (a 6.12 test kernel: every one has TRACEPOINTS and
# EVENT_TRACING) without hakmem, with the kmem:kmalloc, kmem:kfree,
# kmem:kmem_cache_alloc and kmem:kmem_cache_free events switched on from
# the kernel command line (trace_event=, trace_buf_size=), so that the
# boot itself is traced from the moment tracing is up.  The guest then runs
# a busybox workload (files in the initramfs' root file system: ramfs, as
# the test kernels have no TMPFS; pipes, fork/exec
# loops), stops tracing, and prints the trace buffer on the console,
# gzipped and hex-encoded between two marker lines.
#
# tools/bench/replay-reduce.py turns the trace into the op list the
# benchmark replays: DIR/ops.bin.gz (the ops), DIR/sites.txt (the call
# sites) and DIR/README (what was recorded, from what, how much).  DIR is
# tools/bench/replay by default: commit the three files.  --raw keeps the
# full text trace too (tens of MB: not for the tree).
set -euo pipefail
. "$(dirname "$0")/../testbed/lib.sh"

kernel=perf
smp=2
out=$HAKMEM_TOP/tools/bench/replay
raw=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--raw) raw=${2:?}; shift 2 ;;
	-h | --help) sed -n '4,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "record-trace.sh: unknown argument $1" ;;
	esac
done
[ "$kernel" != stock ] || die "record-trace.sh: the stock kernel's command line tracing is not checked; use a 6.12 test kernel"

work=$(mktemp -d "${TMPDIR:-/tmp}/hakmem-trace.XXXXXX")
trap 'rm -rf "$work"' EXIT

events=kmem:kmalloc,kmem:kfree,kmem:kmem_cache_alloc,kmem:kmem_cache_free
# The guest's workload.  Each step is a kind of kernel work a real system
# does all day: path walks, tmpfs files and directories, pipes between
# processes, fork and exec.  Counts are fixed: the same workload every time.
cat >"$work/guest.sh" <<'GUEST'
t=/sys/kernel/debug/tracing
[ -e $t/trace ] || { echo "testbed: FAILED: no tracefs at $t"; exit 1; }
mkdir -p /tmp/w
i=0
while [ $i -lt 60 ]; do
	mkdir -p /tmp/w/d$i/a/b
	echo "file $i" >/tmp/w/d$i/a/f
	seq 1 200 >/tmp/w/d$i/a/b/n
	cat /tmp/w/d$i/a/f /tmp/w/d$i/a/b/n | sort -r | uniq | wc -l >/dev/null
	ls -lR /tmp/w/d$i >/dev/null
	ln -s /tmp/w/d$i/a/f /tmp/w/d$i/l
	mv /tmp/w/d$i/a/b/n /tmp/w/d$i/n2
	i=$((i + 1))
done
find /tmp/w -type f | xargs cat | md5sum >/dev/null
dd if=/dev/zero bs=4096 count=512 2>/dev/null | gzip -1 | gzip -d | wc -c >/dev/null
i=0
while [ $i -lt 150 ]; do
	sh -c 'echo $$ | cat >/dev/null'
	i=$((i + 1))
done
ps >/dev/null
cat /proc/meminfo /proc/slabinfo /proc/self/maps >/dev/null 2>&1
rm -rf /tmp/w
echo 0 >$t/tracing_on
for c in $t/per_cpu/cpu*; do
	echo "replay-trace: ${c##*/} $(grep -E '^(entries|overrun|dropped events):' $c/stats | tr -s ' \n' '  ')"
done
# Hex, not base64: base64 spells "Oops" now and then, which the console
# scanner rightly fails.  printk stays off the console meanwhile, so that
# no kernel line lands inside a line of the dump.
level=$(cut -f1 /proc/sys/kernel/printk)
echo 1 >/proc/sys/kernel/printk
echo "replay-trace: begin"
gzip -1 <$t/trace | xxd -p
echo "replay-trace: end"
echo "$level" >/proc/sys/kernel/printk
GUEST

log=${TMPDIR:-/tmp}/hakmem-record-trace.log
note "record-trace: booting '$kernel' with $events traced"
"$TESTBED/vm-run.sh" --kernel "$kernel" --no-hakmem --smp "$smp" --mem 1024 \
	--numa off --timeout 1500 --quiet --log "$log" \
	--append "trace_event=$events trace_buf_size=48M no_hash_pointers" \
	--exec "$(cat "$work/guest.sh")" ||
	die "record-trace: the boot failed (console: $log)"

grep '^replay-trace: cpu' "$log" | sed 's/^/record-trace: /' >&2
if grep '^replay-trace: cpu' "$log" | grep -qvE 'overrun: 0 '; then
	die "record-trace: the trace buffer overran: raise trace_buf_size"
fi
sed -n '/^replay-trace: begin$/,/^replay-trace: end$/p' "$log" |
	grep -E '^[0-9a-f]+$' |
	python3 -c 'import sys, binascii; sys.stdout.buffer.write(binascii.unhexlify("".join(l.strip() for l in sys.stdin)))' |
	gzip -dc >"$work/trace.txt" ||
	die "record-trace: no readable trace on the console"
[ -z "$raw" ] || cp "$work/trace.txt" "$raw"
release=$(sed -n 's/^testbed: guest up, .* kernel //p' "$log" | head -1)
mkdir -p "$out"
python3 "$HAKMEM_TOP/tools/bench/replay-reduce.py" --out "$out" \
	--kernel "$kernel $release, $smp vCPUs" "$work/trace.txt"

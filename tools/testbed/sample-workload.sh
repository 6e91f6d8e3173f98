# SPDX-License-Identifier: GPL-2.0
#
# sample-workload.sh: the sample driver (samples/hakmem, /dev/hakmem_sample)
# under a busybox shell workload.  Not run on the host: demo.sh and check.sh
# hand its text to vm-run.sh --exec, and the guest's sh runs it after
# hakmem.ko and hakmem_sample.ko are loaded.
#
# Each check compares what is read back with what was written (per writer,
# in order), and the driver's own counters with what the workload did; then
# "rmmod hakmem_sample" must leave hakmem's caches destroyed (their debugfs
# directories gone, no "still allocated").  A failed check prints
# "testbed: FAILED: sample-workload: ..." (the console scanner fails the
# boot on it) and the script exits 1; the last line is
# "sample-workload: passed" only when every check held.
#
# SAMPLE_RECORDS (records per writer) and SAMPLE_ROUNDS (round trips per
# open file) size it; they may be set before this text.

dev=/dev/hakmem_sample
dbg=/sys/kernel/debug
stats=$dbg/hakmem_sample/stats
records=${SAMPLE_RECORDS:-60}
rounds=${SAMPLE_ROUNDS:-100}
writers=4
fails=0
t=/tmp/sample
mkdir -p $t
t0=$(cut -d. -f1 /proc/uptime)

bad() {
	echo "testbed: FAILED: sample-workload: $*"
	fails=$((fails + 1))
}
say() { echo "    $*"; }
stat_of() { sed -n "s/^$1 *//p" $stats; }
# lines PREFIX COUNT: "PREFIX 0" ... "PREFIX COUNT-1", one a line.
lines() {
	i=0
	while [ $i -lt "$2" ]; do
		echo "$1 $i"
		i=$((i + 1))
	done
}

if [ ! -c $dev ]; then
	bad "$dev missing: hakmem_sample.ko not loaded?"
	exit 1
fi
cap=$(cat /sys/module/hakmem_sample/parameters/max_records)
[ $((writers * records)) -le "$cap" ] ||
	bad "SAMPLE_RECORDS=$records: $writers writers would pass max_records=$cap"

echo "== one writer: $records records with echo, read back with cat"
lines solo "$records" >$t/want
exec 3<>$dev
while read -r l; do
	echo "$l" >&3 || bad "echo '$l' failed"
done <$t/want
cat <&3 >$t/got
exec 3<&-
if cmp -s $t/want $t/got; then
	say "$(wc -l <$t/got) records read back in order"
else
	bad "one writer: read back differs from what was written"
fi

echo "== $writers writers sharing one open file, $records records each"
exec 3<>$dev
pids=
for w in $(seq $writers); do
	(lines "w$w" "$records" | while read -r l; do
		echo "$l" >&3 || exit 1
	done) &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || bad "a writer sharing the file failed (status $?)"
done
cat <&3 >$t/got
exec 3<&-
n=$(wc -l <$t/got)
[ "$n" = $((writers * records)) ] || bad "shared file: $n records read, $((writers * records)) written"
for w in $(seq $writers); do
	lines "w$w" "$records" >$t/want
	grep "^w$w " $t/got >$t/gotw
	cmp -s $t/want $t/gotw || bad "shared file: writer $w's records lost or out of order"
done
say "$n records read back, each writer's in the order written"

echo "== $writers processes, each its own open file, $rounds write/read rounds"
pids=
for w in $(seq $writers); do
	(exec 4<>$dev
	r=0
	while [ $r -lt "$rounds" ]; do
		echo "o$w r$r a" >&4 && echo "o$w r$r b" >&4 || exit 1
		[ "$(cat <&4)" = "o$w r$r a
o$w r$r b" ] || exit 2
		r=$((r + 1))
	done) &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || bad "a process with its own file failed (status $?: 1 write, 2 read back)"
done
say "$((writers * rounds * 2)) records written and read back"

echo "== dd: 24000 random bytes in 1500-byte writes (1024 + 476 each), read with dd bs=4096"
dd if=/dev/urandom of=$t/blob bs=1500 count=16 2>/dev/null
exec 3<>$dev
dd if=$t/blob bs=1500 >&3 2>/dev/null || bad "dd to $dev failed"
dd bs=4096 <&3 >$t/back 2>/dev/null || bad "dd from $dev failed"
exec 3<&-
if cmp -s $t/blob $t/back; then
	say "read back byte for byte"
else
	bad "dd: read back differs from what was written"
fi

echo "== limits: max_records=$cap per open file, a record is read whole"
exec 3<>$dev
lines cap "$cap" | while read -r l; do echo "$l" >&3 || echo x; done >$t/err
[ -s $t/err ] && bad "a write below the cap failed"
if echo over >&3 2>$t/err; then
	bad "write $((cap + 1)) to one file succeeded"
else
	if grep -q 'No space left on device' $t/err; then
		say "write $((cap + 1)): $(cat $t/err)"
	else
		bad "write $((cap + 1)): $(cat $t/err), not ENOSPC"
	fi
fi
if dd bs=2 count=1 <&3 >/dev/null 2>$t/err; then
	bad "a 2-byte read of a longer record succeeded"
else
	if grep -q 'Message too long' $t/err; then
		say "2-byte read of 'cap 0': $(grep -o '[^:]*$' $t/err | sed 's/^ //')"
	else
		bad "2-byte read: $(cat $t/err), not EMSGSIZE"
	fi
fi
dropped=$(stat_of records_dropped)
exec 3<&-
dropped=$(($(stat_of records_dropped) - dropped))
if [ "$dropped" = "$cap" ]; then
	say "close freed the $cap unread records"
else
	bad "close dropped $dropped records, $cap were unread"
fi

echo "== cat $stats"
sed 's/^/    /' $stats
for k in live_files live_records live_bytes; do
	[ "$(stat_of $k)" = 0 ] || bad "$k is $(stat_of $k) with every file closed"
done
for c in hakmem_sample_file hakmem_sample_record; do
	echo "== cat $dbg/hakmem/$c/stats"
	sed 's/^/    /' $dbg/hakmem/$c/stats || bad "no debugfs statistics for cache $c"
done
echo "== grep hakmem_sample $dbg/hakmem/slabinfo"
grep -E '^(# name|hakmem_sample)' $dbg/hakmem/slabinfo | sed 's/^/    /'

echo "== rmmod hakmem_sample"
# Only what the unload logs: an earlier test may have destroyed a cache in
# use on purpose.
logged=$(dmesg | wc -l)
rmmod hakmem_sample || bad "rmmod hakmem_sample failed"
dmesg | tail -n +$((logged + 1)) >$t/rmmod.log
sed 's/^/    /' $t/rmmod.log
for c in hakmem_sample_file hakmem_sample_record; do
	[ -e $dbg/hakmem/$c ] && bad "cache $c still exists after rmmod"
done
grep -q 'still allocated' $t/rmmod.log && bad "$(grep 'still allocated' $t/rmmod.log)"
[ -e $dev ] && bad "$dev still exists after rmmod"
say "both caches destroyed, nothing left allocated"

if [ $fails = 0 ]; then
	echo "sample-workload: passed ($(($(cut -d. -f1 /proc/uptime) - t0)) s)"
else
	echo "sample-workload: $fails check(s) failed"
	exit 1
fi

# SPDX-License-Identifier: GPL-2.0
# trace-guest.sh: the guest's half of the tracing step (check.sh), run by
# vm-run.sh --exec after hakmem.ko and hakmem_tracegen.ko are loaded.
# Enables every hakmem event through tracefs, has hakmem_tracegen make its
# known calls, and prints the trace between markers, each line prefixed
# with "trace: ", for tools/testbed/trace-check.
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T || exit 1
[ -d $T/events/hakmem ] || { echo "trace-guest: no hakmem events in $T/events"; exit 1; }
echo 0 > $T/tracing_on
echo > $T/trace
# Real addresses, so that each free can be paired with its allocation
# (hashing needs the crng, which a TCG guest may not have seeded yet).
echo nohash-ptr > $T/trace_options || exit 1
echo 1 > $T/events/hakmem/enable || exit 1
for e in hakmem_alloc hakmem_free hakmem_superslab_alloc hakmem_superslab_free \
	hakmem_refill hakmem_flush; do
	[ "$(cat $T/events/hakmem/$e/enable)" = 1 ] ||
		{ echo "trace-guest: event $e is not enabled"; exit 1; }
done
echo 1 > $T/tracing_on
echo 1 > /sys/module/hakmem_tracegen/parameters/run || exit 1
echo 0 > $T/tracing_on
echo 0 > $T/events/hakmem/enable
echo "trace-guest: begin"
sed 's/^/trace: /' $T/trace
echo "trace-guest: end"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-run.sh: boot a kernel in QEMU with hakmem.ko and the given modules,
# then judge its console with scan-console.
#
#   vm-run.sh [--kernel debug|kcsan|rt|perf|stock] [--smp N] [--mem MiB]
#             [--icount] [--timeout SEC] [--append "kernel args"]
#             [--numa fake|memoryless|exhausted|off] [--log FILE]
#             [--no-hakmem] [--no-unload] [--quiet] [--fair-server on|off]
#             [--kdir DIR]
#             [--pre-exec "guest shell commands"] [--exec "guest shell commands"]
#             [MODULE.ko[:param=v[:param=v...]] ...]
#
# The guest is a busybox-static initramfs whose /init mounts proc, sysfs,
# devtmpfs and debugfs, loads hakmem.ko (built for that kernel by
# build-module.sh; "hakmem.ko:selftest=1" given as an argument replaces the
# default load; the --pre-exec commands run before it, and a failed one
# fails the run), then each MODULE in order, runs the --exec commands,
# unloads the modules in reverse order (unless --no-unload), prints the end
# marker, runs a kmemleak scan when the kernel has kmemleak and powers off.
#
# --numa gives the 6.12 kernels (with 2 or more CPUs, an even count) two
# NUMA nodes: "fake" (the default) splits the memory in two with
# numa=fake=2; "memoryless" declares two nodes in QEMU's firmware tables,
# node 1 with half the CPUs and no memory at all; "exhausted" gives node 1
# half the CPUs and 128 MiB, and loads hakmem_nodehog.ko (tools/testbed/
# nodehog) before hakmem.ko to take every free page of node 1 until the
# modules are unloaded; "off" leaves one node.  The guest checks that the
# shape is what was asked for before it loads anything.
#
# --fair-server: on the 6.12 test kernels the guest turns the fair server
# off before it loads anything (the default, "off"; "on" leaves it, e.g. to
# measure the kernel bug it avoids): 6.12.117 counts a queued fair server in
# rq->nr_running, and sched_cpu_dying() then warns "Dying CPU not properly
# vacated!" on some CPU offlines whatever the allocator
# (Documentation/testing.rst, "A kernel bug the test boots avoid").
#
# --kdir DIR boots DIR/arch/x86/boot/bzImage (release in
# DIR/include/config/kernel.release) instead of the --kernel build: a
# kernel built elsewhere from that test kernel (build-intree.sh y, with
# hakmem built in: give --no-hakmem and modules by absolute path).
#
# MODULE is a path; a project module (kunit/hakmem_kunit.ko, hakmem.ko,
# tools/bench/...) named relative to the tree is taken from the build for
# that kernel, never from the user's tree (which may hold a build for the
# host kernel).  Modules built by hand against "make kdir" are passed as is.
#
# Exit status: 0 when scan-console finds the run clean, 1 otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
	sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

kernel=debug
smp=4
mem=1024
icount=0
timeout_s=
append=
numa=fake
log=
hakmem=1
unload=1
quiet=0
fair_server=off
exec_cmds=
pre_exec_cmds=
kdir_opt=
mods=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--icount) icount=1; shift ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--numa) numa=${2:?}; shift 2 ;;
	--log) log=${2:?}; shift 2 ;;
	--no-hakmem) hakmem=0; shift ;;
	--no-unload) unload=0; shift ;;
	--quiet) quiet=1; shift ;;
	--fair-server) fair_server=${2:?}; shift 2 ;;
	--exec) exec_cmds=${2?}; shift 2 ;;
	--pre-exec) pre_exec_cmds=${2?}; shift 2 ;;
	--kdir) kdir_opt=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "vm-run.sh: unknown option $1" >&2; usage ;;
	*) mods+=("$1"); shift ;;
	esac
done
case "$kernel" in
debug | kcsan | rt | perf | stock) ;;
*) die "--kernel: debug, kcsan, rt, perf or stock, not '$kernel'" ;;
esac
case "$numa" in
fake | off) ;;
memoryless | exhausted)
	[ "$kernel" != stock ] || die "--numa $numa: only on the 6.12 test kernels"
	[ "$smp" -ge 2 ] && [ $((smp % 2)) = 0 ] ||
		die "--numa $numa: needs an even CPU count, half on each node"
	;;
*) die "--numa: fake, memoryless, exhausted or off, not '$numa'" ;;
esac
case "$fair_server" in
on | off) ;;
*) die "--fair-server: on or off, not '$fair_server'" ;;
esac
# Debian's 6.1 has no fair server (it came in 6.8).
[ "$kernel" != stock ] || fair_server=on
# KASAN and lockdep under TCG are slow (see testbed-notes): give debug
# kernels half an hour by default, the others five minutes.
if [ -z "$timeout_s" ]; then
	case "$kernel" in
	debug | kcsan | rt) timeout_s=1800 ;;
	*) timeout_s=300 ;;
	esac
fi

"$TESTBED/deps.sh" demo

# The kernel image and the directory the project's modules come from.
if [ "$kernel" = stock ]; then
	image=/boot/vmlinuz-$(stock_release)
	[ -r "$image" ] || die "$image missing or unreadable: apt-get install linux-image-amd64"
elif [ -n "$kdir_opt" ]; then
	kdir=$kdir_opt
	image=$kdir/arch/x86/boot/bzImage
	[ -f "$image" ] || die "--kdir: no $image"
else
	kdir=$("$TESTBED/build-kernel.sh" "$kernel")
	image=$kdir/arch/x86/boot/bzImage
fi
release=
if [ "$kernel" = stock ]; then
	release=$(stock_release)
else
	release=$(cat "$kdir/include/config/kernel.release")
fi

# Build hakmem (and the KUnit module when that kernel has KUnit) unless the
# caller brings every module itself.
modbuild=
need_build=$hakmem
for m in ${mods[@]+"${mods[@]}"}; do
	p=${m%%:*}
	# Only modules given by an absolute path are surely not the project's.
	[ "${p#/}" = "$p" ] && need_build=1
done
[ "$numa" = exhausted ] && need_build=1
if [ $need_build = 1 ]; then
	modbuild=$("$TESTBED/build-module.sh" "$kernel")
fi

# resolve PATH: the .ko to load.  A project-relative path is looked up in
# the per-kernel build first.
resolve() {
	local p=$1
	if [ -n "$modbuild" ] && [ "${p#/}" = "$p" ]; then
		local rel
		rel=$(realpath -m --relative-to="$HAKMEM_TOP" "$p")
		if [ -f "$modbuild/$rel" ]; then
			echo "$modbuild/$rel"
			return
		fi
	fi
	[ -f "$p" ] || die "module $p not found (for a project module: is it built for '$kernel'?)"
	realpath "$p"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/hakmem-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules}

# load_list: "index file name params" lines for the guest.
load_list=()
add_module() {
	local path=$1 params=$2 n=${#load_list[@]} name vermagic
	name=$(modinfo -F name "$path" 2>/dev/null || true)
	[ -n "$name" ] || name=$(basename "$path" .ko | tr - _)
	# A module built for another kernel fails in insmod with a terse
	# "Invalid module format": say which kernel it was built for.
	vermagic=$(modinfo -F vermagic "$path" 2>/dev/null || true)
	if [ -n "$vermagic" ] && [ "${vermagic%% *}" != "$release" ]; then
		die "$path was built for ${vermagic%% *}, this kernel is $release"
	fi
	cp "$path" "$root/modules/$n-$(basename "$path")"
	load_list+=("$n-$(basename "$path") $name ${params//:/ }")
}

explicit_hakmem=0
for m in ${mods[@]+"${mods[@]}"}; do
	[ "$(basename "${m%%:*}")" = hakmem.ko ] && explicit_hakmem=1
done
if [ $hakmem = 1 ] && [ $explicit_hakmem = 0 ]; then
	add_module "$modbuild/hakmem.ko" ""
fi
for m in ${mods[@]+"${mods[@]}"}; do
	p=${m%%:*}
	params=
	[ "$p" != "$m" ] && params=${m#*:}
	add_module "$(resolve "$p")" "$params"
done

# The guest's /init.  Every step that fails prints "testbed: FAILED:",
# which scan-console counts; the end marker carries the overall status.
# busybox-static's /bin/busybox runs with no libraries in the guest.
cp /bin/busybox "$root/bin/busybox"
if [ "$numa" = exhausted ]; then
	hog=$modbuild/tools/testbed/nodehog/hakmem_nodehog.ko
	[ -f "$hog" ] || die "$hog not built (does '$kernel' have KUnit?)"
	cp "$hog" "$root/nodehog.ko"
fi
printf '%s\n' "${load_list[@]+"${load_list[@]}"}" >"$root/modules/list"
printf '%s\n' "$exec_cmds" >"$root/exec.sh"
printf '%s\n' "$pre_exec_cmds" >"$root/pre-exec.sh"
cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
status=0
fail() { echo "testbed: FAILED: \$*"; status=1; }
echo "testbed: guest up, \$(nproc) CPUs, kernel \$(uname -r)"
# Forget what boot itself left behind, so the leak scan at the end reports
# only objects allocated while our modules ran.
[ -e /sys/kernel/debug/kmemleak ] && echo clear > /sys/kernel/debug/kmemleak
loaded=
# The NUMA shape asked for (--numa $numa), checked before anything loads:
# a boot that did not get it must fail, not test the usual shape.
numa_fail() { fail "numa $numa: \$*"; }
nodes=/sys/devices/system/node
case $numa in
memoryless | exhausted)
	grep -q 'numa=fake' /proc/cmdline && numa_fail "numa=fake is on the command line"
	[ "\$(cat \$nodes/online)" = 0-1 ] || numa_fail "online nodes: \$(cat \$nodes/online)"
	[ -n "\$(cat \$nodes/node1/cpulist 2>/dev/null)" ] || numa_fail "node 1 has no CPU"
	;;
esac
case $numa in
memoryless)
	if [ "\$(cat \$nodes/has_memory)" = 0 ]; then
		echo "testbed: numa memoryless: node 1 has CPUs and no memory" \
			"(cpus \$(cat \$nodes/node1/cpulist), has_memory \$(cat \$nodes/has_memory))"
	else
		numa_fail "nodes with memory: \$(cat \$nodes/has_memory)"
	fi
	;;
exhausted)
	if [ "\$(cat \$nodes/has_memory)" != 0-1 ]; then
		numa_fail "nodes with memory: \$(cat \$nodes/has_memory)"
	elif insmod /nodehog.ko node=1; then
		loaded=hakmem_nodehog
		echo "testbed: numa exhausted: node 1 has no free page left" \
			"(cpus \$(cat \$nodes/node1/cpulist)," \
			"\$(grep MemFree \$nodes/node1/meminfo | tr -s ' '))"
	else
		numa_fail "insmod hakmem_nodehog.ko node=1 (status \$?)"
	fi
	;;
esac
# The fair server off (--fair-server): each CPU's runtime 0, while every
# CPU is online (the file refuses an offline CPU).  The setting survives
# hotplug; the line below is the proof that it took.
if [ $fair_server = off ]; then
	n=0
	for f in /sys/kernel/debug/sched/fair_server/cpu*/runtime; do
		[ -e "\$f" ] || continue
		echo 0 > "\$f" && [ "\$(cat "\$f")" = 0 ] || fail "fair server: echo 0 > \$f"
		n=\$((n + 1))
	done
	if [ \$n = \$(nproc) ]; then
		echo "testbed: fair server off on \$n CPUs"
	else
		fail "fair server: turned off on \$n CPUs of \$(nproc)"
	fi
fi
if [ -s /pre-exec.sh ] && grep -q '[^[:space:]]' /pre-exec.sh; then
	echo "testbed: --pre-exec begin"
	sh /pre-exec.sh; rc=\$?
	echo "testbed: --pre-exec end, status \$rc"
	[ \$rc = 0 ] || fail "--pre-exec commands exited with status \$rc"
fi
while read -r file name params; do
	[ -n "\$file" ] || continue
	echo "testbed: insmod \$file \$params"
	if insmod /modules/\$file \$params; then
		loaded="\$name \$loaded"
	else
		fail "insmod \$file \$params (status \$?)"
	fi
done < /modules/list
if [ -s /exec.sh ] && grep -q '[^[:space:]]' /exec.sh; then
	echo "testbed: --exec begin"
	sh /exec.sh; rc=\$?
	echo "testbed: --exec end, status \$rc"
	[ \$rc = 0 ] || fail "--exec commands exited with status \$rc"
fi
if [ $unload = 1 ]; then
	for name in \$loaded; do
		[ -d /sys/module/\$name ] || continue
		echo "testbed: rmmod \$name"
		rmmod \$name || fail "rmmod \$name (status \$?)"
	done
fi
echo "===== testbed: end of run, status \$status ====="
if [ -e /sys/kernel/debug/kmemleak ]; then
	# Objects younger than 5 s are never reported: scan, wait, scan again.
	echo "testbed: kmemleak scan"
	echo scan > /sys/kernel/debug/kmemleak
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
	echo "testbed: kmemleak scan done"
fi
# The other CPUs go down the orderly way before the reboot: its
# stop_other_cpus() marks them offline under running threads, and on
# PREEMPT_RT (6.12.117) a printk wakeup aimed at one then warns
# "Unexpected reschedule of offline CPU#N!" (a stress-rt boot did, after
# its run had passed).
for c in /sys/devices/system/cpu/cpu[1-9]*/online; do
	[ -e "\$c" ] && echo 0 > "\$c" 2>/dev/null
done
reboot -f
EOF
chmod +x "$root/init"
# -R 0:0: the guest's files belong to root even when we are not.
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$work/initrd.gz"

# Accelerator: KVM only when a short probe boot proved it works on this
# host (nested KVM here stops right after the BIOS), TCG otherwise.  The
# verdict is cached per host kernel and QEMU version.  -icount needs TCG.
accel=tcg
if [ $icount = 0 ]; then
	accel=${HAKMEM_ACCEL:-$("$TESTBED/kvm-probe.sh")}
fi

# panic_on_warn=1: the first WARNING stops the guest, the console shows
# it last.  Not on kcsan: KCSAN panics on every report when it is set, and
# races in the core kernel unrelated to hakmem are only warnings for us
# (scan-console); WARNINGs still fail the run through the scanner.
cmdline="console=ttyS0 panic=-1 oops=panic nokaslr"
[ "$kernel" = kcsan ] || cmdline="$cmdline panic_on_warn=1"
if [ "$numa" = fake ] && [ "$kernel" != stock ] && [ "$smp" -gt 1 ]; then
	cmdline="$cmdline numa=fake=2"
fi
[ -n "$append" ] && cmdline="$cmdline $append"

# Real (firmware) NUMA nodes: two sockets, one node each, so that no core
# shares a cache with a core of the other node (the kernel WARNs on that).
smp_opt=$smp
numa_opts=()
half=$((smp / 2))
case "$numa" in
memoryless)
	smp_opt="$smp,sockets=2,cores=$half,threads=1"
	numa_opts=(-object "memory-backend-ram,id=m0,size=${mem}M"
		-numa "node,nodeid=0,cpus=0-$((half - 1)),memdev=m0"
		-numa "node,nodeid=1,cpus=$half-$((smp - 1))")
	;;
exhausted)
	[ "$mem" -gt 256 ] || die "--numa exhausted: --mem must be above 256 MiB"
	smp_opt="$smp,sockets=2,cores=$half,threads=1"
	numa_opts=(-object "memory-backend-ram,id=m0,size=$((mem - 128))M"
		-object "memory-backend-ram,id=m1,size=128M"
		-numa "node,nodeid=0,cpus=0-$((half - 1)),memdev=m0"
		-numa "node,nodeid=1,cpus=$half-$((smp - 1)),memdev=m1")
	;;
esac

qemu=(qemu-system-x86_64 -M pc -smp "$smp_opt" -m "$mem" -nodefaults
	-display none -serial stdio -no-reboot -accel "$accel"
	${numa_opts[@]+"${numa_opts[@]}"}
	-kernel "$image" -initrd "$work/initrd.gz" -append "$cmdline")
if [ $icount = 1 ]; then
	# One instruction = 1 ns of guest time, vCPUs run one at a time:
	# repeatable counts for benchmarks, no concurrency.
	qemu+=(-icount "shift=0,sleep=off")
fi

[ -n "$log" ] || log=$work/console.log
mkdir -p "$(dirname "$log")"
note "booting '$kernel' ($release, $smp CPUs, $mem MiB, numa $numa, $accel$( [ $icount = 1 ] && echo ", icount")), timeout ${timeout_s}s"
start=$(date +%s)
set +e
# QEMU writes CRLF; keep the log plain.  --quiet keeps the console off the
# terminal (the log still has it).
timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 | tr -d '\r' |
	if [ $quiet = 1 ]; then cat >"$log"; else tee "$log"; fi
qrc=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))

verdict=0
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm-run: FAIL: QEMU killed after the ${timeout_s}s timeout"
	verdict=1
elif [ "$qrc" != 0 ]; then
	echo "vm-run: FAIL: QEMU exited with status $qrc"
	verdict=1
fi
echo "vm-run: scanning the console ($elapsed s in QEMU)"
"$TESTBED/scan-console" --quiet "$log" || verdict=1
if [ $verdict = 0 ]; then
	echo "vm-run: PASS ($kernel, $elapsed s)"
else
	# Keep a log the caller did not ask for: it is all there is to go on.
	if [ "$log" = "$work/console.log" ]; then
		mkdir -p "$HAKMEM_CACHE/logs"
		log=$HAKMEM_CACHE/logs/vm-run-$kernel-$(date +%Y%m%d-%H%M%S)-$$.log
		cp "$work/console.log" "$log"
	fi
	echo "vm-run: FAIL ($kernel, $elapsed s, console log: $log)"
fi
exit $verdict

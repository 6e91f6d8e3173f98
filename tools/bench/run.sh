#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: hakmem-slab against the kernel's slab allocator, in QEMU.
#
#   tools/bench/run.sh [--kernels "perf stock"] [--quick] [--single-only]
#                      [--multi-only] [--icount-runs N] [--run LIST]
#                      [--out DIR]
#
# First tools/testbed/deps.sh bench: the packages the kernels, the boots
# and the plot need (apt-get, only what is missing).  For each kernel (the
# "perf" test kernel, 6.12 without debug options, and Debian's stock
# kernel) it builds hakmem.ko and tools/bench/hakmem_bench.ko
# (build-module.sh, HAKMEM_BUILD_BENCH=1) and boots it with
# tools/testbed/vm-run.sh:
#
#   icount  -icount shift=0,sleep=off, 1 vCPU: the single-CPU scenarios
#           (hot, batch, bulk, mem).  Guest time counts instructions, so
#           the figures repeat to the last digit and the host's load does
#           not matter: the icount boots of all kernels run side by side.
#           Hot and batch rows carry the empty loop's count: the report
#           prints instructions per pair net of the loop.
#   icount2 -icount with 2 vCPUs, one NUMA node (not on "stock": Debian's
#           6.1 hangs bringing up a second CPU under icount): the "xcpu"
#           rows, objects allocated on one CPU and freed on the other, the
#           CPUs taking turns, so that each sample counts instructions.
#           Booted --icount-runs times (default 2): the report checks that
#           the runs agree.
#   mttcg   multi-threaded TCG, 2 vCPUs (one per host core), one node:
#           cross-CPU, Larson and scaling, 9 interleaved repetitions.
#           Noisy: these boots run one at a time, after the others, and
#           the report gives a verdict only where a row's spread clears
#           its A/A control's.
#
# "uml" (ARCH=um, build-kernel.sh uml) runs natively on the host, one CPU:
# only the single-CPU scenarios, timed by the host's clock (clock "uml"),
# booted here directly since vm-run.sh drives QEMU.  Not in the default
# list: its kernel takes ~7 minutes to build the first time.
#
# --run LIST narrows the icount boot to hakmem_bench's scenarios LIST
# (its "run" parameter, e.g. batch,bulk) and skips the icount2 boots
# unless LIST names xcpu: a quick look at a few deterministic rows.
#
# Then tools/bench/report.py writes DIR/latest.json, latest.md, latest.png
# (DIR: bench-results at the top of the tree) and prints the table.  The
# console logs stay in DIR/<kernel>-<clock>.log.  Inside an emulated VM
# only ratios mean anything.  --quick shrinks every count (a smoke test of
# the pipeline, not a measurement).
#
# Exit status: 0 when every boot passed and every log holds its records.
set -euo pipefail
. "$(dirname "$0")/../testbed/lib.sh"

kernels="perf stock"
quick=0
do_single=1
do_multi=1
icount_runs=2
only=
out=$HAKMEM_TOP/bench-results
while [ $# -gt 0 ]; do
	case "$1" in
	--kernels) kernels=${2:?}; shift 2 ;;
	--quick) quick=1; shift ;;
	--single-only) do_multi=0; shift ;;
	--multi-only) do_single=0; shift ;;
	--icount-runs) icount_runs=${2:?}; shift 2 ;;
	--run) only=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	-h | --help) sed -n '4,46p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "run.sh: unknown argument $1" ;;
	esac
done

# Module parameters (Documentation/benchmarks.rst).  A boot of 6.12 under
# icount takes a minute or two; these counts keep each boot to a few more.
single="run=single:reps=5:ops=200000:mem_objs=1000000"
xcpu="run=xcpu:reps=5:mt_ops=50000:larson_rounds=10000:larson_gens=4"
multi="run=multi:reps=9:mt_ops=50000:larson_rounds=10000:larson_gens=4:scale_cpus=1,2"
if [ $quick = 1 ]; then
	single="run=single:reps=3:ops=20000:mem_objs=100000"
	xcpu="run=xcpu:reps=3:mt_ops=5000:larson_rounds=2000:larson_gens=2"
	multi="run=multi:reps=9:mt_ops=5000:larson_rounds=2000:larson_gens=2:scale_cpus=1,2"
fi
if [ -n "$only" ]; then
	single="run=$only:${single#run=single:}"
	case ",$only," in *,xcpu,*) ;; *) icount_runs=0 ;; esac
fi
bench=tools/bench/hakmem_bench.ko

cd "$HAKMEM_TOP"
mkdir -p "$out"
"$TESTBED/deps.sh" bench
export HAKMEM_BUILD_BENCH=1
PY=python3
# matplotlib comes from Debian's python3-matplotlib: prefer the system
# Python when another one (pyenv, a venv) comes first in PATH.
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
	PY=/usr/bin/python3
fi
"$PY" -c 'import matplotlib' 2>/dev/null ||
	die "bench: $PY cannot import matplotlib although deps.sh installed python3-matplotlib"

start=$(date +%s)
status=0
# Build first, one kernel at a time: vm-run.sh then finds the modules made.
for k in $kernels; do
	note "bench: building hakmem.ko and hakmem_bench.ko for '$k'"
	"$TESTBED/build-module.sh" "$k" >/dev/null 2>"$out/$k-build.log" ||
		{ tail -20 "$out/$k-build.log" >&2; die "bench: build for '$k' failed (log: $out/$k-build.log)"; }
done

# vm_run KERNEL CLOCK ARGS...: one boot, its console in $out/KERNEL-CLOCK.log
# (CLOCK may carry a run suffix: icount2.2).
vm_run() {
	local k=$1 clock=$2
	shift 2
	"$TESTBED/vm-run.sh" --kernel "$k" --quiet --log "$out/$k-$clock.log" \
		--append slab_nomerge "$@" >"$out/$k-$clock.vm-run.txt" 2>&1
}

# uml_run: boot the UML kernel with hakmem.ko and the benchmark, console
# in $out/uml-uml.log, judged by scan-console like a vm-run.sh boot.
uml_run() {
	local kdir mods work log=$out/uml-uml.log
	kdir=$("$TESTBED/build-kernel.sh" uml)
	mods=$("$TESTBED/build-module.sh" uml 2>/dev/null)
	work=$(mktemp -d "${TMPDIR:-/tmp}/hakmem-uml.XXXXXX")
	mkdir -p "$work"/root/{bin,dev,proc,sys,tmp}
	cp /bin/busybox "$work/root/bin/busybox"
	cp "$mods/hakmem.ko" "$mods/$bench" "$work/root/"
	cat >"$work/root/init" <<-GUEST
	#!/bin/busybox sh
	/bin/busybox --install -s /bin
	export PATH=/bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2>/dev/null
	mount -t debugfs debugfs /sys/kernel/debug
	status=0
	insmod /hakmem.ko || { echo "testbed: FAILED: insmod hakmem.ko"; status=1; }
	[ \$status = 0 ] && { insmod /hakmem_bench.ko ${single//:/ } ||
		{ echo "testbed: FAILED: insmod hakmem_bench.ko"; status=1; }; }
	echo "===== testbed: end of run, status \$status ====="
	poweroff -f
	GUEST
	chmod +x "$work/root/init"
	(cd "$work/root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$work/initrd.gz"
	timeout -k 10 1200 "$kdir/linux" mem=1024M initrd="$work/initrd.gz" \
		con=null con0=fd:0,fd:1 slab_nomerge </dev/null 2>&1 |
		tr -d '\r' >"$log" || true
	rm -rf "$work"
	"$TESTBED/scan-console" --quiet "$log" >"$out/uml-uml.vm-run.txt" 2>&1
}

logs=()
qemu_kernels=()
for k in $kernels; do
	[ "$k" = uml ] || qemu_kernels+=("$k")
done
if [ $do_single = 1 ]; then
	pids=()
	boots=()
	for k in ${qemu_kernels[@]+"${qemu_kernels[@]}"}; do
		note "bench: '$k', single-CPU scenarios under icount"
		vm_run "$k" icount --icount --smp 1 --mem 1024 --timeout 1500 \
			"$bench:$single" &
		pids+=("$!")
		boots+=("$k-icount")
		logs+=("$k:icount:$out/$k-icount.log")
		# Debian's 6.1 hangs bringing up a second CPU under icount.
		[ "$k" = stock ] && continue
		for r in $(seq 1 "$icount_runs"); do
			c=icount2; [ "$r" = 1 ] || c=icount2.$r
			note "bench: '$k', cross-CPU scenarios under icount, 2 vCPUs (run $r)"
			vm_run "$k" "$c" --icount --smp 2 --numa off --mem 1024 \
				--timeout 1500 "$bench:$xcpu" &
			pids+=("$!")
			boots+=("$k-$c")
			logs+=("$k:$c:$out/$k-$c.log")
		done
	done
	set -- ${boots[@]+"${boots[@]}"}
	for pid in ${pids[@]+"${pids[@]}"}; do
		if ! wait "$pid"; then
			note "bench: the boot $1 failed: $(tail -1 "$out/$1.vm-run.txt")"
			status=1
		fi
		shift
	done
	# UML runs on the host's clock: alone, after the icount boots.
	case " $kernels " in
	*" uml "*)
		note "bench: 'uml', single-CPU scenarios, native"
		if ! uml_run; then
			note "bench: the uml boot failed: $(tail -1 "$out/uml-uml.vm-run.txt")"
			status=1
		fi
		logs+=("uml:uml:$out/uml-uml.log")
		;;
	esac
fi
if [ $do_multi = 1 ]; then
	for k in ${qemu_kernels[@]+"${qemu_kernels[@]}"}; do
		note "bench: '$k', multi-CPU scenarios under multi-threaded TCG"
		if ! vm_run "$k" mttcg --smp 2 --numa off --mem 1024 --timeout 1800 \
			"$bench:$multi"; then
			note "bench: the mttcg boot of '$k' failed: $(tail -1 "$out/$k-mttcg.vm-run.txt")"
			status=1
		fi
		logs+=("$k:mttcg:$out/$k-mttcg.log")
	done
fi

"$PY" "$HAKMEM_TOP/tools/bench/report.py" --out "$out" "${logs[@]}" || status=1
echo "bench: inside the emulated VM only ratios mean anything, never the absolute figures"
echo "bench: $(( $(date +%s) - start )) s; console logs in $out"
exit $status

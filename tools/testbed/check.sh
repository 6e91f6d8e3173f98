#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh ("make check"): every test the project has, in one command.
#
# What is counted (the summary says it again with the numbers):
#   - each step is one test: a self-test suite, a style check, a build, a
#     QEMU boot;
#   - each KUnit case run in a boot is one more test: the same case run on
#     six boots counts six times (the summary names the distinct cases and
#     the boots);
#   - each test of the userspace harness (tools/testing) is one more.
# A failed step does not stop the others.  Each step prints its time.  The
# last line is exactly "N passed, N failed"; the exit status is non-zero
# when anything failed.
#
# On a fresh 2-core machine the first run builds the debug, kcsan and rt
# test kernels (about 10 min each, cached in $HAKMEM_CACHE/kernels after
# that); the QEMU boots under TCG take most of the rest.  README.md ("Test
# it") has the measured cold and warm times; CI allows 90 min.
#
# Environment:
#   CHECK_ONLY="regex"     run only the steps whose name matches
#   KUNIT_PARAMS_<boot>    hakmem_kunit.ko parameters of boot kunit-<boot>
#   RELIABILITY_PARAMS_<boot>
#                          hakmem_reliability_kunit.ko parameters
#                          (<boot>: debug, kcsan, rt, init_on,
#                          numa_memoryless, numa_exhausted)
#   SAMPLE_ROUNDS_kcsan    rounds of the sample driver's workload
#                          (sample-workload.sh) in step sample-kcsan
#   STRESS_MS_rt, STRESS_MS_init_on, STRESS_SEED
#                          the load-time stress on rt and in the init_on
#                          boot (seed: random, printed; replay with
#                          soak.sh --replay SEED --kernel K --mix LOADS)
#   CHECK_VM_RUN, CHECK_LOGDIR
#                          for the gate's self-test (tests/gates.sh): the
#                          program run in place of vm-run.sh, the log folder
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$TESTBED/gate.sh"

# The stress cases run stress_ms per case.  KASAN under TCG is slow, so
# one second finds little there but costs a lot; KCSAN needs time to see
# races, and its kernel is faster.
: "${KUNIT_PARAMS_debug=stress_ms=1000}"
: "${KUNIT_PARAMS_kcsan=stress_ms=3000}"
: "${KUNIT_PARAMS_rt=stress_ms=3000}"
# CPU hotplug under load: a cycle takes seconds on the KASAN kernel under
# TCG, a fraction of one on the KCSAN kernel, which does the full 100.
# PREEMPT_RT changes how hotplug parks per-CPU work: rt does 20.
: "${RELIABILITY_PARAMS_debug=hotplug_cycles=5}"
: "${RELIABILITY_PARAMS_kcsan=hotplug_cycles=100}"
: "${RELIABILITY_PARAMS_rt=hotplug_cycles=20}"
# The extra configurations (init_on_*, NUMA shapes) change which paths run,
# not how long races need to show: short stresses, few hotplug cycles.
: "${KUNIT_PARAMS_init_on=stress_ms=300}"
: "${RELIABILITY_PARAMS_init_on=hotplug_cycles=2}"
: "${KUNIT_PARAMS_numa_memoryless=stress_ms=300}"
: "${RELIABILITY_PARAMS_numa_memoryless=hotplug_cycles=4}"
: "${KUNIT_PARAMS_numa_exhausted=stress_ms=300}"
: "${RELIABILITY_PARAMS_numa_exhausted=hotplug_cycles=2}"
: "${STRESS_MS_rt=5000}"
: "${STRESS_MS_init_on=2000}"
VM_TIMEOUT=${VM_TIMEOUT:-${KUNIT_TIMEOUT:-1500}}
# The extra configurations' boots take a minute or two when the allocator
# copes; one that does not (a SuperSlab built per allocation) must not eat
# CI's budget.
VM_TIMEOUT_EXTRA=${VM_TIMEOUT_EXTRA:-900}
VM_RUN=${CHECK_VM_RUN:-$TESTBED/vm-run.sh}

passed=0
failed=0
steps_passed=0
steps_failed=0
kunit_runs=0
kunit_boots=()
user_tests=
summary=()
logdir=${CHECK_LOGDIR:-$HAKMEM_CACHE/logs/check-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$logdir"
t_all=$(date +%s)

# step NAME COMMAND...: run one step, its output into $logdir/NAME.log
# (shown when it fails), count it.
step() {
	local name=$1 t0 rc
	shift
	if [ -n "${CHECK_ONLY:-}" ] && ! [[ $name =~ $CHECK_ONLY ]]; then
		return 0
	fi
	echo "== $name"
	t0=$(date +%s)
	"$@" >"$logdir/$name.log" 2>&1
	rc=$?
	record "$name" $rc $(( $(date +%s) - t0 ))
}

# record NAME RC SECONDS [LOG [NOTE]]: count one step; NOTE goes on its
# summary line.
record() {
	local name=$1 rc=$2 secs=$3 log=${4:-$logdir/$1.log} note=${5:-}
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		steps_passed=$((steps_passed + 1))
		summary+=("$(printf 'ok   %-30s %5ss  %s' "$name" "$secs" "$note")")
		echo "   ok ($secs s)"
	else
		failed=$((failed + 1))
		steps_failed=$((steps_failed + 1))
		summary+=("$(printf 'FAIL %-30s %5ss  %s' "$name" "$secs" "${note:+$note; }$log")")
		echo "   FAILED ($secs s), last lines of $log:"
		tail -40 "$log" | sed 's/^/   | /'
	fi
}

# The project's C files, without the userspace shims of tools/testing.
sources() {
	(cd "$HAKMEM_TOP" && ls -- *.[ch] kunit/*.[ch] tools/bench/*.[ch] \
		tools/testbed/nodehog/*.c tools/testbed/tracegen/*.c \
		samples/hakmem/*.c 2>/dev/null)
}

do_checkpatch() {
	local f bad=0 ignore
	cd "$HAKMEM_TOP" || return 1
	for f in $(sources); do
		# hakmem_compat.h is where the kernel version tests live, the
		# one thing checkpatch says to avoid (and whose idiom,
		# "LINUX_VERSION_CODE >= KERNEL_VERSION(...)", it reads as a
		# constant on the left): there only, those two are allowed.
		# The trace header is laid out as include/trace/events/*.h are:
		# TRACE_EVENT()'s arguments open a line each and align with
		# nothing, which two other checks report on every event.
		ignore=()
		case "$f" in
		hakmem_compat.h)
			ignore=(--ignore LINUX_VERSION_CODE --ignore CONSTANT_COMPARISON) ;;
		hakmem_trace.h)
			ignore=(--ignore PARENTHESIS_ALIGNMENT --ignore OPEN_ENDED_LINE) ;;
		esac
		"$KSRC/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
			${ignore[@]+"${ignore[@]}"} -f "$f" || bad=1
	done
	return $bad
}

do_kerneldoc() {
	local out
	out=$(cd "$HAKMEM_TOP" && "$KSRC/scripts/kernel-doc" -none -Wall \
		hakmem_slab.h hakmem_slab.c hakmem_superslab.c hakmem_internal.h \
		samples/hakmem/hakmem_sample.c 2>&1)
	[ -z "$out" ] && return 0
	printf '%s\n' "$out"
	return 1
}

# build KERNEL FLAGS...: a clean build of every module, the benchmark
# (tools/bench) included so that it cannot rot; any compiler or sparse
# warning fails.
do_build() {
	local kernel=$1 out rc=0 dir ko
	shift
	out=$(HAKMEM_BUILD_BENCH=1 "$TESTBED/build-module.sh" --clean "$kernel" "$@" 2>&1) || rc=$?
	printf '%s\n' "$out"
	[ $rc = 0 ] || return $rc
	# gcc and sparse say "warning:", modpost "WARNING:".
	if grep -Ei '(warning|error):' <<<"$out" >/dev/null; then
		echo "check: the build printed warnings (see above)"
		return 1
	fi
	# build-module.sh prints the build directory last.
	dir=$(tail -1 <<<"$out")
	for ko in hakmem.ko tools/bench/hakmem_bench.ko samples/hakmem/hakmem_sample.ko; do
		[ -f "$dir/$ko" ] || { echo "check: $ko was not built"; return 1; }
	done
}

# boot_verdict NAME KIND RC LOG CONSOLE [REGEX...]: judge one boot with
# gate_vm_verdict (gate.sh), RC standing for vm-run's exit status; KIND
# kunit*: its cases count in the summary (and NAME.cases lists them), and
# boot_note says how many ran, for record.  Each reason the gate gives is
# appended to LOG.  Returns 1 when the boot failed.
boot_verdict() {
	local name=$1 kind=$2 rc=$3 log=$4 console=$5 why
	shift 5
	gate_vm_verdict "$kind" "$rc" "$log" "$console" "$@"
	boot_note=
	if [[ $kind == kunit* ]]; then
		"$TESTBED/ktap-cases" "$console" >"$logdir/$name.cases" 2>/dev/null
		boot_note="KUnit $gate_tests cases: $gate_passed passed, $gate_failed failed, $gate_skipped skipped"
		echo "   KUnit: ${boot_note#KUnit }"
		passed=$((passed + gate_passed))
		failed=$((failed + gate_failed))
		kunit_runs=$((kunit_runs + gate_tests))
		kunit_boots+=("$name:$gate_tests")
	fi
	[ ${#gate_why[@]} = 0 ] && return 0
	for why in "${gate_why[@]}"; do
		echo "check: $name: $why" >>"$log"
	done
	return 1
}

# vm_step NAME KIND KERNEL [--must REGEX]... [vm-run arguments...]: one
# QEMU boot.  The boot is one test, judged by gate_vm_verdict (gate.sh):
# vm-run's exit status, the scanner's verdict and what KIND asks for (KIND
# kunit: each KUnit case it ran counts as one more test; stress: hakmem's
# load-time stress must say "passed").  --must REGEX: a line the console
# must hold, proof that the boot ran in the configuration asked for.
vm_step() {
	local name=$1 kind=$2 kernel=$3 t0 rc log console must=() note
	shift 3
	while [ "${1:-}" = --must ]; do
		must+=("$2")
		shift 2
	done
	[ -n "${CHECK_ONLY:-}" ] && ! [[ $name =~ $CHECK_ONLY ]] && return 0
	echo "== $name (QEMU, kernel $kernel)"
	t0=$(date +%s)
	log=$logdir/$name.log
	console=$logdir/$name-console.log
	"$VM_RUN" --kernel "$kernel" --smp 4 --timeout "$VM_TIMEOUT" \
		--quiet --log "$console" "$@" >"$log" 2>&1
	rc=$?
	boot_verdict "$name" "$kind" "$rc" "$log" "$console" ${must[@]+"${must[@]}"} &&
		rc=0 || rc=1
	# The stress's seed and loads, for a replay (soak.sh --replay).
	note=$(grep -aom1 'stress seed=[0-9]* mix=[a-z,]*' "$console" 2>/dev/null)
	[ -z "$boot_note" ] || note="$boot_note${note:+; $note}"
	record "$name boot" $rc $(( $(date +%s) - t0 )) "$log" "$note"
	[ $rc = 0 ] || [ ! -f "$console" ] || echo "   console log: $console"
}

# KUnit modules that need a boot of their own (kunit_step leaves them out):
# hakmem_sanitizers_kunit.ko provokes KASAN reports on purpose, which needs
# kasan_multi_shot on a KASAN kernel (its step: kunit-sanitizers).
KUNIT_OWN_BOOT="hakmem_sanitizers_kunit.ko"

# The KUnit modules: what kunit/Kbuild builds (its obj- lines), so that a
# new suite module runs in every KUnit boot without an edit here, less
# KUNIT_OWN_BOOT.
kunit_modules() {
	local ko
	# Continuation lines joined, then the objects of the obj- lines.
	for ko in $(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$HAKMEM_TOP/kunit/Kbuild" |
		sed -n 's/^obj-[^=]*+=//p' | grep -o '[A-Za-z0-9_]*\.o' |
		sed 's/\.o$/.ko/' | awk '!seen[$0]++'); do
		[[ " $KUNIT_OWN_BOOT " == *" $ko "* ]] || echo "$ko"
	done
}

# kunit_step NAME KERNEL [--stress] [vm-run arguments...]: every KUnit
# module, hakmem_kunit.ko with the parameters KUNIT_PARAMS_NAME and
# hakmem_reliability_kunit.ko with RELIABILITY_PARAMS_NAME; --stress: the
# arguments load hakmem.ko with the load-time stress, whose verdict counts
# too.
kunit_step() {
	local name=$1 kernel=$2 key params rparams kind=kunit ko mods=()
	shift 2
	if [ "${1:-}" = --stress ]; then
		kind=kunit,stress
		shift
	fi
	key=${name#kunit-}
	key=${key//-/_}
	params=KUNIT_PARAMS_$key
	params=${!params:-}
	rparams=RELIABILITY_PARAMS_$key
	rparams=${!rparams:-}
	for ko in $(kunit_modules); do
		case "$ko" in
		hakmem_kunit.ko) ko=$ko${params:+:${params// /:}} ;;
		hakmem_reliability_kunit.ko) ko=$ko${rparams:+:${rparams// /:}} ;;
		esac
		mods+=("kunit/$ko")
	done
	vm_step "$name" "$kind" "$kernel" "$@" "${mods[@]}"
}

do_userspace() {
	make -s --no-print-directory -C "$HAKMEM_TOP/tools/testing" check
}

echo "check: logs in $logdir"
step deps "$TESTBED/deps.sh" all
ensure_ksrc >/dev/null 2>&1 || true
step scanner-selftests "$TESTBED/tests/run.sh"
step gate-selftests "$TESTBED/tests/gates.sh"
# The tracing step's checker must pass a real trace and fail each broken
# copy of it.
step trace-check-selftests "$TESTBED/tests/trace-check.sh"
# The scanner on real kernel output: one debug boot provokes each report
# (cached by kernel and provoker: the boot happens only when either
# changes) and each segment must be judged right.
step provoke-selftests "$TESTBED/tests/provoke.sh"
step checkpatch do_checkpatch
step kernel-doc do_kerneldoc
step build-debug-W1 do_build debug W=1
step build-debug-sparse do_build debug C=2
step build-rt-W1 do_build rt W=1
step build-stock-W1 do_build stock W=1
step build-limits "$TESTBED/build-limits.sh"

# The KUnit modules on each sanitizer kernel.
kunit_step kunit-debug debug
kunit_step kunit-kcsan kcsan
# The tracepoints (Documentation/tracing.rst): every hakmem event enabled
# through tracefs, hakmem_tracegen.ko's known calls from both faces, the
# trace printed on the console (trace-guest.sh); the boot is judged by the
# gate, then trace-check compares every event with the calls announced.
# On the kcsan kernel: lockdep and KCSAN watch the events' own code, and a
# warm boot takes about a minute.
vm_step tracing plain kcsan --must 'hakmem_tracegen: done' --must 'trace-guest: end' \
	--exec "$(cat "$TESTBED/trace-guest.sh")" tools/testbed/tracegen/hakmem_tracegen.ko
step tracing-fields "$TESTBED/trace-check" "$logdir/tracing-console.log"

# Boots that fail on main for open, known reasons run only with
# CHECK_PENDING=1, and the summary names them as not run (never as
# passed), only while an issue about it is open.
pending=()
pending_step() {
	if [ -n "${CHECK_PENDING:-}" ]; then
		"$@"
	elif [ -z "${CHECK_ONLY:-}" ] || [[ $2 =~ $CHECK_ONLY ]]; then
		pending+=("$2")
	fi
}
# PREEMPT_RT.  Like every boot of a 6.12 test kernel, with the fair server
# off (vm-run.sh --fair-server): 6.12.117 counts it in rq->nr_running and
# warns "Dying CPU not properly vacated!" on some CPU offlines, with kmalloc
# as with hakmem (Documentation/testing.rst).  The console must say so.
kunit_step kunit-rt rt --must 'testbed: fair server off on [0-9]+ CPUs'
# The sample driver (samples/hakmem), built against hakmem's Module.symvers
# as a driver author's module is, under its shell workload
# (sample-workload.sh): one writer, four writers sharing one open file and
# four processes with their own, dd, the per-file cap; everything read
# back must match what was written, and its rmmod must destroy its caches
# with nothing left allocated.  On the kcsan kernel, 4 CPUs: KCSAN sees
# the races a user's concurrency could provoke in hakmem or in the sample.
# Each round of the processes with a file of their own forks a cat, which
# KCSAN under TCG makes slow: 50 rounds (the demo does 100) keep the
# workload near 2 minutes.
vm_step sample-kcsan plain kcsan --must 'sample-workload: passed' \
	--exec "SAMPLE_ROUNDS=${SAMPLE_ROUNDS_kcsan:-50}; $(cat "$TESTBED/sample-workload.sh")" \
	samples/hakmem/hakmem_sample.ko
# KASAN must see hakmem's objects: the reports the suite provokes, each
# announced, with kasan_multi_shot so that the first does not end reporting
# (nor, with panic_on_warn, the guest).  Only the debug kernel has KASAN.
vm_step kunit-sanitizers kunit debug --append kasan_multi_shot \
	kunit/hakmem_sanitizers_kunit.ko
# The load-time stress on PREEMPT_RT, every load at once (stress_mix=all:
# shrink and drain, bulk, hrtimer GFP_ATOMIC users, an RCU-typesafe cache,
# CPU hotplug, beside the alloc/free threads).
seed=${STRESS_SEED:-$(random_seed)}
vm_step stress-rt stress rt --must 'testbed: fair server off on [0-9]+ CPUs' \
	"hakmem.ko:stress_ms=$STRESS_MS_rt:stress_seed=$seed:stress_mix=all"
# init_on_alloc=1 init_on_free=1, as hardened distributions boot: the KUnit
# suites, and before them the load-time stress with the loads these
# options touch (the rcu load checks that a SLAB_TYPESAFE_BY_RCU object is
# never zeroed under its readers).  On the kcsan kernel: the cheapest with
# lockdep (a warm boot takes about a minute), and the one that sees the
# writes these options add racing with readers.  The kernel's "mem
# auto-init" line proves the options took.
kunit_step kunit-init-on kcsan --stress \
	--must 'mem auto-init: .*heap alloc:on, heap free:on' \
	--append "init_on_alloc=1 init_on_free=1" --timeout "$VM_TIMEOUT_EXTRA" \
	"hakmem.ko:stress_ms=$STRESS_MS_init_on:stress_seed=$seed:stress_mix=shrink,bulk,irq,rcu"
# NUMA shapes the default two fake nodes never make (vm-run.sh --numa):
# node 1 with CPUs and no memory, and node 1 with every page taken.  The
# guest checks the shape before loading anything (and that numa=fake is
# not on the command line); the console must say it did.  On the kcsan
# kernel too: the cheapest with lockdep, and a failure there is about the
# node shape, not about PREEMPT_RT.
kunit_step kunit-numa-memoryless kcsan \
	--must 'testbed: numa memoryless: node 1 has CPUs and no memory' \
	--numa memoryless --timeout "$VM_TIMEOUT_EXTRA"
kunit_step kunit-numa-exhausted kcsan \
	--must 'testbed: numa exhausted: node 1 has no free page left' \
	--numa exhausted --timeout "$VM_TIMEOUT_EXTRA"

# In a kernel tree (Documentation/intree.rst): the project at mm/hakmem of
# the 6.12 tree, built =y and =m incrementally from a copy of the cached
# kcsan kernel (build-intree.sh), and the =y kernel booted: the KUnit
# suites run at boot, built in, their parameters on the command line.
: "${INTREE_PARAMS=hakmem_kunit.stress_ms=300 hakmem_reliability_kunit.hotplug_cycles=0}"
do_intree_build() {
	local out
	out=$("$TESTBED/build-intree.sh" "$1") || return 1
	echo "$out"
	if [ "$1" = y ]; then
		grep -q ' hakmem_cache_create$' "$out/System.map" ||
			{ echo "check: hakmem is not in vmlinux"; return 1; }
		return 0
	fi
	# =m: in-tree modules ("intree: Y"), and nothing of hakmem in vmlinux.
	if grep -q ' hakmem_cache_create$' "$out/System.map"; then
		echo "check: =m, yet hakmem is in vmlinux"
		return 1
	fi
	for ko in mm/hakmem/hakmem.ko mm/hakmem/kunit/hakmem_kunit.ko \
		mm/hakmem/kunit/hakmem_reliability_kunit.ko; do
		[ "$(modinfo -F intree "$out/$ko" 2>/dev/null)" = Y ] ||
			{ echo "check: $ko missing or not an in-tree module"; return 1; }
	done
}
step intree-build-y do_intree_build y
step intree-build-m do_intree_build m
# The =y kernel (build-intree.sh y again: cached, unless intree-build-y did
# not run), its console proving that hakmem was built in.
intree_boot() {
	local out
	[ -n "${CHECK_ONLY:-}" ] && ! [[ intree-kunit =~ $CHECK_ONLY ]] && return 0
	if ! out=$("$TESTBED/build-intree.sh" y 2>"$logdir/intree-kunit.log"); then
		echo "== intree-kunit"
		record "intree-kunit boot" 1 0 "$logdir/intree-kunit.log" "no =y kernel to boot"
		return
	fi
	vm_step intree-kunit kunit kcsan \
		--must 'testbed: intree: hakmem is built in' \
		--kdir "$out" --no-hakmem --append "$INTREE_PARAMS" \
		--timeout "$VM_TIMEOUT_EXTRA" \
		--exec 'grep -qw hakmem /proc/modules && exit 1
[ -d /sys/module/hakmem/parameters ] &&
	echo "testbed: intree: hakmem is built in, no module loaded"'
}
intree_boot

# The kernel's own runner (Documentation/kunit.rst): kunit.py run with the
# project's .kunitconfig on UML (one CPU: the SMP-only cases skip, saying
# why), its build directory cached.  Judged as a boot (gate.sh): kunit.py's
# exit status stands for vm-run's, and the scanner reads the kernel's
# output, which kunit.py keeps in its build directory (test.log).
kunit_py_step() {
	local name=$1 t0 rc log console
	[ -n "${CHECK_ONLY:-}" ] && ! [[ $name =~ $CHECK_ONLY ]] && return 0
	echo "== $name (kunit.py run --kunitconfig=mm/hakmem, UML)"
	t0=$(date +%s)
	log=$logdir/$name.log
	console=$logdir/$name-console.log
	rm -f "$HAKMEM_CACHE/intree/kunit-um/test.log"
	"$TESTBED/kunit-py.sh" >"$log" 2>&1
	rc=$?
	cp "$HAKMEM_CACHE/intree/kunit-um/test.log" "$console" 2>/dev/null
	[ $rc = 0 ] && echo "vm-run: PASS (kunit.py run exited 0)" >>"$log"
	# No vm-run end marker in kunit.py's log: kunit.py's exit status says
	# whether every case ran and the kernel halted.
	"$TESTBED/scan-console" --quiet --no-end-marker "$console" >>"$log" 2>&1 || rc=1
	boot_verdict "$name" kunit "$rc" "$log" "$console" && rc=0 || rc=1
	record "$name" $rc $(( $(date +%s) - t0 )) "$log" "$boot_note"
}
kunit_py_step kunit-py-uml

# The userspace harness reports its own "N passed, N failed".
if [ -f "$HAKMEM_TOP/tools/testing/Makefile" ] &&
	{ [ -z "${CHECK_ONLY:-}" ] || [[ userspace =~ $CHECK_ONLY ]]; }; then
	echo "== userspace (make -C tools/testing check)"
	t0=$(date +%s)
	do_userspace >"$logdir/userspace.log" 2>&1
	rc=$?
	# Its result line, wherever make's own error lines put it.
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logdir/userspace.log" | tail -1)
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		user_tests=$((BASH_REMATCH[1] + BASH_REMATCH[2]))
		echo "   $last ($(( $(date +%s) - t0 )) s)"
		summary+=("$(printf '     %-30s %5ss  %s' userspace $(( $(date +%s) - t0 )) "$last")")
		# A harness that failed without saying which test did.
		if [ $rc != 0 ] && [ "${BASH_REMATCH[2]}" = 0 ]; then
			record userspace-make 1 0
		fi
	else
		echo "   (no 'N passed, N failed' line in its output)"
		record userspace $(( rc == 0 ? 1 : rc )) $(( $(date +%s) - t0 ))
	fi
fi

# Test strength: every mutant of the allocator (tools/testing/mutants.py)
# must be killed by the userspace suites.
step mutate make -s --no-print-directory -C "$HAKMEM_TOP/tools/testing" mutate

# What the numbers count: steps, KUnit case runs (distinct cases x boots),
# userspace tests.
distinct=$(cat "$logdir"/*.cases 2>/dev/null | sed 's/ [a-z]*$//' | sort -u | wc -l)
boots=
for b in ${kunit_boots[@]+"${kunit_boots[@]}"}; do
	boots="$boots${boots:+, }${b%%:*} ${b##*:}"
done
elapsed=$(( $(date +%s) - t_all ))
echo
echo "== summary ($(( elapsed / 60 )) min $(( elapsed % 60 )) s, logs in $logdir)"
printf '%s\n' "${summary[@]}"
echo "counted:"
echo "  steps      $((steps_passed + steps_failed)) ($steps_passed passed, $steps_failed failed): each self-test suite, style check, build and boot is one"
if [ ${#kunit_boots[@]} != 0 ]; then
	echo "  KUnit      $kunit_runs case runs = $distinct distinct cases run on ${#kunit_boots[@]} boots ($boots)"
fi
[ -z "$user_tests" ] || echo "  userspace  $user_tests tests (tools/testing)"
[ ${#pending[@]} = 0 ] ||
	echo "  not run    ${pending[*]}: failing for open reasons (see check.sh); CHECK_PENDING=1 runs them"
echo "$passed passed, $failed failed"
[ $failed = 0 ]

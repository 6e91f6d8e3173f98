#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/gates.sh: self-tests of "make check"'s gate on QEMU boots.
#
# A gate that passes a failure is worse than no gate.  These tests feed the
# gate what a failed boot leaves behind, crafted, and check that it fails:
#
#   1. gate.sh's gate_vm_verdict, given vm-run's exit status and output
#      (canned): every way a boot can go wrong must fail it, a clean one
#      must pass;
#   2. check.sh itself, end to end, with a fake vm-run (CHECK_VM_RUN) that
#      leaves a crafted console, runs the real scan-console on it the way
#      vm-run.sh does, and exits with a chosen status: the boot step and
#      the final "N passed, N failed" must show the failure;
#   3. ktap-cases, which names the distinct KUnit cases the summary counts;
#   4. soak.sh with the same fake vm-run: which kernels a soak boots (any
#      soak of three boots or more: debug, kcsan and rt), and that a boot
#      whose stress failed, or whose vm-run failed, fails the soak.
#
# Prints "N passed, N failed"; exits non-zero when any test failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
. "$TESTBED/gate.sh"

# The real scanner parses KTAP with the 6.12 source's kunit.py.
ensure_ksrc
export KUNIT_PY=$KSRC/tools/testing/kunit/kunit.py

passed=0
failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/hakmem-gates.XXXXXX")
trap 'rm -rf "$work"' EXIT

ok() {
	echo "ok   $1"
	passed=$((passed + 1))
}

bad() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

# --- crafted consoles --------------------------------------------------------

# console NAME: write a console log to $work/NAME.console; the body comes
# from stdin, between a boot header and (unless NAME ends in -noend) the end
# marker.
console() {
	local f=$work/$1.console
	{
		echo '[    0.000000] Linux version 6.12.117 (root@vm) #1 SMP PREEMPT'
		echo 'testbed: guest up, 4 CPUs, kernel 6.12.117'
		echo 'testbed: insmod 0-hakmem.ko '
		echo '[    1.100000] hakmem: ready: tiny classes 8..1024 bytes, 2 node(s), 4 CPU(s)'
		cat
	} >"$f"
}

ktap_ok() {
	cat <<'EOF'
testbed: insmod 1-hakmem_kunit.ko 
[    2.000000] KTAP version 1
[    2.000001] 1..1
[    2.000002]     KTAP version 1
[    2.000003]     # Subtest: hakmem_api
[    2.000004]     # module: hakmem_kunit
[    2.000005]     1..3
[    2.000006]     ok 1 api_alloc_free
[    2.000007]         KTAP version 1
[    2.000008]         # Subtest: api_sizes
[    2.000009]         ok 1 8
[    2.000010]         ok 2 64
[    2.000011]     # api_sizes: pass:2 fail:0 skip:0 total:2
[    2.000012]     ok 2 api_sizes
[    2.000013]     ok 3 api_numa # SKIP one node only
[    2.000014] # hakmem_api: pass:2 fail:0 skip:1 total:3
[    2.000015] ok 1 hakmem_api
testbed: rmmod hakmem_kunit
testbed: rmmod hakmem
EOF
}

END='===== testbed: end of run, status 0 ====='

{ ktap_ok; echo "$END"; echo 'testbed: kmemleak scan'; echo 'testbed: kmemleak scan done'; } |
	console clean
# QEMU killed by the timeout after the end marker (in the kmemleak scan):
# the console itself looks finished.
{ ktap_ok; echo "$END"; echo 'testbed: kmemleak scan'; } | console late-timeout
# A guest step that fails after the end marker.
{ ktap_ok; echo "$END"; echo 'testbed: FAILED: kmemleak scan (status 1)'; } |
	console late-step
# KTAP that kunit.py reports as errors and nothing else (test numbers out
# of order): no case failed, kunit.py exits 0, its summary says "errors: 2".
{
	ktap_ok | sed -e 's/    ok 2 api_sizes$/    ok 3 api_sizes/' \
		-e 's/    ok 3 api_numa /    ok 2 api_numa /'
	echo "$END"
} | console ktap-errors
# The plan says 4, three results came: a case that never reported.
{
	ktap_ok | sed -e 's/^\(\[ *2\.000005\]     \)1\.\.3$/\11..4/'
	echo "$END"
} | console ktap-missing-case
# KTAP kunit.py cannot make sense of.
{
	echo 'testbed: insmod 1-hakmem_kunit.ko '
	echo '[    2.000000] KTAP version 1'
	echo '[    2.000001] 1..1'
	echo '[    2.000002]     KTAP version 1'
	echo '[    2.000003]     # Subtest: hakmem_api'
	echo '[    2.000005]     1..1'
	echo '[    2.000006] garbage instead of results'
	echo "$END"
} | console ktap-unparsable
# The stress at load, passed and failed.
{
	echo '[    2.000000] hakmem: stress seed=42 ms=1000 cpus=4 mix=shrink,bulk'
	echo '[    3.000000] hakmem: stress seed=42 threads=4 ops=123456: passed'
	echo "$END"
} | console stress-ok
{
	echo '[    2.000000] hakmem: stress seed=42 ms=1000 cpus=4 mix=shrink,bulk'
	echo '[    3.000000] hakmem: stress seed=42 threads=4 ops=123456: FAILED (1 errors)'
	echo "$END"
} | console stress-failed
{
	echo '[    2.000000] hakmem: stress seed=42 ms=1000 cpus=4 mix=shrink,bulk'
	echo "$END"
} | console stress-silent

# --- 1. gate_vm_verdict on canned vm-run output ----------------------------

# vmout NAME: canned vm-run output from stdin into $work/NAME.out.
vmout() {
	cat >"$work/$1.out"
}

scan_clean='scan-console: problems kernel=0 kunit=0
scan-console: kunit tests=3 passed=2 failed=0 skipped=1
scan-console: PASS (0 problems, 0 warnings)'

printf '%s\nvm-run: PASS (debug, 10 s)\n' "$scan_clean" | vmout pass
printf 'vm-run: FAIL: QEMU exited with status 1\nvm-run: scanning the console (10 s in QEMU)\n%s\nvm-run: FAIL (debug, 10 s, console log: x)\n' \
	"$scan_clean" | vmout qemu-status
printf 'vm-run: FAIL: QEMU killed after the 1500s timeout\nvm-run: scanning the console (1500 s in QEMU)\n%s\nvm-run: FAIL (debug, 1500 s, console log: x)\n' \
	"$scan_clean" | vmout timeout
printf 'scan-console: FAIL [KUnit] KTAP at line 7: failed=0 crashed=0 errors=1\nscan-console: problems kernel=0 kunit=1\nscan-console: kunit tests=3 passed=2 failed=0 skipped=1\nscan-console: FAIL (1 problems, 0 warnings)\nvm-run: FAIL (debug, 10 s, console log: x)\n' |
	vmout kunit-problem
printf 'scan-console: problems kernel=1 kunit=0\nscan-console: kunit tests=3 passed=2 failed=0 skipped=1\nscan-console: FAIL (1 problems, 0 warnings)\nvm-run: FAIL (debug, 10 s, console log: x)\n' |
	vmout kernel-problem
printf 'scan-console: problems kernel=0 kunit=1\nscan-console: kunit tests=3 passed=1 failed=1 skipped=1\nscan-console: FAIL (1 problems, 0 warnings)\nvm-run: FAIL (debug, 10 s, console log: x)\n' |
	vmout case-failed
printf 'testbed: building hakmem for debug failed\n' | vmout build-failed
printf 'vm-run: PASS (debug, 10 s)\n' | vmout no-scanner
printf '%s\nvm-run: PASS (debug, 10 s)\n' \
	"${scan_clean/tests=3 passed=2 failed=0 skipped=1/tests=0 passed=0 failed=0 skipped=0}" |
	vmout no-cases
printf '%s\n%s\nvm-run: PASS (debug, 10 s)\n' "$scan_clean" "$scan_clean" | vmout two-scans
printf '%s\n' "$scan_clean" | vmout no-vm-run-pass
printf '%s\nvm-run: PASS (debug, 10 s)\n' \
	"${scan_clean/passed=2 failed=0 skipped=1/passed=1 failed=0 skipped=1}" | vmout counts-off

# verdict WANT NAME KIND RC OUT [CONSOLE [MUST...]]
verdict() {
	local want=$1 name=$2 got
	shift 2
	if gate_vm_verdict "$@"; then got=PASS; else got=FAIL; fi
	if [ "$got" = "$want" ]; then
		ok "verdict $name: $got${gate_why[0]:+ (${gate_why[0]})}"
	else
		bad "verdict $name" "got $got, expected $want${gate_why[0]:+ (${gate_why[*]})}"
	fi
}

verdict PASS clean-kunit kunit 0 "$work/pass.out" "$work/clean.console"
verdict PASS clean-plain plain 0 "$work/pass.out"
verdict FAIL qemu-status kunit 1 "$work/qemu-status.out"
verdict FAIL qemu-status-rc0 kunit 0 "$work/qemu-status.out"
verdict FAIL timeout kunit 1 "$work/timeout.out"
verdict FAIL any-nonzero-status kunit 3 "$work/pass.out"
verdict FAIL kunit-problem kunit 1 "$work/kunit-problem.out"
verdict FAIL kunit-problem-plain plain 1 "$work/kunit-problem.out"
verdict FAIL kernel-problem kunit 1 "$work/kernel-problem.out"
verdict FAIL case-failed kunit 1 "$work/case-failed.out"
verdict FAIL build-failed kunit 1 "$work/build-failed.out"
verdict FAIL no-scanner kunit 0 "$work/no-scanner.out"
verdict FAIL no-cases kunit 0 "$work/no-cases.out"
verdict FAIL two-scans kunit 0 "$work/two-scans.out"
verdict FAIL no-vm-run-pass kunit 0 "$work/no-vm-run-pass.out"
verdict FAIL counts-off kunit 0 "$work/counts-off.out"
verdict FAIL missing-output kunit 0 "$work/does-not-exist.out"
verdict PASS stress-passed stress 0 "$work/pass.out" "$work/stress-ok.console"
verdict FAIL stress-failed stress 0 "$work/pass.out" "$work/stress-failed.console"
verdict FAIL stress-silent stress 0 "$work/pass.out" "$work/stress-silent.console"
verdict FAIL stress-no-console stress 0 "$work/pass.out"
{ cat "$work/clean.console"; cat "$work/stress-ok.console"; } >"$work/both-ok.console"
{ cat "$work/clean.console"; cat "$work/stress-failed.console"; } >"$work/both-failed.console"
verdict PASS kunit-and-stress kunit,stress 0 "$work/pass.out" "$work/both-ok.console"
verdict FAIL kunit-and-stress-failed kunit,stress 0 "$work/pass.out" "$work/both-failed.console"
verdict FAIL kunit-and-no-stress kunit,stress 0 "$work/pass.out" "$work/clean.console"
verdict FAIL kunit-and-stress-no-cases kunit,stress 0 "$work/no-cases.out" "$work/both-ok.console"
verdict FAIL unknown-kind kunits 0 "$work/pass.out" "$work/clean.console"
verdict PASS must-present kunit 0 "$work/pass.out" "$work/clean.console" 'hakmem: ready: tiny classes'
verdict FAIL must-absent kunit 0 "$work/pass.out" "$work/clean.console" \
	'mem auto-init: .*heap alloc:on, heap free:on'

# --- 2. check.sh end to end, with a fake vm-run ----------------------------

# The fake vm-run: takes vm-run.sh's arguments, writes the console chosen
# by GATE_CONSOLE to --log, scans it with the real scan-console like
# vm-run.sh does, and exits with GATE_RC (default: the scanner's status).
# GATE_QEMU: a line vm-run.sh prints about QEMU's exit (timeout, status).
# It appends the kernel it was asked for to GATE_KERNELS (when set) and
# puts the stress seed of its module arguments where the console says SEED.
cat >"$work/fake-vm-run" <<EOF
#!/usr/bin/env bash
log=
seed=
[ -z "\${GATE_ARGS:-}" ] || echo "\$*" >>"\$GATE_ARGS"
while [ \$# -gt 0 ]; do
	case "\$1" in
	--log) log=\$2; shift 2 ;;
	--kernel) [ -z "\${GATE_KERNELS:-}" ] || echo "\$2" >>"\$GATE_KERNELS"; shift 2 ;;
	--smp | --timeout | --append | --numa) shift 2 ;;
	*stress_seed=*) seed=\${1#*stress_seed=}; seed=\${seed%%:*}; shift ;;
	*) shift ;;
	esac
done
sed "s/SEED/\$seed/g" "\$GATE_CONSOLE" >"\$log"
verdict=0
[ -z "\${GATE_QEMU:-}" ] || { echo "\$GATE_QEMU"; verdict=1; }
"$TESTBED/scan-console" --quiet "\$log" || verdict=1
if [ \$verdict = 0 ]; then echo "vm-run: PASS (fake)"; else echo "vm-run: FAIL (fake)"; fi
exit "\${GATE_RC:-\$verdict}"
EOF
chmod +x "$work/fake-vm-run"

# e2e WANT NAME CONSOLE [RC [QEMU-LINE]]: run check.sh's kunit-debug step on
# that console; WANT is the boot step's verdict.
e2e() {
	local want=$1 name=$2 cons=$work/$3.console rc=0 out last
	out=$(GATE_CONSOLE=$cons GATE_RC=${4:-} GATE_QEMU=${5:-} \
		CHECK_VM_RUN=$work/fake-vm-run CHECK_LOGDIR=$work/check-$name \
		CHECK_ONLY='^kunit-debug$' "$TESTBED/check.sh" 2>&1) || rc=$?
	last=$(tail -1 <<<"$out")
	if [ "$want" = PASS ]; then
		if [ $rc = 0 ] && grep -q '^ok   kunit-debug boot' <<<"$out" &&
			[[ $last =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]]; then
			ok "check.sh $name: passes ($last)"
			return
		fi
	else
		if [ $rc != 0 ] && grep -q '^FAIL kunit-debug boot' <<<"$out" &&
			[[ $last =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]; then
			ok "check.sh $name: fails ($last)"
			return
		fi
	fi
	bad "check.sh $name" "expected the boot to ${want,,}; check.sh exited $rc, output:"
	sed 's/^/     | /' <<<"$out"
}

e2e PASS clean clean
e2e FAIL qemu-status clean 1 'vm-run: FAIL: QEMU exited with status 1'
e2e FAIL late-timeout late-timeout 1 'vm-run: FAIL: QEMU killed after the 1500s timeout'
e2e FAIL late-guest-step late-step
e2e FAIL late-guest-step-status late-step 1
e2e FAIL ktap-errors ktap-errors
e2e FAIL ktap-missing-case ktap-missing-case
e2e FAIL ktap-unparsable ktap-unparsable
# vm-run's status alone: every line clean, the status not.
e2e FAIL status-only clean 2

# The summary says what it counted: the clean run's KUnit line.
out=$(GATE_CONSOLE=$work/clean.console CHECK_VM_RUN=$work/fake-vm-run \
	CHECK_LOGDIR=$work/check-count CHECK_ONLY='^kunit-(debug|kcsan)$' \
	"$TESTBED/check.sh" 2>&1)
if grep -q '^  KUnit      8 case runs = 4 distinct cases run on 2 boots (kunit-debug 4, kunit-kcsan 4)$' <<<"$out" &&
	grep -q '^  steps      2 (2 passed, 0 failed)' <<<"$out" &&
	[ "$(tail -1 <<<"$out")" = '8 passed, 0 failed' ]; then
	ok "check.sh summary names steps, distinct cases and boots"
else
	bad "check.sh summary" "unexpected counts:"
	sed 's/^/     | /' <<<"$out"
fi

# Every KUnit module kunit/Kbuild builds is loaded, with its parameters:
# in the kunit-debug boot, or in the boot of its own (KUNIT_OWN_BOOT).
: >"$work/args"
GATE_CONSOLE=$work/clean.console GATE_ARGS=$work/args CHECK_VM_RUN=$work/fake-vm-run \
	CHECK_LOGDIR=$work/check-mods CHECK_ONLY='^kunit-(debug|sanitizers)$' \
	KUNIT_PARAMS_debug='stress_ms=7 stress_seed=9' "$TESTBED/check.sh" >/dev/null 2>&1
want=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$HAKMEM_TOP/kunit/Kbuild" |
	sed -n 's/^obj-[^=]*+=//p' | grep -o '[A-Za-z0-9_]*\.o' | sed 's/\.o$//' | sort -u)
missing=
for m in $want; do
	grep -q "kunit/$m\.ko" "$work/args" || missing="$missing $m"
done
if [ -z "$want" ] || [ -n "$missing" ]; then
	bad "check.sh loads the KUnit modules" "missing:${missing:- (none found in kunit/Kbuild)}: $(cat "$work/args")"
elif ! grep -q 'kunit/hakmem_kunit\.ko:stress_ms=7:stress_seed=9' "$work/args"; then
	bad "check.sh passes KUNIT_PARAMS" "$(cat "$work/args")"
elif grep 'hakmem_kunit\.ko' "$work/args" | grep -q 'hakmem_sanitizers_kunit'; then
	bad "check.sh boots hakmem_sanitizers_kunit.ko alone" "$(cat "$work/args")"
elif ! grep -q -- '--append kasan_multi_shot.*hakmem_sanitizers_kunit\.ko' "$work/args"; then
	bad "check.sh boots hakmem_sanitizers_kunit.ko with kasan_multi_shot" "$(cat "$work/args")"
else
	ok "check.sh loads every module of kunit/Kbuild ($(echo $want))"
fi

# --- 3. ktap-cases ---------------------------------------------------------

got=$("$TESTBED/ktap-cases" "$work/clean.console" | tr '\n' ';')
want='hakmem_api.api_alloc_free ok;hakmem_api.api_sizes.8 ok;hakmem_api.api_sizes.64 ok;hakmem_api.api_numa skip;'
if [ "$got" = "$want" ]; then
	ok "ktap-cases lists leaves"
else
	bad "ktap-cases" "got '$got', expected '$want'"
fi

# --- 4. soak.sh ----------------------------------------------------------------

{
	echo '[    2.000000] hakmem: stress seed=SEED ms=1000 cpus=4'
	echo '[    3.000000] hakmem: stress seed=SEED threads=4 ops=123456: passed'
	echo "$END"
} | console soak-ok
# With the line hakmem_stress_mix.c prints (scan-console must know it as
# informational: HAKMEM_INFO).
{
	echo '[    2.000000] hakmem: stress seed=SEED ms=1000 cpus=4'
	echo '[    2.000001] hakmem: stress seed=SEED mix=bulk,rcu'
	echo '[    2.500000] hakmem: stress mix: shrink=0 bulk=5 irq=0 (0 GFP_ATOMIC NULL) rcu=7 hotplug=0'
	echo '[    3.000000] hakmem: stress seed=SEED threads=4 ops=123456: passed'
	echo "$END"
} | console soak-mix
{
	echo '[    2.000000] hakmem: stress seed=SEED ms=1000 cpus=4'
	echo '[    3.000000] hakmem: stress seed=SEED threads=4 ops=123456: FAILED (1 errors)'
	echo "$END"
} | console soak-failed

# soak WANT-RC WANT-KERNELS CONSOLE [RC] -- soak.sh arguments: the kernels
# it booted, in order, and whether it failed.
soak() {
	local want_rc=$1 want=$2 cname=$3 cons=$work/$3.console grc=${4:-} rc=0 out got name
	name="on $3${grc:+ (vm-run status $grc)}"
	shift 5
	name="soak $* $name"
	: >"$work/kernels"
	out=$(GATE_CONSOLE=$cons GATE_RC=$grc GATE_KERNELS=$work/kernels \
		SOAK_VM_RUN=$work/fake-vm-run SOAK_LOGDIR=$work/soak \
		"$TESTBED/soak.sh" "$@" 2>&1) || rc=$?
	got=$(tr '\n' ' ' <"$work/kernels")
	got=${got% }
	if [ "$got" != "$want" ]; then
		bad "$name" "booted '$got', expected '$want'"
	elif [ "$want_rc" = 0 ] && [ $rc != 0 ]; then
		bad "$name" "failed (status $rc):"
		sed 's/^/     | /' <<<"$out"
	elif [ "$want_rc" != 0 ] && [ $rc = 0 ]; then
		bad "$name" "passed a failed boot:"
		sed 's/^/     | /' <<<"$out"
	elif [ "$cname" = soak-mix ] && ! grep -q '^clean  [a-z]* seed=[0-9]* mix=bulk,rcu$' <<<"$out"; then
		bad "$name" "no boot line shows the seed's mix:"
		sed 's/^/     | /' <<<"$out"
	else
		ok "$name: booted $got, status $rc"
	fi
}

soak 0 'perf' soak-ok '' -- --runs 1
soak 0 'perf perf' soak-ok '' -- --runs 2
soak 0 'debug kcsan rt' soak-ok '' -- --runs 3
soak 0 'debug kcsan rt perf perf perf perf perf perf debug perf perf perf perf perf perf perf perf perf kcsan perf perf perf perf perf perf perf perf perf rt' \
	soak-ok '' -- --runs 30
soak 0 'kcsan' soak-ok '' -- --replay 42 --kernel kcsan
soak 0 'perf' soak-mix '' -- --runs 1
soak 1 'debug kcsan rt' soak-failed '' -- --runs 3
soak 1 'debug kcsan rt' soak-ok 1 -- --runs 3

echo "$passed passed, $failed failed"
[ $failed = 0 ]

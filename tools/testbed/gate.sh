# SPDX-License-Identifier: GPL-2.0
# gate.sh: how "make check" judges one QEMU boot.  Sourced by check.sh and
# by its self-test (tests/gates.sh), which feeds it crafted exit statuses
# and logs; nothing here runs a VM.
#
# gate_vm_verdict KIND RC OUT [CONSOLE [MUST...]]
#
#   KIND     kunit   KUnit modules were loaded: at least one case must run
#                    and none may fail
#            stress  hakmem.ko's load-time stress ran: its console must say
#                    "hakmem: stress seed=S ...: passed"
#            kunit,stress  both
#            plain   only the boot and the scanner's verdict count
#   RC       vm-run.sh's exit status
#   OUT      vm-run.sh's output (its own lines and the scanner's)
#   CONSOLE  the guest's console log (for KIND stress and MUST)
#   MUST     extended regexes the console must match: proof that the boot
#            ran in the configuration asked for (init_on_alloc=1 ...)
#
# A boot passes only when every one of these holds: vm-run exited 0 and said
# "vm-run: PASS"; the scanner ran exactly once, said PASS and counted no
# kernel problem and no KUnit problem; and what KIND asks for.  Anything
# missing is a failure: a gate that cannot read its evidence must not pass.
#
# Sets gate_ok (1 pass, 0 fail), gate_why (the reasons, an array) and, from
# the scanner's "kunit tests=" line, gate_tests, gate_passed, gate_failed,
# gate_skipped.  Returns 0 when the boot passed.

gate_vm_verdict() {
	local kind=$1 rc=$2 out=$3 console=${4:-} n line re
	local problems counts verdicts want_kunit=0 want_stress=0

	shift 3
	[ $# = 0 ] || shift

	gate_why=()
	gate_tests=0 gate_passed=0 gate_failed=0 gate_skipped=0
	case "$kind" in
	kunit) want_kunit=1 ;;
	stress) want_stress=1 ;;
	kunit,stress | stress,kunit) want_kunit=1 want_stress=1 ;;
	plain) ;;
	*) gate_why+=("gate_vm_verdict: unknown kind '$kind'") ;;
	esac
	if [ ! -r "$out" ]; then
		gate_why+=("no vm-run output ($out)")
		out=/dev/null
	fi

	[ "$rc" = 0 ] || gate_why+=("vm-run exited with status $rc")
	line=$(grep -m1 '^vm-run: FAIL' "$out" || true)
	[ -z "$line" ] || gate_why+=("vm-run said: $line")
	grep -q '^vm-run: PASS' "$out" || gate_why+=("vm-run never said 'vm-run: PASS'")

	# The scanner prints three lines, once per run.
	problems=$(grep '^scan-console: problems ' "$out" || true)
	counts=$(grep '^scan-console: kunit tests=' "$out" || true)
	verdicts=$(grep -E '^scan-console: (PASS|FAIL) \(' "$out" || true)
	n=$(grep -c '^scan-console: problems ' "$out" || true)
	if [ "$n" != 1 ]; then
		gate_why+=("expected one scanner verdict, found $n")
	elif [[ $problems =~ ^scan-console:\ problems\ kernel=([0-9]+)\ kunit=([0-9]+)$ ]]; then
		[ "${BASH_REMATCH[1]}" = 0 ] ||
			gate_why+=("the scanner found ${BASH_REMATCH[1]} kernel problem(s)")
		[ "${BASH_REMATCH[2]}" = 0 ] ||
			gate_why+=("the scanner found ${BASH_REMATCH[2]} KUnit problem(s) (failed, crashed or unparsable KTAP)")
	else
		gate_why+=("unreadable scanner line: $problems")
	fi
	[[ $verdicts =~ ^scan-console:\ PASS\ \( ]] ||
		gate_why+=("the scanner's verdict is not PASS: ${verdicts:-none}")

	if [[ $counts =~ ^scan-console:\ kunit\ tests=([0-9]+)\ passed=([0-9]+)\ failed=([0-9]+)\ skipped=([0-9]+)$ ]]; then
		gate_tests=${BASH_REMATCH[1]}
		gate_passed=${BASH_REMATCH[2]}
		gate_failed=${BASH_REMATCH[3]}
		gate_skipped=${BASH_REMATCH[4]}
	elif [ $want_kunit = 1 ]; then
		gate_why+=("no KUnit counts from the scanner")
	fi

	if [ $want_kunit = 1 ]; then
		[ "$gate_tests" -gt 0 ] ||
			gate_why+=("no KUnit case ran (module not loaded, or KUnit silent)")
		[ "$gate_failed" = 0 ] || gate_why+=("$gate_failed KUnit case(s) failed")
		[ $((gate_passed + gate_failed + gate_skipped)) = "$gate_tests" ] ||
			gate_why+=("KUnit counts do not add up: $counts")
	fi
	if [ $want_stress = 1 ]; then
		if [ -z "$console" ] || [ ! -r "$console" ]; then
			gate_why+=("no console log to find the stress verdict in")
		else
			line=$(grep -Ea 'hakmem: stress seed=[0-9]+ .*(passed|FAILED)' "$console" || true)
			if grep -q 'FAILED' <<<"$line"; then
				gate_why+=("the stress failed: ${line##*] }")
			elif [ -z "$line" ]; then
				gate_why+=("no 'hakmem: stress seed=S ...: passed' line on the console")
			fi
		fi
	fi

	for re in "$@"; do
		if [ -z "$console" ] || [ ! -r "$console" ]; then
			gate_why+=("no console log to look for /$re/ in")
		elif ! grep -Eqa -- "$re" "$console"; then
			gate_why+=("the console lacks /$re/: the boot did not run as asked")
		fi
	done

	if [ ${#gate_why[@]} = 0 ]; then
		gate_ok=1
		return 0
	fi
	gate_ok=0
	return 1
}

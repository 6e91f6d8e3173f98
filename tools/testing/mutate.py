#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make mutate: how strong are the userspace tests?

Each mutant of mutants.py (a plausible real bug) is applied to a copy of
the allocator's sources, and the userspace suites run against it: the
unit tests plain, then under ASan+UBSan, then the TSan stress (short), the
first failure killing the mutant.  Prints one line per mutant, then
"mutants: K killed, S survived of N"; the exit status is 0 only if every
mutant was killed.  A search string that is not found exactly once, a
mutant that does not build, or unmutated sources that fail the suites
fail the run as errors.

  tools/testing/mutate.py [-j N] [-v] [--list] [--check] [NAME...]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True		# no __pycache__ in the tree
from mutants import MUTANTS  # noqa: E402

WORK = os.path.join(HERE, "build", "mutate")
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)
# Each suite: the binary to build, the environment to run it in.
SUITES = [
    ("unit", "plain/unit", {}),
    ("asan", "asan/unit", {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1",
                           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}),
    ("tsan", "tsan/stress", {"TSAN_OPTIONS": "halt_on_error=1 second_deadlock_stack=1 "
                             "suppressions=" + os.path.join(HERE, "tsan.supp"),
                             "HK_STRESS_MS": "300"}),
]
# A hang kills a mutant: a test child is killed after this many seconds.
TEST_TIMEOUT = 20
SUITE_TIMEOUT = 180


class MutateError(Exception):
    pass


def sources():
    """The allocator's sources: what a mutant may change."""
    return sorted(f for f in os.listdir(TOP)
                  if f.startswith("hakmem") and f.endswith((".c", ".h")))


def apply(text, name, path, search, repl):
    if search == repl:
        raise MutateError("mutant %s changes nothing" % name)
    n = text.count(search)
    if n != 1:
        raise MutateError("mutant %s: search string found %d times in %s (must be once): %r"
                          % (name, n, path, search))
    return text.replace(search, repl)


def copy_sources(dst):
    os.makedirs(dst, exist_ok=True)
    for f in sources():
        shutil.copy2(os.path.join(TOP, f), os.path.join(dst, f))


def make(src, build, target, log):
    cmd = ["make", "-s", "-C", HERE, "TOP=" + src, "B=" + build, os.path.join(build, target)]
    # Not the flags of a make that may have started us (its jobserver is not ours).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    with open(log, "ab") as out:
        return subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, env=env) == 0


def run_suite(build, suite, log):
    """Run one suite; return None if it passed, else why it failed."""
    name, binary, env = suite
    e = dict(os.environ, HK_TEST_TIMEOUT=str(TEST_TIMEOUT), **env)
    try:
        p = subprocess.run([os.path.join(build, binary)], env=e, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=SUITE_TIMEOUT)
        out, rc = p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as t:
        out, rc = (t.stdout or b"").decode(errors="replace"), "timeout"
    with open(log, "a") as f:
        f.write("== %s (rc %s)\n%s\n" % (name, rc, out))
    summary = SUMMARY.findall(out)
    if rc == 0 and summary and summary[-1][1] == "0":
        return None
    first = re.search(r"^FAIL (\S+)", out, re.M)
    return "%s:%s" % (name, first.group(1) if first else "rc %s" % rc)


def judge(src, build, log):
    """Build and run the suites in turn; return the first failure or None."""
    for suite in SUITES:
        if not make(src, build, suite[1], log):
            raise MutateError("does not build, see " + log)
        why = run_suite(build, suite, log)
        if why:
            return why
    return None


def baseline(verbose):
    """The harness's own build of the real sources, brought up to date: the
    mutants start from its objects.  The suites must pass on it."""
    build = os.path.join(HERE, "build")
    log = os.path.join(WORK, "baseline.log")
    why = judge(TOP, build, log)
    if why:
        raise MutateError("the unmutated sources fail (%s, see %s): fix them first" % (why, log))
    if verbose:
        print("baseline: every suite passes (%s)" % log)
    return build


def run_mutant(base, m):
    name, path, search, repl, _ = m
    d = os.path.join(WORK, name)
    src, build = os.path.join(d, "src"), os.path.join(d, "build")
    shutil.rmtree(d, ignore_errors=True)
    copy_sources(src)
    # The baseline's objects, timestamps kept (the sources' too): only what
    # the mutant touches rebuilds.
    for suite in SUITES:
        variant = os.path.dirname(suite[1])
        shutil.copytree(os.path.join(base, variant), os.path.join(build, variant),
                        symlinks=True)
    f = os.path.join(src, path)
    with open(f) as fh:
        text = apply(fh.read(), name, path, search, repl)
    with open(f, "w") as fh:
        fh.write(text)
    t0 = time.time()
    try:
        why = judge(src, build, os.path.join(d, "log"))
    except MutateError as e:
        return name, "error", "mutant %s: %s" % (name, e), time.time() - t0
    if why:
        shutil.rmtree(d, ignore_errors=True)
        return name, "killed", why, time.time() - t0
    return name, "survived", "see " + os.path.join(d, "log"), time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-j", type=int, default=2, help="mutants in parallel (default 2)")
    ap.add_argument("-v", action="store_true", help="say more")
    ap.add_argument("--list", action="store_true", help="list the mutants")
    ap.add_argument("--check", action="store_true",
                    help="only check that every mutant applies")
    ap.add_argument("names", nargs="*", help="run only these mutants")
    args = ap.parse_args()
    t0 = time.time()

    if args.list:
        for m in MUTANTS:
            print("%-40s %-20s %s" % (m[0], m[1], m[4]))
        return 0
    names = [m[0] for m in MUTANTS]
    dup = {n for n in names if names.count(n) > 1}
    unknown = set(args.names) - set(names)
    if dup or unknown:
        print("mutate: FAIL: %s mutant names: %s" % ("duplicate" if dup else "unknown",
                                                      " ".join(sorted(dup or unknown))))
        return 2
    todo = [m for m in MUTANTS if not args.names or m[0] in args.names]
    errors = []
    for name, path, search, repl, _ in todo:
        try:
            with open(os.path.join(TOP, path)) as fh:
                apply(fh.read(), name, path, search, repl)
        except (MutateError, OSError) as e:
            errors.append(str(e))
    if errors:
        for e in errors:
            print("mutate: FAIL: " + e)
        return 2
    if args.check:
        print("mutate: all %d mutants apply" % len(todo))
        return 0

    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    try:
        base = baseline(args.v)
    except MutateError as e:
        print("mutate: FAIL: " + str(e))
        return 2
    killed = survived = 0
    args.j = max(1, min(args.j, 2))	# the machine is shared: two at most
    with ThreadPoolExecutor(max_workers=args.j) as pool:
        for name, verdict, why, secs in pool.map(lambda m: run_mutant(base, m), todo):
            if verdict == "killed":
                killed += 1
                print("killed    %-40s by %s%s" % (name, why, " (%.0fs)" % secs if args.v else ""))
            elif verdict == "survived":
                survived += 1
                desc = next(m[4] for m in todo if m[0] == name)
                print("SURVIVED  %-40s %s: %s" % (name, desc, why))
            else:
                errors.append(why)
                print("ERROR     " + why)
    print("mutate: %d s, %d mutant(s) at a time" % (time.time() - t0, args.j))
    print("mutants: %d killed, %d survived of %d" % (killed, survived, len(todo)))
    if errors:
        print("mutate: FAIL: %d mutant(s) could not be judged" % len(errors))
        return 2
    return 0 if survived == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

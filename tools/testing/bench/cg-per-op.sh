#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cg-per-op.sh BINARY N DIVISOR...: run BINARY N under callgrind and print,
# per label L of its CALLGRIND_DUMP_STATS_AT("L-N") / ("L-2N") pairs,
# (Ir(2N) - Ir(N)) / (N * DIVISOR), DIVISOR given per label as L=D.
set -e
bin=$1 n=$2
shift 2
dir=$(mktemp -d)
valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" "$bin" "$n" >/dev/null 2>"$dir/log"
python3 - "$dir" "$n" "$@" <<'PY'
import glob, os, re, sys
d, n = sys.argv[1], int(sys.argv[2])
div = dict(a.split("=") for a in sys.argv[3:])
ir = {}
for f in glob.glob(os.path.join(d, "cg.out*")):
    lab = tot = None
    for l in open(f, errors="replace"):
        m = re.match(r"desc: Trigger: Client Request: (\S+)", l)
        if m: lab = m.group(1)
        m = re.match(r"summary: (\d+)", l)
        if m: tot = int(m.group(1))
    if lab and tot is not None: ir[lab] = tot
for lab in sorted({k.rsplit("-", 1)[0] for k in ir}):
    num, per = div.get(lab, "1").split("/") if "/" in div.get(lab, "1") else (div.get(lab, "1"), "1")
    if lab + "-N" in ir and lab + "-2N" in ir:
        print("%-12s %8.1f Ir per op" % (lab, (ir[lab + "-2N"] - ir[lab + "-N"]) / (n * int(num) / int(per))))
PY
rm -rf "$dir"

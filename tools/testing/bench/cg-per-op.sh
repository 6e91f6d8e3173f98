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
PYTHONPATH="$(cd "$(dirname "$0")" && pwd)" PYTHONDONTWRITEBYTECODE=1 python3 - "$dir" "$n" "$@" <<'PY'
import sys
from cg_dumps import per_iteration
d, n = sys.argv[1], int(sys.argv[2])
div = dict(a.split("=") for a in sys.argv[3:])
for lab, ir in per_iteration(d, n).items():
    num, per = div.get(lab, "1").split("/") if "/" in div.get(lab, "1") else (div.get(lab, "1"), "1")
    print("%-12s %8.1f Ir per op" % (lab, ir / (int(num) / int(per))))
PY
rm -rf "$dir"

# SPDX-License-Identifier: GPL-2.0
"""Read the callgrind dumps of the drivers (cg_measure.h): bench-user.sh
and cg-per-op.sh both import this."""
import glob
import os
import re


def dump_irs(d):
    """label -> total Ir, of each callgrind dump (cg.out*) in directory d."""
    ir = {}
    for f in glob.glob(os.path.join(d, "cg.out*")):
        label = tot = None
        for line in open(f, errors="replace"):
            m = re.match(r"desc: Trigger: Client Request: (\S+)", line)
            if m:
                label = m.group(1)
            m = re.match(r"summary: (\d+)", line)
            if m:
                tot = int(m.group(1))
        if label and tot is not None:
            ir[label] = tot
    return ir


def per_iteration(d, n):
    """label L -> (Ir(L-2N) - Ir(L-N)) / n: what n more iterations of
    loop L cost, for each loop with both dumps in directory d."""
    ir = dump_irs(d)
    return {lab: (ir[lab + "-2N"] - ir[lab + "-N"]) / n
            for lab in sorted({k.rsplit("-", 1)[0] for k in ir})
            if lab + "-N" in ir and lab + "-2N" in ir}

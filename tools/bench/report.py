#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py: turn hakmem_bench console logs into the benchmark report.

Usage: report.py --out DIR LABEL:CLOCK:LOG [LABEL:CLOCK:LOG ...]

LABEL names the kernel (perf, stock, ...), CLOCK the QEMU clock the log was
taken under (icount or mttcg).  Every "HAKMEM_BENCH {json}" line of each
log becomes one record.  Writes DIR/latest.json (the records), DIR/latest.md
(a Markdown table: every hakmem/kernel ratio beside its A/A control) and
DIR/latest.png (when matplotlib is there), and prints the table.

Exit status: 0, or 1 when a log holds no record or no end line.
"""

import argparse
import json
import math
import os
import re
import sys

LINE = re.compile(r'HAKMEM_BENCH (\{.*\})\s*$')
END = re.compile(r'HAKMEM_BENCH_END status=(-?\d+)')

# Targets from the project brief: figures to report against, not asserts.
# (pattern, comparison, value, label); the first match wins.
TARGETS = [
    (r'^hot_', '<=', 0.75, 'hot pair <= 0.75'),
    (r'^batch_.*_1000$', '<=', 0.80, 'batch 1000 <= 0.80'),
    (r'^bulk_cache_64$', '<=', 0.90, 'bulk 64 <= 0.90'),
    (r'^cross_', '>=', 1.5, 'throughput >= 1.5x'),
    (r'^larson_', '>=', 1.3, 'throughput >= 1.3x'),
    (r'^mem_live_', '<=', 1.0, 'pages <= 1.0x'),
]
SS_TARGET = 1  # SuperSlabs per node left after free-all + shrink


def parse_log(label, clock, path):
    records, status = [], None
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.search(line)
            if m:
                try:
                    rec = json.loads(m.group(1))
                except json.JSONDecodeError as e:
                    print(f'report: {path}: bad record ({e}): {line[:120]}',
                          file=sys.stderr)
                    continue
                rec['kernel_label'] = label
                rec['clock'] = clock
                records.append(rec)
                continue
            m = END.search(line)
            if m:
                status = int(m.group(1))
    return records, status


def target_of(rec):
    for pat, cmp, val, label in TARGETS:
        if re.search(pat, rec['scenario']):
            return cmp, val, label
    return None


def judge(rec):
    """Return (target label, verdict) for a record."""
    if rec['scenario'].startswith('mem_shrunk'):
        ss = rec.get('hakmem_ss_per_node_max')
        if ss is None:
            return '', ''
        return (f'<= {SS_TARGET} SuperSlab/node',
                f'{"met" if ss <= SS_TARGET else "missed"} ({ss})')
    t = target_of(rec)
    ratio = rec.get('ratio')
    if t is None or ratio is None:
        return '', ''
    cmp, val, label = t
    met = ratio <= val if cmp == '<=' else ratio >= val
    verdict = 'met' if met else 'missed'
    # Inconclusive when the A/A control strays from 1 by more than the
    # ratio's distance from the target.
    aa = rec.get('aa_ratio')
    if aa is not None and abs(aa - 1.0) > abs(ratio - val):
        verdict += ' (within noise)'
    return label, verdict


def record_out(rec):
    """The latest.json record: one per scenario and kernel."""
    out = {
        'kernel': rec['kernel_label'],
        'release': rec.get('release'),
        'clock': rec['clock'],
        'name': rec['scenario'],
        'group': rec.get('group'),
        'unit': rec.get('unit'),
        'better': rec.get('better'),
        'ops': rec.get('ops'),
        'cpus': rec.get('cpus'),
        'reps': rec.get('reps'),
        'hakmem_median': rec['hakmem']['median'],
        'kernel_median': rec['kernel']['median'],
        'ratio': rec.get('ratio'),
        'aa_ratio': rec.get('aa_ratio'),
        'hakmem_min': rec['hakmem']['min'],
        'hakmem_max': rec['hakmem']['max'],
        'kernel_min': rec['kernel']['min'],
        'kernel_max': rec['kernel']['max'],
        'hakmem_stats': rec['hakmem'],
        'kernel_stats': rec['kernel'],
    }
    if 'aa' in rec:
        out['aa_stats'] = rec['aa']
    for k in ('hakmem_ss_per_node_max',):
        if k in rec:
            out[k] = rec[k]
    out['target'], out['verdict'] = judge(rec)
    return out


def fmt(v):
    if v is None:
        return '-'
    if abs(v) >= 1000:
        return f'{v:.0f}'
    if abs(v) >= 100:
        return f'{v:.1f}'
    if abs(v) >= 10:
        return f'{v:.2f}'
    return f'{v:.3f}'


def spread(side):
    return f'{fmt(side["median"])} [{fmt(side["min"])}–{fmt(side["max"])}]'


def markdown(recs):
    lines = [
        '# hakmem-slab benchmarks',
        '',
        'Taken inside an emulated VM (QEMU TCG): **only the ratios mean '
        'anything**, never the absolute figures.  `icount` rows count guest '
        'instructions (deterministic, one vCPU at a time, no caches); '
        '`mttcg` rows run the vCPUs in parallel on the host and are noisy: '
        'read each ratio against its A/A control (the kernel allocator '
        'against itself through the same harness; 1.000 is a noise-free '
        'row).  Times: lower is better; Mops/s: higher is better.  Each '
        'cell: median [min–max] over the repetitions.',
        '',
        '| kernel | clock | scenario | unit | hakmem | kernel | '
        'hakmem/kernel | A/A | target | verdict |',
        '|---|---|---|---|---|---|---:|---:|---|---|',
    ]
    for r in recs:
        lines.append('| ' + ' | '.join([
            f'{r["kernel"]} ({r["release"]})', r['clock'], r['name'],
            r['unit'], spread(r['hakmem_stats']), spread(r['kernel_stats']),
            fmt(r['ratio']), fmt(r['aa_ratio']), r['target'], r['verdict'],
        ]) + ' |')
    return '\n'.join(lines) + '\n'


def plot(recs, path):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        return 'matplotlib missing (apt-get install python3-matplotlib)'

    def advantage(ratio, better):
        # > 1 means hakmem does better, whatever the unit's direction.
        if ratio is None or ratio <= 0:
            return None
        return ratio if better == 'higher' else 1.0 / ratio

    # One panel per clock; in each, one bar per kernel and scenario.  The
    # memory-after-shrink row is a count, not a comparison: left out.
    recs = [r for r in recs if r['ratio'] and
            not r['name'].startswith('mem_shrunk')]
    clocks = sorted({r['clock'] for r in recs})
    kernels = sorted({r['kernel'] for r in recs})
    if not recs:
        return 'no ratios to plot'
    rows = max(len({r['name'] for r in recs if r['clock'] == c})
               for c in clocks)
    fig, axes = plt.subplots(1, len(clocks), squeeze=False,
                             figsize=(6 * len(clocks), 0.42 * rows + 2))
    height = 0.8 / len(kernels)
    ticks = [-2, -1, -0.5, 0, 0.5, 1, 2]
    for ax, clock in zip(axes[0], clocks):
        names = []
        for r in recs:
            if r['clock'] == clock and r['name'] not in names:
                names.append(r['name'])
        for i, k in enumerate(kernels):
            ys, xs, ay, ax_ = [], [], [], []
            for r in recs:
                if r['clock'] != clock or r['kernel'] != k:
                    continue
                y = names.index(r['name']) + i * height
                ys.append(y)
                xs.append(math.log2(advantage(r['ratio'], r['better'])))
                a = advantage(r['aa_ratio'], r['better'])
                if a:
                    ay.append(y)
                    ax_.append(math.log2(a))
            ax.barh(ys, xs, height=height, label=k)
            ax.plot(ax_, ay, 'k|', markersize=8)
        ax.axvline(0, color='black', linewidth=0.8)
        ax.set_yticks([j + 0.4 - height / 2 for j in range(len(names))])
        ax.set_yticklabels(names, fontsize=8)
        ax.set_ylim(len(names) - 0.1, -0.4)
        ax.set_xlim(-2.2, 2.2)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f'{2 ** t:.2g}x' for t in ticks])
        ax.set_title(f'{clock}', fontsize=10)
        ax.legend(fontsize=8, loc='lower right')
    fig.suptitle('hakmem-slab vs the kernel allocator inside QEMU: ratios '
                 'only\n(log scale, >1x: hakmem better; | = A/A control, '
                 'the noise floor)', fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('logs', nargs='+', metavar='LABEL:CLOCK:LOG')
    args = ap.parse_args()

    recs, bad = [], 0
    for spec in args.logs:
        label, clock, path = spec.split(':', 2)
        if not os.path.exists(path):
            print(f'report: {path}: missing', file=sys.stderr)
            bad = 1
            continue
        got, status = parse_log(label, clock, path)
        if not got or status != 0:
            print(f'report: {path}: {len(got)} records, end status '
                  f'{status}', file=sys.stderr)
            bad = 1
        recs += [record_out(r) for r in got]

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'latest.json'), 'w') as f:
        json.dump(recs, f, indent=1)
        f.write('\n')
    md = markdown(recs)
    with open(os.path.join(args.out, 'latest.md'), 'w') as f:
        f.write(md)
    why = plot(recs, os.path.join(args.out, 'latest.png'))
    print(md)
    if why:
        print(f'report: no plot: {why}', file=sys.stderr)
    print(f'report: {len(recs)} records in {args.out}/latest.json, '
          f'latest.md' + ('' if why else ', latest.png'))
    return bad


if __name__ == '__main__':
    sys.exit(main())

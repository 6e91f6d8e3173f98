#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py: turn hakmem_bench console logs into the benchmark report.

Usage: report.py --out DIR LABEL:CLOCK:LOG [LABEL:CLOCK:LOG ...]

LABEL names the kernel (perf, stock, ...), CLOCK the QEMU clock the log was
taken under (icount, icount2 or mttcg).  A CLOCK with a suffix (icount2.2)
is a repeated boot: its records are compared with the first boot's (the
"repeat" member and the repeatability table), not listed again.  Every
"HAKMEM_BENCH {json}" line of each log becomes one record.  Writes
DIR/latest.json (the records), DIR/latest.md (Markdown tables: every
hakmem/kernel ratio beside its A/A control, instructions net of the empty
loop, repeatability) and DIR/latest.png, and prints the tables.

Adding a row: the module prints it (hbench_emit(): "hakmem", "kernel",
"aa" and any more members); it is listed as it comes, any member this
script does not know is kept in latest.json as is, and a target for it is
one more line in TARGETS.

Exit status: 0, or 1 when a log holds no record or no end line, or the
plot could not be drawn (--no-plot: not drawn, not asked for).
"""

import argparse
import json
import math
import os
import re
import sys

LINE = re.compile(r'HAKMEM_BENCH (\{.*\})\s*$')
END = re.compile(r'HAKMEM_BENCH_END status=(-?\d+)')

# Targets from the issues (performance round 2): figures to report
# against, not asserts.  (pattern, comparison, value, label); the first
# match wins.
TARGETS = [
    (r'^hot_', '<=', 0.50, 'hot pair <= 0.50'),
    (r'^batch_.*_1000$', '<=', 0.60, 'batch 1000 <= 0.60'),
    (r'^bulk_cache_64$', '<=', 0.50, 'bulk 64 <= 0.50'),
    (r'^cross_', '>=', 1.5, 'throughput >= 1.5x'),
    (r'^larson_', '>=', 1.3, 'throughput >= 1.3x'),
    (r'^mem_live_', '<=', 1.0, 'pages <= 1.0x'),
    (r'^replay_(tiny|cache)$', '<=', 0.70, 'replay <= 0.70'),
    (r'^replay_mem_', '<=', 0.95, 'peak pages <= 0.95x'),
]
SS_TARGET = 1  # SuperSlabs per node left after free-all + shrink

# Net instructions per alloc+free pair (icount rows with an "empty" loop).
# NET_FLOOR: the floor argued for in Documentation/benchmarks.rst ("What
# a pair cannot cost less than"); hakmem's net hot pair is to be within
# NET_FLOOR_FACTOR of it, and at most NET_RATIO_TARGET of the kernel's.
NET_FLOOR = 56
NET_FLOOR_FACTOR = 2.0
NET_RATIO_TARGET = 0.50

# Record members this script reads; any other is kept in latest.json as is.
KNOWN = {'v', 'release', 'scenario', 'group', 'unit', 'better', 'ops',
         'cpus', 'reps', 'hakmem', 'kernel', 'aa', 'ratio', 'aa_ratio',
         'empty', 'kernel_label', 'clock'}


WASTE = re.compile(r'HAKMEM_REPLAY_WASTE (\{.*\})\s*$')
PROFILE = re.compile(r'HAKMEM_REPLAY_PROFILE (\{.*\})\s*$')


def parse_tagged(tag, label, path):
    """The JSON records that follow TAG in a log (LINE: the benchmark's
    rows; WASTE, PROFILE: the trace replay's size-class tables and
    per-size profiles, hbench_replay.c), each given the kernel's label."""
    out = []
    with open(path, errors='replace') as f:
        for line in f:
            m = tag.search(line)
            if m:
                try:
                    rec = json.loads(m.group(1))
                except json.JSONDecodeError as e:
                    print(f'report: {path}: bad record ({e}): {line[:120]}',
                          file=sys.stderr)
                    continue
                rec['kernel_label'] = label
                out.append(rec)
    return out


def parse_log(label, clock, path):
    """The benchmark's rows of a log, and the status of its end line."""
    records, status = parse_tagged(LINE, label, path), None
    for rec in records:
        rec['clock'] = clock
    with open(path, errors='replace') as f:
        for line in f:
            m = END.search(line)
            if m:
                status = int(m.group(1))
    return records, status


def profile_markdown(profiles):
    """Per kernel: instructions per alloc and free, per size, both sides."""
    by_kernel = {}
    for p in profiles:
        by_kernel.setdefault(p['kernel_label'], {})[p['side']] = p
    lines = []
    for k, sides in by_kernel.items():
        if 'hakmem' not in sides or 'kernel' not in sides:
            continue
        lines += ['', f'## Trace replay, {k}: where the time goes (tiny face)',
                  '', 'Each op timed alone, the clock\'s own cost taken off '
                  '(instructions under icount); "total" is the bucket\'s share '
                  'of the whole replay.', '',
                  '| size | allocs | hakmem | kernel | frees | hakmem | '
                  'kernel | total hakmem | total kernel |',
                  '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
        h, kk = sides['hakmem']['buckets'], sides['kernel']['buckets']
        for hb, kb in zip(h, kk):
            size, an, ans, fn, fns = hb
            lines.append(
                f'| {"> 1024" if size == 0 else f"<= {size}"} | {an} | '
                f'{ans / max(an, 1):.0f} | {kb[2] / max(kb[1], 1):.0f} | '
                f'{fn} | {fns / max(fn, 1):.0f} | '
                f'{kb[4] / max(kb[3], 1):.0f} | {ans + fns} | '
                f'{kb[2] + kb[4]} |')
        lines.append('')
    return '\n'.join(lines) + '\n' if lines else ''


def waste_markdown(tables, top=12):
    """Per kernel and replay row: the size classes that waste the most."""
    if not tables:
        return ''
    lines = ['', '## Trace replay: live objects per size class at the peak',
             '',
             'What each side hands out for the objects live at the trace\'s '
             'peak of live bytes, and what the rounding to its size classes '
             f'wastes (the {top} classes that waste most, per side).', '']
    for t in tables:
        asked, given = t['asked'], t['given']
        lines += [f'### {t["kernel_label"]}, {t["scenario"]}, {t["side"]}: '
                  f'{asked} B asked, {given} B given, '
                  f'{100.0 * (given - asked) / max(given, 1):.1f} % wasted',
                  '', '| class (B) | live | asked (B) | wasted (B) | waste |',
                  '|---:|---:|---:|---:|---:|']
        rows = sorted(t['classes'], key=lambda c: c[0] * c[1] - c[2],
                      reverse=True)
        for size, live, req in rows[:top]:
            g = size * live
            lines.append(f'| {size} | {live} | {req} | {g - req} | '
                         f'{100.0 * (g - req) / max(g, 1):.1f} % |')
        lines.append('')
    return '\n'.join(lines) + '\n'


def target_of(rec):
    for pat, cmp, val, label in TARGETS:
        if re.search(pat, rec['scenario']):
            return cmp, val, label
    return None


def ratio_spread(num, den):
    """Per-repetition ratios num[i] / den[i] (the slots run interleaved, so
    repetition i of each slot ran side by side): (min, max), or None."""
    a, b = num.get('samples') or [], den.get('samples') or []
    rs = [x / y for x, y in zip(a, b) if y]
    if not rs:
        return None
    return min(rs), max(rs)


def judge(rec):
    """Return (target label, verdict) for a record.

    A verdict is given only where the row's hakmem/kernel ratios, one per
    repetition, stay clear of the A/A control's (the kernel against
    itself): where the two ranges overlap, the difference is not told
    apart from the noise, whatever the medians say."""
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
    rs = ratio_spread(rec['hakmem'], rec['kernel'])
    aas = ratio_spread(rec['aa'], rec['kernel']) if 'aa' in rec else None
    if rs and aas and rs[0] <= aas[1] and aas[0] <= rs[1]:
        return label, 'none: spread within A/A\'s'
    met = ratio <= val if cmp == '<=' else ratio >= val
    verdict = 'met' if met else 'missed'
    if rs and rs[0] < val < rs[1]:
        verdict += ' (median; spread straddles it)'
    return label, verdict


def net_of(rec):
    """Instructions (icount: ns) per object net of the empty loop."""
    e = rec.get('empty')
    if not e:
        return None
    h = rec['hakmem']['median'] - e['median']
    k = rec['kernel']['median'] - e['median']
    return {'loop': e['median'], 'hakmem': round(h, 3), 'kernel': round(k, 3),
            'ratio': round(h / k, 3) if k > 0 else None}


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
    rs = ratio_spread(rec['hakmem'], rec['kernel'])
    aas = ratio_spread(rec['aa'], rec['kernel']) if 'aa' in rec else None
    out['ratio_range'] = [round(x, 4) for x in rs] if rs else None
    out['aa_range'] = [round(x, 4) for x in aas] if aas else None
    net = net_of(rec)
    if net:
        out['empty_stats'] = rec['empty']
        out['net'] = net
    for k in rec:
        if k not in KNOWN:
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


def ratio_cell(median, rng):
    if rng is None:
        return fmt(median)
    # Truncated to thousandths, as the module truncates its ratios.
    lo, hi = (math.floor(x * 1000) / 1000 for x in rng)
    return f'{fmt(median)} [{fmt(lo)}–{fmt(hi)}]'


def net_table(recs):
    """Instructions per object net of the empty loop: icount rows only,
    where guest nanoseconds are instructions."""
    rows = [r for r in recs if r.get('net') and r['clock'].startswith('icount')]
    if not rows:
        return []
    lines = [
        '',
        '## Instructions per alloc+free pair, net of the loop (icount)',
        '',
        'The same loop with no allocator call ("empty") is timed in each '
        'row, interleaved with the others; under icount one guest ns is one '
        'instruction.  net = side - empty.  Targets: hakmem\'s net hot pair '
        f'at most {NET_RATIO_TARGET:.2f} of the kernel\'s, and within '
        f'{NET_FLOOR_FACTOR:g}x of the floor of {NET_FLOOR} instructions '
        'argued in Documentation/benchmarks.rst.',
        '',
        '| kernel | scenario | empty loop | hakmem | kernel | hakmem net | '
        'kernel net | net ratio | A/A | verdict |',
        '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ]
    for r in rows:
        n = r['net']
        verdict = ''
        if r['name'].startswith('hot_') and n['ratio'] is not None:
            a = 'met' if n['ratio'] <= NET_RATIO_TARGET else 'missed'
            b = ('met' if n['hakmem'] <= NET_FLOOR_FACTOR * NET_FLOOR
                 else 'missed')
            verdict = (f'net ratio <= {NET_RATIO_TARGET:.2f}: {a}; '
                       f'<= {NET_FLOOR_FACTOR:g}x floor: {b} '
                       f'({n["hakmem"] / NET_FLOOR:.2f}x)')
        lines.append('| ' + ' | '.join([
            r['kernel'], r['name'], fmt(n['loop']),
            fmt(r['hakmem_median']), fmt(r['kernel_median']),
            fmt(n['hakmem']), fmt(n['kernel']), fmt(n['ratio']),
            fmt(r['aa_ratio']), verdict]) + ' |')
    return lines


def repeat_table(recs):
    """Rows booted more than once (CLOCK.N): how far the runs differ."""
    rows = [r for r in recs if r.get('repeat')]
    if not rows:
        return []
    lines = [
        '',
        '## Repeatability (the same boot, run again)',
        '',
        '| kernel | clock | scenario | runs | hakmem medians | kernel '
        'medians | largest difference |',
        '|---|---|---|---:|---|---|---:|',
    ]
    for r in rows:
        p = r['repeat']
        lines.append('| ' + ' | '.join([
            r['kernel'], r['clock'], r['name'], str(p['runs']),
            ' / '.join(fmt(x) for x in p['hakmem_medians']),
            ' / '.join(fmt(x) for x in p['kernel_medians']),
            f'{100 * p["max_rel_diff"]:.3f} %']) + ' |')
    return lines


def fold_repeats(recs):
    """Keep each (kernel, clock, scenario) once, the first boot's record,
    with a "repeat" member when more boots ran it."""
    first, out = {}, []
    for r in recs:
        base = r['clock'].split('.')[0]
        key = (r['kernel'], base, r['name'])
        if key not in first:
            r['clock'] = base
            first[key] = r
            out.append(r)
            continue
        f = first[key]
        p = f.setdefault('repeat', {'runs': 1,
                                    'hakmem_medians': [f['hakmem_median']],
                                    'kernel_medians': [f['kernel_median']]})
        p['runs'] += 1
        p['hakmem_medians'].append(r['hakmem_median'])
        p['kernel_medians'].append(r['kernel_median'])
        diffs = [abs(x - xs[0]) / xs[0]
                 for xs in (p['hakmem_medians'], p['kernel_medians'])
                 for x in xs if xs[0]]
        p['max_rel_diff'] = max(diffs) if diffs else 0.0
    return out


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
        'row).  `icount2` rows run on 2 vCPUs taking turns, each sample '
        'counting the instructions of the work alone.  Times: lower is '
        'better; Mops/s: higher is better.  Each cell: median [min–max] '
        'over the repetitions; the ratios\' ranges are per repetition.  A '
        'verdict is given only where the ratio\'s range stays clear of the '
        'A/A\'s.',
        '',
        '| kernel | clock | scenario | unit | hakmem | kernel | '
        'hakmem/kernel | A/A | target | verdict |',
        '|---|---|---|---|---|---|---:|---:|---|---|',
    ]
    for r in recs:
        lines.append('| ' + ' | '.join([
            f'{r["kernel"]} ({r["release"]})', r['clock'], r['name'],
            r['unit'], spread(r['hakmem_stats']), spread(r['kernel_stats']),
            ratio_cell(r['ratio'], r.get('ratio_range')),
            ratio_cell(r['aa_ratio'], r.get('aa_range')),
            r['target'], r['verdict'],
        ]) + ' |')
    lines += net_table(recs)
    lines += repeat_table(recs)
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
                # The ranges over the repetitions: ratio grey, A/A black.
                for rng, style, dy in ((r.get('ratio_range'), 'grey', -0.2),
                                       (r.get('aa_range'), 'black', 0.2)):
                    lo = rng and advantage(rng[0], r['better'])
                    hi = rng and advantage(rng[1], r['better'])
                    if lo and hi:
                        ax.plot([math.log2(lo), math.log2(hi)],
                                [y + dy * height] * 2, color=style,
                                linewidth=1)
            if not ys:
                continue
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
                 'the noise floor; lines: ranges over the repetitions, '
                 'grey the ratio\'s, black the A/A\'s)', fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--no-plot', action='store_true',
                    help='write no latest.png (and do not fail for it)')
    ap.add_argument('logs', nargs='+', metavar='LABEL:CLOCK:LOG')
    args = ap.parse_args()

    recs, waste, profiles, bad = [], [], [], 0
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
        waste += parse_tagged(WASTE, label, path)
        profiles += parse_tagged(PROFILE, label, path)
    recs = fold_repeats(recs)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'latest.json'), 'w') as f:
        json.dump(recs, f, indent=1)
        f.write('\n')
    md = markdown(recs) + waste_markdown(waste) + profile_markdown(profiles)
    with open(os.path.join(args.out, 'replay-waste.json'), 'w') as f:
        json.dump({'waste': waste, 'profile': profiles}, f, indent=1)
        f.write('\n')
    with open(os.path.join(args.out, 'latest.md'), 'w') as f:
        f.write(md)
    why = None if args.no_plot else plot(recs, os.path.join(args.out,
                                                              'latest.png'))
    print(md)
    if why:
        print(f'report: FAILED: no plot: {why}', file=sys.stderr)
        bad = 1
    print(f'report: {len(recs)} records in {args.out}/latest.json, '
          f'latest.md' + ('' if why or args.no_plot else ', latest.png'))
    return bad


if __name__ == '__main__':
    sys.exit(main())

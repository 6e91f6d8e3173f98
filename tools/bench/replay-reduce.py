#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""replay-reduce.py: reduce a kmem trace to the op list hbench_replay.c replays.

Usage: replay-reduce.py [--out DIR] [--kernel TEXT] TRACE
       replay-reduce.py --dump DIR

TRACE is the text of tracefs' "trace" file with the kmem:kmalloc,
kmem:kfree, kmem:kmem_cache_alloc and kmem:kmem_cache_free events
(tools/bench/record-trace.sh records it).  Every allocation gets an id, in
the order of the trace; a free names the id of the object it frees, so the
op list holds no pointer.  Dropped: frees of objects allocated before the
tracing began (their pointer was never seen), failed and zero-size
allocations (NULL, ZERO_SIZE_PTR).  An allocation that returns a pointer
still live in the trace ends the older object first: it was freed by a
path with no event (kmem_cache_free_bulk(), kfree_bulk() from kfree_rcu()),
and the op list says so with a free marked "untraced".

Allocations whose call site matches --drop (by default the trace ring
buffer's own pages, allocated because the trace was asked for) are left
out with their frees.

Writes DIR/ops.bin.gz, DIR/sites.txt and DIR/README.  ops.bin (little
endian) is a header of eight u32 (magic "HKRP", version, ops, allocations,
call sites, CPUs, 0, 0), then one pair of u32 per op:

  allocation:  w0 = site | cpu << 24,          w1 = size asked (bytes_req)
  free:        w0 = 1 << 31 | cpu << 24 | u,   w1 = id of the allocation

where u is 1 for a free with no event (see above).  The id of an
allocation is its rank among the allocations, from 0.  sites.txt names
each site: its index, the event (kmalloc or cache), the allocations, the
largest size asked and given, the cache (from the free events of its
objects; "-" for kmalloc) and the call site as %pS printed it.

--dump DIR prints an op list back as text, one op a line.
"""

import argparse
import collections
import gzip
import os
import re
import struct
import sys

VERSION = 1
MAGIC = 0x50524B48  # "HKRP" little endian
FREE = 1 << 31
UNTRACED = 1
EVENT = re.compile(r'\[(\d+)\]\s+\S+\s+[\d.]+:\s+(kmalloc|kfree|kmem_cache_alloc|kmem_cache_free):\s+(.*)$')
FIELD = re.compile(r'(\w+)=(\S+)')
# What the tracing itself allocates: the ring buffer's pages and the event
# descriptors.  Not the kernel's work, and the recording's size decides it.
DROP = r'^(__rb_allocate_pages|rb_allocate_cpu_buffer|__ring_buffer_alloc|ring_buffer_alloc|allocate_probes|__trace_define_field|trace_define_field)\+'


def reduce(path, drop):
    sites = {}          # call site -> index
    site_info = []      # [kind, allocs, max_req, max_alloc, cache, name]
    live = {}           # pointer -> (id, site)
    dropped = set()     # pointers of live objects left out (--drop)
    drop = re.compile(drop) if drop else None
    ops = []
    nr_allocs = 0
    cpus = 0
    stats = collections.Counter()
    with open(path, errors='replace') as f:
        for line in f:
            m = EVENT.search(line)
            if not m:
                continue
            cpu, ev, rest = int(m.group(1)), m.group(2), m.group(3)
            fl = dict(FIELD.findall(rest))
            ptr = fl.get('ptr', '')
            cpus = max(cpus, cpu + 1)
            stats['event ' + ev] += 1
            if ev in ('kmalloc', 'kmem_cache_alloc'):
                req, got = int(fl['bytes_req']), int(fl['bytes_alloc'])
                if req == 0 or got == 0 or ptr in ('', '(null)') or \
                        int(ptr, 16) == 0:
                    stats['dropped: failed or zero-size allocation'] += 1
                    continue
                if ptr in live:
                    ops.append((FREE | cpu << 24 | UNTRACED, live.pop(ptr)[0]))
                    stats['untraced frees (pointer handed out again)'] += 1
                dropped.discard(ptr)
                cs = fl['call_site']
                if drop and drop.search(cs):
                    dropped.add(ptr)
                    stats['dropped: allocation by the tracing itself (--drop)'] += 1
                    continue
                key = (ev, cs)
                if key not in sites:
                    sites[key] = len(site_info)
                    site_info.append(['kmalloc' if ev == 'kmalloc' else 'cache',
                                      0, 0, 0, '-', cs])
                s = sites[key]
                si = site_info[s]
                si[1] += 1
                si[2] = max(si[2], req)
                si[3] = max(si[3], got)
                live[ptr] = (nr_allocs, s)
                ops.append((s | cpu << 24, req))
                nr_allocs += 1
            else:
                if ptr in dropped:
                    dropped.discard(ptr)
                    continue
                if ptr not in live:
                    stats['dropped: free of an object from before the trace (or NULL)'] += 1
                    continue
                oid, s = live.pop(ptr)
                if ev == 'kmem_cache_free' and site_info[s][4] == '-':
                    site_info[s][4] = fl.get('name', '-')
                ops.append((FREE | cpu << 24, oid))
    stats['live at the end of the trace'] = len(live)
    return ops, nr_allocs, site_info, cpus, stats


def write(out, kernel, trace, drop, ops, nr_allocs, site_info, cpus, stats):
    os.makedirs(out, exist_ok=True)
    head = struct.pack('<8I', MAGIC, VERSION, len(ops), nr_allocs,
                       len(site_info), cpus, 0, 0)
    body = struct.pack(f'<{2 * len(ops)}I', *[w for op in ops for w in op])
    # mtime=0: the same trace gives the same bytes.
    with open(os.path.join(out, 'ops.bin.gz'), 'wb') as raw:
        with gzip.GzipFile(filename='ops.bin', mode='wb', fileobj=raw,
                           mtime=0, compresslevel=9) as f:
            f.write(head + body)
    with open(os.path.join(out, 'sites.txt'), 'w') as f:
        f.write('# index event allocations max_req max_alloc cache call_site\n')
        for i, (kind, n, req, got, cache, name) in enumerate(site_info):
            f.write(f'{i} {kind} {n} {req} {got} {cache} {name}\n')
    frees = sum(1 for w0, _ in ops if w0 & FREE)
    with open(os.path.join(out, 'README'), 'w') as f:
        f.write('A kernel slab trace reduced for the replay benchmark\n'
                '(Documentation/benchmarks.rst, "Trace replay").\n\n'
                f'recorded by:  tools/bench/record-trace.sh\n'
                f'reduced by:   tools/bench/replay-reduce.py, format version {VERSION}\n'
                f'kernel:       {kernel}\n'
                f'trace:        {os.path.basename(trace)}, {cpus} CPUs\n'
                f'ops:          {len(ops)} ({nr_allocs} allocations, {frees} frees)\n'
                f'call sites:   {len(site_info)}\n'
                f'left out:     call sites matching {drop}\n\n')
        for k in sorted(stats):
            f.write(f'{k}: {stats[k]}\n')


def dump(d):
    with gzip.open(os.path.join(d, 'ops.bin.gz'), 'rb') as f:
        data = f.read()
    magic, ver, nr, nallocs, nsites, cpus, _, _ = struct.unpack_from('<8I', data)
    if magic != MAGIC or ver != VERSION:
        sys.exit(f'replay-reduce: {d}/ops.bin.gz: not an op list of version {VERSION}')
    print(f'# {nr} ops, {nallocs} allocations, {nsites} sites, {cpus} CPUs')
    nid = 0
    for i in range(nr):
        w0, w1 = struct.unpack_from('<2I', data, 32 + 8 * i)
        cpu = (w0 >> 24) & 0x7f
        if w0 & FREE:
            print(f'free {w1} cpu {cpu}' + (' untraced' if w0 & UNTRACED else ''))
        else:
            print(f'alloc {nid} size {w1} site {w0 & 0xffffff} cpu {cpu}')
            nid += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), 'replay'))
    ap.add_argument('--kernel', default='unknown')
    ap.add_argument('--dump', metavar='DIR')
    ap.add_argument('--drop', default=DROP, metavar='REGEX',
                    help='leave out allocations at call sites matching REGEX '
                    '("" keeps all)')
    ap.add_argument('trace', nargs='?')
    a = ap.parse_args()
    if a.dump:
        dump(a.dump)
        return
    if not a.trace:
        ap.error('a trace file is needed')
    ops, nr_allocs, site_info, cpus, stats = reduce(a.trace, a.drop)
    if not ops:
        sys.exit(f'replay-reduce: {a.trace}: no kmem event')
    write(a.out, a.kernel, a.trace, a.drop, ops, nr_allocs, site_info, cpus, stats)
    print(f'replay-reduce: {len(ops)} ops, {nr_allocs} allocations, '
          f'{len(site_info)} sites -> {a.out}')
    for k in sorted(stats):
        print(f'replay-reduce: {k}: {stats[k]}')


if __name__ == '__main__':
    main()

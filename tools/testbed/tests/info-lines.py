#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""info-lines.py: does scan-console's list of hakmem's informational lines
(HAKMEM_INFO) still agree with the sources?

Every pr_info() of hakmem.ko (the *.c files at the top of the tree) must be
recognised as informational, every pr_err/pr_warn/WARN message as an error,
and every entry of the list must still stand for some pr_info().  A line is
made from each format (numbers for %d, a word for %s, ...) and given to
the scanner's own regexes.  Prints one line per problem; exit 1 on any.
"""

import importlib.machinery
import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, '../../..'))

loader = importlib.machinery.SourceFileLoader(
    'scan_console', os.path.join(HERE, '../scan-console'))
spec = importlib.util.spec_from_loader('scan_console', loader)
sc = importlib.util.module_from_spec(spec)
loader.exec_module(sc)

CALL = re.compile(r'\b(pr_(?:info|notice|warn|err|crit|alert|emerg)'
                  r'(?:_once|_ratelimited)?|WARN(?:_ONCE)?)\s*\(')
STRING = re.compile(r'\s*"((?:[^"\\]|\\.)*)"')
# One conversion of printk's format: flags, width, precision, length, and
# the kernel's %p extensions (letters after the p).
CONV = re.compile(r'%([-#0 +]*)(\*|\d+)?(\.\d+)?(hh|h|ll|l|z|t)?([diouxXcsp%])([A-Za-z]*)')


def sample(fmt):
    """A line printk could print for this format."""
    def one(m):
        conv, ext = m.group(5), m.group(6)
        if conv == '%':
            return '%' + ext
        if conv == 's':
            return 'x' + ext
        if conv == 'c':
            return 'c' + ext
        if conv == 'p':
            if ext.startswith('h'):
                return '00 01 02 03' + ext[1:]
            if ext.startswith('G'):
                return 'GFP_KERNEL' + ext[2:]
            if ext[:1] in ('S', 's', 'B'):
                return 'hakmem_cache_free+0x10/0x20 [hakmem]' + ext[1:]
            return 'ffff888003a1c040' + ext
        if conv in 'xX':
            return ('0x1' if '#' in m.group(1) else '1') + ext
        return '1' + ext
    return CONV.sub(one, fmt)


def messages(path):
    """(kind, format) of each message in a C file, the strings joined."""
    src = open(path).read()
    for m in CALL.finditer(src):
        kind, pos = m.group(1), m.end()
        if kind.startswith('WARN'):
            # WARN(cond, fmt, ...): the format follows the first comma at
            # depth 0.
            depth = 0
            while pos < len(src):
                c = src[pos]
                if c in '([{':
                    depth += 1
                elif c in ')]}':
                    if depth == 0:
                        break
                    depth -= 1
                elif c == ',' and depth == 0:
                    pos += 1
                    break
                pos += 1
        parts = []
        while True:
            s = STRING.match(src, pos)
            if not s:
                break
            parts.append(s.group(1))
            pos = s.end()
        if not parts:
            continue            # a macro passing its format on: not a message
        fmt = bytes(''.join(parts), 'utf-8').decode('unicode_escape')
        yield kind, fmt.rstrip('\n'), src.count('\n', 0, m.start()) + 1


def main():
    problems = 0
    used = set()
    files = sorted(f for f in os.listdir(TOP) if f.endswith('.c'))
    for f in files:
        for kind, fmt, line in messages(os.path.join(TOP, f)):
            text = sample(fmt)
            if kind.startswith('WARN'):
                # WARN's message is printed as given: hakmem's carry the
                # prefix themselves.
                if not text.startswith('hakmem: '):
                    continue
                text = text[len('hakmem: '):]
            if sc.EXPECT_ANY.search(text):
                continue        # the expectation markers
            hits = [k for k, rx in enumerate(sc.HAKMEM_INFO) if rx.match(text)]
            used.update(hits)
            info = kind.startswith('pr_info') or kind.startswith('pr_notice')
            if info and not hits:
                print(f'{f}:{line}: {kind}("{fmt}") is informational but '
                      f'scan-console\'s HAKMEM_INFO does not match "{text}"')
                problems += 1
            elif not info and hits:
                print(f'{f}:{line}: {kind}("{fmt}") is an error message but '
                      f'HAKMEM_INFO[{hits[0]}] matches "{text}"')
                problems += 1
    for k, rx in enumerate(sc.HAKMEM_INFO):
        if k not in used:
            print(f'scan-console: HAKMEM_INFO[{k}] /{rx.pattern}/ matches no '
                  f'pr_info() of {", ".join(files)}: remove it')
            problems += 1
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

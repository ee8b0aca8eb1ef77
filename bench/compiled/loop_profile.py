#!/usr/bin/env python3
"""loop_profile.py BINARY FUNCTION ARG: where FUNCTION's time goes, loop by loop.

Runs BINARY ARG under `perf record -F 5000` (cpu-clock: this KVM guest has no hardware
counters) and attributes each sample in FUNCTION to the innermost loop containing it, a loop
being the address range from a backward jump's target to the jump (objdump -d). Prints each
loop's range, its instruction count (one iteration, static) and its share of all samples.
Used by docs/design/compiled.md section 4.4; one run of ~100 ms gives ~500 samples, so a
share is good to about +-2 points."""
import collections
import re
import subprocess
import sys
import tempfile


def main():
    binary, func, arg = sys.argv[1:4]
    dis = subprocess.run(['objdump', '-d', '--no-show-raw-insn', binary],
                         capture_output=True, text=True, check=True).stdout
    insns, inside = [], False
    for line in dis.splitlines():
        if re.match(r'^[0-9a-f]+ <%s>:' % re.escape(func), line):
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            m = re.match(r'\s*([0-9a-f]+):\s*(.*)', line)
            if m:
                insns.append((int(m.group(1), 16), m.group(2)))
    if not insns:
        sys.exit(f'{func} not found in {binary}')
    loops = []
    for addr, text in insns:
        m = re.match(r'j\w+\s+([0-9a-f]+) <', text)
        if m and int(m.group(1), 16) < addr:
            loops.append((int(m.group(1), 16), addr))
    with tempfile.NamedTemporaryFile(suffix='.perf') as data:
        subprocess.run(['perf', 'record', '-q', '-F', '5000', '-o', data.name, binary, arg],
                       capture_output=True, check=True)
        samples = subprocess.run(['perf', 'script', '-i', data.name, '-F', 'ip,sym,symoff'],
                                 capture_output=True, text=True, check=True).stdout
    counts, total = collections.Counter(), 0
    for line in samples.splitlines():
        if not line.strip():
            continue
        total += 1
        m = re.match(r'\s*\S+\s+(\S+)\+0x([0-9a-f]+)', line)
        if not m or m.group(1) != func:
            counts['outside ' + func] += 1
            continue
        ip = insns[0][0] + int(m.group(2), 16)
        inner = None
        for start, end in loops:
            if start <= ip <= end and (inner is None or end - start < inner[1] - inner[0]):
                inner = (start, end)
        counts[inner or 'not in a loop'] += 1
    for key, n in counts.most_common():
        if isinstance(key, tuple):
            size = sum(1 for a, _ in insns if key[0] <= a <= key[1])
            print(f'  loop {key[0]:x}-{key[1]:x} {size:3d} insns {100 * n / total:5.1f}%')
        else:
            print(f'  {key:>27} {100 * n / total:5.1f}%')


if __name__ == '__main__':
    main()

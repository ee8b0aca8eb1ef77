#!/usr/bin/env python3
"""cluster_first.py: time from starting `ctr run` to the first byte the container writes on
stdout, for the `cluster` section of make bench.

    cluster_first.py RUNS LABEL:CMD... [-- LABEL:CMD...]

Each CMD is a shell command line (a `ctr run --rm ... ID ...` whose ID may hold {n}, replaced
by the run number so no two runs share a container). Runs are interleaved across the
commands; prints one line per command: LABEL median min max (milliseconds), and fails when a
run wrote nothing or exited non-zero."""
import os
import select
import shlex
import statistics
import subprocess
import sys
import time


def one(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = None
    fd = p.stdout.fileno()
    while first is None:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            break
        chunk = os.read(fd, 4096)
        if chunk:
            first = time.monotonic()
        else:
            break
    out, err = p.communicate(timeout=60)
    if first is None or p.returncode != 0:
        sys.exit("cluster_first: %s: no output or exit %s: %s" % (cmd, p.returncode, err.decode()[-300:]))
    return (first - t0) * 1000


def main():
    runs = int(sys.argv[1])
    cmds = [a.split(":", 1) for a in sys.argv[2:]]
    times = {label: [] for label, _ in cmds}
    for n in range(runs):
        for label, cmd in cmds:
            times[label].append(one(cmd.replace("{n}", str(n))))
    for label, _ in cmds:
        t = times[label]
        print("%s %.1f %.1f %.1f" % (label, statistics.median(t), min(t), max(t)))


if __name__ == "__main__":
    main()

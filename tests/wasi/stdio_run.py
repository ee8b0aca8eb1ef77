#!/usr/bin/env python3
"""stdio_run.py: runs a command with each of its fds 0, 1 and 2 on a chosen kind of file, for
tests/wasi/run.sh's stdio section (what a guest's isatty() says about each kind).

usage: stdio_run.py KIND0 KIND1 KIND2 OUTDIR -- COMMAND [ARGS...]
  KIND is one of
    null  /dev/null
    file  a regular file in OUTDIR (stdin: an empty one)
    pipe  a pipe (stdin: its write end is closed at once, so the command reads end of file)
    pty   the slave side of a new pseudo-terminal; what the command writes there is read from
          the master side and kept
  What the command writes to a file, pipe or pty goes to OUTDIR/fd1 and OUTDIR/fd2.
Exits with the command's exit status (128 + N for signal N), or 125 when the setup failed.
"""
import os
import subprocess
import sys
import threading

KINDS = ("null", "file", "pipe", "pty")


def drain(fd, path):
    """Copies what arrives on fd to path until end of file (EIO: the pty's last slave closed)."""
    with open(path, "ab") as out:
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            out.write(data)
    os.close(fd)


def main():
    if len(sys.argv) < 7 or sys.argv[5] != "--" or any(k not in KINDS for k in sys.argv[1:4]):
        sys.stderr.write(__doc__)
        return 125
    kinds, outdir, cmd = sys.argv[1:4], sys.argv[4], sys.argv[6:]
    child_fds, close_after, drains = [], [], []
    for fd, kind in enumerate(kinds):
        out = os.path.join(outdir, "fd%d" % fd)
        if kind == "null":
            f = os.open("/dev/null", os.O_RDWR)
        elif kind == "file":
            f = os.open(out, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        elif kind == "pipe":
            r, w = os.pipe()
            if fd == 0:
                os.close(w)
                f = r
            else:
                f = w
                drains.append((r, out))
        else:
            try:
                master, f = os.openpty()
            except OSError as e:
                sys.stderr.write("stdio_run: cannot make a pseudo-terminal: %s\n" % e)
                return 125
            drains.append((master, out))
        child_fds.append(f)
        close_after.append(f)
    threads = [threading.Thread(target=drain, args=d) for d in drains]
    for t in threads:
        t.start()
    try:
        proc = subprocess.Popen(cmd, stdin=child_fds[0], stdout=child_fds[1],
                                stderr=child_fds[2], start_new_session=True)
    except OSError as e:
        sys.stderr.write("stdio_run: cannot run %s: %s\n" % (cmd[0], e))
        return 125
    finally:
        for f in close_after:  # the child has its copies; a drain sees the end once it exits
            os.close(f)
    try:
        rc = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        sys.stderr.write("stdio_run: %s timed out\n" % cmd[0])
        return 125
    for t in threads:
        t.join(timeout=10)
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""client.py: the raw-socket side of tests/gateway/run.sh, for what curl cannot send or see.

  client.py port PID
      Prints the TCP port process PID listens on (from /proc), or nothing.
  client.py raw PORT [--timeout S] [--head N] < PAYLOAD
      Sends PAYLOAD (bytes, as is) to 127.0.0.1:PORT in one write, then reads until the
      server closes the connection or S seconds (default 3) pass without a byte. Prints the
      responses received, one item a line:
          response N              the Nth response starts
          status CODE
          header NAME: VALUE      each header, in order
          body LINE               each line of the body (split at LF; framing undone)
          trailing N bytes        bytes after the last whole response, if any
      and "[closed]" or "[open]" on stderr: whether the server closed the connection.
      --head N: response N answers a HEAD request, so it has no body whatever its headers.
  client.py slow PORT SECONDS
      Slowloris: opens a connection, sends a request line and then one header byte a second
      for up to SECONDS. Prints "closed after T" (seconds, one decimal) once the server cuts
      the connection, or "still open after T".
"""
import os
import socket
import sys
import time


def listen_port(pid):
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[3] == "0A" and cols[9] in inodes:  # state LISTEN
                return int(cols[1].rsplit(":", 1)[1], 16)
    return None


def dechunk(buf, i):
    """The body of a chunked message at buf[i:] and the offset after it, or None."""
    body = b""
    while True:
        eol = buf.find(b"\r\n", i)
        if eol < 0:
            return None
        size = int(buf[i:eol].split(b";")[0], 16)
        i = eol + 2
        if size == 0:
            end = buf.find(b"\r\n\r\n", i - 2)
            return (body, end + 4) if end >= 0 else None
        body += buf[i:i + size]
        i += size + 2


def parse(buf, head=0):
    """The responses in buf, as the lines the usage text describes."""
    out, i, n = [], 0, 0
    while i < len(buf):
        end = buf.find(b"\r\n\r\n", i)
        if end < 0:
            break
        lines = buf[i:end].split(b"\r\n")
        n += 1
        out.append(b"response %d" % n)
        parts = lines[0].split(b" ")
        out.append(b"status " + (parts[1] if len(parts) > 1 else b"?"))
        length, chunked = None, False
        for line in lines[1:]:
            out.append(b"header " + line)
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and value == b"chunked":
                chunked = True
        i = end + 4
        if n == head:
            body = b""
        elif chunked:
            got = dechunk(buf, i)
            if got is None:
                break
            body, i = got
        elif length is not None:
            body, i = buf[i:i + length], i + length
        else:
            body, i = buf[i:], len(buf)
        if body:
            out.extend(b"body " + line for line in body.split(b"\n"))
    if i < len(buf):
        out.append(b"trailing %d bytes" % (len(buf) - i))
    return out


def raw(port, payload, timeout, head):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(payload)
    s.settimeout(timeout)
    buf = b""
    closed = False
    while True:
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not data:
            closed = True
            break
        buf += data
    s.close()
    for line in parse(buf, head):
        sys.stdout.buffer.write(line + b"\n")
    sys.stderr.write("[closed]\n" if closed else "[open]\n")


def slow(port, seconds):
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
    s.settimeout(1.0)
    while time.monotonic() - start < seconds:
        try:
            s.sendall(b"a")
            data = s.recv(65536)
            if not data:
                break
        except socket.timeout:
            continue
        except OSError:
            break
    else:
        print(f"still open after {time.monotonic() - start:.1f}")
        return
    print(f"closed after {time.monotonic() - start:.1f}")


def main():
    cmd = sys.argv[1]
    if cmd == "port":
        port = listen_port(int(sys.argv[2]))
        if port:
            print(port)
    elif cmd == "raw":
        timeout, head, args = 3.0, 0, sys.argv[3:]
        while args:
            if args[0] == "--timeout":
                timeout = float(args[1])
            elif args[0] == "--head":
                head = int(args[1])
            else:
                sys.exit(f"client.py: unknown option {args[0]}")
            args = args[2:]
        raw(int(sys.argv[2]), sys.stdin.buffer.read(), timeout, head)
    elif cmd == "slow":
        slow(int(sys.argv[2]), float(sys.argv[3]))
    else:
        sys.exit(f"client.py: unknown command {cmd}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""ttrpc_call.py: one Task call straight to a running shim's socket, for what ctr cannot send
(a bundle whose config.json is not JSON: ctr parses a spec itself before containerd sees it).

    ttrpc_call.py SOCKET create ID BUNDLE

Sends containerd.task.v2.Task/Create{id, bundle} (no rootfs, no stdio) and prints the answer:
"ok pid=N" or "error CODE: MESSAGE". Hand-encoded protobuf: only the few fields used, numbered
as in containerd 1.6's ttrpc request.proto and runtime/v2/task/shim.proto."""
import socket
import struct
import sys


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def field(num, data):
    data = data.encode() if isinstance(data, str) else data
    return varint(num << 3 | 2) + varint(len(data)) + data


def fields(buf):
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, i = read_varint(buf, i)
        elif wire == 2:
            n, i = read_varint(buf, i)
            val, i = buf[i:i + n], i + n
        else:
            raise ValueError("wire type %d" % wire)
        yield num, val


def read_varint(buf, i):
    shift = n = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError("the shim closed the connection")
        data += chunk
    return data


def main():
    sock_path, op, cid, bundle = sys.argv[1:5]
    assert op == "create"
    payload = field(1, cid) + field(2, bundle)
    req = field(1, "containerd.task.v2.Task") + field(2, "Create") + field(3, payload)
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(sock_path.removeprefix("unix://"))
    s.sendall(struct.pack(">IIBB", len(req), 1, 1, 0) + req)
    length, _stream, _type, _flags = struct.unpack(">IIBB", recv_exact(s, 10))
    resp = dict(fields(recv_exact(s, length)))
    status = dict(fields(resp.get(1, b"")))
    if status.get(1, 0):
        print("error %d: %s" % (status[1], status.get(2, b"").decode()))
    else:
        print("ok pid=%d" % dict(fields(resp.get(2, b""))).get(1, 0))


if __name__ == "__main__":
    main()

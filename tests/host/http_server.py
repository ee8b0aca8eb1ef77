#!/usr/bin/env python3
"""http_server.py: the local HTTP servers the outbound HTTP tests (tests/unit/test_http.c)
talk to. Starts N servers (default 2) on 127.0.0.1, each on a free port, prints their ports
on one line ("PORT1 PORT2\n") and serves until stdin closes or it is killed.

Endpoints (every server has all of them; each counts the requests it received):
  /ok                      200 "ok"
  /echo                    200, the request as text: "method: M\npath: P\n", one
                           "h: Name: value\n" line per header in the order received,
                           "body-length: N\n\n", then the body
  /redirect?to=URL&code=N  N (default 302) with Location: URL
  /loop?n=N                302 to /loop?n=N-1 (a relative Location), /ok when N is 0
  /slow?ms=N               waits N ms, then 200 "slow"
  /big?bytes=N[&chunked=1] N bytes of 'x', with Content-Length or chunked
  /headers                 multi-value headers (Set-Cookie twice, X-Multi twice), an
                           empty one, one with padding, one 5000 bytes long, a folded one
  /trailer                 chunked, with a trailer X-Trailer after the body
  /badheader               a response header line without ':'
  /manyheaders?n=N         N headers of 1000 bytes each
  /status?code=N           status N, body "status N"
  /hits                    how many requests (other than /hits) this server has received
"""
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and
        # the client's delayed ACK cost 40 ms per response.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):  # quiet
        pass

    def query(self):
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def raw(self, data):
        self.wfile.write(data)
        self.close_connection = True

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        path = urlsplit(self.path).path
        if path != "/hits":
            with self.server.lock:
                self.server.hits += 1
        body = self.read_body()
        q = self.query()
        route = getattr(self, "route_" + path.strip("/"), None)
        if route is None:
            self.send(404, b"not found")
        else:
            route(q, body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = handle_any

    def route_ok(self, q, body):
        self.send(200, b"ok", [("Content-Type", "text/plain")])

    def route_echo(self, q, body):
        out = "method: %s\npath: %s\n" % (self.command, self.path)
        for name, value in self.headers.items():
            out += "h: %s: %s\n" % (name, value)
        out += "body-length: %d\n\n" % len(body)
        self.send(200, out.encode() + body, [("Content-Type", "text/plain")])

    def route_redirect(self, q, body):
        self.send(int(q.get("code", "302")), b"", [("Location", q.get("to", "/ok"))])

    def route_loop(self, q, body):
        n = int(q.get("n", "0"))
        self.send(302, b"", [("Location", "/loop?n=%d" % (n - 1) if n > 0 else "/ok")])

    def route_slow(self, q, body):
        time.sleep(int(q.get("ms", "1000")) / 1000.0)
        self.send(200, b"slow")

    def route_big(self, q, body):
        n = int(q.get("bytes", "0"))
        if q.get("chunked") != "1":
            self.send(200, b"x" * n)
            return
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        left = n
        while left > 0:
            k = min(left, 4096)
            self.wfile.write(b"%x\r\n%s\r\n" % (k, b"x" * k))
            left -= k
        self.wfile.write(b"0\r\n\r\n")

    def route_headers(self, q, body):
        self.raw(b"HTTP/1.1 200 OK\r\n"
                 b"Set-Cookie: a=1\r\n"
                 b"X-Multi: one\r\n"
                 b"Content-Type: text/plain\r\n"
                 b"Set-Cookie: b=2\r\n"
                 b"X-Multi: two\r\n"
                 b"X-Empty:\r\n"
                 b"X-Padded:   padded value  \r\n"
                 b"X-Long: " + b"L" * 5000 + b"\r\n"
                 b"X-Folded: first\r\n"
                 b"  second\r\n"
                 b"Content-Length: 2\r\n"
                 b"Connection: close\r\n"
                 b"\r\n"
                 b"hi")

    def route_trailer(self, q, body):
        self.raw(b"HTTP/1.1 200 OK\r\n"
                 b"Transfer-Encoding: chunked\r\n"
                 b"Trailer: X-Trailer\r\n"
                 b"Connection: close\r\n"
                 b"\r\n"
                 b"5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n")

    def route_badheader(self, q, body):
        self.raw(b"HTTP/1.1 200 OK\r\n"
                 b"Content-Length: 2\r\n"
                 b"this line has no colon\r\n"
                 b"Connection: close\r\n"
                 b"\r\n"
                 b"hi")

    def route_manyheaders(self, q, body):
        n = int(q.get("n", "10"))
        self.send(200, b"many", [("X-H%d" % i, "v" * 1000) for i in range(n)])

    def route_status(self, q, body):
        code = int(q.get("code", "200"))
        self.send(code, b"status %d" % code)

    def route_hits(self, q, body):
        with self.server.lock:
            n = self.server.hits
        self.send(200, str(n).encode())


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients that give up early (the size and time limits) are expected

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits = 0
        self.lock = threading.Lock()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    servers = [Server() for _ in range(n)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(" ".join(str(s.server_address[1]) for s in servers), flush=True)
    sys.stdin.read()  # until the test closes our stdin (or exits)


if __name__ == "__main__":
    socketserver.TCPServer.allow_reuse_address = True
    main()

#!/usr/bin/env python3
"""token_proxy.py: a registry front that speaks Docker's token authentication, for
tests/oci/run.sh. Usage: token_proxy.py UPSTREAM_PORT USER PASSWORD EVENTS_FILE

It listens on two free loopback ports and prints "FRONT CDN" on one line, then serves until
stdin closes:
  FRONT /token?service=..&scope=..  wants Basic USER:PASSWORD when the scope asks for push,
                                    gives anonymous pull tokens otherwise; answers
                                    {"token": ...} and logs "token SCOPE(S) user=U|anonymous"
  FRONT /v2/...                     401 with 'WWW-Authenticate: Bearer realm=..,service=..,
                                    scope=..' without a valid token; a push (POST, PUT) with a
                                    pull-only token is 401 as well. Blob GETs are redirected
                                    (307) to CDN; everything else is passed to the upstream
                                    registry as it is.
  CDN /v2/...                       serves blobs from the upstream registry; logs "leak" and
                                    answers 403 if a request carries an Authorization header
                                    (credentials must not follow a redirect to another host).
"""
import base64
import http.client
import http.server
import secrets
import sys
import threading
import urllib.parse

UPSTREAM = int(sys.argv[1])
USER, PASSWORD = sys.argv[2], sys.argv[3]
EVENTS = sys.argv[4]
TOKENS = {}  # token -> "pull" or "pull,push"
LOCK = threading.Lock()
PORTS = {}


def event(line):
    with LOCK, open(EVENTS, "a") as f:
        f.write(line + "\n")


def upstream(method, path, headers, body):
    conn = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=30)
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp.getheaders(), data


class Base(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, headers=(), data=b""):
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "date",
                                 "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def proxy(self):
        data = self.body()
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("authorization", "connection")}
        status, out_headers, out = upstream(self.command, self.path, headers, data or None)
        self.reply(status, out_headers, out)


class Front(Base):
    def token(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        scopes = q.get("scope", [])
        wants_push = any(s.endswith("push") for s in scopes)
        auth = self.headers.get("Authorization", "")
        user = "anonymous"
        if auth.startswith("Basic "):
            pair = base64.b64decode(auth[6:]).decode()
            if pair != f"{USER}:{PASSWORD}":
                event("token refused")
                return self.reply(401, [("Content-Type", "application/json")],
                                  b'{"errors":[{"code":"UNAUTHORIZED","message":"bad password"}]}')
            user = USER
        if wants_push and user == "anonymous":
            return self.reply(401, [("Content-Type", "application/json")],
                              b'{"errors":[{"code":"UNAUTHORIZED","message":"push needs a user"}]}')
        tok = secrets.token_hex(16)
        TOKENS[tok] = "pull,push" if wants_push else "pull"
        event(f"token {' '.join(scopes)} service={q.get('service', [''])[0]} user={user}")
        self.reply(200, [("Content-Type", "application/json")],
                   ('{"token": "%s", "expires_in": 300}' % tok).encode())

    def challenge(self):
        name = self.path.split("/")[2:-2]
        realm = f"http://127.0.0.1:{PORTS['front']}/token"
        scope = f"repository:{'/'.join(name)}:pull"
        self.body()
        self.reply(401, [("Content-Type", "application/json"),
                         ("WWW-Authenticate",
                          f'Bearer realm="{realm}",service="corral-test",scope="{scope}"')],
                   b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}')

    def handle_any(self):
        if self.path.startswith("/token"):
            return self.token()
        auth = self.headers.get("Authorization", "")
        grant = TOKENS.get(auth[7:]) if auth.startswith("Bearer ") else None
        if self.path == "/v2/" and grant:
            return self.reply(200, [("Content-Type", "application/json")], b"{}")
        if not grant or (self.command in ("POST", "PUT", "PATCH", "DELETE") and grant != "pull,push"):
            return self.challenge()
        if self.command == "GET" and "/blobs/sha256:" in self.path:
            return self.reply(307, [("Location", f"http://127.0.0.1:{PORTS['cdn']}{self.path}")])
        self.proxy()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class Cdn(Base):
    def do_GET(self):
        if self.headers.get("Authorization"):
            event("leak " + self.headers.get("Authorization").split(" ")[0])
            return self.reply(403)
        self.proxy()


def main():
    servers = []
    for name, handler in (("front", Front), ("cdn", Cdn)):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        PORTS[name] = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    print(PORTS["front"], PORTS["cdn"], flush=True)
    sys.stdin.read()
    for srv in servers:
        srv.shutdown()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""store_test.py: black-box tests of `corral store serve`, the Bindle v1 server. Each
scenario starts the server on 127.0.0.1 port 0 with its own store directory and keys, and
speaks HTTP to it. Sections:
  startup     flags, environment variables, refusals (no auth, both, bad strategy, bad
              htpasswd, bad keyring, address in use), help
  routes      every route and status code of BINDLE.md 4.1 with real Ed25519 signatures
  search      _q: terms, SemVer ranges, paging, aliases, refusals, yanked
  strategies  the six verification strategies, each with good and bad signature sets
  auth        htpasswd (bcrypt): anonymous read, refused and wrong-password writes
  concurrency the same parcel pushed by 8 clients at once is stored once
  crash       SIGKILL during a slow upload: after a restart no partial parcel is visible, no
              .part is left and the index agrees with the files; a client that hangs up
              mid-upload leaves no .part either
  traversal   '..', absolute and encoded paths in ids, digests and parcel names
  tls         HTTPS with --tls-cert/--tls-key
Every server must exit 0 on SIGTERM with nothing from a sanitizer on its stderr.
usage: store_test.py CORRAL   Prints failing checks, then "store: N passed, M failed"."""
import base64
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

import nacl.signing

from bindle import (Client, Key, b64, invoice, keyring_toml, label, sha256, sign,
                    signing_keys_toml, to_toml, verify)

CORRAL = os.path.abspath(sys.argv[1])
SLOW = 3 if b"__asan_init" in open(CORRAL, "rb").read() else 1
TMP = tempfile.mkdtemp(prefix="corral-store-test-")
passed = failed = 0
servers = []


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s%s" % (what, (" -- " + str(detail)[:400]) if detail else ""))
    return cond


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


class Server:
    def __init__(self, name, args, env=None, expect_ready=True):
        self.dir = os.path.join(TMP, name)
        os.makedirs(self.dir, exist_ok=True)
        self.args, self.name = args, name
        self.env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(self.dir, "cfg"))
        self.env.update(env or {})
        self.start(expect_ready)

    def start(self, expect_ready=True):
        self.out = open(os.path.join(self.dir, "stdout"), "w+")
        self.err = open(os.path.join(self.dir, "stderr"), "a+")
        self.proc = subprocess.Popen([CORRAL, "store", "serve", "-i", "127.0.0.1:0"] + self.args,
                                     stdout=self.out, stderr=self.err, env=self.env)
        self.port = None
        if not expect_ready:
            return
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline and self.proc.poll() is None:
            self.out.seek(0)
            m = re.search(r"Ready: serving Bindle on https?://127\.0\.0\.1:(\d+)/v1/", self.out.read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.02)
        servers.append(self)

    def stderr(self):
        self.err.seek(0)
        return self.err.read()

    def stop(self, what):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(20 * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "hung"
        err = self.stderr()
        check(code == 0, what + ": exits 0 on SIGTERM", code)
        check("Sanitizer" not in err and "runtime error" not in err and "LeakSanitizer" not in err,
              what + ": no sanitizer reports", err[-2000:])
        if self in servers:
            servers.remove(self)

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        if self in servers:
            servers.remove(self)


def toml_body(data):
    try:
        return tomllib.loads(data.decode())
    except Exception as e:
        return {"_unparsable": str(e), "_text": data[:300]}


def is_error(resp, status, contains=""):
    st, h, body = resp
    doc = toml_body(body)
    return (st == status and h.get("content-type") == "application/toml" and
            isinstance(doc.get("error"), str) and contains in doc.get("error", ""))


def check_error(resp, status, what, contains=""):
    return check(is_error(resp, status, contains), what, resp)


def post_invoice(c, inv, fmt="toml", headers=None):
    if fmt == "toml":
        h = {"Content-Type": "application/toml"}
        body = to_toml(inv).encode()
    else:
        h = {"Content-Type": "application/json"} if fmt == "json" else {}
        body = json.dumps(inv).encode()
    h.update(headers or {})
    return c.req("POST", "/v1/_i", body, h)


def run_corral(args, env=None, timeout=20):
    e = dict(os.environ, XDG_CONFIG_HOME=os.path.join(TMP, "cfg-cli"))
    e.update(env or {})
    p = subprocess.run([CORRAL] + args, capture_output=True, text=True, env=e, timeout=timeout * SLOW)
    return p.returncode, p.stdout, p.stderr


# ---- keys shared by the scenarios ---------------------------------------------------------

CREATOR = Key("Creator <c@example.com>", ["creator"])
APPROVER = Key("Approver <a@example.com>", ["approver"])
STRANGER = Key("Stranger <s@example.com>", ["creator"])
HOST = Key("Test host key", ["host"])
KEYRING = write(os.path.join(TMP, "keyring.toml"), keyring_toml([CREATOR, APPROVER]))
SIGNING = write(os.path.join(TMP, "signing-keys.toml"), signing_keys_toml([HOST]), 0o600)
COMMON = ["--keyring", KEYRING, "--signing-keys", SIGNING]


# ---- startup --------------------------------------------------------------------------------

def test_startup():
    code, out, err = run_corral(["store", "serve", "-d", os.path.join(TMP, "s0")])
    check(code == 2 and "--htpasswd-file" in err and "--unauthenticated" in err,
          "startup: refuses without auth, naming both flags", (code, err))
    ht = write(os.path.join(TMP, "h0"), "")
    code, out, err = run_corral(["store", "serve", "--unauthenticated", "--htpasswd-file", ht])
    check(code == 2 and "exclude" in err, "startup: both auth flags refused", err)
    code, out, err = run_corral(["store", "serve", "--unauthenticated", "--bogus"])
    check(code == 2 and "unknown option '--bogus'" in err, "startup: unknown option", err)
    code, out, err = run_corral(["store", "serve", "--unauthenticated", "-d", os.path.join(TMP, "s0"),
                                 "--strategy", "Lenient"] + COMMON[:2] + COMMON[2:])
    check(code == 1 and "unknown verification strategy 'Lenient'" in err, "startup: bad strategy", err)
    md5 = write(os.path.join(TMP, "h-md5"), "bob:$apr1$abc$0123456789012345678901\n")
    code, out, err = run_corral(["store", "serve", "--htpasswd-file", md5, "-d", os.path.join(TMP, "s0")] + COMMON)
    check(code == 1 and "not bcrypt" in err and ":1:" in err, "startup: non-bcrypt htpasswd refused", err)
    code, out, err = run_corral(["store", "serve", "--htpasswd-file", os.path.join(TMP, "nope"),
                                 "-d", os.path.join(TMP, "s0")] + COMMON)
    check(code == 1 and "nope" in err, "startup: missing htpasswd file", err)
    badring = write(os.path.join(TMP, "badring.toml"), "version = \"1.0\"\n[[key]]\nlabel = \"x\"\nkey = \"!!\"\n")
    code, out, err = run_corral(["store", "serve", "--unauthenticated", "-d", os.path.join(TMP, "s0"),
                                 "--keyring", badring, "--signing-keys", SIGNING])
    check(code == 1 and "badring.toml" in err, "startup: bad keyring", err)
    code, out, err = run_corral(["store", "serve", "--unauthenticated", "--tls-cert", "x"])
    check(code == 2 and "go together" in err, "startup: --tls-cert without --tls-key", err)
    code, out, err = run_corral(["help", "store"])
    check(code == 0 and "corral store serve" in out and "--htpasswd-file" in out and
          "--max-invoice-size" in out, "startup: corral help store", out)
    code, out, err = run_corral(["--help"])
    check(code == 0 and re.search(r"^\s+store\s", out, re.M), "startup: corral --help lists store", out)
    code, out, err = run_corral(["store"])
    check(code == 2 and "serve" in err, "startup: corral store without a subcommand", err)
    # the address in use
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    busy = s.getsockname()[1]
    code, out, err = run_corral(["store", "serve", "--unauthenticated", "-d", os.path.join(TMP, "s0"),
                                 "-i", "127.0.0.1:%d" % busy] + COMMON)
    check(code == 1 and "127.0.0.1:%d" % busy in err and "in use" in err, "startup: address in use", err)
    s.close()
    # environment variables, as Bindle's
    srv = Server("env", [], env={"BINDLE_DIRECTORY": os.path.join(TMP, "env-data"),
                                 "BINDLE_UNAUTHENTICATED": "true", "BINDLE_KEYRING": KEYRING,
                                 "BINDLE_SIGNING_KEYS": SIGNING,
                                 "BINDLE_VERIFICATION_STRATEGY": "creativeintegrity"})
    ok = check(srv.port, "startup: BINDLE_* environment variables", srv.stderr())
    if ok:
        check(os.path.isdir(os.path.join(TMP, "env-data", "invoices")),
              "startup: BINDLE_DIRECTORY holds Bindle's layout")
        st, h, body = Client(srv.port).req("GET", "/v1/bindle-keys")
        check(st == 200 and HOST.pub in body.decode(), "startup: BINDLE_SIGNING_KEYS used", body)
    srv.stop("env")
    # no --signing-keys: a default host key is made, as Bindle does
    srv = Server("default-keys", ["--unauthenticated", "-d", os.path.join(TMP, "dk-data")])
    if check(srv.port, "startup: default signing keys", srv.stderr()):
        path = os.path.join(srv.dir, "cfg", "bindle", "signing-keys.toml")
        check(os.path.exists(path) and (os.stat(path).st_mode & 0o777) == 0o600,
              "startup: default signing keys file is created 0600")
        check("keyring is empty" in srv.stderr(), "startup: an empty keyring is warned about")
    srv.stop("default-keys")


# ---- routes ---------------------------------------------------------------------------------

def test_routes():
    srv = Server("routes", ["--unauthenticated", "-d", os.path.join(TMP, "routes-data"),
                            "--max-invoice-size", "8KiB"] + COMMON)
    if not check(srv.port, "routes: server starts", srv.stderr()):
        return
    c = Client(srv.port)
    data_a, data_b = b"hello wasm\n" * 10, os.urandom(3000)
    la, lb = label("hello.wasm", data_a, "application/wasm"), label("data/b.bin", data_b)

    st, h, body = c.req("GET", "/healthz")
    doc = json.loads(body or b"{}")
    check(st == 200 and doc.get("status") == "OK" and "version" in doc and
          h.get("content-type") == "application/json", "healthz: 200 JSON", (st, body))

    inv = sign(invoice("example.com/hello", "1.0.0", [la, lb], annotations={"k": "v"}), CREATOR)
    st, h, body = post_invoice(c, inv)
    doc = toml_body(body)
    check(st == 202 and [m["sha256"] for m in doc.get("missing", [])] == [la["sha256"], lb["sha256"]],
          "create: 202 with the missing parcels", (st, body))
    stored = doc.get("invoice", {})
    sigs = stored.get("signature", [])
    host_sig = [s for s in sigs if s["role"] == "host"]
    check(len(sigs) == 2 and len(host_sig) == 1 and host_sig[0]["key"] == HOST.pub and
          verify(inv, host_sig[0]) and host_sig[0]["by"] == HOST.label,
          "create: the server signs with its host key (a valid Ed25519 signature)", sigs)
    check(stored.get("annotations") == {"k": "v"} and stored["bindle"]["name"] == "example.com/hello",
          "create: the response holds the invoice")
    check_error(post_invoice(c, inv), 409, "create: the same invoice again: 409")

    inv_j = sign(invoice("example.com/json", "0.1.0"), CREATOR)
    st, h, body = post_invoice(c, inv_j, fmt="json", headers={"Accept": "application/json"})
    check(st == 201 and h.get("content-type") == "application/json" and
          json.loads(body)["invoice"]["bindle"]["version"] == "0.1.0" and "missing" not in json.loads(body),
          "create: JSON invoice, JSON answer, 201 without missing", (st, body))
    inv_n = sign(invoice("example.com/nocontenttype", "0.1.0"), CREATOR)
    st, h, body = post_invoice(c, inv_n, fmt="none")
    check(st == 201, "create: no Content-Type reads JSON (Bindle's create_json)", (st, body))
    check_error(c.req("POST", "/v1/_i", to_toml(inv).encode(), {"Content-Type": "text/plain"}), 400,
                "create: other Content-Type: 400", "content-type is not TOML")
    check_error(c.req("POST", "/v1/_i", b"bindleVersion = \n", {"Content-Type": "application/toml"}),
                400, "create: malformed TOML: 400", "invalid TOML")
    bad = sign(invoice("example.com/bad", "1.0.0", yanked_reason="x"), CREATOR)
    check_error(post_invoice(c, bad), 400, "create: unknown field (yanked_reason): 400", "yanked_reason")
    bad = sign(invoice("example.com/bad", "1.0"), CREATOR)
    check_error(post_invoice(c, bad), 400, "create: bad SemVer: 400", "SemVer")
    bad = sign(invoice("example.com/bad", "1.0.0", yanked=True), CREATOR)
    check_error(post_invoice(c, bad), 422, "create: a yanked invoice: 422")
    check_error(post_invoice(c, invoice("example.com/unsigned", "1.0.0")), 400,
                "create: no signature: 400", "No signatures found on invoice. At least one signature is required")
    check_error(post_invoice(c, sign(invoice("example.com/x", "1.0.0"), CREATOR, corrupt=True)), 400,
                "create: a bad signature: 400", "failed signature check")
    check_error(post_invoice(c, sign(invoice("example.com/x", "1.0.0"), STRANGER)), 400,
                "create: an unknown key: 400", "failed signature check")
    big = sign(invoice("example.com/big", "1.0.0", annotations={"pad": "x" * 9000}), CREATOR)
    check_error(post_invoice(c, big), 413, "create: over --max-invoice-size: 413")
    conn = c.conn()
    conn.putrequest("POST", "/v1/_i")
    conn.putheader("Content-Type", "application/toml")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    text = to_toml(big).encode()
    for i in range(0, len(text), 1000):
        piece = text[i:i + 1000]
        conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
    conn.send(b"0\r\n\r\n")
    r = conn.getresponse()
    check_error((r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()), 413,
                "create: chunked over --max-invoice-size: 413")
    conn.close()

    # GET, HEAD of an invoice; negotiation
    st, h, body = c.req("GET", "/v1/_i/example.com/hello/1.0.0")
    doc = toml_body(body)
    check(st == 200 and h.get("content-type") == "application/toml" and
          doc.get("bindle", {}).get("version") == "1.0.0" and len(doc.get("signature", [])) == 2,
          "get invoice: 200 TOML with the host signature", (st, body[:200]))
    st, h, body = c.req("GET", "/v1/_i/example.com/hello/1.0.0", headers={"Accept": "text/html, application/json;q=0.1, application/toml"})
    check(st == 200 and h.get("content-type") == "application/json" and json.loads(body)["bindleVersion"] == "1.0.0",
          "get invoice: the first toml/json Accept item wins (q ignored)", (st, h))
    st, h, body = c.req("GET", "/v1/_i/example.com/hello/1.0.0", headers={"Accept": "*/*"})
    check(st == 200 and h.get("content-type") == "application/toml", "get invoice: TOML by default")
    st, h2, body = c.req("HEAD", "/v1/_i/example.com/hello/1.0.0")
    check(st == 200 and body == b"" and h2.get("content-type") == "application/toml",
          "head invoice: 200, headers only", (st, h2))
    check_error(c.req("GET", "/v1/_i/example.com/hello/9.9.9"), 404, "get invoice: unknown: 404")
    check_error(c.req("HEAD", "/v1/_i/example.com/hello/9.9.9"), 404, "head invoice: unknown: 404") if False else None
    st, h, _ = c.req("HEAD", "/v1/_i/example.com/hello/9.9.9")
    check(st == 404, "head invoice: unknown: 404", st)
    check_error(c.req("GET", "/v1/_i/noversion"), 400, "get invoice: an id without version: 400")
    check_error(c.req("GET", "/v1/_i/example.com/hello/1.0"), 400, "get invoice: bad SemVer: 400")
    check_error(c.req("GET", "/v1/_i/example.com/hello/1.0.0?yanked=maybe"), 400, "get invoice: bad yanked flag: 400")

    # missing parcels
    st, h, body = c.req("GET", "/v1/_r/missing/example.com/hello/1.0.0")
    check(st == 200 and len(toml_body(body).get("missing", [])) == 2, "missing: 200 with both labels", body)
    check_error(c.req("GET", "/v1/_r/missing/example.com/hello/2.0.0"), 404, "missing: unknown invoice: 404")
    check_error(c.req("GET", "/v1/_r/missing/bad"), 400, "missing: bad id: 400")

    # parcels in
    base = "/v1/_i/example.com/hello/1.0.0@"
    other = sha256(b"not in the invoice")
    check_error(c.req("POST", base + other, b"not in the invoice"), 400, "parcel post: not in the invoice: 400",
                "does not exist in invoice")
    check_error(c.req("POST", base + la["sha256"], b"x" * la["size"]), 400, "parcel post: digest mismatch: 400",
                "does not match")
    check_error(c.req("POST", base + la["sha256"], data_a[:-1]), 400, "parcel post: size mismatch: 400",
                "does not match its label's size")
    for name, body in (("long", data_a + b"!"), ("short", data_a[:-3])):
        conn = c.conn()
        conn.putrequest("POST", base + la["sha256"])
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        conn.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        r = conn.getresponse()
        check_error((r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()), 400,
                    "parcel post: chunked, too %s: 400" % name)
        conn.close()
    check(not glob.glob(os.path.join(TMP, "routes-data", "parcels", "*", "*")),
          "parcel post: refused uploads leave no file")
    st, h, body = c.req("POST", base + la["sha256"], data_a)
    check(st == 200 and toml_body(body).get("message") == "parcel created", "parcel post: 200 parcel created", (st, body))
    check_error(c.req("POST", base + la["sha256"], data_a), 409, "parcel post: again: 409")
    check_error(c.req("POST", "/v1/_i/example.com/hello/3.0.0@" + la["sha256"], data_a), 404,
                "parcel post: unknown invoice: 404")
    check(os.path.exists(os.path.join(TMP, "routes-data", "parcels", la["sha256"], "parcel.dat")),
          "parcel post: Bindle's layout parcels/<sha>/parcel.dat")
    st, h, body = c.req("GET", "/v1/_r/missing/example.com/hello/1.0.0")
    check(st == 200 and [m["sha256"] for m in toml_body(body).get("missing", [])] == [lb["sha256"]],
          "missing: one left", body)
    conn = c.conn()  # chunked upload of the second
    conn.putrequest("POST", base + lb["sha256"])
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    for i in range(0, len(data_b), 700):
        piece = data_b[i:i + 700]
        conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
    conn.send(b"0\r\n\r\n")
    r = conn.getresponse()
    check(r.status == 200, "parcel post: chunked upload: 200", r.status)
    r.read()
    conn.close()
    st, h, body = c.req("GET", "/v1/_r/missing/example.com/hello/1.0.0")
    check(st == 200 and toml_body(body).get("missing") == [], "missing: none left: missing = []", body)

    # parcels out
    st, h, body = c.req("GET", base + la["sha256"])
    check(st == 200 and body == data_a and h.get("content-type") == "application/wasm" and
          h.get("content-length") == str(len(data_a)), "parcel get: 200, bytes, mediaType, size", (st, h))
    st, h, body = c.req("HEAD", base + lb["sha256"])
    check(st == 200 and body == b"" and h.get("content-length") == str(len(data_b)) and
          h.get("content-type") == "application/octet-stream", "parcel head: headers only", (st, h))
    check_error(c.req("GET", base + other), 400, "parcel get: not in the invoice: 400")
    lc = label("c.txt", b"never uploaded")
    inv2 = sign(invoice("example.com/hello", "1.1.0", [la, lc]), CREATOR)
    st, h, body = post_invoice(c, inv2)
    check(st == 202 and [m["sha256"] for m in toml_body(body)["missing"]] == [lc["sha256"]],
          "create: a stored parcel is not missing", body)
    check_error(c.req("GET", "/v1/_i/example.com/hello/1.1.0@" + lc["sha256"]), 404,
                "parcel get: in the invoice but not stored: 404")
    st, h, body = c.req("GET", "/v1/_i/example.com/hello/1.1.0@" + la["sha256"])
    check(st == 200 and body == data_a, "parcel get: one parcel through two invoices")
    check_error(c.req("GET", "/v1/_i/example.com/hello/1.0.0@a@b"), 400, "parcel: two '@': 400",
                "Invalid URL. Missing Bindle ID and/or parcel SHA")
    check_error(c.req("GET", "/v1/_i/@" + la["sha256"]), 400, "parcel: no id: 400", "Invalid URL")
    inv3 = sign(invoice("example.com/all", "1.0.0", [la, lb]), CREATOR)
    st, h, body = post_invoice(c, inv3)
    check(st == 201 and "missing" not in toml_body(body), "create: all parcels present: 201", (st, body))

    # yank
    st, h, body = c.req("DELETE", "/v1/_i/example.com/all/1.0.0")
    check(st == 200 and toml_body(body).get("message") == "invoice yanked", "yank: 200 invoice yanked", body)
    check_error(c.req("GET", "/v1/_i/example.com/all/1.0.0"), 403, "get invoice: yanked: 403")
    st, h, body = c.req("GET", "/v1/_i/example.com/all/1.0.0?yanked=true")
    check(st == 200 and toml_body(body).get("yanked") is True, "get invoice: yanked=true: 200 yanked = true", body)
    check_error(c.req("GET", "/v1/_r/missing/example.com/all/1.0.0"), 403, "missing: yanked invoice: 403")
    check_error(c.req("POST", "/v1/_i/example.com/all/1.0.0@" + la["sha256"], data_a), 403,
                "parcel post: yanked invoice: 403")
    st, h, body = c.req("GET", "/v1/_i/example.com/all/1.0.0@" + la["sha256"])
    check(st == 200 and body == data_a, "parcel get: a yanked bindle's parcel stays readable", st)
    check_error(c.req("DELETE", "/v1/_i/example.com/none/1.0.0"), 404, "yank: unknown: 404")
    check_error(c.req("DELETE", "/v1/_i/example.com/none/1.0"), 400, "yank: bad SemVer: 400")

    # host keys
    st, h, body = c.req("GET", "/v1/bindle-keys")
    doc = toml_body(body)
    keys = doc.get("key", [])
    check(st == 200 and doc.get("version") == "1.0" and len(keys) == 1 and keys[0]["key"] == HOST.pub and
          keys[0]["roles"] == ["host"], "bindle-keys: 200 with the host key", body)
    if keys:
        vk = nacl.signing.VerifyKey(base64.b64decode(keys[0]["key"]))
        try:
            vk.verify(keys[0]["label"].encode(), base64.b64decode(keys[0]["labelSignature"]))
            ok = True
        except Exception:
            ok = False
        check(ok, "bindle-keys: the label is signed by its key")
    st, h, body = c.req("GET", "/v1/bindle-keys?roles=host", headers={"Accept": "application/json"})
    check(st == 200 and json.loads(body)["key"][0]["key"] == HOST.pub, "bindle-keys: roles=host, JSON", body)
    check_error(c.req("GET", "/v1/bindle-keys?roles=creator"), 400, "bindle-keys: other roles: 400")
    st, h, body = c.req("HEAD", "/v1/bindle-keys")
    check(st == 200 and body == b"", "bindle-keys: HEAD")

    # what is not there
    check_error(c.req("GET", "/v1/login?provider=github"), 404, "login: not supported: 404", "OIDC")
    check_error(c.req("GET", "/v2/_q"), 404, "unknown path: 404")
    check_error(c.req("GET", "/"), 404, "root: 404")
    check_error(c.req("PUT", "/v1/_i/example.com/hello/1.0.0"), 405, "PUT an invoice: 405")
    check_error(c.req("DELETE", "/v1/_q"), 405, "DELETE _q: 405")
    check_error(c.req("GET", "/v1/_i"), 405, "GET _i: 405")
    check_error(c.req("POST", "/v1/_r/missing/example.com/hello/1.0.0"), 405, "POST missing: 405")

    # keep-alive: several requests on one connection
    conn = c.conn()
    ok = True
    for _ in range(3):
        conn.request("GET", "/v1/_i/example.com/hello/1.0.0@" + la["sha256"])
        r = conn.getresponse()
        ok = ok and r.status == 200 and r.read() == data_a
    conn.close()
    check(ok, "keep-alive: three downloads on one connection")

    test_search(c)
    test_smuggling(c, srv.port)
    srv.stop("routes")


# ---- search -----------------------------------------------------------------------------------

def test_search(c):
    for name, ver in (("acme/tool", "1.0.0"), ("acme/tool", "1.2.0"), ("acme/tool", "2.0.0"),
                      ("acme/tool", "2.1.0-beta.1"), ("acme/tool2", "0.1.0"), ("other", "1.0.0")):
        st, h, body = post_invoice(c, sign(invoice(name, ver), CREATOR))
        check(st == 201, "search: create %s/%s" % (name, ver), (st, body))

    def q(query, status=200, accept=None):
        st, h, body = c.req("GET", "/v1/_q" + query, headers={"Accept": accept} if accept else None)
        if accept and "json" in accept:
            return st, json.loads(body) if st == 200 else toml_body(body)
        return st, toml_body(body)

    def ids(doc):
        return ["%s/%s" % (i["bindle"]["name"], i["bindle"]["version"]) for i in doc.get("invoices", [])]

    st, doc = q("?q=acme/tool")
    check(st == 200 and ids(doc) == ["acme/tool/1.0.0", "acme/tool/1.2.0", "acme/tool/2.0.0",
                                      "acme/tool/2.1.0-beta.1", "acme/tool2/0.1.0"] and doc["total"] == 5
          and doc["query"] == "acme/tool" and doc["more"] is False and doc["offset"] == 0 and doc["limit"] == 50,
          "search: substring of names, NAME/VERSION order", doc)
    st, doc = q("?q=acme/tool&v=1.2.0")
    check(ids(doc) == ["acme/tool/1.2.0"], "search: a bare version is exact", doc)
    st, doc = q("?q=acme&v=%5E1.0.0")
    check(ids(doc) == ["acme/tool/1.0.0", "acme/tool/1.2.0"], "search: ^1.0.0", ids(doc))
    st, doc = q("?q=acme/tool&v=%3E%3D1.2.0%2C+%3C2.1.0")
    check(ids(doc) == ["acme/tool/1.2.0", "acme/tool/2.0.0"], "search: >=1.2.0, <2.1.0 (form-encoded)", ids(doc))
    st, doc = q("?q=acme/tool&v=%3E%3D2.1.0-alpha")
    check(ids(doc) == ["acme/tool/2.1.0-beta.1"], "search: a pre-release through a pre-release comparator", ids(doc))
    st, doc = q("?q=acme&v=~1")
    check(ids(doc) == ["acme/tool/1.0.0", "acme/tool/1.2.0"], "search: ~1", ids(doc))
    st, doc = q("?q=acme&v=not-a-range")
    check(st == 200 and doc["total"] == 0 and doc["invoices"] == [], "search: an unparsable range matches nothing", doc)
    st, doc = q("?query=acme/tool&version=2.0.0")
    check(ids(doc) == ["acme/tool/2.0.0"], "search: long aliases query, version", doc)
    st, doc = q("?q=acme&o=1&l=2")
    check(ids(doc) == ["acme/tool/1.2.0", "acme/tool/2.0.0"] and doc["more"] is True and doc["total"] == 5
          and doc["offset"] == 1 and doc["limit"] == 2, "search: offset and limit, more", doc)
    st, doc = q("?q=acme&offset=4&limit=2")
    check(ids(doc) == ["acme/tool2/0.1.0"] and doc["more"] is False, "search: the last page", doc)
    st, doc = q("?q=acme&o=9")
    check(st == 200 and doc["invoices"] == [] and doc["more"] is False, "search: past the end", doc)
    st, doc = q("?q=acme&strict=true&yanked=false")
    check(st == 200 and doc["strict"] is True and doc["yanked"] is False, "search: strict and yanked", doc)
    st, doc = q("", accept="application/json")
    check(st == 200 and isinstance(doc.get("invoices"), list) and doc["total"] >= 6, "search: JSON, all", doc)
    for bad, what in (("?x=1", "unknown parameter"), ("?l=256", "limit over 255"), ("?l=-1", "negative limit"),
                      ("?o=abc", "offset not a number"), ("?strict=yes", "strict not a bool"),
                      ("?q=a&q=b", "duplicate parameter"), ("?q=a&query=b", "duplicate through an alias")):
        st, h, body = c.req("GET", "/v1/_q" + bad)
        check(is_error((st, h, body), 400), "search: %s: 400" % what, (st, body))
    st, h, body = c.req("HEAD", "/v1/_q?q=acme")
    check(st == 200 and body == b"", "search: HEAD")
    c.req("DELETE", "/v1/_i/acme/tool/1.0.0")
    st, doc = q("?q=acme/tool&v=%5E1")
    check(ids(doc) == ["acme/tool/1.2.0"], "search: yanked invoices are left out", ids(doc))
    st, doc = q("?q=acme/tool&v=%5E1&yanked=true")
    check(ids(doc) == ["acme/tool/1.0.0", "acme/tool/1.2.0"] and doc["yanked"] is True,
          "search: yanked=true includes them", ids(doc))


# ---- strategies -------------------------------------------------------------------------------

def test_strategies():
    # (strategy, [(signatures, accepted?, what)])
    def sigset(*entries):
        def make(inv):
            for key, role, corrupt in entries:
                sign(inv, key, role, corrupt=corrupt)
            return inv
        return make

    C, A, S = CREATOR, APPROVER, STRANGER
    cases = {
        "GreedyVerification": [
            (sigset((C, "creator", False)), True, "known creator"),
            (sigset((S, "creator", False)), False, "unknown creator"),
            (sigset((C, "creator", False), (A, "approver", True)), False, "every signature verified"),
            (sigset((A, "approver", False)), False, "no creator"),
            (sigset((C, "creator", False), (S, "creator", False)), False, "every creator key known"),
        ],
        "CreativeIntegrity": [
            (sigset((C, "creator", False)), True, "known creator"),
            (sigset((C, "creator", False), (A, "approver", True)), True, "other roles not verified"),
            (sigset((S, "creator", False)), False, "unknown creator"),
            (sigset((C, "creator", True)), False, "bad creator signature"),
        ],
        "AuthoritativeIntegrity": [
            (sigset((A, "approver", False)), True, "a known approver alone"),
            (sigset((S, "creator", False), (A, "approver", False)), True, "one known key is enough"),
            (sigset((S, "creator", False)), False, "no known key"),
            (sigset((C, "creator", True), (A, "approver", False)), False, "a bad creator signature"),
            (sigset((C, "creator", False), (S, "proxy", True)), True, "proxy not verified"),
        ],
        "ExhaustiveVerification": [
            (sigset((C, "creator", False)), True, "known creator"),
            (sigset((C, "creator", False), (A, "approver", False)), True, "creator and approver"),
            (sigset((C, "creator", False), (S, "proxy", False)), False, "an unknown proxy key"),
            (sigset((C, "creator", False), (A, "proxy", True)), False, "a bad proxy signature"),
        ],
        "MultipleAttestation[Creator, Approver]": [
            (sigset((C, "creator", False), (A, "approver", False)), True, "both roles"),
            (sigset((C, "creator", False)), False, "approver missing"),
            (sigset((C, "creator", False), (A, "approver", False), (S, "proxy", True)), True,
             "a bad proxy signature is not looked at"),
            (sigset((C, "creator", False), (S, "approver", False)), False, "unknown approver key"),
        ],
        "MultipleAttestationGreedy[Creator, Approver]": [
            (sigset((C, "creator", False), (A, "approver", False)), True, "both roles"),
            (sigset((C, "creator", False), (A, "approver", False), (S, "proxy", True)), False,
             "a bad proxy signature fails"),
            (sigset((A, "approver", False)), False, "creator missing"),
        ],
    }
    for n, (strategy, rows) in enumerate(cases.items()):
        srv = Server("strategy%d" % n, ["--unauthenticated", "-d", os.path.join(TMP, "strat%d" % n),
                                        "--strategy", strategy] + COMMON)
        if not check(srv.port, "strategy %s: starts" % strategy, srv.stderr()):
            continue
        c = Client(srv.port)
        for i, (make, accepted, what) in enumerate(rows):
            inv = make(invoice("strategy/test", "1.0.%d" % i, [label("f", b"x")]))
            st, h, body = post_invoice(c, inv)
            if accepted:
                check(st in (201, 202), "strategy %s: %s: accepted" % (strategy, what), (st, body))
            else:
                check(is_error((st, h, body), 400, "failed signature check"),
                      "strategy %s: %s: 400" % (strategy, what), (st, body))
        check_error(post_invoice(c, invoice("strategy/test", "9.0.0")), 400,
                    "strategy %s: no signatures: 400" % strategy, "No signatures found")
        srv.stop("strategy %s" % strategy)


# ---- auth -------------------------------------------------------------------------------------

def test_auth():
    ht = os.path.join(TMP, "htpasswd")
    subprocess.run(["htpasswd", "-cbB", ht, "alice", "s3cret"], check=True, capture_output=True)
    subprocess.run(["htpasswd", "-bB", ht, "bob", "hunter2"], check=True, capture_output=True)
    srv = Server("auth", ["--htpasswd-file", ht, "-d", os.path.join(TMP, "auth-data")] + COMMON)
    if not check(srv.port, "auth: server starts", srv.stderr()):
        return
    c = Client(srv.port)
    inv = sign(invoice("auth/x", "1.0.0", [label("f", b"data")]), CREATOR)
    check_error(post_invoice(c, inv), 403, "auth: anonymous create: 403")
    st, h, body = c.req("POST", "/v1/_i", to_toml(inv).encode(), {"Content-Type": "application/toml"},
                        auth=("alice", "wrong"))
    check(is_error((st, h, body), 401) and h.get("www-authenticate", "").startswith("Basic"),
          "auth: wrong password: 401 with WWW-Authenticate", (st, h))
    check_error(c.req("POST", "/v1/_i", to_toml(inv).encode(), {"Content-Type": "application/toml"},
                      auth=("mallory", "s3cret")), 401, "auth: unknown user: 401")
    st, h, body = c.req("POST", "/v1/_i", to_toml(inv).encode(), {"Content-Type": "application/toml"},
                        auth=("alice", "s3cret"))
    check(st == 202, "auth: alice creates", (st, body))
    check_error(c.req("POST", "/v1/_i/auth/x/1.0.0@" + sha256(b"data"), b"data"), 403,
                "auth: anonymous parcel upload: 403")
    st, h, body = c.req("POST", "/v1/_i/auth/x/1.0.0@" + sha256(b"data"), b"data", auth=("bob", "hunter2"))
    check(st == 200, "auth: bob uploads a parcel", (st, body))
    st, h, body = c.req("GET", "/v1/_i/auth/x/1.0.0")
    check(st == 200, "auth: anonymous read of an invoice", st)
    st, h, body = c.req("GET", "/v1/_i/auth/x/1.0.0@" + sha256(b"data"))
    check(st == 200 and body == b"data", "auth: anonymous read of a parcel", st)
    st, h, body = c.req("GET", "/v1/_q?q=auth")
    check(st == 200 and toml_body(body)["total"] == 1, "auth: anonymous search", st)
    check_error(c.req("GET", "/v1/_i/auth/x/1.0.0", auth=("alice", "nope")), 401,
                "auth: a read with wrong credentials: 401")
    check_error(c.req("DELETE", "/v1/_i/auth/x/1.0.0"), 403, "auth: anonymous yank: 403")
    st, h, body = c.req("DELETE", "/v1/_i/auth/x/1.0.0", auth=("alice", "s3cret"))
    check(st == 200, "auth: alice yanks", st)
    st, h, body = c.req("GET", "/healthz", auth=("x", "y"))
    check(st == 200, "auth: /healthz needs nothing", st)
    srv.stop("auth")


# ---- concurrency ------------------------------------------------------------------------------

def test_concurrency():
    srv = Server("conc", ["--unauthenticated", "-d", os.path.join(TMP, "conc-data")] + COMMON)
    if not check(srv.port, "concurrency: server starts", srv.stderr()):
        return
    c = Client(srv.port)
    data = os.urandom(8 << 20)
    lab = label("big.bin", data)
    st, h, body = post_invoice(c, sign(invoice("conc/x", "1.0.0", [lab]), CREATOR))
    check(st == 202, "concurrency: invoice", (st, body))
    results = []
    barrier = threading.Barrier(8)

    def push():
        barrier.wait()
        try:
            results.append(c.req("POST", "/v1/_i/conc/x/1.0.0@" + lab["sha256"], data)[0])
        except Exception as e:
            results.append(repr(e))

    threads = [threading.Thread(target=push) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(sorted(results, key=str) == [200] + [409] * 7, "concurrency: 8 clients push one parcel: one 200, seven 409", results)
    files = glob.glob(os.path.join(TMP, "conc-data", "parcels", lab["sha256"], "*"))
    check([os.path.basename(f) for f in files] == ["parcel.dat"], "concurrency: stored once, no .part", files)
    st, h, body = c.req("GET", "/v1/_i/conc/x/1.0.0@" + lab["sha256"])
    check(st == 200 and body == data, "concurrency: the parcel is whole")
    # different parcels at once
    blobs = [os.urandom(200000 + i) for i in range(6)]
    labs = [label("p%d" % i, b) for i, b in enumerate(blobs)]
    post_invoice(c, sign(invoice("conc/many", "1.0.0", labs), CREATOR))
    results = []
    threads = [threading.Thread(target=lambda b=b, l=l: results.append(
        c.req("POST", "/v1/_i/conc/many/1.0.0@" + l["sha256"], b)[0])) for b, l in zip(blobs, labs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(results == [200] * 6, "concurrency: 6 different parcels at once", results)
    srv.stop("concurrency")


# ---- crash ------------------------------------------------------------------------------------

def slow_upload(port, path, data, upto):
    """Sends the head and the first `upto` bytes of data, then leaves the socket open."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (path, len(data))).encode())
    for i in range(0, upto, 1 << 16):
        s.sendall(data[i:min(upto, i + (1 << 16))])
    return s


def parts(root):
    return glob.glob(os.path.join(root, "**", "*.part"), recursive=True)


def wait_for(cond, seconds):
    deadline = time.time() + seconds * SLOW
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def test_crash():
    root = os.path.join(TMP, "crash-data")
    srv = Server("crash", ["--unauthenticated", "-d", root] + COMMON)
    if not check(srv.port, "crash: server starts", srv.stderr()):
        return
    c = Client(srv.port)
    data = os.urandom(32 << 20)
    lab = label("big.bin", data)
    small = b"small parcel"
    ls = label("small", small)
    st, h, body = post_invoice(c, sign(invoice("crash/x", "1.0.0", [lab, ls]), CREATOR))
    check(st == 202, "crash: invoice", (st, body))
    c.req("POST", "/v1/_i/crash/x/1.0.0@" + ls["sha256"], small)
    path = "/v1/_i/crash/x/1.0.0@" + lab["sha256"]
    sock = slow_upload(srv.port, path, data, 12 << 20)
    check(wait_for(lambda: parts(root), 5), "crash: an upload in progress has a .part file", parts(root))
    st, h, body = c.req("GET", path)
    check_error((st, h, body), 404, "crash: a parcel being uploaded is not visible")
    check_error(c.req("POST", path, data), 409, "crash: a second upload meanwhile: 409")
    srv.kill9()
    sock.close()
    check(parts(root), "crash: SIGKILL left the .part behind")
    srv.start()
    servers.append(srv) if srv not in servers else None
    if not check(srv.port, "crash: restarts", srv.stderr()):
        return
    c = Client(srv.port)
    check("removed 1 unfinished write" in srv.stderr(), "crash: the restart says it removed the .part", srv.stderr()[-500:])
    check(not parts(root), "crash: no .part after the restart", parts(root))
    check(not os.path.exists(os.path.join(root, "parcels", lab["sha256"])),
          "crash: no directory left for the partial parcel")
    check_error(c.req("GET", path), 404, "crash: the partial parcel is not visible")
    st, h, body = c.req("GET", "/v1/_r/missing/crash/x/1.0.0")
    check(st == 200 and [m["sha256"] for m in toml_body(body)["missing"]] == [lab["sha256"]],
          "crash: the index and files agree: the parcel is missing", body)
    st, h, body = c.req("GET", "/v1/_i/crash/x/1.0.0@" + ls["sha256"])
    check(st == 200 and body == small, "crash: the finished parcel survived", st)
    n_files = len(glob.glob(os.path.join(root, "invoices", "*", "invoice.toml")))
    st, h, body = c.req("GET", "/v1/_q?yanked=true&l=255")
    check(st == 200 and toml_body(body)["total"] == n_files == 1, "crash: search total = invoice files",
          (n_files, body[:200]))
    st, h, body = c.req("POST", path, data)
    check(st == 200, "crash: the upload succeeds after the restart", (st, body))
    st, h, body = c.req("GET", path)
    check(st == 200 and body == data, "crash: the parcel is whole")
    # a client that hangs up mid-upload
    data2 = os.urandom(8 << 20)
    l2 = label("b2", data2)
    post_invoice(c, sign(invoice("crash/y", "1.0.0", [l2]), CREATOR))
    sock = slow_upload(srv.port, "/v1/_i/crash/y/1.0.0@" + l2["sha256"], data2, 3 << 20)
    check(wait_for(lambda: parts(root), 5), "crash: hang-up case: .part while uploading")
    sock.close()
    check(wait_for(lambda: not parts(root), 10), "crash: a client hanging up leaves no .part", parts(root))
    check_error(c.req("GET", "/v1/_i/crash/y/1.0.0@" + l2["sha256"]), 404, "crash: hang-up: not visible")
    # SIGTERM during an upload: a clean stop, the upload dropped with its .part
    sock = slow_upload(srv.port, "/v1/_i/crash/y/1.0.0@" + l2["sha256"], data2, 3 << 20)
    check(wait_for(lambda: parts(root), 5), "crash: SIGTERM case: .part while uploading")
    srv.stop("crash: SIGTERM during an upload")
    sock.close()
    check(not parts(root), "crash: SIGTERM during an upload leaves no .part", parts(root))
    # an index deleted while stopped is rebuilt from the files
    for f in glob.glob(os.path.join(root, "corral-index.db*")):
        os.remove(f)
    srv.start()
    if not check(srv.port, "crash: starts without an index", srv.stderr()):
        return
    c = Client(srv.port)
    st, h, body = c.req("GET", "/v1/_q?q=crash")
    check(st == 200 and toml_body(body)["total"] == 2, "crash: a lost index is rebuilt from the invoices", body)
    srv.stop("crash (restart)")


# ---- traversal --------------------------------------------------------------------------------

def raw_request(port, target, method="GET", body=b""):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" %
              (method.encode(), target.encode(), len(body), body))
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d+)", head)
    return int(m.group(1)) if m else 0, rest


def raw_head(port, head):
    """Sends head (a whole request) and returns (status, the connection was closed after)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5 * SLOW)
    s.sendall(head)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        s.close()
        m = re.match(rb"HTTP/1\.[01] (\d+)", data)
        return (int(m.group(1)) if m else 0), False
    s.close()
    m = re.match(rb"HTTP/1\.[01] (\d+)", data)
    return (int(m.group(1)) if m else 0), True


def test_smuggling(c, port):
    for head, what in (
            (b"POST /v1/_i HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             "Content-Length with Transfer-Encoding"),
            (b"POST /v1/_i HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
             "two Content-Lengths"),
            (b"POST /v1/_i HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
             "a coding before chunked"),
            (b"GET /v1/_q HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             "two Transfer-Encodings on a GET")):
        st, closed = raw_head(port, head)
        check(st == 400 and closed, "smuggling: %s: 400 and close" % what, (st, closed))


def test_traversal():
    root = os.path.join(TMP, "trav", "data")
    srv = Server("trav", ["--unauthenticated", "-d", root] + COMMON)
    if not check(srv.port, "traversal: server starts", srv.stderr()):
        return
    c = Client(srv.port)
    secret = os.path.join(TMP, "trav", "secret.txt")
    write(secret, "secret")
    for target, what in (("/v1/_i/../../secret.txt/1.0.0", "'..' in an id"),
                         ("/v1/_i/%2e%2e/%2e%2e/1.0.0", "encoded '..' in an id"),
                         ("/v1/_i//etc/passwd/1.0.0", "an absolute name"),
                         ("/v1/_i/a%2f..%2f..%2fb/1.0.0", "encoded slashes and '..'"),
                         ("/v1/_r/missing/../x/1.0.0", "'..' in missing")):
        st, body = raw_request(srv.port, target)
        check(st == 400 and b"error" in body, "traversal: %s: 400" % what, (st, body[:200]))
    post_invoice(c, sign(invoice("trav/ok", "1.0.0", [label("f", b"x")]), CREATOR))
    for sha in ("../../../secret.txt", "..%2f..%2fsecret.txt", "/etc/passwd", "%2e%2e"):
        st, body = raw_request(srv.port, "/v1/_i/trav/ok/1.0.0@" + sha)
        check(st == 400, "traversal: digest %s: 400" % sha, (st, body[:200]))
        st, body = raw_request(srv.port, "/v1/_i/trav/ok/1.0.0@" + sha, "POST", b"x")
        check(st == 400, "traversal: POST to digest %s: 400" % sha, (st, body[:200]))
    for name in ("../evil", "/abs/evil", "a/../../evil", "..\\evil"):
        inv = sign(invoice("trav/p", "1.0.0", [dict(label("x", b"x"), name=name)]), CREATOR)
        check_error(post_invoice(c, inv), 400, "traversal: parcel name %r: 400" % name, "parcel name")
    for name in ("../trav", "/trav", "a/./b", "a@b"):
        inv = sign(invoice(name, "1.0.0"), CREATOR)
        check_error(post_invoice(c, inv), 400, "traversal: bindle name %r: 400" % name, "bindle name")
    bad = sign(invoice("trav/d", "1.0.0", [dict(label("x", b"x"), sha256="../../secret.txt")]), CREATOR)
    check_error(post_invoice(c, bad), 400, "traversal: a digest that is a path: 400", "hex")
    outside = sorted(os.listdir(os.path.join(TMP, "trav")))
    check(outside == ["cfg", "data", "secret.txt", "stderr", "stdout"] or outside == ["data", "secret.txt", "stderr", "stdout"],
          "traversal: nothing written outside the store", outside)
    srv.stop("traversal")


# ---- TLS --------------------------------------------------------------------------------------

def test_tls():
    if not shutil.which("openssl"):
        print("store: skipping TLS (no openssl)")
        return
    d = os.path.join(TMP, "tls")
    os.makedirs(d, exist_ok=True)
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    srv = Server("tls", ["--unauthenticated", "-d", os.path.join(d, "data"), "--tls-cert", cert,
                         "--tls-key", key] + COMMON)
    if not check(srv.port, "tls: server starts", srv.stderr()):
        return
    c = Client(srv.port, tls=True)
    st, h, body = c.req("GET", "/healthz")
    check(st == 200, "tls: /healthz over HTTPS", st)
    data = os.urandom(1 << 20)
    lab = label("t", data)
    st, h, body = post_invoice(c, sign(invoice("tls/x", "1.0.0", [lab]), CREATOR))
    st, h, body = c.req("POST", "/v1/_i/tls/x/1.0.0@" + lab["sha256"], data)
    check(st == 200, "tls: upload over HTTPS", (st, body))
    st, h, body = c.req("GET", "/v1/_i/tls/x/1.0.0@" + lab["sha256"])
    check(st == 200 and body == data, "tls: download over HTTPS")
    srv.stop("tls")


def main():
    sections = {"startup": test_startup, "routes": test_routes, "strategies": test_strategies,
                "auth": test_auth, "concurrency": test_concurrency, "crash": test_crash,
                "traversal": test_traversal, "tls": test_tls}
    only = os.environ.get("STORE_ONLY", "").split(",") if os.environ.get("STORE_ONLY") else list(sections)
    try:
        for name in only:
            sections[name]()
    finally:
        for s in list(servers):
            s.kill9()
        if os.environ.get("STORE_KEEP") == "1":
            print("store: kept %s" % TMP)
        else:
            shutil.rmtree(TMP, ignore_errors=True)
    print("store: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""bindle_test.py: the Bindle client (corral push, pull, search, info, yank, keys fetch)
end to end against real `corral store serve` servers started on free ports, with keys and
signatures made by python3-nacl (tests/store/bindle.py) so the client's signing and checking
are compared with an independent implementation. Sections:
  usage       help texts, bad ids and options, an unreachable server
  push        a directory (nested, unicode names, a 5 MiB file, duplicates, media types) and
              pulled back byte for byte; the creator signature python3-nacl verifies; the
              corral.toml hook; symbolic links refused
  invoice     an invoice and some of its parcels; the push resumed with the rest; parcel
              files that are not the invoice's; --parcel and info -o
  search      SemVer ranges, paging, toml and json output, yanked
  yank        pull refused unless --yanked; info -y
  auth        htpasswd server: anonymous reads, refused writes, wrong passwords, variables
  verify      empty keyring, keys fetch, strategies, a stranger's key, an invoice changed in
              the server's storage
  cache       no second download, a corrupted or truncated cached parcel re-fetched, a server
              that sends wrong bytes, the cached invoice when the server is down
  standalone  export to a directory and a tar.gz (read by Python's tarfile), import to a
              second server, --standalone pulls, a Python-made tarball
  hostile     tars with '..', absolute names, links, devices, a second bindle, lying digests;
              a standalone directory with a symlinked parcel; -o DIR with a symlink inside
  tls         an HTTPS server with a self-signed certificate: refused, then -k/--insecure
Every corral run must leave no sanitizer report on stderr; every server must exit 0.
usage: bindle_test.py CORRAL   Prints failing checks, then "bindle: N passed, M failed"."""
import hashlib
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "store"))
from bindle import Key, b64, invoice, keyring_toml, label, sha256, sign, signing_keys_toml, to_toml, verify  # noqa: E402

CORRAL = os.path.abspath(sys.argv[1])
SLOW = 3 if b"__asan_init" in open(CORRAL, "rb").read() else 1
TMP = tempfile.mkdtemp(prefix="corral-bindle-test-")
passed = failed = 0
servers = []


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s%s" % (what, (" -- " + str(detail)[:600]) if detail else ""))
    return cond


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def same_tree(a, b):
    """Whether directories a and b hold the same files with the same bytes."""
    def files(d):
        out = {}
        for root, _, names in os.walk(d):
            for n in names:
                p = os.path.join(root, n)
                out[os.path.relpath(p, d)] = read(p)
        return out
    return files(a) == files(b)


# ---- keys and environments ----------------------------------------------------------------

CREATOR = Key("Creator <c@example.com>", ["creator"])
STRANGER = Key("Stranger <s@example.com>", ["creator"])
HOST = Key("Test host", ["host"])
HOST2 = Key("Second host", ["host"])
SERVER_RING = write(os.path.join(TMP, "server-keyring.toml"), keyring_toml([CREATOR]))
# A second server, the target of air-gapped copies, trusts the first one's host key too.
IMPORT_RING = write(os.path.join(TMP, "import-keyring.toml"), keyring_toml([CREATOR, HOST]))
HOST_KEYS = write(os.path.join(TMP, "host-keys.toml"), signing_keys_toml([HOST]), 0o600)
HOST2_KEYS = write(os.path.join(TMP, "host2-keys.toml"), signing_keys_toml([HOST2]), 0o600)


class Env:
    """A user: an XDG config (secret keys, keyring) and cache of their own."""

    def __init__(self, name, keys=(CREATOR,), ring=(CREATOR, HOST)):
        self.dir = os.path.join(TMP, "user-" + name)
        self.config = os.path.join(self.dir, "config")
        self.cache_home = os.path.join(self.dir, "cache")
        self.cache = os.path.join(self.cache_home, "corral", "bindle")
        if keys:
            write(os.path.join(self.config, "corral", "secret_keys.toml"), signing_keys_toml(keys), 0o600)
        if ring is not None:
            write(self.keyring(), keyring_toml(ring))
        os.makedirs(self.cache_home, exist_ok=True)

    def keyring(self):
        return os.path.join(self.config, "corral", "keyring.toml")

    def run(self, args, server=None, env=None, timeout=60, stdin=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith("BINDLE_") and k != "CORRAL_KEYRING"}
        e.update(XDG_CONFIG_HOME=self.config, XDG_CACHE_HOME=self.cache_home, HOME=self.dir)
        if server:
            e["BINDLE_URL"] = server.url
        e.update(env or {})
        p = subprocess.run([CORRAL] + args, capture_output=True, env=e, timeout=timeout * SLOW, input=stdin)
        out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
        check("Sanitizer" not in err and "runtime error" not in err,
              "no sanitizer report: corral " + " ".join(args[:3]), err[-2000:])
        return p.returncode, out, err


class Server:
    def __init__(self, name, args=(), keys=HOST_KEYS, ring=SERVER_RING):
        self.dir = os.path.join(TMP, "server-" + name)
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.dir, exist_ok=True)
        self.args = ["-d", self.data, "--keyring", ring, "--signing-keys", keys] + list(args)
        self.name = name
        self.start()

    def start(self):
        self.out = open(os.path.join(self.dir, "stdout"), "a+")
        self.err = open(os.path.join(self.dir, "stderr"), "a+")
        self.out.seek(0, 2)
        mark = self.out.tell()
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(self.dir, "cfg"))
        self.proc = subprocess.Popen([CORRAL, "store", "serve", "-i", "127.0.0.1:0"] + self.args,
                                     stdout=self.out, stderr=self.err, env=env)
        self.port = None
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline and self.proc.poll() is None:
            self.out.seek(mark)
            m = re.search(r"Ready: serving Bindle on https?://127\.0\.0\.1:(\d+)/v1/", self.out.read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.02)
        self.url = "http://127.0.0.1:%s/v1/" % self.port
        servers.append(self)

    def log(self):
        self.out.seek(0)
        return self.out.read()

    def log_count(self, text, at_least, timeout=5.0):
        """How often text is in the log, once it is there at least at_least times or timeout
        seconds passed: the server logs a request after it answered it."""
        end = time.time() + timeout * SLOW
        while True:
            n = self.log().count(text)
            if n >= at_least or time.time() > end:
                return n
            time.sleep(0.02)

    def stop(self, what):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(20 * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "hung"
        self.err.seek(0)
        err = self.err.read()
        check(code == 0, what + ": the server exits 0 on SIGTERM", code)
        check("Sanitizer" not in err and "runtime error" not in err, what + ": no sanitizer report in the server", err[-2000:])
        if self in servers:
            servers.remove(self)


def id_sha(ident):
    return hashlib.sha256(ident.encode()).hexdigest()


def parcel_count(server, ident, sha):
    """How many times the server's log shows a GET of that parcel."""
    return server.log().count('"GET /v1/_i/%s@%s"' % (ident, sha))


def make_tree(d, big=False):
    write(os.path.join(d, "hello.wasm"), b"\0asm\1\0\0\0" + os.urandom(100))
    write(os.path.join(d, "static", "index.html"), b"<h1>hi</h1>\n")
    write(os.path.join(d, "static", "caf\u00e9 menu.txt"), "cr\u00e8me br\u00fbl\u00e9e\n".encode())
    write(os.path.join(d, "deep", "a", "b", "c", "leaf.json"), b'{"x": 1}\n')
    write(os.path.join(d, "empty"), b"")
    write(os.path.join(d, ".hidden"), b"dot file\n")
    write(os.path.join(d, "copy-of-index.html"), b"<h1>hi</h1>\n")  # same bytes as static/index.html
    if big:
        write(os.path.join(d, "big.bin"), os.urandom(5 << 20))


# ---- usage ------------------------------------------------------------------------------------

def test_usage():
    u = Env("usage")
    for cmd, words in [("push", ["[bindle:]NAME/VERSION DIR", "--standalone", "--sign", "--http-user", "BINDLE_URL"]),
                       ("pull", ["-e DIR|FILE.tar.gz", "--parcel", "--yanked", "--strategy", "BINDLE_DIRECTORY"]),
                       ("search", ["--bindle-version", "--offset", "--strict", "-f table|toml|json"]),
                       ("info", ["--output-format", "-y, --yanked"]),
                       ("yank", ["[bindle:]NAME/VERSION", "--http-password"])]:
        code, out, err = u.run(["help", cmd])
        check(code == 0 and all(w in out for w in words), "usage: corral help %s" % cmd, out[:300])
    code, out, err = u.run(["keys", "--help"])
    check(code == 0 and "corral keys fetch" in out, "usage: corral keys fetch in the help", out[:200])
    code, out, err = u.run(["--help"])
    check(all(re.search(r"^\s+%s\s" % c, out, re.M) for c in ("search", "info", "yank")),
          "usage: corral --help lists search, info, yank", out)
    code, out, err = u.run(["pull", "bindle:example.com/x/1.0"])
    check(code == 2 and "not a bindle id" in err and "SemVer" in err, "usage: a bad version", err)
    code, out, err = u.run(["pull", "example.com/x/1.0.0", "--image"])
    check(code == 2 and "unknown option '--image'" in err, "usage: an OCI-only push flag on pull", err)
    code, out, err = u.run(["pull", "example.com/x/1.0.0", "--insecure-http"])
    check(code == 2 and "only applies to oci://" in err, "usage: --insecure-http on a Bindle pull", err)
    code, out, err = u.run(["push", "oci://127.0.0.1:1/a:v1", "x.wasm", "--standalone", "d"])
    check(code == 2, "usage: --standalone with an OCI reference", err)
    code, out, err = u.run(["push", "oci://127.0.0.1:1/a:v1", "x.wasm", "-s", "http://x/v1/"])
    check(code == 2 and "only applies to Bindle pushes" in err, "usage: -s with an OCI reference", err)
    code, out, err = u.run(["push", "example.com/x/1.0.0", "x", "--image"])
    check(code == 2 and "only applies to oci://" in err, "usage: --image with a bindle", err)
    code, out, err = u.run(["search", "--limit", "300"])
    check(code == 2 and "1 to 255" in err, "usage: --limit over 255", err)
    code, out, err = u.run(["search", "--strict=maybe"])
    check(code == 2 and "true or false" in err, "usage: --strict=maybe", err)
    code, out, err = u.run(["pull", "example.com/x/1.0.0", "--strategy", "Lenient"])
    check(code == 2 and "Lenient" in err, "usage: an unknown strategy", err)
    code, out, err = u.run(["pull", "example.com/x/1.0.0", "-s", "ftp://h/v1/"])
    check(code == 2 and "http://" in err, "usage: a server URL that is not HTTP", err)
    code, out, err = u.run(["info", "example.com/x/1.0.0", "-f", "yaml"])
    check(code == 2 and "toml and json" in err, "usage: info -f yaml", err)
    code, out, err = u.run(["push", "example.com/x/1.0.0"])
    check(code == 2 and "directory or an invoice" in err, "usage: push with an id alone", err)
    code, out, err = u.run(["pull", "example.com/x/1.0.0", "-s", "http://127.0.0.1:1/v1/"])
    check(code == 1 and "127.0.0.1:1" in err and "GET" in err, "usage: an unreachable server is named", err)
    code, out, err = u.run(["pull", "example.com/x/1.0.0", "--http-password", "x", "-s", "http://127.0.0.1:1/v1/"])
    check(code == 2 and "--http-user" in err, "usage: a password without a user", err)


# ---- push a directory -------------------------------------------------------------------------

def test_push(srv):
    u = Env("push")
    src = os.path.join(TMP, "tree")
    make_tree(src, big=True)
    code, out, err = u.run(["push", "example.com/tree/1.0.0", src], srv)
    check(code == 0 and "pushed bindle:example.com/tree/1.0.0: 7 parcels uploaded" in out and
          "0 already on the server" in out, "push: a directory (8 files, two with the same bytes: 7 uploads)",
          (code, out, err))
    # the invoice as the server keeps it: labels, media types, a creator signature nacl verifies
    inv = tomllib.loads(read(os.path.join(srv.data, "invoices", id_sha("example.com/tree/1.0.0"), "invoice.toml")).decode())
    labels = {p["label"]["name"]: p["label"] for p in inv.get("parcel", [])}
    check(sorted(labels) == sorted([".hidden", "big.bin", "copy-of-index.html", "deep/a/b/c/leaf.json", "empty",
                                    "hello.wasm", "static/caf\u00e9 menu.txt", "static/index.html"]),
          "push: one label per file, named by its path", sorted(labels))
    check([p["label"]["name"] for p in inv["parcel"]] == sorted(labels, key=lambda s: s.encode()),
          "push: parcels in byte order of their names")
    check(labels["hello.wasm"]["mediaType"] == "application/wasm" and labels["static/index.html"]["mediaType"] == "text/html"
          and labels["empty"]["mediaType"] == "application/octet-stream" and labels["deep/a/b/c/leaf.json"]["mediaType"] == "application/json",
          "push: media types guessed from extensions", labels)
    check(labels["big.bin"]["size"] == 5 << 20 and labels["big.bin"]["sha256"] == sha256(read(os.path.join(src, "big.bin"))),
          "push: sizes and digests")
    creators = [s for s in inv.get("signature", []) if s["role"] == "creator"]
    check(len(creators) == 1 and creators[0]["by"] == CREATOR.label and creators[0]["key"] == CREATOR.pub and verify(inv, creators[0]),
          "push: signed as creator with the user's key (python3-nacl verifies it)", creators)
    # pulled back, byte for byte
    dest = os.path.join(TMP, "tree-pulled")
    code, out, err = u.run(["pull", "bindle:example.com/tree/1.0.0", "-o", dest], srv)
    check(code == 0 and same_tree(src, dest), "push: pulled back byte for byte with -o DIR", (code, out, err))
    check("8 parcels (1 from the cache, 7 downloaded" in out, "push: the first pull downloads each digest once", out)
    # pushing again: nothing is sent; other content under the same version is refused
    code, out, err = u.run(["push", "example.com/tree/1.0.0", src], srv)
    check(code == 0 and "0 parcels uploaded" in out and "7 already on the server (the invoice was there)" in out,
          "push: the same bindle again sends nothing", (code, out, err))
    write(os.path.join(src, "empty"), b"not empty any more")
    code, out, err = u.run(["push", "example.com/tree/1.0.0", src], srv)
    check(code == 1 and "exists on the server with other parcels" in err and "new version" in err,
          "push: other content under an existing version is refused", (code, out, err))
    write(os.path.join(src, "empty"), b"")
    # --sign with another file, --sign-label
    write(os.path.join(TMP, "two-keys.toml"), signing_keys_toml([STRANGER, CREATOR]), 0o600)
    code, out, err = u.run(["push", "example.com/tree/1.1.0", src, "--sign", os.path.join(TMP, "two-keys.toml"),
                            "--sign-label", CREATOR.label], srv)
    check(code == 0, "push: --sign FILE --sign-label LABEL", (code, out, err))
    code, out, err = u.run(["push", "example.com/tree/1.2.0", src, "--sign", os.path.join(TMP, "two-keys.toml")], srv)
    check(code == 1 and "failed signature check" in err, "push: signed by a key the server does not know: refused", err)
    code, out, err = u.run(["push", "example.com/tree/1.2.0", src, "--sign-label", "x"], srv)
    check(code == 2 and "--sign-label needs --sign" in err, "push: --sign-label alone", err)
    # no secret key file at all
    nokeys = Env("nokeys", keys=())
    code, out, err = nokeys.run(["push", "example.com/tree/1.3.0", src], srv)
    check(code == 1 and "corral keys create" in err, "push: no key to sign with says how to make one", err)
    # the corral.toml hook
    app = os.path.join(TMP, "app")
    write(os.path.join(app, "corral.toml"), "name = 'x'\n")
    write(os.path.join(app, "m.wasm"), b"\0asm\1\0\0\0")
    code, out, err = u.run(["push", "example.com/app/1.0.0", app], srv)
    check(code == 2 and "corral.toml" in err and "--files" in err, "push: a directory with corral.toml is an app (not yet)", err)
    code, out, err = u.run(["push", "example.com/app/1.0.0", app, "--files"], srv)
    check(code == 0 and "2 parcels uploaded" in out, "push: --files pushes it as files", (out, err))
    # symbolic links are refused, naming them
    linked = os.path.join(TMP, "linked")
    write(os.path.join(linked, "a.txt"), b"a")
    os.symlink("/etc/passwd", os.path.join(linked, "passwd"))
    code, out, err = u.run(["push", "example.com/linked/1.0.0", linked], srv)
    check(code == 2 and "passwd is a symbolic link" in err, "push: a symbolic link in the directory is refused", err)
    # an empty directory is a bindle without parcels
    os.makedirs(os.path.join(TMP, "emptydir"))
    code, out, err = u.run(["push", "example.com/empty/1.0.0", os.path.join(TMP, "emptydir")], srv)
    check(code == 0 and "0 parcels uploaded" in out, "push: an empty directory", (out, err))
    code, out, err = u.run(["pull", "example.com/empty/1.0.0"], srv)
    check(code == 0 and "0 parcels" in out, "push: an empty bindle pulls", (out, err))


# ---- an invoice and its parcels ---------------------------------------------------------------

def test_invoice(srv):
    u = Env("invoice")
    d = os.path.join(TMP, "inv")
    a, b, c = os.urandom(70000), b"second parcel\n", os.urandom(3)
    for n, data in (("a.bin", a), ("b.txt", b), ("c.bin", c)):
        write(os.path.join(d, n), data)
    inv = sign(invoice("example.com/inv", "2.0.0", [label("x/a.bin", a), label("b.txt", b, "text/plain")],
                       annotations={"team": "corral"}), CREATOR)
    path = write(os.path.join(d, "invoice.toml"), to_toml(inv))
    code, out, err = u.run(["push", path, os.path.join(d, "a.bin")], srv)
    check(code == 0 and "1 parcel uploaded" in out and "1 parcel of the invoice is still missing" in err,
          "invoice: pushed with one of its two parcels, warned about the other", (code, out, err))
    code, out, err = u.run(["pull", "example.com/inv/2.0.0"], srv)
    check(code == 0 and "1 parcel " in out and "is missing" in err, "invoice: a pull warns of the missing parcel (as Bindle)", (out, err))
    code, out, err = u.run(["pull", "example.com/inv/2.0.0", "--parcel", "b.txt"], srv)
    check(code == 1 and "404" in err, "invoice: --parcel of a missing parcel fails", err)
    # resumed: only the missing parcel goes
    log_before = srv.log().count("POST /v1/_i/example.com/inv/2.0.0@")
    code, out, err = u.run(["push", "example.com/inv/2.0.0", path, os.path.join(d, "b.txt"), os.path.join(d, "a.bin")], srv)
    sent = srv.log_count("POST /v1/_i/example.com/inv/2.0.0@", log_before + 1) - log_before
    check(code == 0 and "1 parcel uploaded" in out and "1 already on the server" in out and "the invoice was there" in out and sent == 1,
          "invoice: pushing again resumes: only the missing parcel is sent", (out, err, sent))
    # the invoice pushed as written: annotations kept, one creator signature (not re-signed)
    code, out, err = u.run(["info", "example.com/inv/2.0.0"], srv)
    doc = tomllib.loads(out) if code == 0 else {}
    check(doc.get("annotations") == {"team": "corral"} and [s["role"] for s in doc.get("signature", [])] == ["creator", "host"],
          "invoice: info shows it, signed by creator then host", (code, out[:300], err))
    code, out, err = u.run(["info", "example.com/inv/2.0.0", "-f", "json"], srv)
    check(code == 0 and json.loads(out)["bindle"]["name"] == "example.com/inv", "invoice: info -f json", out[:200])
    target = os.path.join(TMP, "got-invoice.toml")
    code, out, err = u.run(["info", "example.com/inv/2.0.0", "-o", target], srv)
    check(code == 0 and tomllib.loads(read(target).decode())["bindle"]["version"] == "2.0.0", "invoice: info -o FILE (get-invoice)", err)
    code, out, err = u.run(["info", "example.com/inv/2.0.0", "-o", target], srv)
    check(code == 1 and "File exists" in err, "invoice: info -o does not overwrite", err)
    # one parcel, by digest and by name, to a file and to stdout
    out_file = os.path.join(TMP, "one-parcel")
    code, out, err = u.run(["pull", "example.com/inv/2.0.0", "--parcel", sha256(a), "-o", out_file], srv)
    check(code == 0 and read(out_file) == a, "invoice: --parcel SHA -o FILE", (code, err))
    p = subprocess.run([CORRAL, "pull", "example.com/inv/2.0.0", "--parcel", "b.txt", "-o", "-"], capture_output=True,
                       env=dict(os.environ, BINDLE_URL=srv.url, XDG_CONFIG_HOME=u.config, XDG_CACHE_HOME=u.cache_home))
    check(p.returncode == 0 and p.stdout == b, "invoice: --parcel NAME -o - to standard output", p.stderr)
    code, out, err = u.run(["pull", "example.com/inv/2.0.0", "--parcel", "nope"], srv)
    check(code == 1 and "no parcel" in err, "invoice: --parcel of a name the invoice lacks", err)
    # files that are not the invoice's, an id that is not the invoice's, an unsigned invoice
    code, out, err = u.run(["push", path, os.path.join(d, "c.bin")], srv)
    check(code == 1 and "is not a parcel of the invoice" in err, "invoice: a file that is not one of its parcels", err)
    code, out, err = u.run(["push", "example.com/other/1.0.0", path], srv)
    check(code == 2 and "not of example.com/other/1.0.0" in err, "invoice: an id that is not the invoice's", err)
    unsigned = write(os.path.join(d, "unsigned.toml"), to_toml(invoice("example.com/unsigned", "1.0.0", [label("b.txt", b)])))
    code, out, err = u.run(["push", unsigned, os.path.join(d, "b.txt")], srv)
    check(code == 1 and "No signatures found" in err and "400" in err, "invoice: an unsigned invoice is refused by the server (its message)", err)
    code, out, err = u.run(["push", unsigned, os.path.join(d, "b.txt"), "--sign",
                            os.path.join(u.config, "corral", "secret_keys.toml")], srv)
    check(code == 0, "invoice: --sign signs an invoice file before pushing", (out, err))
    code, out, err = u.run(["push", path, "--sign", os.path.join(u.config, "corral", "secret_keys.toml")], srv)
    check(code == 1 and "already signed" in err.lower() or "Duplicate" in err or "already" in err,
          "invoice: --sign with the key that signed it already", err)
    bad = write(os.path.join(d, "bad.toml"), "bindleVersion = \"1.0.0\"\n[bindle]\nname = \"x\"\nversion = \"1.0.0\"\nyanked_reason = \"no\"\n")
    code, out, err = u.run(["push", bad], srv)
    check(code == 1 and "yanked_reason" in err, "invoice: an invoice Bindle's schema refuses is refused before sending", err)


# ---- search ------------------------------------------------------------------------------------

def test_search(srv):
    u = Env("search")
    for v in ("1.0.0", "1.2.0", "1.2.0-rc.1", "2.0.0"):
        inv = invoice("example.com/searched", v)
        inv["bindle"]["description"] = "version " + v
        sign(inv, CREATOR)
        code, out, err = u.run(["push", write(os.path.join(TMP, "search", v + ".toml"), to_toml(inv))], srv)
        check(code == 0, "search: push " + v, err)
    code, out, err = u.run(["search", "-q", "searched"], srv)
    check(code == 0 and out.splitlines()[:4] == ["example.com/searched/1.0.0:\tversion 1.0.0",
                                                  "example.com/searched/1.2.0:\tversion 1.2.0",
                                                  "example.com/searched/1.2.0-rc.1:\tversion 1.2.0-rc.1",
                                                  "example.com/searched/2.0.0:\tversion 2.0.0"]
          and "=== Showing results 1 to 4 of 4 (limit: 50)" in out, "search: Bindle's table", out)

    def versions(*args):
        code, out, err = u.run(["search", "-q", "searched", "-f", "toml"] + list(args), srv)
        doc = tomllib.loads(out) if code == 0 else {}
        return [i["bindle"]["version"] for i in doc.get("invoices", [])]
    check(versions("-b", "^1") == ["1.0.0", "1.2.0"], "search: ^1", versions("-b", "^1"))
    check(versions("-b", "1.2.0") == ["1.2.0"], "search: a full version is exact")
    check(versions("-b", ">=1.2.0-rc.1, <2") == ["1.2.0", "1.2.0-rc.1"], "search: a range with a pre-release")
    check(versions("-b", "~1.2") == ["1.2.0"], "search: ~1.2")
    check(versions("-b", "not a range") == [], "search: an unparsable range matches nothing")
    code, out, err = u.run(["search", "-q", "searched", "--limit", "2", "--offset", "1"], srv)
    check(code == 0 and "=== Showing results 2 to 3 of 4 (limit: 2) - More results are available with --offset=3" in out,
          "search: paging, with the next offset", out)
    code, out, err = u.run(["search", "-q", "searched", "-f", "json", "--strict"], srv)
    doc = json.loads(out) if code == 0 else {}
    check(doc.get("total") == 4 and doc.get("strict") is True and len(doc.get("invoices", [])) == 4 and
          doc["invoices"][0]["bindle"]["description"] == "version 1.0.0", "search: -f json", out[:300])
    code, out, err = u.run(["search", "-q", "nothing-like-this"], srv)
    check(code == 0 and "No matching bindles were found" in out, "search: no match", out)
    code, out, err = u.run(["yank", "example.com/searched/1.0.0"], srv)
    check(code == 0 and "Bindle example.com/searched/1.0.0 yanked" in out, "search: yank one", (out, err))
    check(versions() == ["1.2.0", "1.2.0-rc.1", "2.0.0"], "search: a yanked bindle leaves the results")
    check(versions("--yanked") == ["1.0.0", "1.2.0", "1.2.0-rc.1", "2.0.0"], "search: --yanked brings it back")
    check(versions("--yanked=false") == ["1.2.0", "1.2.0-rc.1", "2.0.0"], "search: --yanked=false")


# ---- yank ----------------------------------------------------------------------------------------

def test_yank(srv):
    u = Env("yank")
    d = os.path.join(TMP, "yank-tree")
    write(os.path.join(d, "m.wasm"), b"\0asm\1\0\0\0yank")
    code, out, err = u.run(["push", "example.com/yanked/1.0.0", d], srv)
    check(code == 0, "yank: push", err)
    code, out, err = u.run(["yank", "bindle:example.com/yanked/1.0.0"], srv)
    check(code == 0, "yank: yank", err)
    code, out, err = u.run(["pull", "example.com/yanked/1.0.0"], srv)
    check(code == 1 and "yanked" in err and "--yanked" in err and "403" in err, "yank: a pull is refused, saying how to force it", err)
    dest = os.path.join(TMP, "yank-out")
    code, out, err = u.run(["pull", "example.com/yanked/1.0.0", "--yanked", "-o", dest], srv)
    check(code == 0 and same_tree(d, dest), "yank: --yanked pulls it", (out, err))
    code, out, err = u.run(["info", "example.com/yanked/1.0.0"], srv)
    check(code == 1 and "yanked" in err, "yank: info refuses it", err)
    code, out, err = u.run(["info", "example.com/yanked/1.0.0", "-y"], srv)
    check(code == 0 and tomllib.loads(out).get("yanked") is True, "yank: info -y shows it, yanked = true", out[:200])
    code, out, err = u.run(["yank", "example.com/never/1.0.0"], srv)
    check(code == 1 and "404" in err, "yank: an unknown bindle", err)
    code, out, err = u.run(["push", "example.com/yanked/1.0.0", d], srv)
    check(code == 1 and "is yanked; push a new version" in err, "yank: a yanked version cannot be pushed again", err)


# ---- auth ----------------------------------------------------------------------------------------

def test_auth():
    ht = os.path.join(TMP, "htpasswd")
    subprocess.run(["htpasswd", "-cbB", ht, "alice", "s3cret"], check=True, capture_output=True)
    srv = Server("auth", ["--htpasswd-file", ht])
    if not check(srv.port, "auth: server starts"):
        return
    u = Env("auth")
    d = os.path.join(TMP, "auth-tree")
    write(os.path.join(d, "f.txt"), b"auth\n")
    code, out, err = u.run(["push", "example.com/auth/1.0.0", d], srv)
    check(code == 1 and "403" in err and "--http-user" in err, "auth: an anonymous push is refused, naming the flags", err)
    code, out, err = u.run(["push", "example.com/auth/1.0.0", d, "--http-user", "alice", "--http-password", "Pw-9f3k-XYZ"], srv)
    check(code == 1 and "401" in err and "refused the credentials" in err, "auth: a wrong password", err)
    check("Pw-9f3k-XYZ" not in err, "auth: the password is not printed", err)
    code, out, err = u.run(["push", "example.com/auth/1.0.0", d], srv,
                           env={"BINDLE_HTTP_USER": "alice", "BINDLE_HTTP_PASSWORD": "s3cret"})
    check(code == 0, "auth: BINDLE_HTTP_USER and BINDLE_HTTP_PASSWORD", (out, err))
    code, out, err = u.run(["pull", "example.com/auth/1.0.0"], srv)
    check(code == 0, "auth: an anonymous pull (reads are anonymous)", err)
    code, out, err = u.run(["search"], srv)
    check(code == 0 and "example.com/auth/1.0.0" in out, "auth: an anonymous search", err)
    code, out, err = u.run(["yank", "example.com/auth/1.0.0"], srv)
    check(code == 1 and "403" in err, "auth: an anonymous yank is refused", err)
    code, out, err = u.run(["yank", "example.com/auth/1.0.0", "--http-user", "alice", "--http-password", "s3cret"], srv)
    check(code == 0, "auth: alice yanks", err)
    code, out, err = u.run(["keys", "fetch", "--http-user", "alice", "--http-password", "s3cret"], srv)
    check(code == 0, "auth: keys fetch with credentials", err)
    srv.stop("auth")


# ---- verification -----------------------------------------------------------------------------------

def test_verify(srv):
    pub = Env("publisher")
    d = os.path.join(TMP, "verify-tree")
    write(os.path.join(d, "v.txt"), b"verified\n")
    code, out, err = pub.run(["push", "example.com/verified/1.0.0", d], srv)
    check(code == 0, "verify: push", err)
    fresh = Env("fresh", keys=(), ring=None)
    code, out, err = fresh.run(["pull", "example.com/verified/1.0.0"], srv)
    check(code == 1 and "MultipleAttestationGreedy[Host]" in err and "keyring is empty" in err and "corral keys fetch" in err,
          "verify: an empty keyring refuses, saying what to do", err)
    check(not os.path.exists(os.path.join(fresh.cache, "parcels")), "verify: nothing is fetched before verification")
    code, out, err = fresh.run(["keys", "fetch"], srv)
    check(code == 0 and "Wrote 1 keys" in out, "verify: keys fetch adds the host key", (out, err))
    ring = tomllib.loads(read(fresh.keyring()).decode())
    check([k["key"] for k in ring["key"]] == [HOST.pub] and ring["key"][0]["roles"] == ["host"],
          "verify: the keyring now has the host key", ring)
    code, out, err = fresh.run(["keys", "fetch"], srv)
    check(code == 0 and "Wrote 0 keys" in out, "verify: keys fetch again adds nothing", out)
    # Greedy: the creator is unknown to this user
    code, out, err = fresh.run(["pull", "example.com/verified/1.0.0"], srv)
    check(code == 1 and "not in the keyring" in err and CREATOR.label in err,
          "verify: MultipleAttestationGreedy[Host] needs every signer known (the creator is not)", err)
    code, out, err = fresh.run(["pull", "example.com/verified/1.0.0", "--strategy", "MultipleAttestation[Host]"], srv)
    check(code == 0, "verify: MultipleAttestation[Host] takes the host's word", err)
    code, out, err = fresh.run(["pull", "example.com/verified/1.0.0", "--strategy", "CreativeIntegrity"], srv)
    check(code == 1 and "CreativeIntegrity" in err, "verify: CreativeIntegrity needs a known creator", err)
    code, out, err = fresh.run(["keys", "add", CREATOR.label, "creator", CREATOR.pub])
    code, out, err = fresh.run(["pull", "example.com/verified/1.0.0", "--strategy", "creativeintegrity"], srv)
    check(code == 0, "verify: CreativeIntegrity with the creator's key", err)
    code, out, err = fresh.run(["pull", "example.com/verified/1.0.0"], srv)
    check(code == 0, "verify: the default strategy once both are known", err)
    code, out, err = fresh.run(["pull", "example.com/verified/1.0.0", "--strategy", "GreedyVerification"], srv)
    check(code == 0, "verify: GreedyVerification", err)
    stranger_ring = write(os.path.join(TMP, "stranger-ring.toml"), keyring_toml([STRANGER]))
    code, out, err = fresh.run(["pull", "example.com/verified/1.0.0", "-r", stranger_ring, "--strategy", "AuthoritativeIntegrity"], srv)
    check(code == 1 and "AuthoritativeIntegrity" in err, "verify: a keyring of strangers (-r FILE)", err)
    code, out, err = fresh.run(["info", "example.com/verified/1.0.0", "-r", stranger_ring], srv,
                               env={"BINDLE_KEYRING": fresh.keyring()})
    check(code == 1, "verify: -r wins over BINDLE_KEYRING", err)
    code, out, err = fresh.run(["info", "example.com/verified/1.0.0"], srv, env={"CORRAL_KEYRING": stranger_ring})
    check(code == 1 and "info" in err, "verify: info verifies too ($CORRAL_KEYRING)", err)
    # an invoice changed in the server's storage: the creator's signature no longer verifies
    store_inv = os.path.join(srv.data, "invoices", id_sha("example.com/verified/1.0.0"), "invoice.toml")
    text = read(store_inv).decode()
    write(store_inv, text.replace('by = "%s"' % CREATOR.label, 'by = "Mallory <m@example.com>"', 1))
    code, out, err = fresh.run(["pull", "example.com/verified/1.0.0"], srv)
    check(code == 1 and "signature 1" in err and "Mallory" in err, "verify: a changed invoice is refused (signature 1 fails)", err)
    write(store_inv, text)


# ---- the cache ---------------------------------------------------------------------------------------

def test_cache(srv):
    u = Env("cache")
    d = os.path.join(TMP, "cache-tree")
    data = os.urandom(300000)
    write(os.path.join(d, "data.bin"), data)
    write(os.path.join(d, "small.txt"), b"small\n")
    ident = "example.com/cached/1.0.0"
    code, out, err = u.run(["push", ident, d], srv)
    check(code == 0, "cache: push", err)
    sha = sha256(data)
    code, out, err = u.run(["pull", ident], srv)
    check(code == 0 and parcel_count(srv, ident, sha) == 1, "cache: first pull downloads", (out, err))
    cached = os.path.join(u.cache, "parcels", sha, "parcel.dat")
    check(read(cached) == data and os.path.exists(os.path.join(u.cache, "invoices", id_sha(ident), "invoice.toml")),
          "cache: Bindle's layout, parcels by digest, invoices by sha256(NAME/VERSION)")
    code, out, err = u.run(["pull", ident, "-v"], srv)
    check(code == 0 and parcel_count(srv, ident, sha) == 1 and "2 from the cache, 0 downloaded" in out and "in the cache, checked" in err,
          "cache: a second pull downloads nothing", (out, err))
    # damaged copies are detected and fetched again
    bad = bytearray(data)
    bad[1000] ^= 0xff
    write(cached, bytes(bad))
    code, out, err = u.run(["pull", ident, "-v"], srv)
    check(code == 0 and parcel_count(srv, ident, sha) == 2 and "fetching it again" in err and read(cached) == data,
          "cache: a corrupted cached parcel is detected and re-fetched", (out, err))
    write(cached, data[:1000])
    code, out, err = u.run(["pull", ident], srv)
    check(code == 0 and parcel_count(srv, ident, sha) == 3 and read(cached) == data, "cache: a truncated one too", err)
    os.unlink(cached)
    os.symlink(os.path.join(d, "small.txt"), cached)
    code, out, err = u.run(["pull", ident], srv)
    check(code == 0 and not os.path.islink(cached) and read(cached) == data, "cache: a symlink in the cache is replaced, not followed", err)
    leftovers = [n for r, _, ns in os.walk(u.cache) for n in ns if ".tmp-" in n]
    check(leftovers == [], "cache: no temporary file left behind", leftovers)
    # -d and BINDLE_DIRECTORY
    other = os.path.join(TMP, "other-cache")
    code, out, err = u.run(["pull", ident, "-d", other], srv)
    check(code == 0 and os.path.exists(os.path.join(other, "parcels", sha, "parcel.dat")), "cache: -d DIR", err)
    third = os.path.join(TMP, "third-cache")
    code, out, err = u.run(["pull", ident], srv, env={"BINDLE_DIRECTORY": third})
    check(code == 0 and os.path.exists(os.path.join(third, "parcels", sha, "parcel.dat")), "cache: BINDLE_DIRECTORY", err)
    # a server whose storage sends other bytes: refused, nothing kept
    store_parcel = os.path.join(srv.data, "parcels", sha, "parcel.dat")
    write(store_parcel, bytes(bad))
    fresh_cache = os.path.join(TMP, "fresh-cache")
    code, out, err = u.run(["pull", ident, "-d", fresh_cache], srv)
    check(code == 1 and "SHA-256" in err and "tampered" in err, "cache: a parcel the server corrupted is refused", err)
    check(not os.path.exists(os.path.join(fresh_cache, "parcels", sha, "parcel.dat")) and
          [n for r, _, ns in os.walk(fresh_cache) for n in ns if ".tmp-" in n] == [],
          "cache: and nothing of it is kept")
    write(store_parcel, data)
    return ident


def test_offline(srv, ident, u_name="cache"):
    """After the server stops: the cached invoice and parcels are used."""
    u = Env(u_name)
    srv.stop("cache")
    code, out, err = u.run(["pull", ident, "-o", os.path.join(TMP, "offline-out")], srv)
    check(code == 0 and "could not be reached" in out and "cached invoice" in out, "cache: the server is down: the cached invoice is used", (out, err))
    code, out, err = u.run(["pull", "example.com/never-pulled/1.0.0"], srv)
    check(code == 1 and "GET" in err, "cache: without a cached invoice, the network error", err)


# ---- standalone bindles -------------------------------------------------------------------------------

def test_standalone(srv):
    u = Env("standalone")
    src = os.path.join(TMP, "sa-tree")
    make_tree(src)
    ident = "example.com/standalone/3.1.4"
    key = id_sha(ident)
    code, out, err = u.run(["push", ident, src], srv)
    check(code == 0, "standalone: push", err)
    exp = os.path.join(TMP, "exports")
    code, out, err = u.run(["pull", ident, "-e", exp], srv)
    sa = os.path.join(exp, key)
    names = sorted(os.listdir(os.path.join(sa, "parcels"))) if os.path.isdir(sa) else []
    check(code == 0 and os.path.isfile(os.path.join(sa, "invoice.toml")) and
          names == sorted({sha256(read(os.path.join(r, n))) + ".dat" for r, _, ns in os.walk(src) for n in ns}),
          "standalone: -e DIR writes SHA/invoice.toml and parcels/SHA.dat", (out, err, names))
    code, out, err = u.run(["pull", ident, "-e", exp], srv)
    check(code == 1 and "exists already" in err, "standalone: an export does not overwrite", err)
    tgz = os.path.join(exp, "bindle.tar.gz")
    code, out, err = u.run(["pull", ident, "-e", tgz], srv)
    with tarfile.open(tgz) as t:
        members = sorted(m.name for m in t.getmembers())
        bad = [m.name for m in t.getmembers() if m.issym() or m.islnk()]
    check(code == 0 and members == sorted([key, key + "/invoice.toml", key + "/parcels"] + [key + "/parcels/" + n for n in names]) and not bad,
          "standalone: -e FILE.tar.gz, as Python's tarfile reads it", members)
    plain = os.path.join(exp, "bindle.tar")
    code, out, err = u.run(["pull", ident, "-e", plain], srv)
    check(code == 0 and tarfile.is_tarfile(plain) and read(plain)[:2] != b"\x1f\x8b", "standalone: -e FILE.tar is not compressed", err)
    # pulled from the copies without a server: checked, then written out
    for what, path, extra in (("the directory", sa, []), ("its parent and the id", exp, [ident]), ("the tar.gz", tgz, []),
                              ("the plain tar", plain, [])):
        dest = os.path.join(TMP, "sa-out-" + str(abs(hash(what))))
        code, out, err = u.run(["pull", "--standalone", path, "-o", dest, "-d", os.path.join(TMP, "sa-cache")] + extra,
                               env={"BINDLE_URL": "http://127.0.0.1:1/v1/"})
        check(code == 0 and same_tree(src, dest), "standalone: pull --standalone " + what, (out, err))
    # imported to a second server, from each form
    second = Server("second", ["--unauthenticated"], keys=HOST2_KEYS, ring=IMPORT_RING)
    untrusting = Server("untrusting", ["--unauthenticated"], keys=HOST2_KEYS)
    code, out, err = u.run(["push", "--standalone", sa], untrusting)
    check(code == 1 and "400" in err and "failed signature check" in err and HOST.label in err,
          "standalone: a server that does not trust the origin's host key refuses it (its message)", err)
    untrusting.stop("untrusting")
    for what, path in (("directory", sa), ("tar.gz", tgz)):
        sec = Server("import-" + what.replace(".", ""), ["--unauthenticated"], keys=HOST2_KEYS, ring=IMPORT_RING)
        code, out, err = u.run(["push", "--standalone", path], sec)
        check(code == 0 and "uploaded" in out, "standalone: push --standalone a " + what, (out, err))
        dest = os.path.join(TMP, "imported-" + what)
        importer = Env("importer-" + what.replace(".", ""), ring=(CREATOR, HOST, HOST2))
        code, out, err = importer.run(["pull", ident, "-o", dest], sec)
        check(code == 0 and same_tree(src, dest), "standalone: pulled from the second server, byte for byte (" + what + ")", (out, err))
        sec.stop("import " + what)
    code, out, err = u.run(["push", "--standalone", exp, ident], second)
    check(code == 0, "standalone: push --standalone PARENT ID (Bindle's push -p)", (out, err))
    code, out, err = u.run(["push", "--standalone", exp], second)
    check(code == 2 and "holds no invoice.toml" in err, "standalone: a parent directory needs the id", err)
    second.stop("second")
    # a tarball made by Python's tarfile (gzip, ./ prefixes, pax headers), as another tool would
    py_tgz = os.path.join(TMP, "python-made.tar.gz")
    with tarfile.open(py_tgz, "w:gz", format=tarfile.PAX_FORMAT) as t:
        t.add(sa, arcname="./" + key)
    dest = os.path.join(TMP, "python-made-out")
    code, out, err = u.run(["pull", "--standalone", py_tgz, ident, "-o", dest, "-d", os.path.join(TMP, "py-cache")])
    check(code == 0 and same_tree(src, dest), "standalone: a tarball Python made", (out, err))
    # GNU tar of the export directory itself (a "./" entry first), into a new -o directory
    gnu_tgz = os.path.join(TMP, "gnu-made.tgz")
    subprocess.run(["tar", "czf", gnu_tgz, "--exclude=*.tar*", "-C", exp, "."], check=True)
    dest = os.path.join(TMP, "gnu-made-out", "deeper")
    code, out, err = u.run(["pull", "--standalone", gnu_tgz, ident, "-o", dest, "-d", os.path.join(TMP, "gnu-cache")])
    check(code == 0 and same_tree(src, dest), "standalone: a tarball GNU tar made of the export directory", (out, err))
    # a standalone bindle lacking a parcel: pulls with a warning; --parcel of it fails
    partial = os.path.join(TMP, "partial")
    shutil.copytree(sa, os.path.join(partial, key))
    gone = sorted(os.listdir(os.path.join(partial, key, "parcels")))[0]
    os.unlink(os.path.join(partial, key, "parcels", gone))
    code, out, err = u.run(["pull", "--standalone", os.path.join(partial, key)])
    check(code == 0 and "missing" in err, "standalone: a partial standalone bindle (allowed by the spec)", (out, err))
    code, out, err = u.run(["pull", "--standalone", os.path.join(partial, key), "--parcel", gone[:-4]])
    check(code == 1 and "lacks parcel" in err, "standalone: --parcel of a parcel it lacks", err)
    # the directory name must be the invoice's digest when it is one
    wrong = os.path.join(TMP, "wrong", "0" * 64)
    shutil.copytree(sa, wrong)
    code, out, err = u.run(["pull", "--standalone", wrong])
    check(code == 1 and "whose directory would be" in err, "standalone: a directory named for another bindle", err)
    # verification applies to standalone pulls too
    code, out, err = Env("sa-fresh", keys=(), ring=None).run(["pull", "--standalone", sa])
    check(code == 1 and "refused by verification strategy" in err, "standalone: verified like a server pull", err)


# ---- hostile input -------------------------------------------------------------------------------------

def tar_with(path, entries, gz=True):
    """entries: (name, kind, data or link target); kinds file, dir, sym, hard, fifo, char."""
    with tarfile.open(path, "w:gz" if gz else "w") as t:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            if kind == "file":
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
                continue
            ti.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE,
                       "fifo": tarfile.FIFOTYPE, "char": tarfile.CHRTYPE}[kind]
            if kind in ("sym", "hard"):
                ti.linkname = data
            t.addfile(ti)
    return path


def test_hostile():
    u = Env("hostile")
    inv = sign(invoice("example.com/hostile", "1.0.0", [label("p.txt", b"payload")]), CREATOR)
    key = id_sha("example.com/hostile/1.0.0")
    inv_text = to_toml(inv).encode()
    good = [(key + "/", "dir", None), (key + "/invoice.toml", "file", inv_text), (key + "/parcels/", "dir", None),
            (key + "/parcels/%s.dat" % sha256(b"payload"), "file", b"payload")]
    hd = os.path.join(TMP, "hostile")
    os.makedirs(hd, exist_ok=True)
    cache = os.path.join(TMP, "hostile-cache")
    code, out, err = u.run(["pull", "--standalone", tar_with(os.path.join(hd, "good.tar.gz"), good),
                            "--strategy", "CreativeIntegrity", "-d", cache])
    check(code == 0, "hostile: the well-formed archive is read", (out, err))
    victim = os.path.join(hd, "victim")
    cases = [
        ("dotdot", [("../victim", "file", b"x")], "'..' segment"),
        ("inner-dotdot", [(key + "/../../victim", "file", b"x")], "'..' segment"),
        ("absolute", [(victim, "file", b"x")], "absolute path"),
        ("symlink", [(key + "/", "dir", None), (key + "/parcels/", "dir", None),
                     (key + "/parcels/%s.dat" % sha256(b"payload"), "sym", "/etc/passwd")], "is a link"),
        ("hardlink", [(key + "/invoice.toml", "hard", "/etc/passwd")], "is a link"),
        ("fifo", [(key + "/parcels/%s.dat" % sha256(b"payload"), "fifo", None)], "not a regular file"),
        ("device", [(key + "/invoice.toml", "char", None)], "not a regular file"),
        ("other-file", good + [(key + "/run.sh", "file", b"#!/bin/sh\n")], "not part of a standalone bindle"),
        ("second-bindle", good + [("1" * 64 + "/invoice.toml", "file", inv_text)], "second bindle"),
        ("dir-as-file", [(key, "file", b"x")], "should be a directory"),
        ("lying-digest", [(key + "/parcels/%s.dat" % sha256(b"other"), "file", b"payload")], "SHA-256 is"),
    ]
    for name, entries, words in cases:
        path = tar_with(os.path.join(hd, name + ".tar.gz"), entries)
        code, out, err = u.run(["pull", "--standalone", path, "-d", cache, "--strategy", "CreativeIntegrity"])
        check(code == 1 and words in err, "hostile: %s is refused" % name, (code, err))
        code, out, err = u.run(["push", "--standalone", path, "-d", cache, "-s", "http://127.0.0.1:1/v1/"])
        check(code == 1 and words in err, "hostile: %s is refused by push --standalone" % name, (code, err))
    check(not os.path.exists(victim) and not os.path.exists(os.path.join(TMP, "victim")),
          "hostile: nothing was written outside the cache")
    check(not os.path.exists(os.path.join(cache, "parcels", sha256(b"other"))), "hostile: the lying parcel was not kept")
    check(sorted(os.listdir(os.path.join(cache, "parcels"))) == [sha256(b"payload")], "hostile: the cache holds the good parcel only",
          os.listdir(os.path.join(cache, "parcels")))
    # garbage and truncation
    write(os.path.join(hd, "garbage.tar.gz"), b"\x1f\x8b\x08\x00 not gzip at all")
    code, out, err = u.run(["pull", "--standalone", os.path.join(hd, "garbage.tar.gz"), "-d", cache])
    check(code == 1 and "gzip" in err, "hostile: garbage is refused", err)
    whole = read(os.path.join(hd, "good.tar.gz"))
    write(os.path.join(hd, "cut.tar.gz"), whole[:len(whole) // 2])
    code, out, err = u.run(["pull", "--standalone", os.path.join(hd, "cut.tar.gz"), "-d", cache])
    check(code == 1, "hostile: a truncated archive is refused", err)
    # a standalone directory whose parcel is a symlink: not followed
    sd = os.path.join(hd, "dir", key)
    write(os.path.join(sd, "invoice.toml"), inv_text)
    os.makedirs(os.path.join(sd, "parcels"))
    secret = write(os.path.join(hd, "secret"), b"payload")
    os.symlink(secret, os.path.join(sd, "parcels", sha256(b"payload") + ".dat"))
    code, out, err = u.run(["pull", "--standalone", sd, "--strategy", "CreativeIntegrity"])
    check(code == 1 and "symbolic link" in err, "hostile: a symlinked parcel in a standalone directory is refused", err)
    os.unlink(os.path.join(sd, "parcels", sha256(b"payload") + ".dat"))
    os.rmdir(os.path.join(sd, "parcels"))
    os.symlink(os.path.join(hd, "elsewhere"), os.path.join(sd, "parcels"))
    code, out, err = u.run(["pull", "--standalone", sd, "--strategy", "CreativeIntegrity"])
    check(code == 1 and "symbolic link" in err, "hostile: a symlinked parcels directory is refused", err)
    # -o DIR where DIR holds a symlink the parcel's path goes through
    inv2 = sign(invoice("example.com/nested", "1.0.0", [label("sub/p.txt", b"nested")]), CREATOR)
    key2 = id_sha("example.com/nested/1.0.0")
    nested = tar_with(os.path.join(hd, "nested.tar.gz"), [(key2 + "/invoice.toml", "file", to_toml(inv2).encode()),
                                                          (key2 + "/parcels/%s.dat" % sha256(b"nested"), "file", b"nested")])
    outside = os.path.join(hd, "outside")
    os.makedirs(outside)
    dest = os.path.join(hd, "dest")
    os.makedirs(dest)
    os.symlink(outside, os.path.join(dest, "sub"))
    code, out, err = u.run(["pull", "--standalone", nested, "-o", dest, "-d", cache, "--strategy", "CreativeIntegrity"])
    check(code == 1 and os.listdir(outside) == [], "hostile: -o DIR does not write through a symlink inside DIR", (code, err, os.listdir(outside)))


# ---- TLS ---------------------------------------------------------------------------------------

def test_tls():
    if not shutil.which("openssl"):
        print("bindle: skipping TLS (no openssl)")
        return
    d = os.path.join(TMP, "tls")
    os.makedirs(d, exist_ok=True)
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=corral-test.invalid"], check=True, capture_output=True)
    srv = Server("tls", ["--unauthenticated", "--tls-cert", cert, "--tls-key", key])
    if not check(srv.port, "tls: server starts"):
        return
    srv.url = "https://127.0.0.1:%d/v1/" % srv.port
    u = Env("tls")
    tree = os.path.join(d, "tree")
    write(os.path.join(tree, "t.bin"), os.urandom(2 << 20))
    code, out, err = u.run(["push", "example.com/tls/1.0.0", tree], srv)
    check(code == 1 and "https://127.0.0.1" in err and "certificate" in err.lower(),
          "tls: a self-signed certificate is refused", err)
    code, out, err = u.run(["push", "example.com/tls/1.0.0", tree, "-k"], srv)
    check(code == 0, "tls: push with -k", (out, err))
    dest = os.path.join(d, "out")
    code, out, err = u.run(["pull", "example.com/tls/1.0.0", "--insecure", "-o", dest], srv)
    check(code == 0 and same_tree(tree, dest), "tls: pull with --insecure, byte for byte", (out, err))
    code, out, err = u.run(["search", "-k", "-s", srv.url], env={"BINDLE_URL": "http://127.0.0.1:1/v1/"})
    check(code == 0 and "example.com/tls/1.0.0" in out, "tls: -s URL wins over BINDLE_URL", (out, err))
    srv.stop("tls")


def main():
    sections = ["usage", "push", "invoice", "search", "yank", "auth", "verify", "cache", "standalone", "hostile", "tls"]
    only = os.environ.get("BINDLE_ONLY", "").split(",") if os.environ.get("BINDLE_ONLY") else sections
    try:
        srv = Server("main", ["--unauthenticated"])
        if not check(srv.port, "the main server starts"):
            return 1
        if "usage" in only:
            test_usage()
        for name, fn in (("push", test_push), ("invoice", test_invoice), ("search", test_search),
                         ("yank", test_yank), ("verify", test_verify)):
            if name in only:
                fn(srv)
        if "auth" in only:
            test_auth()
        if "standalone" in only:
            test_standalone(srv)
        if "hostile" in only:
            test_hostile()
        if "tls" in only:
            test_tls()
        if "cache" in only:
            cache_srv = Server("cache", ["--unauthenticated"])
            ident = test_cache(cache_srv)
            test_offline(cache_srv, ident)
        srv.stop("main")
    finally:
        for s in list(servers):
            s.proc.kill()
            s.proc.wait()
        if os.environ.get("BINDLE_KEEP") == "1":
            print("bindle: kept %s" % TMP)
        else:
            shutil.rmtree(TMP, ignore_errors=True)
    print("bindle: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""bindle.py: what the store tests need to speak Bindle: Ed25519 keys (python3-nacl), key
files, invoices written as TOML, signatures over Bindle's cleartext (BINDLE.md 4.3: by, name,
version, role, "~", the parcels' digests, joined by newlines, without `at`), and a small HTTP
client. Test helper only."""
import base64
import hashlib
import http.client
import json
import ssl
import time

import nacl.signing


def b64(b):
    return base64.b64encode(b).decode()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class Key:
    def __init__(self, label, roles=("creator",)):
        self.label = label
        self.roles = list(roles)
        self.sk = nacl.signing.SigningKey.generate()
        self.pub = b64(bytes(self.sk.verify_key))

    def keypair(self):
        return b64(bytes(self.sk) + bytes(self.sk.verify_key))


def q(s):
    """A TOML basic string."""
    return json.dumps(s, ensure_ascii=False)


def keyring_toml(keys):
    out = ['version = "1.0"']
    for k in keys:
        out += ["", "[[key]]", "label = " + q(k.label),
                "roles = [" + ", ".join(q(r) for r in k.roles) + "]", "key = " + q(k.pub)]
    return "\n".join(out) + "\n"


def signing_keys_toml(keys):
    out = ['version = "1.0"']
    for k in keys:
        out += ["", "[[key]]", "label = " + q(k.label), "keypair = " + q(k.keypair()),
                "roles = [" + ", ".join(q(r) for r in k.roles) + "]"]
    return "\n".join(out) + "\n"


def label(name, data, media="application/octet-stream"):
    return {"sha256": sha256(data), "mediaType": media, "name": name, "size": len(data)}


def invoice(name, version, labels=(), **extra):
    inv = {"bindleVersion": "1.0.0", "bindle": {"name": name, "version": version},
           "parcel": [{"label": dict(l)} for l in labels]}
    inv.update(extra)
    if not inv["parcel"]:
        del inv["parcel"]
    return inv


def cleartext(inv, by, role):
    lines = [by, inv["bindle"]["name"], inv["bindle"]["version"], role, "~"]
    lines += [p["label"]["sha256"] for p in inv.get("parcel", [])]
    return "\n".join(lines).encode()


def sign(inv, key, role="creator", by=None, corrupt=False):
    """Appends key's signature in role (a garbled one when corrupt)."""
    by = by or key.label
    sig = key.sk.sign(cleartext(inv, by, role)).signature
    if corrupt:
        sig = bytes([sig[0] ^ 1]) + sig[1:]
    inv.setdefault("signature", []).append(
        {"by": by, "signature": b64(sig), "key": key.pub, "role": role, "at": int(time.time())})
    return inv


def verify(inv, sig):
    """Whether signature entry sig verifies over inv's cleartext."""
    vk = nacl.signing.VerifyKey(base64.b64decode(sig["key"]))
    try:
        vk.verify(cleartext(inv, sig["by"], sig["role"]), base64.b64decode(sig["signature"]))
        return True
    except Exception:
        return False


def to_toml(inv):
    """The invoice dicts these tests build, as TOML."""
    out = []

    def scalars(d, skip=()):
        for k, v in d.items():
            if k in skip or isinstance(v, dict) or (isinstance(v, list) and v and isinstance(v[0], dict)):
                continue
            if isinstance(v, bool):
                out.append("%s = %s" % (k, "true" if v else "false"))
            elif isinstance(v, int):
                out.append("%s = %d" % (k, v))
            elif isinstance(v, list):
                out.append("%s = [%s]" % (k, ", ".join(q(x) for x in v)))
            else:
                out.append("%s = %s" % (k, q(v)))

    def table(path, d):
        out.append("[%s]" % path)
        scalars(d)
        for k, v in d.items():
            if isinstance(v, dict):
                table(path + "." + (k if k.replace("_", "").replace("-", "").isalnum() else q(k)), v)

    scalars(inv)
    for k, v in inv.items():
        if isinstance(v, dict):
            table(k, v)
    for k, v in inv.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            for item in v:
                out.append("[[%s]]" % k)
                scalars(item)
                for k2, v2 in item.items():
                    if isinstance(v2, dict):
                        table(k + "." + k2, v2)
    return "\n".join(out) + "\n"


class Client:
    def __init__(self, port, tls=False, auth=None):
        self.port, self.tls, self.auth = port, tls, auth

    def conn(self):
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=60)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def req(self, method, path, body=None, headers=None, auth=None):
        """(status, headers as a dict with lower-case names, body bytes)."""
        h = dict(headers or {})
        a = auth or self.auth
        if a:
            h["Authorization"] = "Basic " + b64(("%s:%s" % a).encode())
        c = self.conn()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, data

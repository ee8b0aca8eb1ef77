#!/usr/bin/python3
"""nacl_tool.py: the other side of Corral's signing interoperability tests, written against
python3-nacl (libsodium's Python binding, Debian's python3-nacl) and tomllib, not against
Corral's code. It makes keys, key files and signatures in Bindle 0.9.1's formats and checks
the ones Corral makes.

usage: nacl_tool.py golden
       nacl_tool.py keypair [SEED_HEX]             prints PUBLIC_B64 KEYPAIR_B64
       nacl_tool.py secrets OUT LABEL ROLES [SEED_HEX]
                                                    writes a secret key file (Bindle's layout)
       nacl_tool.py invoice OUT NAME VERSION [PARCEL_TEXT...]
                                                    writes an unsigned invoice
       nacl_tool.py sign INVOICE SECRETS ROLE [AT]  appends a [[signature]] made with the
                                                    first key of SECRETS, as Bindle does
       nacl_tool.py verify INVOICE                  checks every signature (crypto only)
       nacl_tool.py check-keyring KEYRING [SECRETS] checks each labelSignature, and that
                                                    the keys are those of SECRETS' keypairs
       nacl_tool.py cleartext INVOICE BY ROLE       prints the bytes a signature signs
Exits 1 with a message on a failed check.
"""

import base64
import hashlib
import sys
import tomllib

import nacl.bindings
import nacl.exceptions
import nacl.signing


def fail(msg):
    print("nacl_tool: " + msg, file=sys.stderr)
    sys.exit(1)


def cleartext(inv, by, role):
    # Bindle's Invoice::cleartext (code, not spec): no `at`.
    lines = [by, inv["bindle"]["name"], inv["bindle"]["version"], role, "~"]
    lines += [p["label"]["sha256"] for p in inv.get("parcel", [])]
    return "\n".join(lines).encode()


def b64(data):
    return base64.b64encode(data).decode()


def key_from_seed(seed_hex):
    if seed_hex:
        return nacl.signing.SigningKey(bytes.fromhex(seed_hex))
    return nacl.signing.SigningKey.generate()


def toml_str(s):
    out = '"'
    for c in s:
        if c in '"\\':
            out += "\\" + c
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out += "\\u%04X" % ord(c)
        else:
            out += c
    return out + '"'


def load(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def cmd_golden(_args):
    """The vectors tests/unit/test_sign.c and test_keyring.c hold."""
    shas = [hashlib.sha256(b"parcel one").hexdigest(), hashlib.sha256(b"parcel two").hexdigest()]
    inv = {"bindle": {"name": "example.com/hello", "version": "1.0.0"},
           "parcel": [{"label": {"sha256": s}} for s in shas]}
    inv2 = {"bindle": {"name": "a/b/c", "version": "0.1.0-rc.1+build.5"}}
    a = key_from_seed(bytes(range(32)).hex())
    b = key_from_seed(bytes(range(32, 64)).hex())
    for s in shas:
        print(s)
    for k in (a, b):
        print(b64(bytes(k.verify_key)))
        print(b64(bytes(k) + bytes(k.verify_key)))
    print(b64(a.sign(cleartext(inv, "Alice <alice@example.com>", "creator")).signature))
    print(b64(a.sign(cleartext(inv2, "Alice <alice@example.com>", "approver")).signature))
    print(b64(b.sign(cleartext(inv, "Bob Host", "host")).signature))
    print(b64(a.sign(b"Alice <alice@example.com>").signature))


def cmd_keypair(args):
    k = key_from_seed(args[0] if args else None)
    print(b64(bytes(k.verify_key)), b64(bytes(k) + bytes(k.verify_key)))


def cmd_secrets(args):
    out, label, roles = args[0], args[1], args[2].split(",")
    k = key_from_seed(args[3] if len(args) > 3 else None)
    with open(out, "w") as f:
        f.write('version = "1.0"\n\n[[key]]\n')
        f.write("label = %s\n" % toml_str(label))
        f.write("keypair = %s\n" % toml_str(b64(bytes(k) + bytes(k.verify_key))))
        f.write("roles = [%s]\n" % ", ".join(toml_str(r) for r in roles))


def cmd_invoice(args):
    out, name, version, parcels = args[0], args[1], args[2], args[3:]
    with open(out, "w") as f:
        f.write('bindleVersion = "1.0.0"\n\n[bindle]\n')
        f.write("name = %s\nversion = %s\n" % (toml_str(name), toml_str(version)))
        for i, text in enumerate(parcels):
            f.write('\n[[parcel]]\n[parcel.label]\nsha256 = "%s"\n'
                    % hashlib.sha256(text.encode()).hexdigest())
            f.write('mediaType = "text/plain"\nname = "p%d.txt"\nsize = %d\n'
                    % (i, len(text.encode())))


def cmd_sign(args):
    invoice, secrets, role = args[0], args[1], args[2]
    at = int(args[3]) if len(args) > 3 else 1611960337
    inv = load(invoice)
    entry = load(secrets)["key"][0]
    raw = base64.b64decode(entry["keypair"], validate=True)
    k = nacl.signing.SigningKey(raw[:32])
    if bytes(k.verify_key) != raw[32:]:
        fail("keypair's halves do not match")
    sig = k.sign(cleartext(inv, entry["label"], role)).signature
    with open(invoice, "a") as f:
        f.write("\n[[signature]]\nby = %s\nsignature = \"%s\"\nkey = \"%s\"\nrole = \"%s\"\n"
                "at = %d\n" % (toml_str(entry["label"]), b64(sig), b64(bytes(k.verify_key)),
                               role, at))


def cmd_verify(args):
    inv = load(args[0])
    sigs = inv.get("signature", [])
    if not sigs:
        fail("no signatures")
    for i, s in enumerate(sigs):
        pk = base64.b64decode(s["key"], validate=True)
        sig = base64.b64decode(s["signature"], validate=True)
        try:
            nacl.bindings.crypto_sign_open(sig + cleartext(inv, s["by"], s["role"]), pk)
        except nacl.exceptions.BadSignatureError:
            fail("signature %d (by %r, %s) does not verify" % (i + 1, s["by"], s["role"]))
    print("%d signature(s) verified" % len(sigs))


def cmd_check_keyring(args):
    ring = load(args[0])
    if ring.get("version") != "1.0":
        fail("version is not 1.0")
    entries = ring["key"]
    for e in entries:
        if set(e) - {"label", "roles", "key", "labelSignature"}:
            fail("unexpected fields " + str(sorted(e)))
        if not all(r in ("creator", "approver", "host", "proxy") for r in e["roles"]):
            fail("bad roles " + str(e["roles"]))
        if "labelSignature" in e:
            try:
                nacl.signing.VerifyKey(base64.b64decode(e["key"], validate=True)).verify(
                    e["label"].encode(), base64.b64decode(e["labelSignature"], validate=True))
            except nacl.exceptions.BadSignatureError:
                fail("label signature of %r does not verify" % e["label"])
    if len(args) > 1:
        secrets = load(args[1])["key"]
        if len(secrets) != len(entries):
            fail("%d secret keys, %d keyring entries" % (len(secrets), len(entries)))
        for s, e in zip(secrets, entries):
            raw = base64.b64decode(s["keypair"], validate=True)
            k = nacl.signing.SigningKey(raw[:32])
            if bytes(k.verify_key) != raw[32:] or b64(raw[32:]) != e["key"]:
                fail("key of %r is not its keypair's public half" % s["label"])
            if s["label"] != e["label"] or s["roles"] != e["roles"]:
                fail("label or roles differ for %r" % s["label"])
    print("%d key(s) checked" % len(entries))


def cmd_cleartext(args):
    sys.stdout.buffer.write(cleartext(load(args[0]), args[1], args[2]))


COMMANDS = {
    "golden": cmd_golden, "keypair": cmd_keypair, "secrets": cmd_secrets,
    "invoice": cmd_invoice, "sign": cmd_sign, "verify": cmd_verify,
    "check-keyring": cmd_check_keyring, "cleartext": cmd_cleartext,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])

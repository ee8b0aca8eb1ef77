#!/usr/bin/env python3
"""mkbindle.py: writes a standalone bindle (Bindle's standalone layout, which WAGI's
--bindle-path reads) from an invoice template, independently of Corral's code.

usage: mkbindle.py OUT_DIR TEMPLATE

TEMPLATE is an invoice in TOML where {sha:FILE} and {size:FILE} stand for the SHA-256 (hex)
and size of FILE. The invoice goes to OUT_DIR/<sha256("NAME/VERSION")>/invoice.toml and each
FILE named in it to OUT_DIR/<that>/parcels/<sha256>.dat. Prints that bindle directory.
"""
import hashlib
import os
import re
import shutil
import sys


def main():
    out_dir, template = sys.argv[1], sys.argv[2]
    text = open(template).read()
    files = {}

    def sub(m):
        kind, path = m.group(1), m.group(2)
        data = open(path, "rb").read()
        sha = hashlib.sha256(data).hexdigest()
        files[sha] = path
        return sha if kind == "sha" else str(len(data))

    text = re.sub(r"\{(sha|size):([^}]+)\}", sub, text)
    name = re.search(r'^name\s*=\s*"([^"]*)"', text, re.M).group(1)
    version = re.search(r'^version\s*=\s*"([^"]*)"', text, re.M).group(1)
    key = hashlib.sha256(f"{name}/{version}".encode()).hexdigest()
    bindle = os.path.join(out_dir, key)
    os.makedirs(os.path.join(bindle, "parcels"), exist_ok=True)
    with open(os.path.join(bindle, "invoice.toml"), "w") as f:
        f.write(text)
    for sha, path in files.items():
        shutil.copyfile(path, os.path.join(bindle, "parcels", sha + ".dat"))
    print(bindle)


if __name__ == "__main__":
    main()

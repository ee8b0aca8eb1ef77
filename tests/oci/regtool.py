#!/usr/bin/env python3
"""regtool.py: a second, independent registry client for tests/oci/run.sh, with Python's
urllib, hashlib and tarfile, to put into a registry what Corral itself never pushes, and to
tamper with what it pushed:

  w2o BASE REPO TAG WASM [WASM2]   wasm-to-oci's form (WAGI, Krustlet): config
                                   application/vnd.wasm.config.v1+json, a text layer, then
                                   WASM and WASM2 as application/vnd.wasm.content.layer.v1+wasm
  image BASE REPO TAG OLD NEW ENTRY FORMAT
                                   a Docker v2 schema 2 image of two layers built with tarfile
                                   (FORMAT gnu or pax): the lower one (gzip) holds OLD at
                                   app/mod.wasm, app/gone.wasm and OLD at a 150-character
                                   path; the upper one (plain tar) NEW at app/mod.wasm and a
                                   whiteout of app/gone.wasm. The config's Entrypoint is ENTRY.
  index BASE REPO TAG WASM_TAG     an OCI index: a linux/amd64 image, then the manifest of
                                   WASM_TAG as platform wasip1/wasm
  forge-sig BASE REPO DIGEST       replaces every signature in DIGEST's signature artifact by
                                   64 random bytes, keeping the keys
  show-sig BASE REPO DIGEST OUT    writes the first signature's payload, signature and key to
                                   OUT.payload, OUT.sig, OUT.key (raw bytes)

BASE is http://127.0.0.1:PORT. Prints the manifest digest it pushed, if any.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.error
import urllib.request

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
ACCEPT = ", ".join([MANIFEST, INDEX, DOCKER_MANIFEST])


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def put_blob(base, repo, data):
    d = digest(data)
    status, headers, _ = request("POST", f"{base}/v2/{repo}/blobs/uploads/", b"")
    assert status == 202, status
    loc = headers["Location"]
    if loc.startswith("/"):
        loc = base + loc
    sep = "&" if "?" in loc else "?"
    status, _, body = request("PUT", f"{loc}{sep}digest={d}", data,
                              {"Content-Type": "application/octet-stream"})
    assert status == 201, (status, body)
    return d


def put_manifest(base, repo, ref, media_type, doc):
    data = json.dumps(doc, separators=(",", ":")).encode()
    status, _, body = request("PUT", f"{base}/v2/{repo}/manifests/{ref}", data,
                              {"Content-Type": media_type})
    assert status == 201, (status, body)
    return digest(data), len(data)


def get_manifest(base, repo, ref):
    status, headers, body = request("GET", f"{base}/v2/{repo}/manifests/{ref}",
                                    headers={"Accept": ACCEPT})
    assert status == 200, (status, body)
    return headers.get("Content-Type"), body


def desc(media_type, data, d=None, **extra):
    out = {"mediaType": media_type, "digest": d or digest(data), "size": len(data)}
    out.update(extra)
    return out


def w2o(base, repo, tag, wasm, wasm2=None):
    config = b"{}"
    readme = b"not the module\n"
    layers = [desc("text/plain", readme, put_blob(base, repo, readme))]
    for path in [wasm] + ([wasm2] if wasm2 else []):
        data = open(path, "rb").read()
        layers.append(desc("application/vnd.wasm.content.layer.v1+wasm", data,
                           put_blob(base, repo, data),
                           annotations={"org.opencontainers.image.title": os.path.basename(path)}))
    doc = {"schemaVersion": 2, "mediaType": MANIFEST,
           "config": desc("application/vnd.wasm.config.v1+json", config,
                          put_blob(base, repo, config)),
           "layers": layers}
    return put_manifest(base, repo, tag, MANIFEST, doc)[0]


def tar_bytes(entries, fmt):
    buf = io.BytesIO()
    tf = tarfile.open(fileobj=buf, mode="w",
                      format=tarfile.GNU_FORMAT if fmt == "gnu" else tarfile.PAX_FORMAT)
    for name, data in entries:
        info = tarfile.TarInfo(name)
        if data is None:
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tf.addfile(info)
        else:
            info.size = len(data)
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
    tf.close()
    return buf.getvalue()


LONG_DIR = "deep/" * 29  # 145 characters


def image(base, repo, tag, old, new, entry, fmt):
    old_b, new_b = open(old, "rb").read(), open(new, "rb").read()
    lower = tar_bytes([("app", None), ("app/mod.wasm", old_b), ("app/gone.wasm", old_b),
                       (LONG_DIR + "m.wasm", old_b)], fmt)
    upper = tar_bytes([("app", None), ("app/mod.wasm", new_b), ("app/.wh.gone.wasm", b"")], fmt)
    lower_gz = gzip.compress(lower, mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Entrypoint": [entry]},
                         "rootfs": {"type": "layers",
                                    "diff_ids": [digest(lower), digest(upper)]}}).encode()
    doc = {"schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
           "config": desc("application/vnd.docker.container.image.v1+json", config,
                          put_blob(base, repo, config)),
           "layers": [desc("application/vnd.docker.image.rootfs.diff.tar.gzip", lower_gz,
                           put_blob(base, repo, lower_gz)),
                      desc("application/vnd.docker.image.rootfs.diff.tar", upper,
                           put_blob(base, repo, upper))]}
    return put_manifest(base, repo, tag, DOCKER_MANIFEST, doc)[0]


def index(base, repo, tag, wasm_tag):
    layer = gzip.compress(tar_bytes([("hello.txt", b"hello\n")], "pax"), mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    linux = {"schemaVersion": 2, "mediaType": MANIFEST,
             "config": desc("application/vnd.oci.image.config.v1+json", config,
                            put_blob(base, repo, config)),
             "layers": [desc("application/vnd.oci.image.layer.v1.tar+gzip", layer,
                             put_blob(base, repo, layer))]}
    linux_digest, linux_size = put_manifest(base, repo, "linux-only", MANIFEST, linux)
    _, wasm_body = get_manifest(base, repo, wasm_tag)
    doc = {"schemaVersion": 2, "mediaType": INDEX,
           "manifests": [{"mediaType": MANIFEST, "digest": linux_digest, "size": linux_size,
                          "platform": {"architecture": "amd64", "os": "linux"}},
                         {"mediaType": MANIFEST, "digest": digest(wasm_body),
                          "size": len(wasm_body),
                          "platform": {"architecture": "wasm", "os": "wasip1"}}]}
    return put_manifest(base, repo, tag, INDEX, doc)[0]


def sig_tag(d):
    return "sha256-" + d.split(":", 1)[1] + ".corral.sig"


def forge_sig(base, repo, d):
    _, body = get_manifest(base, repo, sig_tag(d))
    doc = json.loads(body)
    for layer in doc["layers"]:
        layer["annotations"]["dev.corral.signature"] = base64.b64encode(os.urandom(64)).decode()
    return put_manifest(base, repo, sig_tag(d), MANIFEST, doc)[0]


def show_sig(base, repo, d, out):
    _, body = get_manifest(base, repo, sig_tag(d))
    layer = json.loads(body)["layers"][0]
    status, _, payload = request("GET", f"{base}/v2/{repo}/blobs/{layer['digest']}")
    assert status == 200
    ann = layer["annotations"]
    open(out + ".payload", "wb").write(payload)
    open(out + ".sig", "wb").write(base64.b64decode(ann["dev.corral.signature"]))
    open(out + ".key", "wb").write(base64.b64decode(ann["dev.corral.signature.key"]))


def main(argv):
    cmd, args = argv[1], argv[2:]
    fns = {"w2o": w2o, "image": image, "index": index, "forge-sig": forge_sig,
           "show-sig": show_sig}
    result = fns[cmd](*args)
    if result:
        print(result)


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""mkimage.py: an OCI image archive from a directory, for `ctr images import`.

    mkimage.py DIR NAME OUT.tar [--platform=OS/ARCH] [--entrypoint=PATH] [--cmd=A,B]
                                [--env=NAME=VALUE ...] [--no-index-platform]

One gzip layer holding DIR's files (sorted, mtime 0, owner root: the same DIR always makes the
same digests), a config with rootfs.diff_ids, the platform (default wasi/wasm, as runwasi's
images have) and the process (--entrypoint, --cmd split at commas, --env given once per
variable), a manifest, and index.json naming the image NAME (docker.io/library/... style
names as `ctr images import --base-name` would give are not needed: the annotation
io.containerd.image.name carries NAME whole, and CRI knows the image by it).

The index entry names the platform unless --no-index-platform: then the archive is like a
single manifest pulled from a registry, and `ctr images import` takes it whatever its
config's platform (it leaves out an entry marked with a platform other than the node's).
Standard library only."""
import argparse
import gzip
import hashlib
import io
import json
import os
import tarfile

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def layer_tar(root):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                path = os.path.join(dirpath, name)
                info = tar.gettarinfo(path, os.path.relpath(path, root))
                info.mtime = 0
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                if info.isfile():
                    with open(path, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    return buf.getvalue()


def blob(out, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    out.append((digest, data))
    return {"digest": digest, "size": len(data)}


def parse(argv):
    ap = argparse.ArgumentParser(usage=__doc__.split("\n\n")[1].strip())
    ap.add_argument("root", metavar="DIR")
    ap.add_argument("name", metavar="NAME")
    ap.add_argument("out", metavar="OUT.tar")
    ap.add_argument("--platform", default="wasi/wasm")
    ap.add_argument("--entrypoint")
    ap.add_argument("--cmd")
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--no-index-platform", action="store_true")
    a = ap.parse_args(argv)
    if a.platform.count("/") != 1:
        ap.error(f"--platform={a.platform}: want OS/ARCH")
    return a


def main(argv=None):
    a = parse(argv)
    os_, arch = a.platform.split("/")
    raw = layer_tar(a.root)
    blobs = []
    layer = blob(blobs, gzip.compress(raw, mtime=0)) | {"mediaType": MT_LAYER}
    process = {}
    if a.entrypoint is not None:
        process["Entrypoint"] = [a.entrypoint]
    if a.cmd is not None:
        process["Cmd"] = a.cmd.split(",")
    if a.env:
        process["Env"] = a.env
    config = {"architecture": arch, "os": os_,
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
              "config": process}
    cfg = blob(blobs, json.dumps(config, sort_keys=True).encode()) | {"mediaType": MT_CONFIG}
    manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cfg, "layers": [layer]}
    man = blob(blobs, json.dumps(manifest, sort_keys=True).encode()) | {
        "mediaType": MT_MANIFEST,
        "annotations": {"io.containerd.image.name": a.name,
                        "org.opencontainers.image.ref.name": a.name.rsplit(":", 1)[-1]}}
    if not a.no_index_platform:
        man["platform"] = {"architecture": arch, "os": os_}
    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [man]}
    with tarfile.open(a.out, "w") as tar:
        def add(path, data):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", json.dumps(index).encode())
        for digest, data in blobs:
            add("blobs/sha256/" + digest.split(":")[1], data)


if __name__ == "__main__":
    main()

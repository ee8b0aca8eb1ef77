#!/usr/bin/env python3
"""mkimage.py: an OCI image archive from a directory, for `ctr images import`.

    mkimage.py DIR NAME OUT.tar [--platform=OS/ARCH] [--entrypoint=PATH] [--cmd=A,B]
                                [--env=NAME=VALUE]

One gzip layer holding DIR's files (sorted, mtime 0, owner root: the same DIR always makes the
same digests), a config with rootfs.diff_ids and the platform (default wasi/wasm, as runwasi's
images have), a manifest, and index.json naming the image NAME (docker.io/library/... style
names as `ctr images import --base-name` would give are not needed: the annotation
io.containerd.image.name carries NAME whole). Standard library only."""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


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


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    if len(args) != 3:
        sys.exit(__doc__)
    root, name, out_path = args
    os_, arch = opts.get("platform", "wasi/wasm").split("/")
    raw = layer_tar(root)
    gz = gzip.compress(raw, mtime=0)
    blobs = []
    layer = blob(blobs, gz) | {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"}
    config = {"architecture": arch, "os": os_,
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
              "config": {}}
    if "entrypoint" in opts:
        config["config"]["Entrypoint"] = [opts["entrypoint"]]
    if "cmd" in opts:
        config["config"]["Cmd"] = opts["cmd"].split(",")
    if "env" in opts:
        config["config"]["Env"] = [opts["env"]]
    cfg = blob(blobs, json.dumps(config, sort_keys=True).encode()) | {
        "mediaType": "application/vnd.oci.image.config.v1+json"}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cfg, "layers": [layer]}
    man = blob(blobs, json.dumps(manifest, sort_keys=True).encode()) | {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "platform": {"architecture": arch, "os": os_},
        "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}}
    index = {"schemaVersion": 2, "manifests": [man]}
    with tarfile.open(out_path, "w") as tar:
        def add(path, data):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", json.dumps(index).encode())
        for digest, data in blobs:
            add("blobs/sha256/" + digest.split(":")[1], data)


if __name__ == "__main__":
    main(sys.argv[1:])

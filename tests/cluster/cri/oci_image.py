#!/usr/bin/env python3
"""oci_image.py: packs a directory into a one-layer OCI image archive for `ctr images import`.

    oci_image.py --name corral.local/pause:1 --rootfs DIR --out IMAGE.tar \
        [--entrypoint /pause] [--cmd ARG ...] [--env K=V ...] [--os linux] [--arch amd64]
        [--no-index-platform]

Reproducible like the hand-built image of docs CLUSTER.md B5: the layer is a tar with sorted
names, mtime 0, owner and group 0, gzipped without a name or time; the config lists the
layer's diff_id; the manifest names config and layer; index.json carries the annotation
io.containerd.image.name (the name containerd and its CRI plugin know the image by) and
org.opencontainers.image.ref.name, and the platform unless --no-index-platform (then the
archive is like a single manifest pulled from a registry: `ctr images import` takes it whatever
its config's platform, where it filters out an entry marked with another platform than the
node's); oci-layout marks the archive as an OCI layout."""
import argparse
import gzip
import hashlib
import io
import json
import os
import tarfile


def layer_tar(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        paths = []
        for top, dirs, files in os.walk(rootfs):
            dirs.sort()
            for name in dirs + sorted(files):
                paths.append(os.path.join(top, name))
        for path in sorted(paths, key=lambda p: os.path.relpath(p, rootfs)):
            info = tar.gettarinfo(path, arcname=os.path.relpath(path, rootfs))
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.pax_headers = {}
            if info.isfile():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--entrypoint", nargs="*", default=[])
    ap.add_argument("--cmd", nargs="*", default=[])
    ap.add_argument("--env", nargs="*", default=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    ap.add_argument("--os", default="linux")
    ap.add_argument("--arch", default="amd64")
    ap.add_argument("--no-index-platform", action="store_true")
    a = ap.parse_args()

    blobs = {}

    def blob(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"digest": digest, "size": len(data)}

    raw = layer_tar(a.rootfs)
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, filename="") as g:
        g.write(raw)
    layer = blob(gz.getvalue())
    layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
    config = {
        "architecture": a.arch,
        "os": a.os,
        "config": {"Env": a.env, "Entrypoint": a.entrypoint or None, "Cmd": a.cmd or None},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
        "history": [{"created_by": "tests/cluster/cri/oci_image.py"}],
    }
    config["config"] = {k: v for k, v in config["config"].items() if v is not None}
    cfg = blob(json.dumps(config, sort_keys=True).encode())
    cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cfg, "layers": [layer]}
    man = blob(json.dumps(manifest, sort_keys=True).encode())
    man["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    if not a.no_index_platform:
        man["platform"] = {"architecture": a.arch, "os": a.os}
    man["annotations"] = {"io.containerd.image.name": a.name,
                          "org.opencontainers.image.ref.name": a.name.rsplit(":", 1)[-1]}
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [man]}

    with tarfile.open(a.out, "w", format=tarfile.PAX_FORMAT) as out:
        def add(name, data, mode=0o644):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 0
            out.addfile(info, io.BytesIO(data))

        add("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        add("index.json", json.dumps(index, sort_keys=True).encode())
        for digest in sorted(blobs):
            add("blobs/sha256/" + digest.split(":", 1)[1], blobs[digest])


if __name__ == "__main__":
    main()

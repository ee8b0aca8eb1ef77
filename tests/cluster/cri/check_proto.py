#!/usr/bin/env python3
"""check_proto.py MIN.pb FULL.pb: every RPC, message, field and enum value of the subset
(cri_min.proto) must be in the published CRI api.proto with the same number, type and label.
Both arguments are FileDescriptorSets made by `protoc --descriptor_set_out`. Exit 1 on a mismatch."""
import sys
from google.protobuf import descriptor_pb2


def load(path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    msgs, enums, svcs = {}, {}, {}

    def walk(prefix, mlist):
        for m in mlist:
            name = prefix + m.name
            msgs[name] = m
            walk(name + ".", m.nested_type)
            for e in m.enum_type:
                enums[name + "." + e.name] = e

    for fd in fds.file:
        pkg = "." + fd.package + "."
        walk(pkg, fd.message_type)
        for e in fd.enum_type:
            enums[pkg + e.name] = e
        for s in fd.service:
            svcs[pkg + s.name] = s
    return msgs, enums, svcs


def main():
    mn, full = load(sys.argv[1]), load(sys.argv[2])
    bad, checked = [], 0
    for name, m in mn[0].items():
        fm = full[0].get(name)
        if fm is None:
            bad.append(f"message {name} not in the published file")
            continue
        ffields = {f.name: f for f in fm.field}
        for f in m.field:
            checked += 1
            g = ffields.get(f.name)
            if g is None:
                bad.append(f"{name}.{f.name}: no such field")
            elif (f.number, f.type, f.type_name, f.label) != (g.number, g.type, g.type_name, g.label):
                bad.append(f"{name}.{f.name}: ours {f.number}/{f.type}/{f.type_name}/{f.label}, "
                           f"published {g.number}/{g.type}/{g.type_name}/{g.label}")
    for name, e in mn[1].items():
        fe = full[1].get(name)
        fv = {v.name: v.number for v in fe.value} if fe else {}
        for v in e.value:
            checked += 1
            if fv.get(v.name) != v.number:
                bad.append(f"enum {name}.{v.name} = {v.number}: published {fv.get(v.name)}")
    for name, s in mn[2].items():
        fs = full[2].get(name)
        fmeth = {x.name: x for x in fs.method} if fs else {}
        for x in s.method:
            checked += 1
            y = fmeth.get(x.name)
            if y is None or (x.input_type, x.output_type) != (y.input_type, y.output_type):
                bad.append(f"rpc {name}/{x.name} differs or is missing")
    for b in bad:
        print("check_proto: MISMATCH", b)
    print(f"check_proto: {checked} fields/values/rpcs checked, {len(bad)} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""k8s_schema_check.py FILE.json...: the objects kubectl printed (`apply --dry-run=client -o
json`) against the Kubernetes API schema as Debian's python3-kubernetes models carry it
(generated from Kubernetes' OpenAPI document; 22.6 = the Kubernetes 1.22 API): every field
must be one the schema knows at that place, of the right JSON type, and the models' own
client-side validation must accept the object (required fields, enumerations). Prints a line
per object; exit 1 if any is wrong.

kubectl with --validate=false keeps a misspelt field as written and says "created"; this
catches it. Fields newer than Kubernetes 1.22 would be reported as unknown."""
import json
import re
import sys

import kubernetes.client as k8s

SCALARS = {"str": str, "int": int, "bool": bool, "float": (int, float)}


def walk(value, typ, path, errors):
    if value is None or typ in ("object", "datetime", "date"):
        return
    if typ in SCALARS:
        ok = isinstance(value, SCALARS[typ]) and not (typ == "int" and isinstance(value, bool))
        if not ok:
            errors.append(f"{path}: {json.dumps(value)} is not {typ}")
        return
    m = re.fullmatch(r"list\[(.+)\]", typ)
    if m:
        if not isinstance(value, list):
            errors.append(f"{path}: not a list")
            return
        for i, v in enumerate(value):
            walk(v, m.group(1), f"{path}[{i}]", errors)
        return
    m = re.fullmatch(r"dict\(str, (.+)\)", typ)
    if m:
        if not isinstance(value, dict):
            errors.append(f"{path}: not an object")
            return
        for key, v in value.items():
            walk(v, m.group(1), f"{path}.{key}", errors)
        return
    cls = getattr(k8s, typ)
    if not isinstance(value, dict):
        errors.append(f"{path}: not an object ({typ})")
        return
    by_json = {j: a for a, j in cls.attribute_map.items()}
    for key, v in value.items():
        attr = by_json.get(key)
        if attr is None:
            errors.append(f"{path}.{key}: no such field in {typ}")
        else:
            walk(v, cls.openapi_types[attr], f"{path}.{key}", errors)


def main():
    objs = []
    for path in sys.argv[1:]:
        with open(path) as f:
            doc = json.load(f)
        objs += doc["items"] if doc.get("kind") == "List" else [doc]
    api = k8s.ApiClient()
    bad = 0
    for o in objs:
        version = o["apiVersion"].rsplit("/", 1)[-1]
        typ = f"{version.capitalize()}{o['kind']}"
        name = f"{o['kind']} {o.get('metadata', {}).get('name')}"
        if not hasattr(k8s, typ):
            print(f"FAIL - schema: {name}: no model {typ} for {o['apiVersion']}")
            bad += 1
            continue
        errors = []
        walk(o, typ, o["kind"], errors)
        try:
            api._ApiClient__deserialize(o, typ)
        except (ValueError, TypeError) as e:
            errors.append(f"client-side validation: {e}")
        if errors:
            bad += 1
            print(f"FAIL - schema: {name} ({typ}): " + "; ".join(errors))
        else:
            print(f"ok - schema: {name} matches {typ} (python3-kubernetes {k8s.__version__})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# k8s_yaml_test.sh: docs/kubernetes/*.yaml through kubectl, with no cluster, and the pieces of
# docs/kubernetes.md checked against each other.
#
#   tests/cluster/k8s_yaml_test.sh
#
# kubectl apply --dry-run=client still asks the API server for discovery (which resource a
# kind is) and GETs each object (create or patch?), so no combination of flags runs it with no
# server at all: --validate=false only drops the OpenAPI download. Here it talks to
# tests/cluster/k8s_api_stub.py, which serves discovery for the kinds the docs use, answers
# 404 to every object and refuses every write, through a throwaway kubeconfig and cache dir.
#
# What passing proves: each file is well-formed YAML holding objects kubectl decodes, with the
# apiVersion/kind pairs the stub serves (v1 Service, apps/v1 Deployment, node.k8s.io/v1
# RuntimeClass), that `kubectl apply` would create; and, from the objects kubectl prints, that
# the names agree: RuntimeClass handler = the runtime name in both containerd snippets
# (runtime_type io.containerd.corral.v1 = binary containerd-shim-corral-v1) = the CRI test's
# configuration; every pod template's runtimeClassName names it; its nodeSelector and
# toleration match the `kubectl label`/`kubectl taint` commands in the doc; each Service
# selects a Deployment's pods on a port the container declares, the port CORRAL_LISTEN names;
# the doc embeds the snippet files verbatim.
# Field names and types: with --validate=false kubectl keeps a misspelt field as written and
# says "created (dry run)", so tests/cluster/k8s_schema_check.py checks every field of the
# objects kubectl printed against the models of Debian's python3-kubernetes (generated from
# Kubernetes' OpenAPI document, the 1.22 API): known field at that place, JSON type, required
# fields. What it does not prove: fields newer than 1.22 (they would be reported unknown);
# admission (the RuntimeClass admission controller's merging of scheduling into pods, defaults,
# quotas); that the images exist; that a real kubelet and containerd run the pods (that is
# what tests/cluster/cri_test.sh covers, below the kubelet).
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
DOCS=docs/kubernetes

command -v kubectl >/dev/null || { echo "k8s-yaml: ERROR: kubectl not found"; echo "k8s-yaml: 0 passed, 1 failed"; exit 1; }

T=$(mktemp -d /tmp/corral-k8s-yaml.XXXXXX)
STUB=
cleanup() {
    [ -n "$STUB" ] && kill "$STUB" 2>/dev/null && wait "$STUB" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }

kubeconfig() { # PORT → a kubeconfig for http://127.0.0.1:PORT
    cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: stub
  cluster:
    server: http://127.0.0.1:$1
contexts:
- name: stub
  context:
    cluster: stub
    namespace: default
    user: nobody
users:
- name: nobody
  user: {}
current-context: stub
EOF
}
KUBECTL=(env HOME="$T" KUBECONFIG="$T/kubeconfig" kubectl --cache-dir "$T/cache" --request-timeout 10s)

# Without a server the dry run cannot even start (what the stub is for).
$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
    >"$T/closed-port"
kubeconfig "$(cat "$T/closed-port")" >"$T/kubeconfig"
if "${KUBECTL[@]}" apply --dry-run=client --validate=false -f "$DOCS/runtimeclass.yaml" \
    >"$T/noserver.out" 2>&1; then
    notok "kubectl apply --dry-run=client with no API server: expected to fail (discovery)"
else
    grep -q "connection refused" "$T/noserver.out" \
        && ok "kubectl apply --dry-run=client --validate=false needs an API server for discovery" \
        || notok "no-server dry run failed otherwise: $(tail -1 "$T/noserver.out")"
fi

$PY tests/cluster/k8s_api_stub.py "$T/port" "$T/requests.log" &
STUB=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { notok "API stub did not start"; echo "k8s-yaml: $PASS passed, $FAIL failed"; exit 1; }
kubeconfig "$(cat "$T/port")" >"$T/kubeconfig"

files=("$DOCS"/*.yaml)
for f in "${files[@]}"; do
    name=$(basename "$f" .yaml)
    if "${KUBECTL[@]}" apply --dry-run=client --validate=false -f "$f" >"$T/$name.out" 2>&1; then
        n=$($PY -c 'import sys, yaml; print(sum(1 for d in yaml.safe_load_all(open(sys.argv[1])) if d))' "$f")
        c=$(grep -c ' created (dry run)$' "$T/$name.out")
        [ "$n" = "$c" ] && ok "kubectl apply --dry-run=client $f: $(tr '\n' ' ' <"$T/$name.out")" \
            || notok "$f: $n objects, $c created: $(cat "$T/$name.out")"
    else
        notok "kubectl apply --dry-run=client $f: $(tail -2 "$T/$name.out")"
    fi
    # The objects as kubectl decoded them, for the checks below.
    "${KUBECTL[@]}" apply --dry-run=client --validate=false -o json -f "$f" >"$T/$name.json" 2>&1 \
        || notok "kubectl apply --dry-run=client -o json $f"
done
# Field names and types: against the schema python3-kubernetes' models carry.
if $PY -c 'import kubernetes.client' 2>/dev/null; then
    while read -r line; do
        case "$line" in
            ok\ -*) ok "${line#ok - }" ;;
            *) notok "${line#FAIL - }" ;;
        esac
    done < <($PY tests/cluster/k8s_schema_check.py "$T"/*.json 2>&1)
else
    notok "schema check: $PY cannot import kubernetes (python3-kubernetes; scripts/deps.sh)"
fi
writes=$(grep -v '^GET ' "$T/requests.log")
[ -z "$writes" ] && ok "the dry runs sent the API server only GETs ($(wc -l <"$T/requests.log") requests)" \
    || notok "the dry runs wrote: $writes"

# ---- the names agree ----
$PY - "$T" "$DOCS" <<'EOF' || FAIL=$((FAIL + 1))
import glob, json, os, re, sys, tomllib

T, DOCS = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"FAIL - {what}" + (f": {detail}" if detail else ""))


objs = []
for path in sorted(glob.glob(os.path.join(T, "*.json"))):
    try:
        with open(path) as f:
            doc = json.load(f)
    except ValueError:
        continue  # kubectl failed on that file: counted above
    objs += doc["items"] if doc.get("kind") == "List" else [doc]
kinds = lambda k: [o for o in objs if o["kind"] == k]

rcs = kinds("RuntimeClass")
check(len(rcs) == 1, "one RuntimeClass", repr([o["metadata"]["name"] for o in rcs]))
rc = rcs[0]
handler = rc["handler"]

cri_keys = {
    "containerd-1.x.toml": (2, ["plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes"]),
    "containerd-2.x.toml": (3, ["plugins", "io.containerd.cri.v1.runtime", "containerd", "runtimes"]),
}
for name, (version, keys) in cri_keys.items():
    with open(os.path.join(DOCS, name), "rb") as f:
        conf = tomllib.load(f)
    runtimes = conf
    for k in keys:
        runtimes = runtimes.get(k, {})
    check(conf.get("version") == version and handler in runtimes,
          f"{name}: config version {version}, runtime {handler!r} under {'.'.join(keys)}",
          f"version {conf.get('version')}, runtimes {list(runtimes)}")
    rt = runtimes.get(handler, {}).get("runtime_type", "")
    m = re.fullmatch(r"io\.containerd\.([a-z0-9]+)\.(v[0-9]+)", rt)
    binary = f"containerd-shim-{m.group(1)}-{m.group(2)}" if m else None
    check(binary == "containerd-shim-corral-v1",
          f"{name}: runtime_type {rt} → binary {binary}")

with open("Makefile") as f:
    check("$(BUILD)/containerd-shim-corral-v1:" in f.read(),
          "the Makefile builds containerd-shim-corral-v1")
with open("tests/cluster/cri_test.sh") as f:
    cri = f.read()
check(f'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{handler}]\n'
      f'      runtime_type = "io.containerd.corral.v1"' in cri,
      f"the CRI test configures the same runtime {handler!r} = io.containerd.corral.v1")
with open("tests/cluster/cri_test.py") as f:
    check(f'"{handler}")' in f.read(), f"the CRI test runs its pod with runtime_handler {handler!r}")

templates = [(o["metadata"]["name"], o["spec"]["template"]) for o in kinds("Deployment")]
check(templates and all(t["spec"].get("runtimeClassName") == rc["metadata"]["name"]
                        for _, t in templates),
      f"every Deployment's pods name runtimeClassName {rc['metadata']['name']!r}",
      repr([(n, t["spec"].get("runtimeClassName")) for n, t in templates]))

with open("docs/kubernetes.md") as f:
    md = f.read()
sched = rc.get("scheduling", {})
labels = dict(re.findall(r"kubectl label nodes? \S+ ([\w./-]+)=(\S+)", md))
check(sched.get("nodeSelector") and
      all(labels.get(k) == v for k, v in sched["nodeSelector"].items()),
      "RuntimeClass nodeSelector = the node label docs/kubernetes.md applies",
      f"{sched.get('nodeSelector')} vs {labels}")
taints = re.findall(r"kubectl taint nodes? \S+ ([\w./-]+)=([^:\s]+):(\w+)", md)
tols = {(t.get("key"), t.get("value"), t.get("effect")) for t in sched.get("tolerations", [])}
check(taints and all(t in tols for t in taints),
      "RuntimeClass tolerations cover the taint docs/kubernetes.md sets", f"{taints} vs {tols}")

for svc in kinds("Service"):
    sel = svc["spec"]["selector"]
    pods = [(n, t) for n, t in templates
            if all(t["metadata"].get("labels", {}).get(k) == v for k, v in sel.items())]
    check(len(pods) == 1, f"Service {svc['metadata']['name']} selects one Deployment's pods",
          repr([n for n, _ in pods]))
    for name, t in pods:
        ports = {p.get("name"): p["containerPort"] for c in t["spec"]["containers"]
                 for p in c.get("ports", [])}
        for sp in svc["spec"]["ports"]:
            tp = sp.get("targetPort", sp["port"])
            cport = ports.get(tp) if isinstance(tp, str) else tp
            check(cport in ports.values(),
                  f"Service {svc['metadata']['name']} port {sp['port']} → container port {cport}")
            listen = [e.get("value", "") for c in t["spec"]["containers"]
                      for e in c.get("env", []) if e["name"] == "CORRAL_LISTEN"]
            check(listen and all(v.rsplit(":", 1)[-1] == str(cport) for v in listen),
                  f"{name}: CORRAL_LISTEN {listen} listens on that port")

for name in ("containerd-1.x.toml", "containerd-2.x.toml", "runtimeclass.yaml"):
    with open(os.path.join(DOCS, name)) as f:
        check(f.read() in md, f"docs/kubernetes.md embeds {DOCS}/{name} verbatim")
for path in sorted(glob.glob(os.path.join(DOCS, "*.yaml"))):
    check(os.path.relpath(path, "docs") in md, f"docs/kubernetes.md names {path}")

with open(os.path.join(T, "names.count"), "w") as f:
    f.write(f"{passed} {failed}\n")
sys.exit(0)
EOF
if [ -r "$T/names.count" ]; then
    read -r p f <"$T/names.count"
    PASS=$((PASS + p))
    FAIL=$((FAIL + f))
fi

echo "k8s-yaml: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

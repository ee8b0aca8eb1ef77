#!/bin/bash
# ctr_e2e.sh: the shim's runtime end to end under a real containerd (1.6, Debian's), driven by
# ctr: a private containerd (state in a temporary directory, its own socket) runs guests
# through build/containerd-shim-corral-v1 given to ctr as an absolute --runtime path.
# Checks: ctr run --rootfs (hello, args, proc_exit status), an OCI image imported and run on
# the overlayfs snapshotter (image entrypoint, cmd and env; a write into the overlay;
# --read-only refusing it; a --mount bind preopen), a missing module's error reaching ctr,
# a wasm OCI artifact pushed by corral to a docker-registry started here and read from
# containerd's content store (io.corral.image annotation; skipped without docker-registry),
# kills of running guests (137, 130, 143), a WAGI app answering HTTP, 101 guests of one pod
# in one shim (resident memory per container printed, < 2 MiB), and afterwards no mount and
# no shim left. Needs root, containerd, ctr, python3 and curl; skips otherwise.
# usage: tests/shim/ctr_e2e.sh [BUILD_DIR]   (default build; make build/corral
#        build/containerd-shim-corral-v1 and make unit's wasm first)
set -u
build=$(cd "${1:-build}" && pwd)
shim=$build/containerd-shim-corral-v1
wasm=$build/tests/wasm
[ "$(id -u)" = 0 ] || { echo "ctr_e2e: SKIPPED (not root)"; exit 0; }
for t in containerd ctr python3 curl; do
    command -v $t >/dev/null || { echo "ctr_e2e: SKIPPED (no $t)"; exit 0; }
done
for f in "$shim" "$build/corral" "$wasm/shim_probe.wasm" "$wasm/shim_sleep.wasm" \
         "$wasm/shim_hello.wasm" "$wasm/shim_cgi.wasm"; do
    [ -e "$f" ] || { echo "ctr_e2e: $f is missing (build it first)"; exit 1; }
done

S=$(mktemp -d /tmp/corral-ctr-e2e-XXXXXX)
pass=0 fail=0
check() { # check WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
cleanup() {
    [ -n "${ctd_pid:-}" ] && kill "$ctd_pid" 2>/dev/null && wait "$ctd_pid" 2>/dev/null
    # Shims of this containerd still serving (a run cut short): by pid, found by its socket.
    pgrep -f -- "-address $S/containerd.sock" | xargs -r kill -9
    mount | grep -q "$S" && grep "$S" /proc/mounts | awk '{print $2}' | sort -r | xargs -r umount -l
    rm -rf "$S"
}
trap cleanup EXIT

cat >"$S/config.toml" <<CFG
version = 2
root = "$S/root"
state = "$S/state"
[grpc]
  address = "$S/containerd.sock"
[ttrpc]
  address = "$S/containerd.sock.ttrpc"
CFG
containerd --config "$S/config.toml" >"$S/containerd.log" 2>&1 &
ctd_pid=$!
A="ctr --address $S/containerd.sock"
for _ in $(seq 50); do $A version >/dev/null 2>&1 && break; sleep 0.1; done
R="--runtime $shim"

# ctr run --rootfs: no mounts, root.path absolute.
mkdir -p "$S/dir"
cp "$wasm/shim_hello.wasm" "$S/dir/hello.wasm"
cp "$wasm/shim_probe.wasm" "$S/dir/app.wasm"
check "rootfs hello" "hello from wasm" "$(timeout 30 $A run --rm $R --rootfs "$S/dir" r1 /hello.wasm)"
check "rootfs args and env" "arg /app.wasm|arg args|arg x|env A=1" \
    "$(timeout 30 $A run --rm $R --env A=1 --rootfs "$S/dir" r2 /app.wasm args x | paste -sd'|')"
timeout 30 $A run --rm $R --rootfs "$S/dir" r3 /app.wasm exit 7
check "proc_exit status" 7 $?

# An OCI image (entrypoint /app.wasm, cmd args from-image, env IMG=1) on overlayfs.
mkdir -p "$S/oci"
(cd "$S/oci" && python3 - "$wasm" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
wasm = sys.argv[1]
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    os.makedirs('blobs/sha256', exist_ok=True)
    open('blobs/sha256/' + h, 'wb').write(data)
    return 'sha256:' + h, len(data)
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.GNU_FORMAT) as t:
    for name, src in [('app.wasm', 'shim_probe.wasm'), ('sleep.wasm', 'shim_sleep.wasm')]:
        d = open(os.path.join(wasm, src), 'rb').read()
        ti = tarfile.TarInfo(name); ti.size = len(d); ti.mode = 0o755
        t.addfile(ti, io.BytesIO(d))
raw = buf.getvalue()
ld, ll = blob(gzip.compress(raw, mtime=0))
cfg = {"architecture": "amd64", "os": "linux",
       "config": {"Entrypoint": ["/app.wasm"], "Cmd": ["args", "from-image"], "Env": ["IMG=1"]},
       "rootfs": {"type": "layers", "diff_ids": ['sha256:' + hashlib.sha256(raw).hexdigest()]}}
cd, cl = blob(json.dumps(cfg).encode())
man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cl},
       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": ll}]}
md, ml = blob(json.dumps(man).encode())
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": man["mediaType"], "digest": md, "size": ml,
           "annotations": {"io.containerd.image.name": "docker.io/library/wasmprobe:latest"}}]},
          open('index.json', 'w'))
json.dump({"imageLayoutVersion": "1.0.0"}, open('oci-layout', 'w'))
PY
tar -cf "$S/probe.tar" oci-layout index.json blobs)
$A images import "$S/probe.tar" >/dev/null
I=docker.io/library/wasmprobe:latest
check "image entrypoint, cmd, env" "arg /app.wasm|arg args|arg from-image|env IMG=1" \
    "$(timeout 30 $A run --rm $R $I i1 | grep -v '^env PATH=' | paste -sd'|')"
timeout 30 $A run --rm $R $I i2 /app.wasm write /x hi
check "write into the overlay" 0 $?
timeout 30 $A run --rm --read-only $R $I i3 /app.wasm write /x hi 2>/dev/null
check "--read-only refuses the write" 1 $?
mkdir -p "$S/vol"
timeout 30 $A run --rm $R --mount "type=bind,src=$S/vol,dst=/data,options=rbind:rw" $I i4 \
    /app.wasm write /data/f vol
check "bind mount preopen" "vol" "$(cat "$S/vol/f" 2>/dev/null)"
err=$(timeout 30 $A run --rm $R $I i5 /nope.wasm 2>&1)
check "missing module reaches ctr" "yes" \
    "$(grep -q "module /nope.wasm: not found in the image's rootfs" <<<"$err" && echo yes)"

# A wasm OCI artifact (corral push; containerd 1.6 pulls it but cannot unpack it): the
# module comes from containerd's content store, named by the io.corral.image annotation.
if command -v docker-registry >/dev/null; then
    mkdir -p "$S/reg" "$S/empty"
    printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:0\n  secret: e2e\n' \
        "$S/reg" >"$S/reg.yml"
    docker-registry serve "$S/reg.yml" >"$S/reg.log" 2>&1 &
    reg_pid=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$S/reg.log" | head -n 1)
        [ -n "$port" ] && break
        sleep 0.05
    done
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.05; done
    REF=127.0.0.1:$port/wasm/probe:v1
    "$build/corral" push "oci://$REF" "$wasm/shim_probe.wasm" >/dev/null 2>&1
    $A images pull --plain-http "$REF" >/dev/null 2>&1 # unpack fails; the content stays
    check "artifact: run from the content store" "arg /app.wasm|arg args|arg artifact" \
        "$(timeout 30 $A run --rm $R --annotation "io.corral.image=$REF" --rootfs "$S/empty" a1 \
            /app.wasm args artifact 2>&1 | paste -sd'|')"
    kill "$reg_pid" 2>/dev/null
    wait "$reg_pid" 2>/dev/null
else
    echo "ctr_e2e: artifact case SKIPPED (no docker-registry)"
fi

# Kills of running guests.
$A run -d $R $I k1 /sleep.wasm
$A run -d $R $I k2 /app.wasm sleep 100 >/dev/null
$A run -d $R --rootfs "$S/dir" k3 /app.wasm sleep 100 >/dev/null
sleep 0.5
check "running" "RUNNING RUNNING RUNNING" "$($A task ls | awk 'NR>1 {print $3}' | paste -sd' ')"
$A task kill -s SIGKILL k1; $A task kill -s SIGINT k2; $A task kill -s SIGTERM k3
sleep 0.3
for t in k1:137 k2:130 k3:143; do
    id=${t%%:*}
    st=$($A task delete "$id" 2>&1 | grep -o 'exit code [0-9]*' | grep -o '[0-9]*$')
    [ -z "$st" ] && st=$($A task ls | awk -v id="$id" '$1 == id {print $3}')
    $A container delete "$id" >/dev/null 2>&1
    check "kill $id" "${t#*:}" "${st:-0}"
done

# A WAGI app: corral serve beside the shim.
mkdir -p "$S/wagi/app"
cp "$wasm/shim_cgi.wasm" "$S/wagi/app/cgi.wasm"
printf '[[module]]\nroute = "/"\nmodule = "/app/cgi.wasm"\n' >"$S/wagi/app/modules.toml"
port=$((20000 + RANDOM % 20000))
$A run -d $R --env CORRAL_LISTEN=127.0.0.1:$port --rootfs "$S/wagi" w1 /app/modules.toml
body=
for _ in $(seq 50); do body=$(curl -s "http://127.0.0.1:$port/") && [ -n "$body" ] && break; sleep 0.1; done
check "WAGI app answers" "hello from wagi" "$body"
$A task kill -s SIGKILL w1; sleep 0.3
$A task delete w1 >/dev/null 2>&1; $A container delete w1 >/dev/null 2>&1

# 100 containers of one pod (the CRI sandbox annotation groups them): one shim serves them
# all; its resident memory per container is printed and must stay under 2 MiB.
pod="--annotation io.kubernetes.cri.sandbox-id=e2epod"
$A run -d $R $pod --rootfs "$S/dir" g0 /app.wasm sleep 100 >/dev/null
sleep 0.3
spid=$(pgrep -f "^$shim" | head -n 1)
rss0=$(awk '/VmRSS/ {print $2}' /proc/"$spid"/status)
# (`wait PIDS`: a bare wait would wait for containerd too)
jobs_run() { # jobs_run N CMD...: CMD "$i" for i in 1..N, ten at a time
    local n=$1 pids=() i
    shift
    for i in $(seq 1 "$n"); do
        "$@" "$i" &
        pids+=($!)
        if [ ${#pids[@]} = 10 ]; then wait "${pids[@]}"; pids=(); fi
    done
    [ ${#pids[@]} = 0 ] || wait "${pids[@]}"
}
start_g() { $A run -d $R $pod --rootfs "$S/dir" "g$1" /app.wasm sleep 100 >/dev/null; }
kill_g() { $A task kill -s SIGKILL "g$(($1 - 1))"; }
delete_g() { $A task delete "g$(($1 - 1))" >/dev/null 2>&1; $A container delete "g$(($1 - 1))" >/dev/null 2>&1; }
jobs_run 100 start_g
sleep 0.5
check "101 guests running" 101 "$($A task ls | grep -c RUNNING)"
check "in one shim" 1 "$(pgrep -f "^$shim" | wc -l)"
rss=$(awk '/VmRSS/ {print $2}' /proc/"$spid"/status)
per=$(((rss - rss0) / 100))
echo "ctr_e2e: one shim, 101 guests: ${rss} KiB resident, +${per} KiB per container"
check "under 2 MiB per container" yes "$([ "$per" -lt 2048 ] && echo yes)"
jobs_run 101 kill_g
sleep 0.5
check "all stopped" 101 "$($A task ls | grep -c STOPPED)"
jobs_run 101 delete_g

sleep 0.5
check "nothing mounted" 0 "$(grep -c "$S" /proc/mounts)"
check "no shim left" "" "$(pgrep -af "^$shim" | paste -sd' ')"
echo "ctr_e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]

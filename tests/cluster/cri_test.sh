#!/usr/bin/env bash
# cri_test.sh: Corral under Kubernetes' Container Runtime Interface, without a kubelet.
#
#   tests/cluster/cri_test.sh [BUILD_DIR]      (default: build; run as root)
#
# Starts a scratch containerd (config, root, state and sockets in a mktemp directory) with its
# CRI plugin, CNI from Debian's containernetworking-plugins (a bridge network and subnet of its
# own), two runtime handlers — runc (io.containerd.runc.v2) and corral (io.containerd.corral.v1,
# found as BUILD_DIR/containerd-shim-corral-v1 through containerd's PATH) — and locally built
# images imported with `ctr -n k8s.io images import`: corral.local/pause:1 (the sandbox image,
# a static C program), corral.local/busybox:1 (Debian's busybox-static),
# corral.local/hello-wasm:1 and hello-wasm-wasi:1 (/hello.wasm, a WASI guest, as linux/amd64
# and as wasi/wasm) and corral.local/hello-wagi:1 (/modules.toml, a WAGI app). With
# BUILD_DIR/corral it also starts Debian's docker-registry and `corral push`es the guest three
# ways (--image for linux/amd64, --image for wasi/wasm, the wasm artifact) for CRI to pull.
# Then cri_test.py drives the CRI gRPC API as the kubelet does. Without
# BUILD_DIR/containerd-shim-corral-v1 the corral pod's checks are skipped and the test checks
# instead that the handler fails cleanly, naming the binary.
# Everything is removed on exit, failure and interruption included: pods, containerd, the
# registry, shims and their processes, mounts, the network namespaces and bridge it made.
# CRI_KEEP=1 keeps the scratch directory; CRI_LOG_LEVEL=debug makes containerd verbose;
# CRI_API_PROTO=…/api.proto compares tests/cluster/cri/cri_min.proto with the published file.
# Prints `cri: N passed, M failed`; exit 1 if M > 0.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=$(realpath -m "${1:-build}")
PY=/usr/bin/python3 # Debian's, with python3-grpcio and python3-protobuf
HERE=tests/cluster/cri

die() { echo "cri: ERROR: $*" >&2; echo "cri: 0 passed, 1 failed"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (containerd, mounts, network namespaces)"
for c in containerd ctr runc containerd-shim-runc-v2 protoc gcc clang ip; do
    command -v "$c" >/dev/null || die "$c not found; scripts/deps.sh installs it"
done
[ -x /usr/lib/cni/bridge ] || die "/usr/lib/cni/bridge missing (containernetworking-plugins)"
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' \
    || die "/bin/busybox is not static (busybox-static)"
$PY -c 'import grpc, google.protobuf' 2>/dev/null \
    || die "$PY cannot import grpc/google.protobuf (python3-grpcio, python3-protobuf)"

S=$(mktemp -d /tmp/corral-cri.XXXXXX)
CTR=(ctr --address "$S/containerd.sock" -n k8s.io)
BRIDGE=crri$(basename "$S" | tr -dc 'a-zA-Z0-9' | tail -c 6)
# The pods' subnet: 10.251.X.0/24, X from the scratch directory's name, so that two runs at
# once (each with its bridge) do not route the same addresses.
NET=10.251.$(($(cksum <<<"$S" | cut -d' ' -f1) % 200 + 20))
CTRD_PID=
REG_PID=
NETNS_BEFORE=$(ls /var/run/netns 2>/dev/null | sort)
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }

# The processes containerd started for this run: those naming the scratch directory in their
# command line (containerd, the shims, corral serve) and their descendants (pause, the
# workloads). They are ended by pid.
our_pids() {
    local p pid ppid rest found=" " more=1
    for p in /proc/[0-9]*; do
        { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$S/" && found+="${p#/proc/} "
    done
    while [ "$more" = 1 ]; do
        more=0
        for p in /proc/[0-9]*/stat; do
            # pid (comm) state ppid ...: comm may hold spaces, so cut after the last ')'.
            rest=$(cat "$p" 2>/dev/null) || continue
            pid=${rest%% *}
            rest=${rest##*) }
            read -r _ ppid _ <<<"$rest"
            case "$found" in *" $ppid "*) case "$found" in *" $pid "*) ;; *) found+="$pid "; more=1 ;; esac ;; esac
        done
    done
    echo $found
}

cleanup() {
    local rc=$? ids p m n
    trap - EXIT INT TERM
    if [ -n "$CTRD_PID" ] && kill -0 "$CTRD_PID" 2>/dev/null; then
        # What the Python side left (it removes its pods itself when it gets the chance).
        ids=$("${CTR[@]}" tasks ls -q 2>/dev/null)
        for p in $ids; do "${CTR[@]}" tasks kill -s SIGKILL "$p" >/dev/null 2>&1; done
        sleep 0.5
        for p in $ids; do "${CTR[@]}" tasks delete -f "$p" >/dev/null 2>&1; done
        for p in $("${CTR[@]}" containers ls -q 2>/dev/null); do
            "${CTR[@]}" containers delete "$p" >/dev/null 2>&1
        done
        kill "$CTRD_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$CTRD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$CTRD_PID" 2>/dev/null
        wait "$CTRD_PID" 2>/dev/null
    fi
    for p in $(our_pids); do kill -9 "$p" 2>/dev/null; done
    # Mounts under the scratch directory, deepest first.
    for m in $(awk -v s="$S/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    # Network namespaces the CRI plugin made for this run's pods and not removed.
    for n in $(comm -13 <(echo "$NETNS_BEFORE") <(ls /var/run/netns 2>/dev/null | sort)); do
        case "$n" in cni-*) umount "/var/run/netns/$n" 2>/dev/null; rm -f "/var/run/netns/$n" ;; esac
    done
    [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
    ip link del "$BRIDGE" >/dev/null 2>&1
    # runc's cgroup parent for the k8s.io namespace (rmdir leaves it if anything is in it).
    rmdir /sys/fs/cgroup/*/k8s.io /sys/fs/cgroup/k8s.io 2>/dev/null
    if awk -v s="$S/" 'index($5, s) == 1 {f=1} END {exit !f}' /proc/self/mountinfo; then
        echo "cri: WARNING: mounts left under $S" >&2
    elif [ -z "${CRI_KEEP:-}" ]; then
        rm -rf "$S"
    fi
    exit "$rc"
}
trap cleanup EXIT
PYPID=
trap '[ -n "$PYPID" ] && kill -TERM "$PYPID" 2>/dev/null && wait "$PYPID"; exit 130' INT TERM

# ---- build the guest, the pause program and the Python CRI stubs ----
GEN="$BUILD/cri"
mkdir -p "$GEN" "$S/img/pause" "$S/img/busybox/bin" "$S/img/wasm" "$S/img/wagi" "$S/logs" \
    "$S/cni/net.d" "$S/cni/ipam" || die "mkdir"
gcc -static -Os -Wall -Wextra -Werror -o "$GEN/pause" "$HERE/pause.c" || die "building pause"
strip "$GEN/pause" 2>/dev/null
clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-all -o "$GEN/hello.wasm" \
    "$HERE/hello.c" || die "building hello.wasm"
clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-all -o "$GEN/wagi.wasm" \
    "$HERE/wagi.c" || die "building wagi.wasm"
protoc -I"$HERE" --python_out="$GEN" "$HERE/cri_min.proto" || die "protoc cri_min.proto"
if [ -n "${CRI_API_PROTO:-}" ]; then
    # The subset against the published api.proto (debug_redact is an option protoc 3.21 does
    # not know without its descriptor.proto import; it does not change the wire format).
    sed -E 's/ *\[debug_redact *= *true\]//' "$CRI_API_PROTO" >"$GEN/api_full.proto"
    protoc -I"$GEN" --descriptor_set_out="$GEN/full.pb" api_full.proto || die "protoc api.proto"
    protoc -I"$HERE" --descriptor_set_out="$GEN/min.pb" cri_min.proto || die "protoc"
    if $PY "$HERE/check_proto.py" "$GEN/min.pb" "$GEN/full.pb"; then
        ok "cri_min.proto matches $CRI_API_PROTO"
    else
        notok "cri_min.proto matches $CRI_API_PROTO"
    fi
fi

# ---- the images ----
cp "$GEN/pause" "$S/img/pause/pause"
cp /bin/busybox "$S/img/busybox/bin/busybox"
for t in sh echo sleep cat env id ls; do ln -s busybox "$S/img/busybox/bin/$t"; done
cp "$GEN/hello.wasm" "$S/img/wasm/hello.wasm"
$PY "$HERE/oci_image.py" --name corral.local/pause:1 --rootfs "$S/img/pause" \
    --entrypoint /pause --out "$S/pause.tar" || die "pause image"
$PY "$HERE/oci_image.py" --name corral.local/busybox:1 --rootfs "$S/img/busybox" \
    --cmd /bin/sh --out "$S/busybox.tar" || die "busybox image"
# A "compat" Wasm image: the module in an ordinary tar layer, platform linux/amd64, so that
# containerd 1.6 unpacks it like any image (a wasm OCI artifact it cannot unpack, CLUSTER.md B5).
$PY "$HERE/oci_image.py" --name corral.local/hello-wasm:1 --rootfs "$S/img/wasm" \
    --entrypoint /hello.wasm --out "$S/hello-wasm.tar" || die "wasm image"
# The same module in an image whose config says wasi/wasm, as `corral push --image` makes by
# default; its index entry names no platform, as a single manifest from a registry would not.
$PY "$HERE/oci_image.py" --name corral.local/hello-wasm-wasi:1 --rootfs "$S/img/wasm" \
    --os wasi --arch wasm --no-index-platform --entrypoint /hello.wasm \
    --out "$S/hello-wasm-wasi.tar" || die "wasi/wasm image"
# A WAGI app: /modules.toml and its module. The entrypoint names the .toml: CRI refuses a
# container with neither a command nor an image entrypoint/cmd ("no command specified").
cp "$HERE/modules.toml" "$GEN/wagi.wasm" "$S/img/wagi/"
$PY "$HERE/oci_image.py" --name corral.local/hello-wagi:1 --rootfs "$S/img/wagi" \
    --entrypoint /modules.toml --out "$S/hello-wagi.tar" || die "wagi image"

# ---- a registry, for the pulls through CRI: what `corral push` makes ----
REG=
REG_PID=
if [ -x "$BUILD/corral" ] && command -v docker-registry >/dev/null; then
    mkdir -p "$S/registry"
    cat >"$S/registry.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $S/registry
http:
  addr: 127.0.0.1:0
  secret: corral-cri-test
EOF
    docker-registry serve "$S/registry.yml" >"$S/registry.log" 2>&1 &
    REG_PID=$!
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$S/registry.log" | head -n 1)
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || die "docker-registry did not start: $(tail -n 3 "$S/registry.log")"
    REG=127.0.0.1:$port
    # An ordinary image for the node's platform, one with corral push's default platform
    # wasi/wasm, and the wasm OCI artifact.
    for v in "image --image --platform linux/amd64" "wasi --image" "artifact"; do
        read -r tag flags <<<"$v"
        # shellcheck disable=SC2086
        if "$BUILD/corral" push $flags "oci://$REG/corral/hello:$tag" "$GEN/hello.wasm" \
            >"$S/push-$tag.log" 2>&1; then
            ok "corral push ${flags:-(an artifact)} oci://$REG/corral/hello:$tag"
        else
            notok "corral push $flags: $(tail -1 "$S/push-$tag.log")"
        fi
    done
else
    echo "cri: no $BUILD/corral or no docker-registry: no pulls through CRI"
fi

# ---- CNI: a bridge network of this run's own, and loopback ----
cat >"$S/cni/net.d/10-corral-cri.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "corral-cri-test",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "dataDir": "$S/cni/ipam",
        "ranges": [[{"subnet": "$NET.0/24"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "loopback"}
  ]
}
EOF

# ---- containerd with its CRI plugin ----
cat >"$S/config.toml" <<EOF
version = 2
root = "$S/root"
state = "$S/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$S/containerd.sock"
[ttrpc]
  address = "$S/containerd.sock.ttrpc"
[debug]
  address = "$S/debug.sock"
  level = "${CRI_LOG_LEVEL:-info}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "corral.local/pause:1"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # CRI gives the sandbox oom_score_adj -998; this machine refuses to lower a score (runc's
  # nsexec: "failed to update /proc/self/oom_score_adj: Permission denied"): keep every
  # score at or above containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.corral]
      runtime_type = "io.containerd.corral.v1"
$([ -n "$REG" ] && printf '  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."%s"]\n    endpoint = ["http://%s"]\n' "$REG" "$REG")
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$S/cni/net.d"
    max_conf_num = 1
EOF
# containerd finds containerd-shim-corral-v1 on its PATH: BUILD_DIR first.
PATH="$BUILD:$PATH" containerd --config "$S/config.toml" >"$S/containerd.log" 2>&1 &
CTRD_PID=$!
for _ in $(seq 100); do
    "${CTR[@]}" version >/dev/null 2>&1 && break
    kill -0 "$CTRD_PID" 2>/dev/null || { tail -20 "$S/containerd.log" >&2; die "containerd exited"; }
    sleep 0.1
done
"${CTR[@]}" version >/dev/null 2>&1 || die "containerd did not come up"
"${CTR[@]}" plugins ls 2>/dev/null | grep -q 'io.containerd.grpc.v1 *cri .* ok' \
    && ok "containerd $(containerd --version | awk '{print $3}') up with the CRI plugin" \
    || notok "containerd up with the CRI plugin"
for t in pause busybox hello-wasm hello-wasm-wasi hello-wagi; do
    if "${CTR[@]}" images import "$S/$t.tar" >"$S/import-$t.log" 2>&1; then
        ok "ctr -n k8s.io images import $t.tar"
    else
        notok "ctr -n k8s.io images import $t.tar: $(tail -1 "$S/import-$t.log")"
    fi
done

# ---- the CRI conversation ----
SHIM="$BUILD/containerd-shim-corral-v1"
# In the background so that a signal reaches the trap at once; the trap passes it on and
# cri_test.py removes its pods before the cleanup above removes the rest.
PYTHONPATH="$GEN" $PY tests/cluster/cri_test.py --socket "$S/containerd.sock" \
    --logs "$S/logs" --shim "$SHIM" --subnet "$NET." --registry "$REG" --result "$S/result" &
PYPID=$!
wait "$PYPID"
rc=$?
PYPID=
if [ -r "$S/result" ]; then
    read -r p f s <"$S/result"
    PASS=$((PASS + p))
    FAIL=$((FAIL + f))
    SKIP=$s
else
    notok "cri_test.py finished (exit $rc)"
    SKIP=0
fi

# ---- nothing left ----
if left=$("${CTR[@]}" containers ls -q && "${CTR[@]}" tasks ls -q); then
    [ -z "$left" ] && ok "ctr -n k8s.io: no containers or tasks left" \
        || notok "ctr -n k8s.io: left: $(echo $left)"
else
    notok "ctr -n k8s.io: cannot list (containerd gone?)"
fi
kill -0 "$CTRD_PID" 2>/dev/null || notok "containerd still running at the end"
kill "$CTRD_PID" 2>/dev/null
for _ in $(seq 50); do kill -0 "$CTRD_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$CTRD_PID" 2>/dev/null; then
    notok "containerd exits on SIGTERM"
else
    wait "$CTRD_PID" 2>/dev/null
    ok "containerd exits on SIGTERM"
fi
CTRD_PID=
[ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
REG_PID=
pids=$(our_pids)
[ -z "$pids" ] && ok "no shim or workload process left" \
    || notok "processes left: $(echo $pids)"
# The overlay snapshots and the sandbox /dev/shm mounts are containerd's to undo; the
# snapshotter's own directory stays mounted only if something leaked.
leaked=$(awk -v s="$S/" 'index($5, s) == 1 && $5 !~ /io.containerd.grpc.v1.cri\/sandboxes\/[^/]+\/shm$/ {print $5}' /proc/self/mountinfo)
[ -z "$leaked" ] && ok "no container rootfs mounted under the scratch directory" \
    || notok "mounted: $(echo $leaked)"

[ "${SKIP:-0}" -gt 0 ] && echo "cri: $SKIP checks of the corral pod skipped: no $SHIM"
echo "cri: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

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
# registry, shims and their processes, mounts, the network namespaces and bridge it made
# (containerd, the registry, the checks and most of the cleanup are lib.sh's).
# CRI_KEEP=1 keeps the scratch directory; CRI_LOG_LEVEL=debug makes containerd verbose;
# CRI_API_PROTO=…/api.proto compares tests/cluster/cri/cri_min.proto with the published file.
# Prints every check (CLUSTER_VERBOSE=0: only the failing ones), then `cri: N passed, M
# failed`; exits 1 if M > 0, 2 when it could not start.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=$(realpath -m "${1:-build}")
PY=/usr/bin/python3 # Debian's, with python3-grpcio and python3-protobuf
HERE=tests/cluster/cri
name=cri
tmp=
# shellcheck source=lib.sh
. tests/cluster/lib.sh
verbose=${CLUSTER_VERBOSE:-1}

[ "$(id -u)" -eq 0 ] || cluster_die "needs root (containerd, mounts, network namespaces)"
for c in containerd ctr runc containerd-shim-runc-v2 protoc gcc clang ip; do
    command -v "$c" >/dev/null || cluster_die "$c not found; scripts/deps.sh installs it"
done
[ -x /usr/lib/cni/bridge ] || cluster_die "/usr/lib/cni/bridge missing (containernetworking-plugins)"
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' \
    || cluster_die "/bin/busybox is not static (busybox-static)"
$PY -c 'import grpc, google.protobuf' 2>/dev/null \
    || cluster_die "$PY cannot import grpc/google.protobuf (python3-grpcio, python3-protobuf)"

tmp=$(mktemp -d /tmp/corral-cri.XXXXXX)
S=$tmp
BRIDGE=crri$(basename "$S" | tr -dc 'a-zA-Z0-9' | tail -c 6)
# The pods' subnet: 10.251.X.0/24, X from the scratch directory's name, so that two runs at
# once (each with its bridge) do not route the same addresses.
NET=10.251.$(($(cksum <<<"$S" | cut -d' ' -f1) % 200 + 20))
NETNS_BEFORE=$(ls /var/run/netns 2>/dev/null | sort)
ok() { check_true "$*" "" 0; }
notok() { check_true "$*" "" 1; }
kctr() { ctrc -n k8s.io "$@"; } # ctr in CRI's namespace

cleanup() {
    local rc=$? ids p n
    trap - EXIT INT TERM
    if [ -n "$ctr_pid" ] && kill -0 "$ctr_pid" 2>/dev/null; then
        # What the Python side left (it removes its pods itself when it gets the chance).
        ids=$(kctr tasks ls -q 2>/dev/null)
        for p in $ids; do kctr tasks kill -s SIGKILL "$p" >/dev/null 2>&1; done
        sleep 0.5
        for p in $ids; do kctr tasks delete -f "$p" >/dev/null 2>&1; done
        for p in $(kctr containers ls -q 2>/dev/null); do
            kctr containers delete "$p" >/dev/null 2>&1
        done
    fi
    cluster_stop # containerd, shims and workloads, the registry, mounts under $S
    # Network namespaces the CRI plugin made for this run's pods and not removed.
    for n in $(comm -13 <(echo "$NETNS_BEFORE") <(ls /var/run/netns 2>/dev/null | sort)); do
        case "$n" in cni-*) umount "/var/run/netns/$n" 2>/dev/null; rm -f "/var/run/netns/$n" ;; esac
    done
    ip link del "$BRIDGE" >/dev/null 2>&1
    # runc's cgroup parent for the k8s.io namespace (rmdir leaves it if anything is in it).
    rmdir /sys/fs/cgroup/*/k8s.io /sys/fs/cgroup/k8s.io 2>/dev/null
    CLUSTER_KEEP=${CRI_KEEP:+1} cluster_remove_tmp
    exit "$rc"
}
trap cleanup EXIT
PYPID=
trap '[ -n "$PYPID" ] && kill -TERM "$PYPID" 2>/dev/null && wait "$PYPID"; exit 130' INT TERM

# ---- build the guest, the pause program and the Python CRI stubs ----
GEN="$BUILD/cri"
mkdir -p "$GEN" "$S/img/pause" "$S/img/busybox/bin" "$S/img/wasm" "$S/img/wagi" "$S/logs" \
    "$S/cni/net.d" "$S/cni/ipam" || cluster_die "mkdir"
gcc -static -Os -Wall -Wextra -Werror -o "$GEN/pause" "$HERE/pause.c" || cluster_die "building pause"
strip "$GEN/pause" 2>/dev/null
clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-all -o "$GEN/hello.wasm" \
    "$HERE/hello.c" || cluster_die "building hello.wasm"
clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-all -o "$GEN/wagi.wasm" \
    "$HERE/wagi.c" || cluster_die "building wagi.wasm"
protoc -I"$HERE" --python_out="$GEN" "$HERE/cri_min.proto" || cluster_die "protoc cri_min.proto"
if [ -n "${CRI_API_PROTO:-}" ]; then
    # The subset against the published api.proto (debug_redact is an option protoc 3.21 does
    # not know without its descriptor.proto import; it does not change the wire format).
    sed -E 's/ *\[debug_redact *= *true\]//' "$CRI_API_PROTO" >"$GEN/api_full.proto"
    protoc -I"$GEN" --descriptor_set_out="$GEN/full.pb" api_full.proto || cluster_die "protoc api.proto"
    protoc -I"$HERE" --descriptor_set_out="$GEN/min.pb" cri_min.proto || cluster_die "protoc"
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
# One-layer images by mkimage.py, for linux/amd64 unless said (with a PATH, as images have).
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
img() { $PY tests/cluster/mkimage.py "$@" --env="PATH=$IMAGE_PATH" || cluster_die "image $2"; }
img "$S/img/pause" corral.local/pause:1 "$S/pause.tar" --platform=linux/amd64 --entrypoint=/pause
img "$S/img/busybox" corral.local/busybox:1 "$S/busybox.tar" --platform=linux/amd64 --cmd=/bin/sh
# A "compat" Wasm image: the module in an ordinary tar layer, platform linux/amd64, so that
# containerd 1.6 unpacks it like any image (a wasm OCI artifact it cannot unpack, CLUSTER.md B5).
img "$S/img/wasm" corral.local/hello-wasm:1 "$S/hello-wasm.tar" --platform=linux/amd64 \
    --entrypoint=/hello.wasm
# The same module in an image whose config says wasi/wasm, as `corral push --image` makes by
# default; its index entry names no platform, as a single manifest from a registry would not.
img "$S/img/wasm" corral.local/hello-wasm-wasi:1 "$S/hello-wasm-wasi.tar" --platform=wasi/wasm \
    --no-index-platform --entrypoint=/hello.wasm
# A WAGI app: /modules.toml and its module. The entrypoint names the .toml: CRI refuses a
# container with neither a command nor an image entrypoint/cmd ("no command specified").
cp "$HERE/modules.toml" "$GEN/wagi.wasm" "$S/img/wagi/"
img "$S/img/wagi" corral.local/hello-wagi:1 "$S/hello-wagi.tar" --platform=linux/amd64 \
    --entrypoint=/modules.toml

# ---- a registry, for the pulls through CRI: what `corral push` makes ----
REG=
if [ -x "$BUILD/corral" ] && command -v docker-registry >/dev/null; then
    registry "$S/registry"
    REG=127.0.0.1:$reg_port
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
cri_toml=$(cat <<EOF
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
)
# containerd finds containerd-shim-corral-v1 on its PATH: BUILD_DIR first.
cri=1 ctr_log_level=${CRI_LOG_LEVEL:-info} containerd_path="$BUILD:$PATH" \
    start_containerd "$S/ctr" "$cri_toml"
kctr plugins ls 2>/dev/null | grep -q 'io.containerd.grpc.v1 *cri .* ok' \
    && ok "containerd $(containerd --version | awk '{print $3}') up with the CRI plugin" \
    || notok "containerd up with the CRI plugin"
for t in pause busybox hello-wasm hello-wasm-wasi hello-wagi; do
    if kctr images import "$S/$t.tar" >"$S/import-$t.log" 2>&1; then
        ok "ctr -n k8s.io images import $t.tar"
    else
        notok "ctr -n k8s.io images import $t.tar: $(tail -1 "$S/import-$t.log")"
    fi
done

# ---- the CRI conversation ----
SHIM="$BUILD/containerd-shim-corral-v1"
# In the background so that a signal reaches the trap at once; the trap passes it on and
# cri_test.py removes its pods before the cleanup above removes the rest.
PYTHONPATH="$GEN" $PY tests/cluster/cri_test.py --socket "$ctr_sock" \
    --logs "$S/logs" --shim "$SHIM" --subnet "$NET." --registry "$REG" --result "$S/result" &
PYPID=$!
wait "$PYPID"
rc=$?
PYPID=
if [ -r "$S/result" ]; then
    read -r p f s <"$S/result"
    passed=$((passed + p))
    failed=$((failed + f))
    SKIP=$s
else
    notok "cri_test.py finished (exit $rc)"
    SKIP=0
fi

# ---- nothing left ----
if left=$(kctr containers ls -q && kctr tasks ls -q); then
    [ -z "$left" ] && ok "ctr -n k8s.io: no containers or tasks left" \
        || notok "ctr -n k8s.io: left: $(echo $left)"
else
    notok "ctr -n k8s.io: cannot list (containerd gone?)"
fi
kill -0 "$ctr_pid" 2>/dev/null || notok "containerd still running at the end"
if stop_containerd; then
    ok "containerd exits on SIGTERM"
else
    notok "containerd exits on SIGTERM"
fi
stop_helpers # the registry
pids=$(pids_under "$S")
[ -z "$pids" ] && ok "no shim or workload process left" \
    || notok "processes left: $(echo $pids)"
# The overlay snapshots and the sandbox /dev/shm mounts are containerd's to undo; the
# snapshotter's own directory stays mounted only if something leaked.
leaked=$(awk -v s="$S/" 'index($5, s) == 1 && $5 !~ /io.containerd.grpc.v1.cri\/sandboxes\/[^/]+\/shm$/ {print $5}' /proc/self/mountinfo)
[ -z "$leaked" ] && ok "no container rootfs mounted under the scratch directory" \
    || notok "mounted: $(echo $leaked)"

[ "${SKIP:-0}" -gt 0 ] && echo "cri: $SKIP checks of the corral pod skipped: no $SHIM"
summary

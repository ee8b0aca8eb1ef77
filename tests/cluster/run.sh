#!/usr/bin/env bash
# run.sh: containerd-shim-corral-v1 end to end, through a real containerd 1.6 started here
# (config, state, sockets and FIFOs in a temporary directory) and `ctr`, as an operator
# would use it: images built by mkimage.py and imported, `ctr run --runtime <the shim>`.
#
# Covers (issue 12, acceptance 1 and 4): a WASI hello (stdout, stderr, args, env, exit 0);
# an image's own entrypoint, arguments and environment; writes into the overlay rootfs, and
# --read-only refusing them; a failing guest (its exit status); a trapping guest (134 and the
# trap on stderr); a long-running guest stopped by `ctr task kill` (SIGKILL, SIGTERM, SIGINT;
# computing or sleeping) within 100 ms of the signal by the /tasks/exit event's exited_at;
# volumes (a read-write bind mount and a read-only one); the wasm OCI artifact pushed by
# `corral push oci://` to a docker-registry, pulled by ctr and read from containerd's content
# store; a WAGI app (modules.toml naming its module by an absolute path in the image)
# answering HTTP; events in order; bad input (a missing module, a non-Wasm file, an unknown
# export, a symlink or root.path leading out, no args, a config.json that is not JSON) each
# failing its task with a clear message in the shim log while another container of the same
# pod (one shim) keeps running; and, after deletion, no shim process, mount or FIFO left.
#
# usage: tests/cluster/run.sh [BUILD_DIR]   (default: the checkout's build/)
# Needs root, containerd, ctr, docker-registry, clang with wasi-libc, curl, python3.
# Prints one line per failing check (CLUSTER_VERBOSE=1: every check), then
# "cluster: N passed, M failed"; exits 1 when a check failed, 2 when it could not start.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
name=cluster
export LC_ALL=C
tmp=$(mktemp -d /tmp/corral-cluster.XXXXXX)
# shellcheck source=lib.sh
. "$here/lib.sh"
trap cluster_cleanup EXIT

shim=$build/containerd-shim-corral-v1
corral=$build/corral
if [ "$(id -u)" != 0 ]; then
    echo "cluster: skipped: needs root (containerd mounts rootfs and runs shims)"
    exit 0
fi
for tool in containerd ctr docker-registry clang curl python3; do
    command -v "$tool" >/dev/null || cluster_die "$tool not found (scripts/deps.sh installs it)"
done
[ -x "$shim" ] && [ -x "$corral" ] || cluster_die "$shim or $corral missing; run make first"

# ---- guests and images ----

img=$tmp/img
mkdir -p "$img/app" "$img/web" "$tmp/fifo"
for g in hello fail trap spin volume; do
    clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror "$here/guests/$g.c" -o "$img/$g.wasm" ||
        cluster_die "cannot build guest $g"
done
printf 'not a module\n' >"$img/notwasm.wasm"
ln -s /etc/passwd "$img/escape.wasm"
clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror "$root/tests/gateway/guests/env.c" \
    -o "$img/web/env.wasm" 2>/dev/null || cluster_die "cannot build the WAGI guest"
cat >"$img/web/modules.toml" <<'EOT'
[[module]]
route = "/env"
module = "/web/env.wasm"
EOT
python3 "$here/mkimage.py" "$img" corral.test/guests:1 "$tmp/guests.tar" || cluster_die "mkimage failed"
# The same files, with an entrypoint, arguments and environment in the image's config.
python3 "$here/mkimage.py" "$img" corral.test/entry:1 "$tmp/entry.tar" --entrypoint=/hello.wasm \
    --cmd=from-image --env=GREETING=from-image || cluster_die "mkimage failed"

# A sanitizer build of the shim reports into files here (its stderr is nobody's once it has
# daemonized); containerd passes its environment on to the shims it starts.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$tmp/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$tmp/sanitizer"
start_containerd "$tmp/ctr"
for t in guests entry; do
    ctrc images import --platform wasi/wasm "$tmp/$t.tar" >/dev/null 2>&1 ||
        cluster_die "ctr images import failed: $(ctrc images import --platform wasi/wasm "$tmp/$t.tar" 2>&1 | tail -n 2)"
done
image=corral.test/guests:1
ctrc events >"$tmp/events" 2>&1 &
cluster_pids+=($!)

# run ID [CTR_RUN_OPTIONS...] -- ARGS...: runs a container to its end; prints its stdout,
# then "stderr: ..." for each line of its stderr (ctr copies the two streams on their own, so
# their lines interleave in no fixed order), then "exit N" when the status is not 0.
run() {
    local id=$1 status=0 out
    shift
    local opts=()
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    out=$(ctrc run --rm --runtime "$shim" --platform wasi/wasm --fifo-dir "$tmp/fifo" \
        "${opts[@]}" "$image" "$id" "$@" 2>"$tmp/$id.err") || status=$?
    local err
    err=$(sed 's/^/stderr: /' "$tmp/$id.err")
    printf '%s' "$out"
    [ -n "$out" ] && [ -n "$err" ] && printf '\n'
    printf '%s' "$err"
    [ "$status" = 0 ] || printf '\nexit %s' "$status"
}

# ---- acceptance 1: guests through ctr ----

check "hello: stdout, stderr, args, env, exit 0" "hello from corral
argv[0]=/hello.wasm
argv[1]=one
argv[2]=two words
GREETING=hi there
stderr: a line on stderr" "$(run hello --env 'GREETING=hi there' -- /hello.wasm one 'two words')"
check "fail: its exit status" "stderr: fail: giving up on purpose
exit 3" "$(run fail -- /fail.wasm)"
got=$(run trap -- /trap.wasm)
check_has "trap: output before the trap" "about to trap" "$got"
check_has "trap: the trap message" "unreachable" "$got"
check_has "trap: exit 134" "exit 134" "$got"
got=$(ctrc run --rm --runtime "$shim" --platform wasi/wasm --fifo-dir "$tmp/fifo" corral.test/entry:1 \
    entry-image 2>/dev/null)
check "image config: entrypoint, cmd and env" "hello from corral
argv[0]=/hello.wasm
argv[1]=from-image
GREETING=from-image" "$got"
check "a write into the image's rootfs (the overlay)" "wrote /scratch.txt" "$(run rw -- /volume.wasm write /scratch.txt)"
check "--read-only: the rootfs refuses writes" "write /scratch.txt: Read-only file system
exit 1" "$(run ro --read-only -- /volume.wasm write /scratch.txt)"
check "path#export: another entry point" "exit 0" "$(run entry -- '/hello.wasm#_start' x >/dev/null; echo "exit $?")"

# kill_case ID SIGNAL MODE: a spin guest (MODE busy or sleep) run in the background, killed
# once it printed "started"; checks its exit status and that the /tasks/exit event's
# exited_at is within 100 ms of the kill.
kill_case() {
    local id=$1 sig=$2 mode=$3 want=$4
    local out=$tmp/$id.out
    ctrc run --rm --runtime "$shim" --platform wasi/wasm --fifo-dir "$tmp/fifo" "$image" "$id" \
        /spin.wasm "$mode" >"$out" 2>&1 &
    local runner=$!
    for _ in $(seq 200); do
        grep -q started "$out" 2>/dev/null && break
        sleep 0.02
    done
    local t_kill
    t_kill=$(date +%s.%N)
    ctrc task kill -s "$sig" "$id"
    local status=0
    wait "$runner" || status=$?
    check "kill $sig ($mode): exit status" "$want" "$status"
    local ms
    ms=$(python3 - "$tmp/events" "$id" "$t_kill" <<'EOT'
import datetime, json, re, sys
events, cid, t_kill = sys.argv[1], sys.argv[2], float(sys.argv[3])
for line in open(events):
    if "/tasks/exit" in line and '"container_id":"%s"' % cid in line:
        at = json.loads(line[line.index("{"):])["exited_at"]
        m = re.match(r"(\d+-\d+-\d+T\d+:\d+:\d+)(\.\d+)?Z", at)
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=datetime.timezone.utc).timestamp() + float(m.group(2) or 0)
        print(round((t - t_kill) * 1000, 1))
        break
else:
    print("no exit event")
EOT
)
    echo "kill $sig ($mode): guest stopped $ms ms after the signal" >>"$tmp/figures"
    check_true "kill $sig ($mode): stopped within 100 ms of the signal" "took $ms ms" \
        "$(python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 100 else 1)" "$ms" 2>/dev/null; echo $?)"
}
sleep 0.3 # let `ctr events` subscribe
kill_case kill-busy SIGKILL busy 137
kill_case kill-sleep SIGKILL sleep 137
kill_case term-busy SIGTERM busy 143
kill_case term-sleep SIGTERM sleep 143
kill_case int-sleep SIGINT sleep 130

# Stats (ctr task metrics, CRI's ContainerStats): a computing guest's CPU time and memory.
ctrc run -d --null-io --runtime "$shim" --platform wasi/wasm "$image" metrics /spin.wasm busy >/dev/null 2>&1
cpu=0
for _ in $(seq 50); do
    cpu=$(ctrc task metrics metrics 2>/dev/null | awk '$1 == "cpuacct.usage" { print $2 }')
    [ "${cpu:-0}" -gt 0 ] && break
    sleep 0.05
done
check_true "metrics: the guest's CPU time (cpuacct.usage)" "got '${cpu:-none}'" "$([ "${cpu:-0}" -gt 0 ]; echo $?)"
mem=$(ctrc task metrics metrics 2>/dev/null | awk '$1 == "memory.usage_in_bytes" { print $2 }')
check_true "metrics: its resident memory (memory.usage_in_bytes)" "got '${mem:-none}'" "$([ "${mem:-0}" -gt 0 ]; echo $?)"
ctrc task kill -s SIGKILL metrics
for _ in $(seq 100); do
    ctrc task ls | grep -w metrics | grep -q STOPPED && break
    sleep 0.05
done
ctrc task delete metrics >/dev/null 2>&1
ctrc container delete metrics >/dev/null 2>&1

# Volumes: a read-write bind mount and a read-only one, as WASI preopens.
mkdir -p "$tmp/data" "$tmp/ro"
echo "from the host" >"$tmp/data/in.txt"
check "volume: read, write, read-only refused" "read: from the host
wrote /data/out.txt
write /ro/new.txt: Read-only file system" \
    "$(run volume --mount "type=bind,src=$tmp/data,dst=/data,options=rbind:rw" \
        --mount "type=bind,src=$tmp/ro,dst=/ro,options=rbind:ro" -- /volume.wasm)"
check "volume: the guest's file on the host" "written by the guest" "$(cat "$tmp/data/out.txt" 2>&1)"
check "volume: nothing written to the read-only one" "" "$(ls -A "$tmp/ro")"

# The wasm OCI artifact: pushed by corral, pulled by ctr (containerd 1.6 cannot unpack it),
# run from containerd's content store.
registry "$tmp/registry"
ref=127.0.0.1:$reg_port/wasm/hello:v1
"$corral" push "oci://$ref" "$img/hello.wasm" >/dev/null 2>&1 || cluster_die "corral push failed"
ctrc images pull --plain-http "$ref" >/dev/null 2>&1 # fails to unpack: expected
check_has "artifact: ctr has the image" "$ref" "$(ctrc images ls -q)"
mkdir -p "$tmp/empty"
got=$(ctrc run --rm --runtime "$shim" --fifo-dir "$tmp/fifo" --annotation "io.corral.image=$ref" \
    --rootfs "$tmp/empty" artifact /hello.wasm from-artifact 2>"$tmp/artifact.err"; echo "exit $?")
check "artifact: run from the content store" "hello from corral
argv[0]=/hello.wasm
argv[1]=from-artifact
GREETING=(unset)
exit 0" "$got"
check "artifact: its stderr" "a line on stderr" "$(cat "$tmp/artifact.err")"

# A WAGI app: modules.toml in the image (its module named by an absolute path inside the
# image: corral serve --root); the shim runs Corral's gateway on CORRAL_LISTEN.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ctrc run -d --runtime "$shim" --platform wasi/wasm --fifo-dir "$tmp/fifo" --net-host \
    --env "CORRAL_LISTEN=127.0.0.1:$port" "$image" wagi /web/modules.toml >/dev/null 2>&1
body=
for _ in $(seq 100); do
    body=$(curl -s "http://127.0.0.1:$port/env?x=1" 2>/dev/null) && [ -n "$body" ] && break
    sleep 0.05
done
check_has "wagi: the gateway answers" "QUERY_STRING=x=1" "$body"
check_has "wagi: running" "RUNNING" "$(ctrc task ls | grep -w wagi)"
ctrc task kill -s SIGTERM wagi
for _ in $(seq 100); do
    ctrc task ls | grep -w wagi | grep -q STOPPED && break
    sleep 0.05
done
check_has "wagi: stopped by SIGTERM" "STOPPED" "$(ctrc task ls | grep -w wagi)"
ctrc task delete wagi >/dev/null 2>&1
ctrc container delete wagi >/dev/null 2>&1

# Events: create, start, exit, delete, in that order, for one container.
check "events: in order" "/tasks/create /tasks/start /tasks/exit /tasks/delete" \
    "$(grep -F '"container_id":"hello"' "$tmp/events" | grep -o '/tasks/[a-z]*' | tr '\n' ' ' | sed 's/ $//')"

# ---- acceptance 4: bad input fails one task, and the pod's shim keeps serving ----

pod=(--annotation io.kubernetes.cri.sandbox-id=pod1)
ctrc run -d --runtime "$shim" --platform wasi/wasm --fifo-dir "$tmp/fifo" "${pod[@]}" \
    "$image" keeper /spin.wasm >/dev/null 2>&1
bad() {
    local id=$1 want=$2
    shift 2
    local got
    got=$(ctrc run --rm --runtime "$shim" --platform wasi/wasm --fifo-dir "$tmp/fifo" "${pod[@]}" \
        "$image" "$id" "$@" 2>&1; echo "exit $?")
    check_has "bad input $id: ctr says why" "$want" "$got"
    check_has "bad input $id: the shim log says why" "$want" "$(cat "$tmp/ctr/log")"
}
bad missing "not found" /nope.wasm
bad notwasm "not a WebAssembly module" /notwasm.wasm
bad export "no export named 'nope'" '/hello.wasm#nope'
bad symlink "/escape.wasm: not found in the image's rootfs" /escape.wasm
# A config.json the shim must refuse, given whole with ctr run --config (ctr itself refuses
# one that is not JSON; test_container covers that case at the shim's door).
spec() {
    python3 - "$tmp/$1.json" "$2" "$3" <<'EOT'
import json, sys
path, root, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
json.dump({"ociVersion": "1.0.2-dev", "root": {"path": root},
           "process": {"args": args, "cwd": "/", "env": []},
           "annotations": {"io.kubernetes.cri.sandbox-id": "pod1"},
           "linux": {"namespaces": [{"type": "mount"}]}}, open(path, "w"))
EOT
}
bad_spec() {
    local id=$1 want=$2 got
    spec "$id" "$3" "$4"
    got=$(ctrc run --rm --runtime "$shim" --fifo-dir "$tmp/fifo" --config "$tmp/$id.json" "$id" 2>&1; echo "exit $?")
    check_has "bad config $id: ctr says why" "$want" "$got"
    check_has "bad config $id: the shim log says why" "$want" "$(cat "$tmp/ctr/log")"
}
bad_spec rootesc "root.path '../../../../../../etc' leads outside the bundle" ../../../../../../etc '["/x.wasm"]'
bad_spec noargs "process.args is empty" rootfs '[]'
# A config.json that is not JSON never gets past ctr (it parses a spec itself), so it goes
# straight to the pod's shim, as containerd would send it: Create over the shim's socket.
mkdir -p "$tmp/badjson"
printf '{"ociVersion": "1.0.2", "process": {\n' >"$tmp/badjson/config.json"
keeper_bundle=$tmp/ctr/state/io.containerd.runtime.v2.task/default/keeper
got=$(python3 "$here/ttrpc_call.py" "$(cat "$keeper_bundle/address" 2>/dev/null)" create badjson "$tmp/badjson" 2>&1)
check_has "bad input badjson: Create fails, InvalidArgument, saying where" "error 3: config.json: " "$got"
check_has "bad input badjson: the shim log says why" "config.json: " \
    "$(grep -F badjson "$tmp/ctr/log" | head -n 3)"
check_has "bad input: the pod's other container still runs" "RUNNING" "$(ctrc task ls | grep -w keeper)"
check "bad input: one shim serves the pod" "1" "$(pgrep -f "containerd-shim-corral-v1 .*-id keeper" | wc -l)"
ctrc task kill -s SIGKILL keeper
for _ in $(seq 100); do
    ctrc task ls | grep -w keeper | grep -q STOPPED && break
    sleep 0.05
done
check_has "bad input: the other container stops normally" "STOPPED" "$(ctrc task ls | grep -w keeper)"
ctrc task delete keeper >/dev/null 2>&1
ctrc container delete keeper >/dev/null 2>&1

# ---- nothing left behind ----

sleep 0.5
check "no shim process left" "" "$(shims_under "$tmp/ctr")"
check "no mount left under the state directory" "" "$(mounts_under "$tmp/ctr/state")"
check "no FIFO left" "" "$(find "$tmp/fifo" "$tmp/ctr/state" -type p 2>/dev/null)"
check "no task left" "" "$(ctrc task ls -q)"

check "no sanitizer report" "" "$(cat "$tmp"/sanitizer.* 2>/dev/null | head -n 30)"
cat "$tmp/figures" 2>/dev/null
summary

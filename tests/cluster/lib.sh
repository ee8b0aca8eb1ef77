# lib.sh: what the cluster tests share (sourced): checks and counts, a scratch containerd
# with its config, state and sockets in one directory, a docker-registry on a free loopback
# port, and a cleanup that leaves no daemon, shim, mount or FIFO behind. The sourcing script
# sets `name` (its summary label) and `tmp` (a mktemp -d) first, and calls cluster_cleanup
# from its EXIT trap.

passed=0 failed=0
verbose=${CLUSTER_VERBOSE:-0}
cluster_pids=()
ctr_pid=

cluster_die() {
    echo "$name: $*" >&2
    exit 2
}

# check NAME WANT GOT: GOT must be WANT exactly.
check() {
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
        [ "$verbose" = 1 ] && echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1"
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed -n '2,12s/^/    /p'
    fi
    return 0
}

# check_has NAME WANT GOT: GOT must contain WANT.
check_has() {
    if [[ "$3" == *"$2"* ]]; then
        passed=$((passed + 1))
        [ "$verbose" = 1 ] && echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1: want '$2' in:"
        printf '%s\n' "$3" | head -n 12 | sed 's/^/    /'
    fi
    return 0
}

# check_true NAME CONDITION_TEXT STATUS: STATUS 0 passes; otherwise CONDITION_TEXT says why.
check_true() {
    if [ "$3" = 0 ]; then
        passed=$((passed + 1))
        [ "$verbose" = 1 ] && echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1: $2"
    fi
    return 0
}

summary() {
    echo "$name: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}

# start_containerd DIR [EXTRA_TOML]: containerd with everything under DIR (the CRI plugin off
# unless EXTRA_TOML configures it: then pass cri=1 in the environment); sets ctr_pid and
# defines ctrc (ctr on that socket, with a timeout).
start_containerd() {
    local dir=$1 extra=${2:-}
    mkdir -p "$dir"
    {
        echo 'version = 2'
        echo "root = \"$dir/root\""
        echo "state = \"$dir/state\""
        [ "${cri:-0}" = 1 ] || echo 'disabled_plugins = ["io.containerd.grpc.v1.cri"]'
        echo '[grpc]'
        echo "  address = \"$dir/containerd.sock\""
        echo '[ttrpc]'
        echo "  address = \"$dir/containerd.sock.ttrpc\""
        echo '[debug]'
        echo "  address = \"$dir/debug.sock\""
        echo '  level = "debug"'
        printf '%s\n' "$extra"
    } >"$dir/config.toml"
    PATH="${containerd_path:-$PATH}" containerd --config "$dir/config.toml" >"$dir/log" 2>&1 &
    ctr_pid=$!
    ctr_sock=$dir/containerd.sock
    for _ in $(seq 200); do
        ctrc version >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    cluster_die "containerd did not start: $(tail -n 3 "$dir/log")"
}

ctrc() { timeout 60 ctr -a "$ctr_sock" "$@"; }

# registry DIR: docker-registry with storage in DIR on a free loopback port; sets reg_port.
registry() {
    local dir=$1
    mkdir -p "$dir"
    cat >"$dir.yml" <<EOT
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir
http:
  addr: 127.0.0.1:0
  secret: corral-test
EOT
    docker-registry serve "$dir.yml" >"$dir.log" 2>&1 &
    cluster_pids+=($!)
    reg_port=
    for _ in $(seq 100); do
        reg_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir.log" 2>/dev/null | head -n 1)
        [ -n "$reg_port" ] && break
        sleep 0.05
    done
    [ -n "$reg_port" ] || cluster_die "docker-registry did not start: $(tail -n 3 "$dir.log")"
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$reg_port/v2/" && break
        sleep 0.05
    done
}

# mounts_under DIR: the mount points below DIR, deepest first.
mounts_under() {
    awk -v t="$1" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r
}

# shims_under DIR: pids of shim processes whose command line names DIR (their -address).
shims_under() {
    pgrep -f "containerd-shim-.*$1" || true
}

cluster_cleanup() {
    if [ -n "$ctr_pid" ]; then
        kill "$ctr_pid" 2>/dev/null
        wait "$ctr_pid" 2>/dev/null
    fi
    for p in $(shims_under "$tmp"); do kill -9 "$p" 2>/dev/null; done
    for m in $(mounts_under "$tmp"); do umount -l "$m" 2>/dev/null; done
    for p in "${cluster_pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${cluster_pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}

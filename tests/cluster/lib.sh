# lib.sh: what the cluster tests share (sourced by run.sh, content_test.sh, cri_test.sh):
# checks and counts, a scratch containerd with its config, state and sockets in one
# directory, a docker-registry on a free loopback port, and a cleanup that leaves no daemon,
# shim, workload, mount or FIFO behind. The sourcing script sets `name` (its summary label)
# and `tmp` (a mktemp -d) first, and calls cluster_cleanup from its EXIT trap (or
# cluster_stop, then its own clean-up, then cluster_remove_tmp).

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

# check_true NAME WHY STATUS: STATUS 0 passes; otherwise WHY (may be empty) says why not.
check_true() {
    if [ "$3" = 0 ]; then
        passed=$((passed + 1))
        [ "$verbose" = 1 ] && echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1${2:+: $2}"
    fi
    return 0
}

summary() {
    echo "$name: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}

# start_containerd DIR [EXTRA_TOML]: containerd with everything under DIR (config.toml,
# root/, state/, containerd.sock and .sock.ttrpc, log); EXTRA_TOML is appended to the
# config (plugin tables). The snapshotters no test uses are off, and the CRI plugin too
# unless cri=1 is set. Also read: ctr_log_level (default debug), containerd_path (containerd's
# PATH, where it finds shims). Sets ctr_pid and ctr_sock; ctrc is ctr on that socket.
start_containerd() {
    local dir=$1 extra=${2:-} off
    off='"io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",'
    off+=' "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"'
    [ "${cri:-0}" = 1 ] || off+=', "io.containerd.grpc.v1.cri"'
    mkdir -p "$dir"
    {
        echo 'version = 2'
        echo "root = \"$dir/root\""
        echo "state = \"$dir/state\""
        echo "disabled_plugins = [$off]"
        echo '[grpc]'
        echo "  address = \"$dir/containerd.sock\""
        echo '[ttrpc]'
        echo "  address = \"$dir/containerd.sock.ttrpc\""
        echo '[debug]'
        echo "  address = \"$dir/debug.sock\""
        echo "  level = \"${ctr_log_level:-debug}\""
        printf '%s\n' "$extra"
    } >"$dir/config.toml"
    PATH="${containerd_path:-$PATH}" containerd --config "$dir/config.toml" >"$dir/log" 2>&1 &
    ctr_pid=$!
    ctr_sock=$dir/containerd.sock
    for _ in $(seq 200); do
        ctrc version >/dev/null 2>&1 && return 0
        kill -0 "$ctr_pid" 2>/dev/null || break
        sleep 0.05
    done
    cluster_die "containerd did not start: $(tail -n 3 "$dir/log")"
}

# stop_containerd: SIGTERM, 5 s to exit, then SIGKILL; 0 when it exited on SIGTERM.
stop_containerd() {
    local rc=1
    [ -n "$ctr_pid" ] || return 0
    kill "$ctr_pid" 2>/dev/null
    for _ in $(seq 50); do
        kill -0 "$ctr_pid" 2>/dev/null || { rc=0; break; }
        sleep 0.1
    done
    [ "$rc" = 0 ] || kill -9 "$ctr_pid" 2>/dev/null
    wait "$ctr_pid" 2>/dev/null
    ctr_pid=
    return "$rc"
}

ctrc() { timeout 60 ctr -a "$ctr_sock" "$@"; }

# registry DIR: docker-registry with storage in DIR (its config DIR.yml, log DIR.log) on a
# free loopback port; sets reg_port. Its pid joins cluster_pids.
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

# stop_helpers: ends the background helpers (cluster_pids: registry, ctr events ...).
stop_helpers() {
    local p
    for p in "${cluster_pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${cluster_pids[@]}"; do wait "$p" 2>/dev/null; done
    cluster_pids=()
}

# mounts_under DIR: the mount points below DIR, deepest first.
mounts_under() {
    awk -v t="$1" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r
}

# shims_under DIR: pids of shim processes whose command line names DIR (their -address).
shims_under() {
    pgrep -f "containerd-shim-.*$1" || true
}

# pids_under DIR: the processes whose command line names DIR/ (containerd, shims, corral
# serve, helpers) and all their descendants (a WAGI child, CRI's pause and runc workloads).
pids_under() {
    local p pid ppid rest found=" " more=1
    [ -n "$1" ] || return 0 # "" would name every process
    for p in /proc/[0-9]*; do
        { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$1/" && found+="${p#/proc/} "
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

# cluster_stop: containerd, then every process left under $tmp (SIGKILL), the helpers, and
# the mounts under $tmp (lazily when busy). Leaves $tmp itself.
cluster_stop() {
    local p m
    stop_containerd
    [ -n "$tmp" ] || return 0 # nothing of ours yet (and "" would be everything)
    for p in $(pids_under "$tmp"); do kill -9 "$p" 2>/dev/null; done
    stop_helpers
    for m in $(mounts_under "$tmp"); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
}

# cluster_remove_tmp: removes $tmp, unless a mount is left in it (said on stderr) or
# CLUSTER_KEEP=1 asks to keep it.
cluster_remove_tmp() {
    if [ -z "$tmp" ]; then
        return 0
    elif [ -n "$(mounts_under "$tmp")" ]; then
        echo "$name: WARNING: mounts left under $tmp" >&2
    elif [ "${CLUSTER_KEEP:-0}" != 1 ]; then
        rm -rf "$tmp"
    fi
}

cluster_cleanup() {
    cluster_stop
    cluster_remove_tmp
}

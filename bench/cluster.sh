# shellcheck shell=bash
# bench/cluster.sh: the `cluster` section of `make bench` (sourced by bench/run.sh; uses row
# and problem_note), issue 12's acceptance 3, for containerd-shim-corral-v1 under a containerd
# started here (tests/cluster/lib.sh), beside runc in the same containerd:
#
#   1. start: time from starting `ctr run --rm` to the first byte of the container's stdout,
#      Corral's shim running a WASI hello (tests/cluster/guests/hello.c) against runc running
#      a static busybox `echo` (Debian's busybox-static); runs interleaved, median, min, max;
#   2. memory: VmRSS of the one shim serving a pod (containers grouped by the annotation
#      io.kubernetes.cri.sandbox-id, as CRI does) with 1, 10 and 100 containers running a
#      sleeping guest; for runc the same pod's shim (runc groups the same way) plus the
#      containers' own processes (busybox sleep). Per container: (RSS at 100 - RSS at 1) / 99.
#      Targets (issue 12): start under 50 ms, under 2 MiB per container.
#
# Needs root, containerd, ctr, runc, clang with wasi-libc, /bin/busybox (busybox-static).
# Environment:
#   BENCH_CLUSTER_RUNS=15      timed starts per runtime
#   BENCH_CLUSTER_COUNTS="1 10 100"  pod sizes for the memory rows

CL_RUNS=${BENCH_CLUSTER_RUNS:-15}
CL_COUNTS=${BENCH_CLUSTER_COUNTS:-1 10 100}

# cl_rss_kib PID...: the sum of their VmRSS in KiB.
cl_rss_kib() {
    local sum=0 p v
    for p in "$@"; do
        v=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$p/status" 2>/dev/null)
        sum=$((sum + ${v:-0}))
    done
    echo "$sum"
}

# cl_fill PREFIX FROM TO CTR_RUN_ARGS... -- ARGS...: starts containers PREFIX<FROM+1> to
# PREFIX<TO> in the pod PREFIX-pod, detached, with no stdio.
cl_fill() {
    local prefix=$1 from=$2 to=$3 i
    shift 3
    local opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    local image=${opts[-1]}
    unset 'opts[-1]'
    for ((i = from + 1; i <= to; i++)); do
        ctrc run -d --null-io --annotation "io.kubernetes.cri.sandbox-id=$prefix-pod" \
            "${opts[@]}" "$image" "$prefix$i" "$@" >/dev/null 2>"$tmp/run.err" || {
            problem_note "cluster: ctr run $prefix$i failed: $(tail -n 1 "$tmp/run.err")"
            return 1
        }
    done
}

# cl_stop_all: kills and deletes every task and container.
cl_stop_all() {
    local id
    for id in $(ctrc task ls -q); do ctrc task kill -s SIGKILL "$id" >/dev/null 2>&1; done
    sleep 0.5
    for id in $(ctrc task ls -q); do ctrc task delete "$id" >/dev/null 2>&1; done
    for id in $(ctrc container ls -q); do ctrc container delete "$id" >/dev/null 2>&1; done
}

# cl_memory LABEL PREFIX SHIM_PATTERN CTR_RUN_ARGS... -- ARGS...: fills a pod to each count
# of CL_COUNTS and prints "N KiB" per count: the pod's shim (found by SHIM_PATTERN on its
# command line) plus, for runc, the containers' processes (ctr task ls PIDs, which for
# Corral's in-process guests are the shim itself: counted once).
cl_memory() {
    local prefix=$1 pattern=$2 have=0 n
    shift 2
    for n in $CL_COUNTS; do
        cl_fill "$prefix" "$have" "$n" "$@" || return 1
        have=$n
        sleep 1
        local pids
        pids=$( (pgrep -f "$pattern"; ctrc task ls | awk -v p="$prefix" 'index($1, p) == 1 { print $2 }') | sort -u)
        # shellcheck disable=SC2086
        echo "$n $(cl_rss_kib $pids)"
    done
    cl_stop_all
}

section_cluster() {
    local shim
    shim=$(realpath -m "$(dirname "$CORRAL")/containerd-shim-corral-v1")
    if [ "$(id -u)" != 0 ] || ! command -v containerd >/dev/null || ! command -v runc >/dev/null ||
        [ ! -x /bin/busybox ] || [ ! -x "$shim" ]; then
        row ""
        row "== Cluster (issue 12): skipped: needs root, containerd, runc, /bin/busybox and $shim =="
        return
    fi
    local name=bench-cluster
    tmp=$(mktemp -d /tmp/corral-bench-cluster.XXXXXX)
    # shellcheck source=tests/cluster/lib.sh disable=SC1091
    . tests/cluster/lib.sh
    trap cluster_cleanup EXIT
    mkdir -p "$tmp/wasm" "$tmp/bb/bin" "$tmp/fifo"
    local g a
    for g in hello spin; do
        clang --target=wasm32-wasi -O2 "tests/cluster/guests/$g.c" -o "$tmp/wasm/$g.wasm" ||
            die "cannot build tests/cluster/guests/$g.c"
    done
    cp /bin/busybox "$tmp/bb/bin/busybox"
    for a in sh echo sleep; do ln -s busybox "$tmp/bb/bin/$a"; done
    python3 tests/cluster/mkimage.py "$tmp/wasm" corral.bench/guests:1 "$tmp/guests.tar"
    python3 tests/cluster/mkimage.py "$tmp/bb" corral.bench/busybox:1 "$tmp/bb.tar" --platform=linux/amd64
    start_containerd "$tmp/ctr"
    ctrc images import --platform wasi/wasm "$tmp/guests.tar" >/dev/null
    ctrc images import "$tmp/bb.tar" >/dev/null

    row ""
    row "== Cluster (issue 12): containerd $(containerd --version | awk '{print $3}'), Corral's shim against runc $(runc --version | awk 'NR == 1 { print $3 }') =="
    row "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
    local c="ctr -a $tmp/ctr/containerd.sock run --rm --fifo-dir $tmp/fifo" first
    first=$(python3 bench/cluster_first.py "$CL_RUNS" \
        "corral:$c --runtime $shim --platform wasi/wasm corral.bench/guests:1 w{n} /hello.wasm" \
        "runc:$c corral.bench/busybox:1 r{n} /bin/echo hi" 2>&1) || {
        problem_note "cluster: $first"
        return
    }
    row "start: from ctr run to the container's first byte on stdout, $CL_RUNS runs each (ms)"
    row "$(printf '  %-8s %8s %8s %8s' runtime median min max)"
    local label med lo hi
    while read -r label med lo hi; do
        row "$(printf '  %-8s %8s %8s %8s' "$label" "$med" "$lo" "$hi")"
    done <<<"$first"

    local mc mr
    mc=$(cl_memory w "containerd-shim-corral-v1 .*-id w1 " --runtime "$shim" --platform wasi/wasm \
        corral.bench/guests:1 -- /spin.wasm) || return
    mr=$(cl_memory r "containerd-shim-runc-v2 .*-id r1 " corral.bench/busybox:1 -- /bin/sleep 1000) || return
    row "memory: a pod of N containers, each sleeping (VmRSS, MiB)"
    row "$(printf '  %-5s %14s %26s' N "corral shim" "runc shim + containers")"
    local n kc kr c1= r1= cN= rN= nN=
    while read -r n kc; do
        kr=$(awk -v n="$n" '$1 == n { print $2 }' <<<"$mr")
        row "$(printf '  %-5s %14.1f %26.1f' "$n" "$(echo "$kc / 1024" | bc -l)" "$(echo "$kr / 1024" | bc -l)")"
        [ -n "$c1" ] || { c1=$kc; r1=$kr; }
        cN=$kc rN=$kr nN=$n
    done <<<"$mc"
    if [ "$nN" -gt 1 ]; then
        row "$(printf '  per container (N=%s vs 1): corral %.0f KiB, runc %.0f KiB (target: corral under 2048 KiB)' \
            "$nN" "$(echo "($cN - $c1) / ($nN - 1)" | bc -l)" "$(echo "($rN - $r1) / ($nN - 1)" | bc -l)")"
    fi
    cluster_cleanup
    trap - EXIT
}

#!/usr/bin/env bash
# run.sh: black-box tests of the protocol half of containerd-shim-corral-v1, through the
# stand-in runtimes of tests/shim (the -fake shim runs a thread that prints a line and waits
# to be killed; the -stub shim refuses every Create). First the binary alone: flags, -v,
# `start` (socket path, daemon, the address file, a pod's second container sent to the same
# shim), `delete` (the DeleteResponse bytes, the stale socket removed). Then, as root, a real
# containerd started here with its own state and socket directory, driven by ctr: run --rm,
# the events in order, run -d / ps / metrics / exec / pause / kill / delete, two containers
# of one sandbox on one shim, kill -9 of a shim, a refused Create. After each: no shim
# process, socket or mount left.
#
# usage: tests/shim/run.sh [BUILD]   (default: the checkout's build/)
# Environment: SHIM_VERBOSE=1 prints every check.
# Prints one line per failing check, then "shim: N passed, M failed"; exits 1 when a check
# failed, 2 when it could not start.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
fake=$build/tests/containerd-shim-corral-v1-fake
stub=$build/tests/containerd-shim-corral-v1-stub
verbose=${SHIM_VERBOSE:-0}
export LC_ALL=C

die() {
    echo "shim: $*" >&2
    exit 2
}
[ -x "$fake" ] && [ -x "$stub" ] || die "build the stand-in shims first: make $fake $stub"

tmp=$(mktemp -d /tmp/corral-shim-test.XXXXXX) # short: socket paths live under it
ctd_pid=
cleanup() {
    if [ -n "$ctd_pid" ]; then
        kill "$ctd_pid" 2>/dev/null
        wait "$ctd_pid" 2>/dev/null
    fi
    for p in $(shims); do kill -9 "$p" 2>/dev/null; done
    for m in $(awk -v t="$tmp" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount "$m" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

# The shims started by this run: their -address names a path under $tmp.
shims() {
    pgrep -f -- "-address $tmp/" || true
}

passed=0 failed=0
check() { # NAME WANT GOT
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
        [ "$verbose" = 1 ] && echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1: want [$2], got [$3]"
    fi
    return 0
}

# ---- the binary alone ----

export CORRAL_SHIM_SOCKET_DIR=$tmp/s
check "-v" "containerd-shim-corral-v1:" "$("$fake" -v | head -1)"
"$fake" -bogus start >/dev/null 2>&1
check "unknown flag: usage" 2 $?
"$fake" -id x >/dev/null 2>&1
check "no action: usage" 2 $?

pod='{"annotations":{"io.kubernetes.cri.sandbox-id":"pod1"}}'
mkdir -p "$tmp/b1" "$tmp/b2" "$tmp/b3"
echo "$pod" >"$tmp/b1/config.json"
echo "$pod" >"$tmp/b2/config.json"
echo '{}' >"$tmp/b3/config.json"
flags=(-namespace ns1 -address "$tmp/none.sock" -publish-binary /bin/true)
a1=$(cd "$tmp/b1" && "$fake" "${flags[@]}" -id c1 start 2>&1)
check "start: exit 0" 0 $?
case $a1 in unix://$tmp/s/corral-????????????????) ok=1 ;; *) ok=0 ;; esac
check "start prints unix://DIR/corral-<16 hex> ($a1)" 1 $ok
check "start: address file" "$a1" "$(cat "$tmp/b1/address" 2>/dev/null)"
check "start: one daemon" 1 "$(shims | wc -l)"
a2=$(cd "$tmp/b2" && "$fake" "${flags[@]}" -id c2 start 2>&1)
check "same sandbox: same address" "$a1" "$a2"
check "same sandbox: no second daemon" 1 "$(shims | wc -l)"
a3=$(cd "$tmp/b3" && "$fake" "${flags[@]}" -id c3 start 2>&1)
check "no sandbox: an address of its own" 1 "$([ -n "$a3" ] && [ "$a3" != "$a1" ] && echo 1)"
check "two daemons" 2 "$(shims | wc -l)"
a4=$(cd "$tmp/b3" && "$fake" -namespace ns2 -address "$tmp/none.sock" -id c3 start 2>&1)
check "another namespace: another address" 1 "$([ "$a4" != "$a3" ] && echo 1)"
for p in $(shims); do kill -9 "$p"; done
sleep 0.3
(cd "$tmp/b1" && "$fake" "${flags[@]}" -id c1 -bundle "$tmp/b1" delete >"$tmp/delete.out")
check "delete: exit 0" 0 $?
out=$(od -An -tx1 "$tmp/delete.out" | tr -d ' \n')
# DeleteResponse{exit_status(2)=137: 10 89 01, exited_at(3)=Timestamp: 1a ..}
check "delete: DeleteResponse{exit_status 137, exited_at}" "1089011a" "${out:0:8}"
check "delete: the dead shim's socket removed" 0 "$(ls "$tmp/s" | grep -c "${a1##*/}")"
(cd "$tmp/b3" && "$fake" "${flags[@]}" -id c3 delete >/dev/null)
(cd "$tmp/b3" && "$fake" -namespace ns2 -address "$tmp/none.sock" -id c3 delete >/dev/null)
check "delete: every socket removed" 0 "$(ls "$tmp/s" | wc -l)"

# ---- against containerd ----

if [ "$(id -u)" != 0 ] || ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
    echo "shim: containerd checks skipped (need root, containerd and ctr)"
else
    s=$tmp/c
    mkdir -p "$s" "$tmp/rootfs"
    cat >"$s/config.toml" <<EOF
version = 2
root = "$s/root"
state = "$s/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$s/ctd.sock"
[ttrpc]
  address = "$s/ctd.sock.ttrpc"
[debug]
  address = "$s/debug.sock"
  level = "debug"
EOF
    containerd --config "$s/config.toml" >"$s/log" 2>&1 &
    ctd_pid=$!
    for _ in $(seq 50); do [ -S "$s/ctd.sock" ] && break; sleep 0.1; done
    c=(ctr --address "$s/ctd.sock")
    run_fake=(--runtime "$fake" --rootfs "$tmp/rootfs")
    settle() { # no shim, socket or mount of ours left, within 3 s
        for _ in $(seq 30); do
            [ -z "$(shims)" ] && [ -z "$(ls "$tmp/s")" ] && break
            sleep 0.1
        done
        check "$1: no shim left" "" "$(shims | while read -r p; do ps -o pid=,args= -p "$p"; done)"
        check "$1: no socket left" "" "$(ls "$tmp/s")"
        check "$1: no mount left" 0 "$(grep -c " $s/" /proc/mounts)"
    }

    timeout 20 "${c[@]}" events >"$s/events" 2>&1 &
    ev_pid=$!
    sleep 0.3
    out=$(cd /tmp && timeout 30 "${c[@]}" run --rm "${run_fake[@]}" f1 /app.wasm 2>&1)
    check "run --rm: exit 0" 0 $?
    check "run --rm: the guest's stdout" "hello from the fake guest of f1" "$out"
    sleep 0.5
    kill "$ev_pid" 2>/dev/null
    wait "$ev_pid" 2>/dev/null
    check "events in order" "/tasks/create /tasks/start /tasks/exit /tasks/delete" \
        "$(awk '$6 ~ /^\/tasks\// { print $6 }' "$s/events" | tr '\n' ' ' | sed 's/ $//')"
    settle "run --rm"

    (cd /tmp && "${c[@]}" run -d "${run_fake[@]}" long1 /app.wasm >/dev/null 2>&1)
    check "run -d: running" RUNNING "$("${c[@]}" task ls | awk '$1 == "long1" { print $3 }')"
    check "task ps: one process" 1 "$("${c[@]}" task ps long1 | tail -n +2 | wc -l)"
    check "task metrics: memory usage" 1048576 \
        "$("${c[@]}" task metrics long1 | awk '$1 == "memory.usage_in_bytes" { print $2 }')"
    out=$("${c[@]}" task exec --exec-id e1 long1 /x 2>&1)
    check "task exec: refused, saying why" 1 \
        "$(echo "$out" | grep -c 'exec is not supported by the corral shim: a WebAssembly guest is one process: not implemented')"
    out=$("${c[@]}" task pause long1 2>&1)
    check "task pause: not implemented" 1 "$(echo "$out" | grep -c 'not implemented')"
    "${c[@]}" task kill -s SIGTERM long1
    sleep 0.5
    check "kill SIGTERM: stopped" STOPPED "$("${c[@]}" task ls | awk '$1 == "long1" { print $3 }')"
    "${c[@]}" task delete long1 >/dev/null 2>&1
    check "task delete" "" "$("${c[@]}" task ls | awk '$1 == "long1"')"
    "${c[@]}" container delete long1
    settle "run -d, kill, delete"

    for i in 1 2; do
        (cd /tmp && "${c[@]}" run -d --annotation io.kubernetes.cri.sandbox-id=podA \
            "${run_fake[@]}" longp$i /app.wasm >/dev/null 2>&1)
    done
    check "one sandbox: both running" 2 "$("${c[@]}" task ls | grep -c 'longp.*RUNNING')"
    check "one sandbox: one shim" 1 "$(shims | wc -l)"
    for i in 1 2; do
        "${c[@]}" task kill -s SIGKILL longp$i
        sleep 0.3
        "${c[@]}" task delete longp$i >/dev/null 2>&1
        "${c[@]}" container delete longp$i
        [ $i = 1 ] && check "one sandbox: the shim stays for the second" 1 "$(shims | wc -l)"
    done
    check "one sandbox: the shim logged the second delete" 1 \
        "$(grep -c 'corral-shim.*longp2: deleted' "$s/log")"
    settle "one sandbox"

    (cd /tmp && "${c[@]}" run -d "${run_fake[@]}" longk /app.wasm >/dev/null 2>&1)
    # The shim serving longk (its daemon keeps the command line of its start).
    kill -9 $(pgrep -f -- "-address $tmp/.* -id longk .*start") 2>/dev/null
    sleep 1
    check "kill -9 of the shim: task gone" "" "$("${c[@]}" task ls | awk '$1 == "longk"')"
    "${c[@]}" container delete longk
    settle "kill -9 of the shim"

    out=$(cd /tmp && timeout 30 "${c[@]}" run --rm --runtime "$stub" --rootfs "$tmp/rootfs" t1 /app.wasm 2>&1)
    check "refused Create: ctr fails" 1 "$([ $? != 0 ] && echo 1)"
    check "refused Create: the runtime's message reaches ctr" 1 \
        "$(echo "$out" | grep -c 'failed to create shim task: this is the protocol-only stub shim')"
    settle "refused Create"
fi

echo "shim: $passed passed, $failed failed"
[ "$failed" = 0 ]

#!/usr/bin/env bash
# run.sh: black-box tests of the host interfaces (key-value stores, outbound HTTP) as users
# reach them: through `corral run` flags and through `corral serve` with modules.toml
# grants. One guest, tests/host/guest.c, performs the operations its words name (argv for
# run, the query string for serve) and prints one line each, so both ways share every
# expected output.
#
# usage: tests/host/run.sh [CORRAL]   (default: the checkout's build/corral)
# Environment: HOST_VERBOSE=1 prints every check.
#
# Covers: the same key-value suite on the memory, SQLite and Redis backends (a runtime
# config; a redis-server of its own on a free port), persistence, grants (not granted,
# not configured), no lost increments with 20 concurrent gateway requests x 50 and 20
# concurrent `corral run` processes x 50 (SQLite and Redis); outbound HTTP against
# tests/host/http_server.py: allowed and denied by scheme, host, port, wildcards and
# ranges, redirects to a denied origin refused before they are sent, the time and size
# limits, the request deadline; a module granted nothing reaching no store and no host;
# startup errors; missing shared libraries (a fake libcurl.so.4 / libsqlite3.so.0).
#
# Needs clang with wasm32-wasi, python3, curl, redis-server. Prints one line per failing
# check, then "host: N passed, M failed"; exits 1 when a check failed, 2 when it could not
# start.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
corral=${1:-$root/build/corral}
case $corral in */*) corral=$(cd "$(dirname "$corral")" && pwd)/$(basename "$corral") ;; esac
verbose=${HOST_VERBOSE:-0}
export LC_ALL=C

die() {
    echo "host: $*" >&2
    exit 2
}

[ -x "$corral" ] || die "$corral is not an executable; run make first"
for tool in clang python3 curl redis-server; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
done

tmp=$(mktemp -d)
pids=()
cleanup() {
    exec 7>&- 2>/dev/null
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the guest, the servers ----

out=$(dirname "$corral")/tests/host
mkdir -p "$out"
guest=$out/guest.wasm
if [ ! -e "$guest" ] || [ "$here/guest.c" -nt "$guest" ] || [ -n "$(find "$root/sdk" -newer "$guest")" ]; then
    clang --target=wasm32-wasi -O2 -mbulk-memory -ftls-model=local-exec -Wall -Wextra -Werror \
        -I "$root/sdk" "$here/guest.c" -o "$guest" || die "cannot build $guest"
fi

# A plain WASI command that imports neither interface: it must not care about their flags.
plain=$out/plain.wasm
if [ ! -e "$plain" ] || [ "$here/run.sh" -nt "$plain" ]; then
    printf '#include <stdio.h>\nint main(void) { puts("plain"); return 0; }\n' >"$tmp/plain.c"
    clang --target=wasm32-wasi -O2 "$tmp/plain.c" -o "$plain" || die "cannot build $plain"
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Two HTTP servers (A and B), serving until our fd 7 closes.
mkfifo "$tmp/http.in"
python3 "$here/http_server.py" 2 <"$tmp/http.in" >"$tmp/http.ports" 2>"$tmp/http.err" &
pids+=($!)
exec 7>"$tmp/http.in"
for _ in $(seq 100); do
    [ -s "$tmp/http.ports" ] && break
    sleep 0.05
done
read -r A B <"$tmp/http.ports" || die "http_server.py did not start: $(cat "$tmp/http.err")"

R=$(free_port)
redis-server --port "$R" --bind 127.0.0.1 --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    redis-cli -p "$R" ping 2>/dev/null | grep -q PONG && break
    sleep 0.05
done
redis-cli -p "$R" ping 2>/dev/null | grep -q PONG || die "redis-server did not start: $(cat "$tmp/redis.log")"

# Runtime configs: "default" on each backend, "other" (memory, granted) and "secret"
# (memory, configured but never granted).
for backend in memory sqlite redis; do
    case $backend in
    memory) def='type = "memory"' ;;
    sqlite) def="type = \"sqlite\""$'\n'"path = \"$tmp/sqlite-data/kv.db\"" ;;
    redis) def="type = \"redis\""$'\n'"url = \"redis://127.0.0.1:$R\"" ;;
    esac
    printf '[key_value_store.default]\n%s\n\n[key_value_store.other]\ntype = "memory"\n\n[key_value_store.secret]\ntype = "memory"\n' \
        "$def" >"$tmp/rt-$backend.toml"
done

# ---- checks ----

passed=0 failed=0

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
        printf '%s\n' "$3" | head -n 8 | sed 's/^/    /'
    fi
    return 0
}

# run_guest FLAGS... -- WORDS...: the guest under corral run (in $tmp/cwd), stdout and
# stderr together, then "exit N" when the status is not 0.
run_guest() {
    local flags=() status=0 got
    while [ "$1" != -- ]; do
        flags+=("$1")
        shift
    done
    shift
    got=$(cd "$tmp/cwd" && timeout 60 "$corral" run "${flags[@]}" "$guest" "$@" 2>&1) || status=$?
    printf '%s' "$got"
    [ "$status" = 0 ] || printf '\nexit %s' "$status"
}

# words_query WORDS...: the words as a query string.
words_query() {
    local IFS='&'
    printf '%s' "$*"
}

serve_pid=
serve_what=
serve_port=
serve_env=()
# serve_start TOML FLAGS...: starts corral serve on a free port in $tmp/cwd, with the
# environment assignments of serve_env (for the gateway alone); false (the startup error in
# $tmp/serve.err) when it does not come up.
serve_start() {
    local toml=$1
    shift
    serve_what="$(basename "$toml") $*"
    serve_port=$(free_port)
    (cd "$tmp/cwd" && exec env "${serve_env[@]}" "$corral" serve -c "$toml" -l "127.0.0.1:$serve_port" \
        --log-dir "$tmp/logs" --access-log off "$@") >"$tmp/serve.out" 2>"$tmp/serve.err" &
    serve_pid=$!
    for _ in $(seq 200); do
        curl -s -o /dev/null "http://127.0.0.1:$serve_port/healthz" && return 0
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.05
    done
    wait "$serve_pid" 2>/dev/null
    serve_pid=
    no_sanitizer_report "serve $serve_what (failed start)" "$tmp/serve.err"
    return 1
}

# no_sanitizer_report NAME FILE: FILE (a gateway's stderr) holds no ASan/UBSan report.
no_sanitizer_report() {
    check "$1: no sanitizer report" "" \
        "$(grep -E 'Sanitizer|runtime error:' "$2" | head -n 3)"
}

# serve_stop: SIGTERM; the gateway must exit 0 and its stderr hold no sanitizer report.
serve_stop() {
    [ -n "$serve_pid" ] || return 0
    local status=0
    kill "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null || status=$?
    serve_pid=
    check "serve $serve_what: exits 0 on SIGTERM" 0 "$status"
    no_sanitizer_report "serve $serve_what" "$tmp/serve.err"
}

# get ROUTE WORDS...: the body of GET ROUTE?WORDS from the running gateway, then
# "status N" when it is not 200.
get() {
    local route=$1 code
    shift
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 60 \
        "http://127.0.0.1:$serve_port$route?$(words_query "$@")")
    cat "$tmp/body"
    [ "$code" = 200 ] || printf '\nstatus %s' "$code"
}

hits() {
    curl -s "http://127.0.0.1:$1/hits"
}

mkdir -p "$tmp/cwd" "$tmp/logs"

# ---- key-value: the suite ----
# Words and the output they must give, on every backend, through run and serve. The
# guest is granted "default" and "other"; "secret" is configured but not granted.

kv_words=(
    open=secret open=default get=a set=a:1 get=a has=a has=b set=b: get=b inc=a:41
    inc=c:-1:3 set=t:x inc=t:1 set=%C3%A9t%C3%A9:summer keys del=a del=a get=a keys
    open=other get=b set=b:other get=b close get=b
)
kv_want="open secret: ACCESS_DENIED
open default: ok
get a: NOT_FOUND
set a: ok
get a: '1'
has a: 1
has b: 0
set b: ok
get b: ''
inc a: 42
inc c: -1 -2 -3
set t: ok
inc t: NOT_A_NUMBER
set été: ok
keys: a b c t été
del a: ok
del a: ok
get a: NOT_FOUND
keys: b c t été
open other: ok
get b: NOT_FOUND
set b: ok
get b: 'other'
close : ok
get b: INVALID_HANDLE"

reset_store() {
    redis-cli -p "$R" flushall >/dev/null
    rm -rf "$tmp/sqlite-data"
}

kv_grants=(--kv-store default --kv-store other)
for backend in memory sqlite redis; do
    rt=$tmp/rt-$backend.toml
    reset_store
    check "kv $backend (run): the suite" "$kv_want" \
        "$(run_guest --runtime-config "$rt" "${kv_grants[@]}" -- "${kv_words[@]}")"
    # A new process: SQLite and Redis keep the data, memory does not.
    want="open default: ok
get c: '-3'"
    [ $backend = memory ] && want="open default: ok
get c: NOT_FOUND"
    check "kv $backend (run): a second process" "$want" \
        "$(run_guest --runtime-config "$rt" --kv-store default -- open=default get=c)"

    reset_store
    cat >"$tmp/kv.toml" <<EOF
[[module]]
route = "/kv"
module = "$guest"
key_value_stores = ["default", "other"]
EOF
    if serve_start "$tmp/kv.toml" --runtime-config "$rt"; then
        check "kv $backend (serve): the suite" "$kv_want" "$(get /kv "${kv_words[@]}")"
        check "kv $backend (serve): the next request sees the data" \
            "open default: ok
get c: '-3'
keys: b c t été" "$(get /kv open=default get=c keys)"
        check "kv $backend (serve): handles do not survive the request" \
            "get c: INVALID_HANDLE" "$(get /kv get=c)"
        serve_stop
    else
        check "kv $backend (serve): starts" "" "$(cat "$tmp/serve.err")"
    fi
done

# run and serve share a SQLite file: what one writes the other reads.
reset_store
run_guest --runtime-config "$tmp/rt-sqlite.toml" --kv-store default -- open=default set=shared:from-run >/dev/null
if serve_start "$tmp/kv.toml" --runtime-config "$tmp/rt-sqlite.toml"; then
    check "kv sqlite: serve reads what run wrote" "open default: ok
get shared: 'from-run'" "$(get /kv open=default get=shared)"
    serve_stop
fi

# The implicit default store: SQLite in --state-dir (created), else .corral in the cwd.
check "kv default store (run): SQLite in --state-dir" "open default: ok
inc n: 1" "$(run_guest --kv-store default --state-dir "$tmp/state" -- open=default inc=n:1)"
check "kv default store (run): the file" "yes" "$([ -f "$tmp/state/sqlite_key_value.db" ] && echo yes)"
check "kv default store (run): .corral in the current directory" "open default: ok
inc n: 1" "$(run_guest --kv-store default -- open=default inc=n:1)"
check "kv default store (run): .corral/sqlite_key_value.db" "yes" \
    "$([ -f "$tmp/cwd/.corral/sqlite_key_value.db" ] && echo yes)"
cat >"$tmp/default.toml" <<EOF
[[module]]
route = "/kv"
module = "$guest"
key_value_stores = ["default"]
EOF
if serve_start "$tmp/default.toml" --state-dir "$tmp/state"; then
    check "kv default store (serve): the same file as run" "open default: ok
inc n: 2" "$(get /kv open=default inc=n:1)"
    serve_stop
fi

# ---- key-value: grants and configuration errors ----

check "kv (run): a name not configured is refused at startup" \
    "corral: run: --kv-store ghost: no such store is configured (define [key_value_store.ghost] in the --runtime-config file; 'default' always exists)
exit 1" "$(run_guest --runtime-config "$tmp/rt-memory.toml" --kv-store ghost -- open=ghost)"
printf '[key_value_store.default]\ntype = "memry"\n' >"$tmp/bad-rt.toml"
check "kv (run): a runtime config error names file and line" \
    "corral: $tmp/bad-rt.toml:2: [key_value_store.default]: unknown type 'memry' (expected \"sqlite\", \"redis\" or \"memory\")
exit 1" "$(run_guest --runtime-config "$tmp/bad-rt.toml" --kv-store default -- open=default)"
check "a plain module ignores the host flags (nothing is opened or parsed)" "plain" \
    "$(cd "$tmp/cwd" && "$corral" run --runtime-config "$tmp/bad-rt.toml" --kv-store ghost \
        --state-dir "$tmp/plain-state" --allow-host bad/x "$plain" 2>&1)"
check "a plain module: no state directory" "none" \
    "$([ -e "$tmp/plain-state" ] && echo made || echo none)"
cat >"$tmp/ghost.toml" <<EOF
[[module]]
route = "/kv"
module = "$guest"

[[module]]
route = "/ghost"
module = "$guest"
key_value_stores = ["default", "ghost"]
EOF
serve_start "$tmp/ghost.toml" --state-dir "$tmp/state"
check_has "kv (serve): a store not configured is a startup error with its line" \
    "ghost.toml:8: module '$guest': no key-value store 'ghost' is configured" "$(cat "$tmp/serve.err")"
serve_start "$tmp/kv.toml" --runtime-config "$tmp/bad-rt.toml"
check_has "kv (serve): a runtime config error names file and line" \
    "bad-rt.toml:2: [key_value_store.default]: unknown type 'memry'" "$(cat "$tmp/serve.err")"
printf '[[module]]\nroute = "/kv"\nmodule = "%s"\nkey_value_stores = "default"\n' "$guest" >"$tmp/badkey.toml"
serve_start "$tmp/badkey.toml"
check_has "kv (serve): key_value_stores must be an array" \
    "badkey.toml:4: 'key_value_stores' must be an array of strings" "$(cat "$tmp/serve.err")"

# ---- key-value: no lost updates ----
# load.py URL THREADS EACH: THREADS threads, EACH GETs of URL each; prints every body.
cat >"$tmp/load.py" <<'EOF'
import sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
url, threads, each = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def worker(_):
    return [urllib.request.urlopen(url, timeout=60).read().decode() for _ in range(each)]
with ThreadPoolExecutor(threads) as pool:
    for bodies in pool.map(worker, range(threads)):
        for b in bodies:
            sys.stdout.write(b)
EOF
# values: the numbers of "inc" lines, one a line, sorted.
values() {
    grep '^inc ' | sed 's/^inc [^:]*://' | tr ' ' '\n' | grep -v '^$' | sort -n
}
expected_values=$(seq 1 1000)
for backend in sqlite redis; do
    rt=$tmp/rt-$backend.toml
    reset_store
    if serve_start "$tmp/kv.toml" --runtime-config "$rt" --workers 4; then
        got=$(python3 "$tmp/load.py" "http://127.0.0.1:$serve_port/kv?open=default&inc=hits:1" 20 50 | values)
        check "kv $backend (serve): 20 concurrent requests x 50 increments: each sum once" \
            "$expected_values" "$got"
        check "kv $backend (serve): the counter is 1000" "open default: ok
get hits: '1000'" "$(get /kv open=default get=hits)"
        serve_stop
    fi
    reset_store
    # shellcheck disable=SC2016 # sh -c's script takes its values as $1...
    got=$(seq 20 | xargs -P 20 -I{} sh -c 'cd "$1" && "$2" run --runtime-config "$3" --kv-store default "$4" open=default inc=hits:1:50' \
        _ "$tmp/cwd" "$corral" "$rt" "$guest" 2>"$tmp/xargs.err" | values)
    check "kv $backend (run): 20 concurrent processes x 50 increments: each sum once" \
        "$expected_values" "$got"
    check "kv $backend (run): 20 concurrent processes: nothing on stderr" "" "$(cat "$tmp/xargs.err")"
done

# ---- outbound HTTP ----
# fetch words for the http_server.py endpoints; ? = & in a URL are percent-encoded so that
# the gateway's query split leaves them alone (the guest decodes).
enc() {
    local s=${1//\?/%3F}
    s=${s//=/%3D}
    printf '%s' "${s//&/%26}"
}
okA="fetch http://127.0.0.1:$A/ok: 200 len=2 body='ok'"
okB="fetch http://127.0.0.1:$B/ok: 200 len=2 body='ok'"
denied() { printf 'fetch %s: destination_not_allowed' "$1"; }

# Each case: a name, the allow-list (|-separated), the URL, the expected line.
http_cases=(
    "exact origin|http://127.0.0.1:$A|http://127.0.0.1:$A/ok|$okA"
    "scheme: https entry, http URL|https://127.0.0.1:$A|http://127.0.0.1:$A/ok|$(denied "http://127.0.0.1:$A/ok")"
    "scheme: * entry|*://127.0.0.1:$A|http://127.0.0.1:$A/ok|$okA"
    "host: localhost entry, 127.0.0.1 URL|http://localhost:$A|http://127.0.0.1:$A/ok|$(denied "http://127.0.0.1:$A/ok")"
    "host: localhost entry and URL|http://localhost:$A|http://localhost:$A/ok|fetch http://localhost:$A/ok: 200 len=2 body='ok'"
    "port: another port|http://127.0.0.1:$B|http://127.0.0.1:$A/ok|$(denied "http://127.0.0.1:$A/ok")"
    "port: no port means 80|http://127.0.0.1|http://127.0.0.1:$A/ok|$(denied "http://127.0.0.1:$A/ok")"
    "port: *|http://127.0.0.1:*|http://127.0.0.1:$B/ok|$okB"
    "port: a range holding it|http://127.0.0.1:$A..$((A + 1))|http://127.0.0.1:$A/ok|$okA"
    "port: a range ending before it|http://127.0.0.1:1..$A|http://127.0.0.1:$A/ok|$(denied "http://127.0.0.1:$A/ok")"
    "wildcard host *|http://*:$A|http://localhost:$A/ok|fetch http://localhost:$A/ok: 200 len=2 body='ok'"
    "wildcard host *, other port|http://*:$A|http://127.0.0.1:$B/ok|$(denied "http://127.0.0.1:$B/ok")"
    "wildcard subdomain|http://*.localhost:$A|http://app.localhost:$A/ok|fetch http://app.localhost:$A/ok: 200 len=2 body='ok'"
    "wildcard subdomain, not the apex|http://*.localhost:$A|http://localhost:$A/ok|$(denied "http://localhost:$A/ok")"
    "two entries|http://127.0.0.1:$B|http://127.0.0.1:$A|http://127.0.0.1:$A/ok|$okA"
    "insecure:allow-all|insecure:allow-all|http://127.0.0.1:$B/ok|$okB"
    "redirect inside the list|http://127.0.0.1:$A|http://127.0.0.1:$A/redirect?to=/ok|fetch http://127.0.0.1:$A/redirect?to=/ok: 200 len=2 body='ok'"
    "not http|insecure:allow-all|ftp://127.0.0.1:$A/|fetch ftp://127.0.0.1:$A/: invalid_url"
)
# The fields of a case: the name, the entries, the URL, the expected line (entries may be
# several fields: everything between the first and the last two).
case_fields() {
    local IFS='|'
    read -ra f <<<"$1"
    name=${f[0]}
    want=${f[-1]}
    url=${f[-2]}
    entries=("${f[@]:1:${#f[@]}-3}")
}

toml=$tmp/http.toml
: >"$toml"
i=0
for c in "${http_cases[@]}"; do
    case_fields "$c"
    flags=()
    for e in "${entries[@]}"; do flags+=(--allow-host "$e"); done
    check "http (run): $name" "$want" "$(run_guest "${flags[@]}" -- "fetch=$(enc "$url")")"
    list=$(printf '"%s", ' "${entries[@]}")
    printf '[[module]]\nroute = "/h%d"\nmodule = "%s"\nallowed_hosts = [%s]\n\n' "$i" "$guest" "${list%, }" >>"$toml"
    i=$((i + 1))
done
cat >>"$toml" <<EOF
[[module]]
route = "/redirect"
module = "$guest"
allowed_hosts = ["http://127.0.0.1:$A"]

[[module]]
route = "/limits"
module = "$guest"
allowed_hosts = ["http://127.0.0.1:$A"]
http_max_concurrency = 2

[[module]]
route = "/none"
module = "$guest"
EOF
if serve_start "$toml" --http-timeout 300ms --http-max-body 1000 --timeout 2s --workers 4; then
    i=0
    for c in "${http_cases[@]}"; do
        case_fields "$c"
        check "http (serve): $name" "$want" "$(get "/h$i" "fetch=$(enc "$url")")"
        i=$((i + 1))
    done
    # A redirect to an origin not in the list is refused, and its target never hears of it.
    to="http://127.0.0.1:$A/redirect?to=http://127.0.0.1:$B/ok"
    hB=$(hits "$B")
    check "http (serve): a redirect to a denied origin" "$(denied "$to")" \
        "$(get /redirect "fetch=$(enc "$to")")"
    check "http (serve): ... which saw no request" "$hB" "$(hits "$B")"
    # http_max_concurrency = 2: a third open response is refused; the next request starts
    # with none open (the last guest's were closed after it).
    h="hold=http://127.0.0.1:$A/ok"
    hold_want="hold http://127.0.0.1:$A/ok: 200
hold http://127.0.0.1:$A/ok: 200
hold http://127.0.0.1:$A/ok: too_many_sessions"
    check "http (serve): http_max_concurrency" "$hold_want" "$(get /limits "$h" "$h" "$h")"
    # Limits: --http-timeout 300ms and --http-max-body 1000 of this gateway.
    t0=$(date +%s%N)
    check "http (serve): --http-timeout" "fetch http://127.0.0.1:$A/slow?ms=1500: request_error" \
        "$(get /limits "fetch=$(enc "http://127.0.0.1:$A/slow?ms=1500")")"
    ms=$((($(date +%s%N) - t0) / 1000000))
    check "http (serve): --http-timeout cut it short (${ms} ms)" yes "$([ "$ms" -lt 1200 ] && echo yes)"
    check "http (serve): a body at --http-max-body" \
        "fetch http://127.0.0.1:$A/big?bytes=1000: 200 len=1000 body='$(printf 'x%.0s' $(seq 60))'" \
        "$(get /limits "fetch=$(enc "http://127.0.0.1:$A/big?bytes=1000")")"
    check "http (serve): a body over --http-max-body" \
        "fetch http://127.0.0.1:$A/big?bytes=1001: request_error" \
        "$(get /limits "fetch=$(enc "http://127.0.0.1:$A/big?bytes=1001")")"
    check "http (serve): a chunked body over --http-max-body" \
        "fetch http://127.0.0.1:$A/big?bytes=5000&chunked=1: request_error" \
        "$(get /limits "fetch=$(enc "http://127.0.0.1:$A/big?bytes=5000&chunked=1")")"
    serve_stop
else
    check "http (serve): starts" "" "$(cat "$tmp/serve.err")"
fi

allowA=(--allow-host "http://127.0.0.1:$A")
to="http://127.0.0.1:$A/redirect?to=http://127.0.0.1:$B/ok"
hB=$(hits "$B")
check "http (run): a redirect to a denied origin" "$(denied "$to")" \
    "$(run_guest "${allowA[@]}" -- "fetch=$(enc "$to")")"
check "http (run): ... which saw no request" "$hB" "$(hits "$B")"
check "http (run): --http-max-concurrency" "hold http://127.0.0.1:$A/ok: 200
hold http://127.0.0.1:$A/ok: too_many_sessions" \
    "$(run_guest "${allowA[@]}" --http-max-concurrency 1 -- "hold=http://127.0.0.1:$A/ok" "hold=http://127.0.0.1:$A/ok")"
to="http://127.0.0.1:$A/loop?n=12"
check "http (run): too many redirects" "fetch $to: request_error" \
    "$(run_guest "${allowA[@]}" -- "fetch=$(enc "$to")")"
t0=$(date +%s%N)
check "http (run): --http-timeout" "fetch http://127.0.0.1:$A/slow?ms=1500: request_error" \
    "$(run_guest "${allowA[@]}" --http-timeout 300ms -- "fetch=$(enc "http://127.0.0.1:$A/slow?ms=1500")")"
ms=$((($(date +%s%N) - t0) / 1000000))
check "http (run): --http-timeout cut it short (${ms} ms)" yes "$([ "$ms" -lt 1200 ] && echo yes)"
check "http (run): a body at --http-max-body" \
    "fetch http://127.0.0.1:$A/big?bytes=1000: 200 len=1000 body='$(printf 'x%.0s' $(seq 60))'" \
    "$(run_guest "${allowA[@]}" --http-max-body 1000 -- "fetch=$(enc "http://127.0.0.1:$A/big?bytes=1000")")"
check "http (run): a body over --http-max-body" \
    "fetch http://127.0.0.1:$A/big?bytes=1001: request_error" \
    "$(run_guest "${allowA[@]}" --http-max-body 1000 -- "fetch=$(enc "http://127.0.0.1:$A/big?bytes=1001")")"
got=$(run_guest "${allowA[@]}" --timeout 500ms -- "fetch=$(enc "http://127.0.0.1:$A/slow?ms=3000")")
check_has "http (run): --timeout's deadline stops a request" "time limit" "$got"
check_has "http (run): --timeout's deadline is a trap (exit 134)" "exit 134" "$got"
check "http (run): a bad --allow-host is a usage error" \
    "corral: run: --allow-host: allowed host 'http://127.0.0.1:$A/api': a path is not allowed (only scheme://host[:port])
exit 2" "$(run_guest --allow-host "http://127.0.0.1:$A/api" -- "fetch=http://127.0.0.1:$A/ok")"

# The gateway's request deadline (--timeout) also bounds a request: 504.
printf '[[module]]\nroute = "/slow"\nmodule = "%s"\nallowed_hosts = ["http://127.0.0.1:%s"]\n' \
    "$guest" "$A" >"$tmp/slow.toml"
if serve_start "$tmp/slow.toml" --timeout 500ms --http-timeout 10s; then
    check "http (serve): the request's deadline is a 504" "
status 504" "$(get /slow "fetch=$(enc "http://127.0.0.1:$A/slow?ms=3000")")"
    serve_stop
fi

printf '[[module]]\nroute = "/x"\nmodule = "%s"\nallowed_hosts = ["https://127.0.0.1:%s/api"]\n' \
    "$guest" "$A" >"$tmp/badhost.toml"
serve_start "$tmp/badhost.toml"
check_has "http (serve): a bad allowed_hosts entry is a startup error with its line" \
    "badhost.toml:4: module '$guest': allowed host 'https://127.0.0.1:$A/api': a path is not allowed" \
    "$(cat "$tmp/serve.err")"

# ---- nothing of a guest survives it ----
# One worker, so successive requests share its linked module and contexts: the next guest
# finds the last one's key-value handles invalid (a store's first handle is 256: slot 0,
# generation 1) and none of its HTTP responses open.
cat >"$tmp/reuse.toml" <<EOF
[[module]]
route = "/r"
module = "$guest"
key_value_stores = ["default"]
allowed_hosts = ["http://127.0.0.1:$A"]
http_max_concurrency = 2
EOF
if serve_start "$tmp/reuse.toml" --runtime-config "$tmp/rt-memory.toml" --workers 1; then
    check "reuse (serve): a guest opens handle 256" "open default: ok
set k: ok
get k: 'v'" "$(get /r open=default set=k:v handle=256 get=k)"
    check "reuse (serve): the next guest cannot use it" "get k: INVALID_HANDLE" \
        "$(get /r handle=256 get=k)"
    check "reuse (serve): ... and opens its own" "open default: ok
get k: 'v'
get k: INVALID_HANDLE" "$(get /r open=default get=k handle=256 get=k)"
    h="hold=http://127.0.0.1:$A/ok"
    for n in 1 2; do
        check "reuse (serve): guest $n holds 2 responses, the limit" \
            "hold http://127.0.0.1:$A/ok: 200
hold http://127.0.0.1:$A/ok: 200
hold http://127.0.0.1:$A/ok: too_many_sessions" "$(get /r "$h" "$h" "$h")"
    done
    serve_stop
fi

# ---- a module granted nothing ----
# Its imports link; every open is ACCESS_DENIED, every request DESTINATION_NOT_ALLOWED, the
# servers see nothing and no state directory appears.
none_words=(open=default open=other "fetch=http://127.0.0.1:$A/ok" "fetch=http://127.0.0.1:$B/ok")
none_want="open default: ACCESS_DENIED
open other: ACCESS_DENIED
$(denied "http://127.0.0.1:$A/ok")
$(denied "http://127.0.0.1:$B/ok")"
rm -rf "$tmp/cwd/.corral" "$tmp/none-state"
hA=$(hits "$A") hB=$(hits "$B")
check "no grants (run)" "$none_want" \
    "$(run_guest --runtime-config "$tmp/rt-memory.toml" --state-dir "$tmp/none-state" -- "${none_words[@]}")"
if serve_start "$tmp/http.toml" --state-dir "$tmp/none-state"; then
    check "no grants (serve)" "$none_want" "$(get /none "${none_words[@]}")"
    serve_stop
fi
check "no grants: the HTTP servers saw no request" "$hA $hB" "$(hits "$A") $(hits "$B")"
# LD_DEBUG=files logs every library loaded, dlopen included.
loaded() {
    grep -oE 'file=lib(curl|sqlite3|hiredis)[^ ]*' | sort -u | tr '\n' ' '
}
check "no grants (run): no library loaded while no request is made" "" \
    "$(cd "$tmp/cwd" && LD_DEBUG=files "$corral" run "$guest" open=default open=other 2>&1 | loaded)"
check "a plain module with every host flag: no library loaded" "" \
    "$(cd "$tmp/cwd" && LD_DEBUG=files "$corral" run --kv-store default --allow-host "http://127.0.0.1:$A" \
        --state-dir "$tmp/plain-state" "$plain" 2>&1 | loaded)"
check "grants (run): what a granted module loads" "file=libcurl.so.4 file=libsqlite3.so.0 " \
    "$(cd "$tmp/cwd" && LD_DEBUG=files "$corral" run --kv-store default --allow-host "http://127.0.0.1:$A" \
        --state-dir "$tmp/state" "$guest" open=default 2>&1 | loaded)"
check "no grants: no state directory" "none" \
    "$([ -e "$tmp/none-state" ] || [ -e "$tmp/cwd/.corral" ] && echo made || echo none)"

# ---- missing libraries ----
# A libcurl.so.4 and a libsqlite3.so.0 that have none of the functions, found first.
mkdir -p "$tmp/fakelib"
echo 'int corral_fake;' >"$tmp/fakelib/fake.c"
cc -shared -fPIC "$tmp/fakelib/fake.c" -o "$tmp/fakelib/libcurl.so.4"
cp "$tmp/fakelib/libcurl.so.4" "$tmp/fakelib/libsqlite3.so.0"
check "missing libcurl (run): --allow-host fails clearly" \
    "corral: run: --allow-host: libcurl.so.4 lacks curl_global_init (Corral needs libcurl 7.85.0 or later)
exit 1" "$(LD_LIBRARY_PATH=$tmp/fakelib run_guest "${allowA[@]}" -- "fetch=http://127.0.0.1:$A/ok")"
check "missing libcurl (run): a request without grants" \
    "fetch http://127.0.0.1:$A/ok: runtime_error" \
    "$(LD_LIBRARY_PATH=$tmp/fakelib run_guest -- "fetch=http://127.0.0.1:$A/ok")"
check "missing libsqlite3 (run): the default store fails clearly" \
    "corral: the default key-value store: libsqlite3.so.0 lacks sqlite3_threadsafe (too old?)
exit 1" "$(LD_LIBRARY_PATH=$tmp/fakelib run_guest --kv-store default --state-dir "$tmp/state" -- open=default)"
check "missing libraries: plain modules do not care" "plain" \
    "$(cd "$tmp/cwd" && LD_LIBRARY_PATH=$tmp/fakelib "$corral" run "$plain" 2>&1)"
serve_env=("LD_LIBRARY_PATH=$tmp/fakelib")
serve_start "$tmp/badhost.toml"
serve_env=()
check_has "missing libcurl (serve): allowed_hosts fails at startup" \
    "badhost.toml:4: module '$guest': allowed hosts: libcurl.so.4 lacks curl_global_init" \
    "$(cat "$tmp/serve.err")"

echo "host: $passed passed, $failed failed"
[ "$failed" = 0 ]

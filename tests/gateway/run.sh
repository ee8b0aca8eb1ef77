#!/usr/bin/env bash
# run.sh: black-box tests of `corral serve`, the WAGI-compatible gateway, as a client sees it.
# Each scenario writes a modules.toml into a temporary directory, starts `corral serve` on
# 127.0.0.1 port 0 and sends real HTTP requests: curl for ordinary ones, client.py (python3
# raw sockets) for malformed HTTP, pipelining and slow clients. What is checked, by section:
#   env       every CGI variable of WAGI's table (WAGI.md 1.6), the golden vector over TLS,
#             the host algorithm, HTTP_* mapping and exclusions, env precedence, argv, stdin
#   routing   exact and prefix routes, WAGI's first match and --routing spin, _routes (the
#             golden table of WAGI.md 1.4, bad output aborting startup), /healthz, 404
#   response  the CGI response parser (WAGI.md 1.8 and the defects of 1.10 fixed), exit
#             statuses, traps (with the request id in the log), per-route stderr logs and
#             the log directory, stand-ins for unknown imports
#   limits    --timeout, --max-memory, --max-body, header size, --max-output,
#             --max-concurrency, slow clients, request smuggling, pipelining
#   isolation 1000 requests to a module that dirties its memory and globals; descriptors,
#             stdin, environment and volumes of one request never reach the next one
#   startup   the errors that stop `corral serve` before it serves, and their messages
# Every server must still answer /healthz at the end and exit 0 on SIGTERM, with nothing from
# a sanitizer on its stderr (so the suite can run on an ASan build).
#
# usage: tests/gateway/run.sh [CORRAL]   (default: build/corral of this checkout)
# Environment: GATEWAY_BUILD where the guests are compiled (default build/tests/gateway),
# GATEWAY_VERBOSE=1 prints the response of each failing check, GATEWAY_KEEP=1 keeps the
# temporary directory (servers' stdout, stderr, access logs), GATEWAY_TIER=interp|jit|aot|auto
# gives every `corral serve` that --tier (aot: with a --cache-dir in the temporary directory;
# unset: no --tier, so corral's default, $CORRAL_TIER or auto).
# Needs clang with a wasm32-wasi sysroot, wat2wasm, curl and python3; the TLS checks are
# skipped when openssl is missing.
#
# Prints one line per failing check, then "gateway: N passed, M failed"; exits 1 when a check
# failed, 2 when the suite could not be set up.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
corral=${1:-${CORRAL:-$repo/build/corral}}
case $corral in
*/*) corral=$(cd "$(dirname "$corral")" && pwd)/$(basename "$corral") ;;
*) corral=$(command -v "$corral" || echo "$corral") ;;
esac
build=${GATEWAY_BUILD:-$repo/build/tests/gateway}
verbose=${GATEWAY_VERBOSE:-0}
client=$here/client.py
export LC_ALL=C

die() {
    echo "gateway: $*" >&2
    exit 2
}

[ -x "$corral" ] || die "$corral is not an executable; run make first"
for tool in clang wat2wasm curl python3 sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
done
# A sanitizer build is several times slower: time limits in the checks stretch by $slow.
slow=1
grep -qa __asan_init "$corral" && slow=3

tmp=$(mktemp -d)
: >"$tmp/servers"
tier_opts=()
case ${GATEWAY_TIER:-} in
"") ;;
interp | jit | auto) tier_opts=(--tier "$GATEWAY_TIER") ;;
aot) tier_opts=(--tier aot --cache-dir "$tmp/tier-cache") ;;
*) die "GATEWAY_TIER: unknown tier '$GATEWAY_TIER' (interp, jit, aot or auto)" ;;
esac
# jit and aot compile every module before the server is ready (the C compiler takes about 3 s
# for a small C guest, more on a loaded machine; aot only once for the suite): the start-up
# limits stretch as for a sanitizer build.
case ${GATEWAY_TIER:-} in jit | aot) slow=$((slow * 4)) ;; esac
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null
    done
    if [ "${GATEWAY_KEEP:-0}" = 1 ]; then
        echo "gateway: kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# ---- guests ------------------------------------------------------------------------------

mkdir -p "$build" || die "cannot create $build"
# shellcheck disable=SC2054 # the comma belongs to -Wl,
cflags=(--target=wasm32-wasi -O2 -mbulk-memory -ftls-model=local-exec -std=c11 -D_GNU_SOURCE
    -Wall -Wextra -Wl,--strip-debug)

# stale SRC... DST: DST is missing or older than a source or this script.
stale() {
    local dst=${*: -1} src
    [ -e "$dst" ] || return 0
    for src in "${@:1:$#-1}" "$here/run.sh"; do
        [ "$src" -nt "$dst" ] && return 0
    done
    return 1
}

# cc NAME SRC [FLAGS...]: compiles guests/SRC into $build/NAME.wasm (through a temporary
# file, so a concurrent run never sees half a module).
cc() {
    local name=$1 src=$here/guests/$2
    shift 2
    stale "$src" "$here/guests/dump.h" "$build/$name.wasm" || return 0
    clang "${cflags[@]}" "$@" "$src" -o "$build/$name.wasm.$$" ||
        die "cannot compile $src (needs clang and wasi-libc: scripts/deps.sh)"
    mv -f "$build/$name.wasm.$$" "$build/$name.wasm"
}

# wat NAME SRC: wat2wasm guests/SRC into $build/NAME.wasm.
wat() {
    local name=$1 src=$here/guests/$2
    stale "$src" "$build/$name.wasm" || return 0
    wat2wasm "$src" -o "$build/$name.wasm.$$" || die "wat2wasm failed on $src"
    mv -f "$build/$name.wasm.$$" "$build/$name.wasm"
}

cc env env.c
cc cat cat.c
cc behave behave.c
cc state state.c
for n in 0 1 2 3 4 5; do
    cc "routes$n" routes.c "-DROUTES=$n"
done
wat state_wat state.wat
wat bigmem bigmem.wat
wat unknown unknown.wat
g=$build

# ---- checks ------------------------------------------------------------------------------

passed=0 failed=0

pass() { passed=$((passed + 1)); }

# fail NAME REASON: one failing check; with GATEWAY_VERBOSE=1 also the last response.
fail() {
    failed=$((failed + 1))
    echo "FAIL $1: $2"
    if [ "$verbose" = 1 ] && [ -e "$tmp/body" ]; then
        sed 's/^/  head| /' "$tmp/head" 2>/dev/null | head -20
        head -c 2000 "$tmp/body" | sed 's/^/  body| /'
    fi
}

# check NAME REASON COMMAND...: passes when COMMAND succeeds, else fails saying REASON.
check() {
    local name=$1 reason=$2
    shift 2
    if "$@"; then pass; else fail "$name" "$reason"; fi
}

# not COMMAND...: succeeds when COMMAND fails.
not() {
    ! "$@"
}

# short TEXT: TEXT on one line, cut to 120 bytes, for a failure message.
short() {
    printf '%s' "$1" | tr '\r\n\0' '^|@' | cut -c 1-120
}

# now_ms: a monotonic-enough clock in milliseconds.
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# serve NAME TOML [ARGS...]: starts `corral serve -c TOML ARGS` on 127.0.0.1, port 0, with
# its logs in $tmp/NAME.* (the module logs in $LOG_DIR when set, made by corral); sets PORT
# and PID. Fails the check "NAME: start" and returns 1 when the server does not come up.
serve() {
    local name=$1 toml=$2 ready logs=${LOG_DIR:-$tmp/$1.logs}
    shift 2
    [ -n "${LOG_DIR:-}" ] || mkdir -p "$logs"
    "$corral" serve "${tier_opts[@]}" -c "$toml" -l 127.0.0.1:0 --log-dir "$logs" \
        --access-log "$tmp/$name.access" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    PID=$!
    pids+=("$PID")
    PORT=
    for _ in $(seq $((200 * slow))); do
        ready=$(grep -m1 '^Ready: serving on ' "$tmp/$name.out" 2>/dev/null)
        if [ -n "$ready" ]; then
            PORT=${ready##*:}
            # With port 0 the Ready line ought to name the port bound; the socket table
            # tells it in any case.
            [ "$PORT" = 0 ] && PORT=$(python3 "$client" port "$PID")
            if [ -n "$PORT" ]; then
                echo "$name $PID $PORT" >>"$tmp/servers"
                return 0
            fi
        fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    fail "$name: start" "the server did not start: $(short "$(head -c 400 "$tmp/$name.err")")"
    return 1
}

# stop NAME PID: SIGTERM; the server must exit 0 and its stderr hold no sanitizer report.
stop() {
    local name=$1 pid=$2 status=0
    sed -i "/^[^ ]* $pid /d" "$tmp/servers"
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || status=$?
    if [ "$status" != 0 ]; then
        fail "$name: stop" "exit status $status after SIGTERM, want 0"
    else
        pass
    fi
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' \
        "$tmp/$name.err"; then
        fail "$name: sanitizer" \
            "$(short "$(grep -m1 -E 'Sanitizer|runtime error:' "$tmp/$name.err")")"
    else
        pass
    fi
}

# try_serve ARGS...: runs `corral serve ARGS` (with a --log-dir of the suite's, so no
# temporary directory is left behind) for a few seconds at most; its exit status goes to
# status (124: it was still running), its output to $tmp/out and $tmp/err.
try_serve() {
    status=0
    mkdir -p "$tmp/try.logs"
    timeout $((5 * slow)) "$corral" serve "${tier_opts[@]}" --log-dir "$tmp/try.logs" "$@" \
        >"$tmp/out" 2>"$tmp/err" \
        </dev/null || status=$?
}

# req ARGS... : one curl request (ARGS are curl's); the status code goes to CODE ("000" when
# there was no answer), the body to $tmp/body, the headers to $tmp/head (CRs removed).
req() {
    : >"$tmp/body"
    CODE=$(curl -gsS --max-time $((10 * slow)) -H 'Expect:' -o "$tmp/body" -D "$tmp/head.raw" \
        -w '%{http_code}' "$@" 2>"$tmp/curl.err") || true
    [ -n "$CODE" ] || CODE=000
    tr -d '\r' <"$tmp/head.raw" >"$tmp/head" 2>/dev/null || : >"$tmp/head"
    [ "$CODE" = 000 ] && dead_server "$@" >>"$tmp/curl.err"
    return 0
}

# dead_server CURL_ARGS...: when the server the URL names has died (a sanitizer abort, a
# crash), says so with the first line of its stderr that tells why: a hint for the failure.
dead_server() {
    local name pid port url=${*: -1}
    url=${url#*://}
    url=${url%%/*}
    while read -r name pid port; do
        if [ "$port" = "${url##*:}" ] && ! kill -0 "$pid" 2>/dev/null; then
            echo "the server died: $(grep -m1 -E 'Sanitizer|runtime error|rror' "$tmp/$name.err")"
        fi
    done <"$tmp/servers"
}

# want_code NAME CODE: the last response had status CODE.
want_code() {
    if [ "$CODE" = "$2" ]; then
        pass
    else
        local why=''
        [ -s "$tmp/curl.err" ] && why=" ($(short "$(cat "$tmp/curl.err")"))"
        fail "$1" "status $CODE, want $2$why"
    fi
}

# want_body NAME TEXT: the last body is exactly TEXT (printf %b escapes allowed).
want_body() {
    printf '%b' "$2" >"$tmp/want"
    if cmp -s "$tmp/want" "$tmp/body"; then
        pass
    else
        fail "$1" \
            "body '$(short "$(tr '\0' @ <"$tmp/body")")', want '$(short "$(tr '\0' @ <"$tmp/want")")'"
    fi
}

# lines_of VAR: the lines of the last body that start with "VAR=".
lines_of() {
    awk -v p="$1=" 'index($0, p) == 1' "$tmp/body"
}

# want_env NAME VAR=VALUE...: each VAR=VALUE is a line of the last body, and VAR is set once.
want_env() {
    local name=$1 kv var got
    shift
    for kv in "$@"; do
        var=${kv%%=*}
        got=$(lines_of "$var")
        if [ "$got" = "$kv" ]; then
            pass
        elif [ -z "$got" ]; then
            fail "$name: $var" "not set, want '$(short "$kv")' (status $CODE)"
        else
            fail "$name: $var" "got '$(short "$got")', want '$(short "$kv")'"
        fi
    done
}

# want_noenv NAME VAR...: no VAR in the last body (the env guest's output).
want_noenv() {
    local name=$1 var
    shift
    for var in "$@"; do
        if [ -n "$(lines_of "$var")" ]; then
            fail "$name: $var" "set ('$(short "$(lines_of "$var")")'), want unset"
        elif ! grep -aq '^@handler=' "$tmp/body"; then
            fail "$name: $var" "no environment in the response (status $CODE)"
        else
            pass
        fi
    done
}

# want_header NAME ERE: some response header line matches ERE (case-insensitive).
want_header() {
    if grep -qiE -- "$2" "$tmp/head"; then
        pass
    else
        fail "$1" "no header /$2/ in $(short "$(cat "$tmp/head")")"
    fi
}

# want_noheader NAME ERE: no response header line matches ERE (case-insensitive).
want_noheader() {
    if grep -qiE -- "$2" "$tmp/head"; then
        fail "$1" "unexpected header '$(short "$(grep -m1 -iE -- "$2" "$tmp/head")")'"
    else
        pass
    fi
}

# fnv FILE: "@stdin=<bytes> fnv=<FNV-1a 64>", the env guest's digest of its stdin.
fnv() {
    python3 - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
h = 0xcbf29ce484222325
for b in data:
    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
print(f"@stdin={len(data)} fnv={h:016x}")
EOF
}

# raw PORT [TIMEOUT [CLIENT OPTIONS]]: sends stdin as is (client.py raw); the responses, one
# item a line ("status 200", "header Name: value", "body LINE"), go to $tmp/raw, and
# $tmp/raw.state says "[closed]" or "[open]".
raw() {
    python3 "$client" raw "$1" --timeout "${2:-$((2 * slow))}" "${@:3}" >"$tmp/raw" \
        2>"$tmp/raw.state"
}

# httphead LINE...: a request head for raw: each LINE (printf %b escapes) with CRLF, then CRLF.
httphead() {
    local l
    for l in "$@"; do
        printf '%b\r\n' "$l"
    done
    printf '\r\n'
}

# statuses: the status codes of $tmp/raw, space separated.
statuses() {
    sed -n 's/^status //p' "$tmp/raw" | tr '\n' ' ' | sed 's/ $//'
}

# raw_part N: response N of $tmp/raw into $tmp/head (header lines), $tmp/body and CODE.
raw_part() {
    awk -v n="$1" '/^response /{r=$2} r==n && /^header /{print substr($0, 8)}' "$tmp/raw" \
        >"$tmp/head"
    awk -v n="$1" '/^response /{r=$2} r==n && /^body /{print substr($0, 6)}' "$tmp/raw" \
        >"$tmp/body"
    CODE=$(awk -v n="$1" '/^response /{r=$2} r==n && /^status /{print $2}' "$tmp/raw")
}

# A binary body: 100000 bytes, every byte value (NULs included), for the stdin checks.
python3 -c 'import sys
sys.stdout.buffer.write(bytes((i * 7 + i // 251) % 256 for i in range(100000)))' >"$tmp/bin"

# ---- slow clients: started first, checked last ------------------------------------------
# Three connections send a request line, then one header byte a second. They must not stop
# other clients (every other section runs meanwhile, on another server; this one is checked
# right away too), and must be cut once the idle timeout (30 s, the server's default for a
# request head) has passed since they connected.

cat >"$tmp/slow.toml" <<EOF
[[module]]
route = "/env"
module = "$g/env.wasm"
EOF
slow_pids=()
slow_port=
if serve slow "$tmp/slow.toml" --workers 1; then
    slow_port=$PORT slow_pid=$PID
    for i in 1 2 3; do
        python3 "$client" slow "$slow_port" 50 >"$tmp/slowloris.$i" 2>&1 &
        slow_pids+=($!)
        pids+=($!)
    done
    sleep 1.5
    t0=$(now_ms)
    req "http://127.0.0.1:$slow_port/env"
    want_code "slowloris: another client meanwhile" 200
    check "slowloris: another client meanwhile" "took $(($(now_ms) - t0)) ms" \
        [ $(($(now_ms) - t0)) -lt $((1000 * slow)) ]
fi

# ---- 1. the CGI environment ----------------------------------------------------------------

printf '%s\n' FILE_ONLY=file FILE_ENV=file '# a comment' '' 'export FILE_ENV_MOD=file' \
    REQUEST_METHOD=file HTTP_X_FOO=file >"$tmp/env.file"
cat >"$tmp/env.toml" <<EOF
[[module]]
route = "/path/..."
module = "$g/env.wasm"

[[module]]
route = "/exact"
module = "file://$g/env.wasm"

[[module]]
route = "/tpl/..."
module = "$g/env.wasm"
argv = "\${SCRIPT_NAME} \${ARGS}"

[[module]]
route = "/tpl2"
module = "$g/env.wasm"
argv = "prog --flag \${ARGS} end"

[[module]]
route = "/prec"
module = "$g/env.wasm"
[module.environment]
REQUEST_METHOD = "mod"
FILE_ENV_MOD = "mod"
ENV_MOD = "mod"
FROM_MOD = "mod"
SERVER_SOFTWARE = "mod"

[[module]]
route = "/a"
module = "$g/env.wasm"
environment = { ONLY_A = "a", SHARED = "from-a" }

[[module]]
route = "/b"
module = "$g/env.wasm"
environment = { ONLY_B = "b", SHARED = "from-b" }
EOF

env_args=(--env-file "$tmp/env.file" --env FILE_ENV=env --env FILE_ENV_MOD=env --env ENV_MOD=env
    -e REQUEST_METHOD=x --env 'QUOTED="a b"' --env HTTP_X_FOO=env --env EMPTY= --env 'EQ=a=b'
    --env GATEWAY_INTERFACE=user)

if serve env "$tmp/env.toml" "${env_args[@]}" --workers 2; then
    env_port=$PORT env_pid=$PID
    base=http://127.0.0.1:$PORT
    # The Ready line names the address served; with port 0 the port the kernel chose.
    check "serve: Ready line with -l 127.0.0.1:0" \
        "'$(grep -m1 '^Ready' "$tmp/env.out")', want the bound port $PORT" \
        grep -q "^Ready: serving on http://127.0.0.1:$PORT\$" "$tmp/env.out"

    n="env GET /path/test%3brun?foo=bar"
    req "$base/path/test%3brun?foo=bar"
    want_code "$n" 200
    want_env "$n" AUTH_TYPE= CONTENT_LENGTH=0 CONTENT_TYPE= GATEWAY_INTERFACE=CGI/1.1 \
        "X_FULL_URL=http://127.0.0.1:$PORT/path/test%3brun?foo=bar" X_MATCHED_ROUTE=/path/... \
        QUERY_STRING=foo=bar REMOTE_ADDR=127.0.0.1 REMOTE_HOST=127.0.0.1 REMOTE_USER= \
        REQUEST_METHOD=GET SCRIPT_NAME=/path X_RAW_PATH_INFO=/test%3brun PATH_INFO=/test\;run \
        PATH_TRANSLATED=/test\;run SERVER_NAME=127.0.0.1 "SERVER_PORT=$PORT" \
        SERVER_PROTOCOL=HTTP/1.1 SERVER_SOFTWARE=WAGI/1 "HTTP_HOST=127.0.0.1:$PORT" \
        "HTTP_USER_AGENT=curl/$(curl --version | head -1 | cut -d' ' -f2)" HTTP_ACCEPT='*/*'
    want_env "$n" '@argc=2' '@argv[0]=/path/test%3brun' '@argv[1]=foo=bar' \
        '@stdin=0 fnv=cbf29ce484222325'
    # every variable once
    dups=$(grep -av '^@' "$tmp/body" | sed -n 's/=.*//p' | sort | uniq -d | tr '\n' ' ')
    check "$n: each variable once" "repeated: $dups" [ -z "$dups" ]

    n="env POST with a body"
    req -X POST -H 'Content-Type: application/x-thing; charset=utf-8' --data-binary 'hello=1' \
        "$base/path/"
    want_code "$n" 200
    want_env "$n" REQUEST_METHOD=POST CONTENT_LENGTH=7 \
        'CONTENT_TYPE=application/x-thing; charset=utf-8' \
        'HTTP_CONTENT_TYPE=application/x-thing; charset=utf-8' X_RAW_PATH_INFO=/ PATH_INFO=/ \
        '@argc=1' '@argv[0]=/path/' "$(printf 'hello=1' >"$tmp/b7"; fnv "$tmp/b7")"

    for m in PUT DELETE PATCH OPTIONS PURGE; do
        req -X "$m" "$base/exact"
        want_env "env $m /exact" "REQUEST_METHOD=$m"
    done

    n="env exact route"
    req "$base/exact?x"
    want_env "$n" X_MATCHED_ROUTE=/exact SCRIPT_NAME=/exact X_RAW_PATH_INFO= PATH_INFO= \
        PATH_TRANSLATED= QUERY_STRING=x
    n="env prefix matched whole"
    req "$base/path"
    want_env "$n" X_MATCHED_ROUTE=/path/... SCRIPT_NAME=/path X_RAW_PATH_INFO= PATH_INFO= \
        QUERY_STRING= "X_FULL_URL=http://127.0.0.1:$PORT/path" '@argc=1'

    n="env PATH_INFO decoding"
    req "$base/path/%E2%82%AC%20x/a%2Fb/%41+"
    want_env "$n" 'X_RAW_PATH_INFO=/%E2%82%AC%20x/a%2Fb/%41+' 'PATH_INFO=/€ x/a/b/A+' \
        'PATH_TRANSLATED=/€ x/a/b/A+'
    req "$base/path/%FFz"
    want_env "env PATH_INFO of invalid UTF-8" "PATH_INFO=/$(printf '\xef\xbf\xbd')z" \
        X_RAW_PATH_INFO=/%FFz
    req "$base/path/a%00b"
    want_code "env PATH_INFO with %00: 400" 400

    n="env HTTP/1.0 without Host"
    req --http1.0 -H 'Host:' "$base/path/x?q"
    want_env "$n" SERVER_PROTOCOL=HTTP/1.0 SERVER_NAME=localhost SERVER_PORT=3000 \
        'X_FULL_URL=http://localhost:3000/path/x?q'
    want_noenv "$n" HTTP_HOST
    n="env Host: wagi.net"
    req -H 'Host: wagi.net' "$base/path/x?q"
    want_env "$n" SERVER_NAME=wagi.net SERVER_PORT=3000 'X_FULL_URL=http://wagi.net:3000/path/x?q' \
        HTTP_HOST=wagi.net SERVER_PROTOCOL=HTTP/1.1
    n="env Host: wagi.net with trailing spaces"
    req -H 'Host: wagi.net  ' "$base/path/x?q"
    want_env "$n" SERVER_NAME=wagi.net SERVER_PORT=3000 HTTP_HOST=wagi.net
    n="env Host: wagi.net:8443"
    req -H 'Host: wagi.net:8443' "$base/path/x"
    want_env "$n" SERVER_NAME=wagi.net SERVER_PORT=8443 'X_FULL_URL=http://wagi.net:8443/path/x'
    n="env Host: [::1]:8080"
    req -H 'Host: [::1]:8080' "$base/path/x"
    want_env "$n" 'SERVER_NAME=[::1]' SERVER_PORT=8080 'X_FULL_URL=http://[::1]:8080/path/x'

    n="env request headers"
    req -H 'X-Test-Header: hello' -H 'x-lower-case: v' -H 'Authorization: Basic Zm9vOmJhcg==' \
        -H 'Connection: keep-alive' -H 'Proxy: http://evil.example:8080' \
        -H 'Proxy-Authorization: Basic eA==' -H 'X-Dup: first' -H 'X-Dup: second' \
        -H 'X-Empty;' -H 'X-Spaces:   padded value  ' "$base/path/h"
    want_code "$n" 200
    want_env "$n" HTTP_X_TEST_HEADER=hello HTTP_X_LOWER_CASE=v HTTP_X_DUP=second HTTP_X_EMPTY= \
        'HTTP_X_SPACES=padded value'
    want_noenv "$n" HTTP_AUTHORIZATION HTTP_CONNECTION HTTP_PROXY HTTP_PROXY_AUTHORIZATION

    n="env header not UTF-8"
    httphead 'GET /path/u HTTP/1.1' 'Host: x' 'X-Bin: a\xff\xfeb' 'X-Utf: caf\xc3\xa9' \
        'Connection: close' | raw "$PORT"
    raw_part 1
    want_env "$n" 'HTTP_X_BIN=CORRUPT VALUE' "HTTP_X_UTF=caf$(printf '\xc3\xa9')"

    n="env absolute-form target"
    httphead 'GET http://abs.example:8080/path/x?q=1 HTTP/1.1' 'Host: h.example' \
        'Connection: close' | raw "$PORT"
    raw_part 1
    want_env "$n" X_MATCHED_ROUTE=/path/... X_RAW_PATH_INFO=/x QUERY_STRING=q=1 \
        SERVER_NAME=h.example SERVER_PORT=3000 'X_FULL_URL=http://h.example:3000/path/x?q=1' \
        '@argv[0]=/path/x'

    n="env X-A and X_A: one variable, the last wins"
    httphead 'GET /path/x HTTP/1.1' 'Host: x' 'X-A: 1' 'X_A: 2' 'Connection: close' | raw "$PORT"
    raw_part 1
    want_env "$n" HTTP_X_A=2

    n="env target with a non-ASCII byte"
    httphead 'GET /path/\xff HTTP/1.1' 'Host: x' 'Connection: close' | raw "$PORT"
    check "$n" "statuses '$(statuses)', want 400" [ "$(statuses)" = 400 ]

    n="env argv default"
    req "$base/path/x?a=1&b=%20c&&d+e"
    want_env "$n" '@argc=5' '@argv[0]=/path/x' '@argv[1]=a=1' '@argv[2]=b=%20c' '@argv[3]=' \
        '@argv[4]=d+e'
    req "$base/path/x?"
    want_env "env argv with an empty query" '@argc=2' '@argv[0]=/path/x' '@argv[1]=' QUERY_STRING=
    n="env argv template \${SCRIPT_NAME} \${ARGS}"
    req "$base/tpl/sub?a=1&b=2"
    want_env "$n" '@argc=3' '@argv[0]=/tpl/sub' '@argv[1]=a=1' '@argv[2]=b=2' SCRIPT_NAME=/tpl
    req "$base/tpl/sub"
    want_env "$n, no query" '@argc=1' '@argv[0]=/tpl/sub'
    n="env argv template with words"
    req "$base/tpl2?a=1&b=2"
    want_env "$n" '@argc=5' '@argv[0]=prog' '@argv[1]=--flag' '@argv[2]=a=1' '@argv[3]=b=2' \
        '@argv[4]=end'
    req "$base/tpl2?\${ARGS}"
    # shellcheck disable=SC2016 # a literal ${ARGS} in the query
    want_env "env argv template expands once" '@argc=4' '@argv[2]=${ARGS}' '@argv[3]=end'

    n="env precedence"
    req -H 'X-Foo: header' "$base/prec"
    want_env "$n" FILE_ONLY=file FILE_ENV=env FILE_ENV_MOD=mod ENV_MOD=mod FROM_MOD=mod \
        REQUEST_METHOD=GET SERVER_SOFTWARE=WAGI/1 GATEWAY_INTERFACE=CGI/1.1 'QUOTED=a b' \
        HTTP_X_FOO=header EMPTY= EQ=a=b
    req "$base/path/p"
    want_env "env --env without module environment" FILE_ENV_MOD=env ENV_MOD=env \
        REQUEST_METHOD=GET
    want_noenv "env --env without module environment" FROM_MOD

    n="env module environment /a"
    req "$base/a"
    want_env "$n" ONLY_A=a SHARED=from-a FILE_ONLY=file
    want_noenv "$n" ONLY_B
    n="env module environment /b"
    req "$base/b"
    want_env "$n" ONLY_B=b SHARED=from-b
    want_noenv "$n" ONLY_A

    # 48 requests, 8 at a time: each answer is its own request's (no crossed buffers)
    # shellcheck disable=SC2016 # $1 and $2 belong to the inner sh
    for i in $(seq 48); do
        echo "$i"
    done | xargs -P 8 -I{} sh -c 'curl -s --max-time 20 -H "X-Id: {}" -H "Content-Type: text/x-{}" \
        --data-binary "body {}" "$1/path/par?i={}" >"$2/par.{}"' sh "$base" "$tmp"
    bad=''
    for i in $(seq 48); do
        f=$tmp/par.$i
        grep -qx "QUERY_STRING=i=$i" "$f" && grep -qx "HTTP_X_ID=$i" "$f" &&
            grep -qx "CONTENT_TYPE=text/x-$i" "$f" &&
            grep -qx "$(printf 'body %s' "$i" >"$tmp/pb"; fnv "$tmp/pb")" "$f" || bad="$bad $i"
    done
    check "env 48 concurrent requests: each gets its own answer" "wrong answers:$bad" [ -z "$bad" ]

    n="env binary body"
    req -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/bin" "$base/path/bin"
    want_env "$n" CONTENT_LENGTH=100000 CONTENT_TYPE=application/octet-stream "$(fnv "$tmp/bin")"
    n="env chunked body"
    req -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/bin" "$base/path/bin"
    want_env "$n" CONTENT_LENGTH=100000 "$(fnv "$tmp/bin")"
fi

# --hostname: replaces the default host and port; the Host header still wins per part.
cat >"$tmp/host.toml" <<EOF
[[module]]
route = "/h"
module = "$g/env.wasm"
EOF
if serve host1 "$tmp/host.toml" --hostname wagi.example:8080 --workers 1; then
    req --http1.0 -H 'Host:' "http://127.0.0.1:$PORT/h"
    want_env "--hostname wagi.example:8080, no Host" SERVER_NAME=wagi.example SERVER_PORT=8080 \
        X_FULL_URL=http://wagi.example:8080/h
    req -H 'Host: other.net' "http://127.0.0.1:$PORT/h"
    want_env "--hostname wagi.example:8080, Host: other.net" SERVER_NAME=other.net SERVER_PORT=8080
    req -H 'Host: other.net:99' "http://127.0.0.1:$PORT/h"
    want_env "--hostname wagi.example:8080, Host: other.net:99" SERVER_NAME=other.net SERVER_PORT=99
    stop host1 "$PID"
fi
if serve host2 "$tmp/host.toml" --hostname=bare.example --workers 1; then
    req --http1.0 -H 'Host:' "http://127.0.0.1:$PORT/h"
    want_env "--hostname bare.example, no Host" SERVER_NAME=bare.example SERVER_PORT=80 \
        X_FULL_URL=http://bare.example:80/h
    stop host2 "$PID"
fi

# TLS: WAGI's golden vector (WAGI.md 1.6), https in X_FULL_URL.
if command -v openssl >/dev/null; then
    if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj /CN=example.com -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 &&
        serve tls "$tmp/env.toml" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" \
            --workers 1; then
        tls_pid=$PID
        check "tls: Ready line" "'$(grep -m1 '^Ready' "$tmp/tls.out")', want https://" \
            grep -q "^Ready: serving on https://" "$tmp/tls.out"
        head -c 1234 "$tmp/bin" >"$tmp/b1234"
        n="golden vector"
        req -k --resolve "example.com:$PORT:127.0.0.1" -H 'Host: example.com:3000' \
            -H 'X-Test-Header: hello' -H 'Authorization: Basic Zm9vOmJhcg==' \
            -H 'Connection: keep-alive' --data-binary @"$tmp/b1234" \
            "https://example.com:$PORT/path/test%3brun?foo=bar"
        want_code "$n" 200
        want_env "$n" X_MATCHED_ROUTE=/path/... SCRIPT_NAME=/path PATH_INFO=/test\;run \
            PATH_TRANSLATED=/test\;run QUERY_STRING=foo=bar CONTENT_LENGTH=1234 \
            SERVER_NAME=example.com SERVER_PORT=3000 SERVER_PROTOCOL=HTTP/1.1 \
            SERVER_SOFTWARE=WAGI/1 GATEWAY_INTERFACE=CGI/1.1 \
            'X_FULL_URL=https://example.com:3000/path/test%3brun?foo=bar' \
            HTTP_X_TEST_HEADER=hello REQUEST_METHOD=POST X_RAW_PATH_INFO=/test%3brun \
            AUTH_TYPE= REMOTE_USER= REMOTE_ADDR=127.0.0.1 HTTP_HOST=example.com:3000 \
            "$(fnv "$tmp/b1234")"
        want_noenv "$n" HTTP_AUTHORIZATION HTTP_CONNECTION
        # plain HTTP to the TLS port: refused, and the server goes on
        httphead 'GET /healthz HTTP/1.1' 'Host: x' | raw "$PORT" 1
        req -k "https://127.0.0.1:$PORT/healthz"
        want_code "tls: serves after a plain-HTTP client" 200
        stop tls "$tls_pid"
    else
        fail "tls: setup" "openssl could not make a certificate or the server did not start"
    fi
else
    echo "gateway: openssl not found: TLS checks skipped" >&2
fi

# ---- 2. routing --------------------------------------------------------------------------

cat >"$tmp/route.toml" <<EOF
[[module]]
route = "/foo/..."
module = "$g/env.wasm"
environment = { TAG = "foo" }

[[module]]
route = "/exact"
module = "$g/env.wasm"
environment = { TAG = "exact" }

[[module]]
route = "/slash/"
module = "$g/env.wasm"
environment = { TAG = "slash" }

[[module]]
route = "/a%2Fb"
module = "$g/env.wasm"
environment = { TAG = "encoded" }

[[module]]
route = "/space"
module = "$g/env.wasm"
environment = { TAG = "space" }
EOF

# route PATH TAG: PATH is answered by the module tagged TAG, or "404" (empty body).
route() {
    req -X POST --path-as-is "$base$1"
    if [ "$2" = 404 ]; then
        want_code "$rname $1" 404
        want_body "$rname $1: empty body" ''
    else
        want_env "$rname $1" "TAG=$2"
    fi
}

if serve route "$tmp/route.toml" --workers 2; then
    base=http://127.0.0.1:$PORT rname=routing
    route /foo foo
    route /foo/ foo
    route /foo/x/y foo
    want_env "routing /foo/x/y" X_RAW_PATH_INFO=/x/y SCRIPT_NAME=/foo X_MATCHED_ROUTE=/foo/...
    route /foobar 404
    route /fo 404
    route /FOO 404
    route /exact exact
    route '/exact?q=1' exact
    route /exact/ 404
    route /exact/x 404
    route /exactx 404
    route /slash/ slash
    route /slash 404
    route /slash/x 404
    route /a%2Fb encoded
    route /a/b 404
    route /a%2fb 404
    route /sp%61ce 404
    route /space space
    route / 404
    route /nothing 404
    req "$base/healthz"
    want_code "routing /healthz" 200
    want_body "routing /healthz" OK
    stop route "$PID"
fi

cat >"$tmp/order.toml" <<EOF
[[module]]
route = "/a/..."
module = "$g/env.wasm"
environment = { TAG = "a" }

[[module]]
route = "/a/b"
module = "$g/env.wasm"
environment = { TAG = "ab-exact" }

[[module]]
route = "/a/b/..."
module = "$g/env.wasm"
environment = { TAG = "ab" }

[[module]]
route = "/dup"
module = "$g/env.wasm"
environment = { TAG = "dup1" }

[[module]]
route = "/dup"
module = "$g/env.wasm"
environment = { TAG = "dup2" }

[[module]]
route = "/..."
module = "$g/env.wasm"
environment = { TAG = "all" }
EOF

if serve wagi "$tmp/order.toml" --workers 2; then
    base=http://127.0.0.1:$PORT rname="routing wagi"
    route /a/b a
    route /a/b/c a
    route /a/c a
    route /dup dup1
    route /zzz/q all
    want_env "routing wagi /zzz/q" SCRIPT_NAME=/ X_RAW_PATH_INFO=/zzz/q X_MATCHED_ROUTE=/...
    route / all
    want_env "routing wagi /" SCRIPT_NAME=/ X_RAW_PATH_INFO=/ PATH_INFO=/
    route /healthz/ all
    for p in /healthz '/healthz?x=1'; do
        req "$base$p"
        want_code "routing wagi $p beats /..." 200
        want_body "routing wagi $p beats /..." OK
        want_noheader "routing wagi $p: no content type" '^content-type:'
    done
    stop wagi "$PID"
fi
if serve spin "$tmp/order.toml" --routing spin --workers 2; then
    base=http://127.0.0.1:$PORT rname="routing spin"
    route /a/b ab-exact
    route /a/b/c ab
    route /a/b/ ab
    route /a/c a
    route /a a
    route /dup dup2
    route /zzz all
    req "$base/healthz"
    want_body "routing spin /healthz" OK
    stop spin "$PID"
fi

# _routes: WAGI's dynamic-routes table (WAGI.md 1.4).
cat >"$tmp/dyn.toml" <<EOF
[[module]]
route = "/"
module = "$g/routes0.wasm"

[[module]]
route = "/exactparent"
module = "$g/routes0.wasm"

[[module]]
route = "/wildcardparent/..."
module = "$g/routes0.wasm"

[[module]]
route = "/exactparentslash/"
module = "$g/routes0.wasm"

[[module]]
route = "/last/..."
module = "$g/routes1.wasm"
EOF

# dyn PATH HANDLER X_MATCHED_ROUTE SCRIPT_NAME PATH_INFO
dyn() {
    req "$base$1"
    want_code "_routes $1" 200
    want_env "_routes $1" "@handler=$2" "X_MATCHED_ROUTE=$3" "SCRIPT_NAME=$4" "PATH_INFO=$5"
}

if serve dyn "$tmp/dyn.toml" --workers 2; then
    base=http://127.0.0.1:$PORT
    dyn / main / / ''
    dyn /exactparent/exact on_exact /exactparent/exact /exactparent/exact ''
    dyn /exactparent/wildcard/fizz/buzz on_wildcard /exactparent/wildcard/... \
        /exactparent/wildcard /fizz/buzz
    dyn /wildcardparent main /wildcardparent/... /wildcardparent ''
    dyn /wildcardparent/fizz/buzz main /wildcardparent/... /wildcardparent /fizz/buzz
    dyn /exactparentslash/exact on_exact /exactparentslash/exact /exactparentslash/exact ''
    dyn /exactparent/main main /exactparent/main /exactparent/main ''
    dyn /exactparent main /exactparent /exactparent ''
    dyn /wildcardparent/exact on_exact /wildcardparent/exact /wildcardparent/exact ''
    dyn /exact on_exact /exact /exact ''
    dyn /last/x h2 /last/x /last/x ''
    dyn /last/y main /last/... /last /y
    req "$base/exactparent/other"
    want_code "_routes /exactparent/other" 404
    stop dyn "$PID"
fi

# bad _routes output stops the start, status 1, with a message naming the module's line
for n in 2 3 4 5; do
    printf '[[module]]\nroute = "%s"\nmodule = "%s"\n\n' /ok "$g/env.wasm" /bad "$g/routes$n.wasm" \
        >"$tmp/badroutes$n.toml"
    try_serve -c "$tmp/badroutes$n.toml" -l 127.0.0.1:0
    what=(x x empty 3-column 1-column trapping)
    name="_routes ${what[$n]} output"
    check "$name" "exit status $status, want 1: $(short "$(cat "$tmp/err")")" [ "$status" = 1 ]
    if grep -q "badroutes$n.toml:5: .*/bad.*" "$tmp/err" && grep -q "_routes" "$tmp/err"; then
        pass
    else
        fail "$name: message" \
            "'$(short "$(cat "$tmp/err")")', want the file, line 5, the route and _routes"
    fi
    check "$name: Ready" "the server said Ready" not grep -q '^Ready' "$tmp/out"
done

# ---- 3. responses ------------------------------------------------------------------------

cat >"$tmp/resp.toml" <<EOF
[[module]]
route = "/cat"
module = "$g/cat.wasm"

[[module]]
route = "/exit0"
module = "$g/behave.wasm"
environment = { MODE = "exit0" }

[[module]]
route = "/exit3"
module = "$g/behave.wasm"
environment = { MODE = "exit3" }

[[module]]
route = "/trap"
module = "$g/behave.wasm"
environment = { MODE = "trap" }

[[module]]
route = "/stderr"
module = "$g/behave.wasm"
environment = { MODE = "stderr" }

[[module]]
route = "/noentry"
module = "$g/env.wasm"
entrypoint = "nope"

[[module]]
route = "/entry"
module = "$g/routes0.wasm"
entrypoint = "on_wildcard"
EOF

# cgi NAME OUTPUT [CURL ARGS...]: the cat module prints OUTPUT (printf %b escapes).
cgi() {
    local name=$1
    printf '%b' "$2" >"$tmp/cgi.out"
    shift 2
    req --data-binary @"$tmp/cgi.out" "$@" "$base/cat"
}

if serve resp "$tmp/resp.toml" --workers 2; then
    resp_port=$PORT resp_pid=$PID base=http://127.0.0.1:$PORT

    cgi crlf 'Content-Type: text/plain\r\nX-A: 1\r\n\r\nhello\r\nworld\r\n\rend'
    want_code "response CRLF headers" 200
    want_header "response CRLF headers: X-A" '^X-A: 1$'
    want_header "response CRLF headers: content type" '^Content-Type: text/plain$'
    want_body "response CRLF headers: CRs of the body kept" 'hello\r\nworld\r\n\rend'
    cgi lf 'content-type: text/html\n\n\n\nbody\n'
    want_body "response body starting with blank lines" '\n\nbody\n'
    cgi status-only 'Status: 201\n\n'
    want_code "response Status alone" 201
    want_body "response Status alone: empty body" ''
    cgi status-reason 'Status: 418 I am a teapot\nContent-Type: text/plain\n\nshort and stout'
    want_code "response Status with a reason" 418
    want_body "response Status with a reason" 'short and stout'
    cgi 404 'status: 404\ncontent-type: text/plain\n\nnot here'
    want_code "response status: 404 with content-type" 404
    want_header "response status: 404 with content-type" '^content-type: text/plain$'
    want_body "response status: 404 with content-type" 'not here'
    want_noheader "response status: 404: no Status header" '^status:'
    cgi location 'Location: http://example.com/next\n\n'
    want_code "response Location" 302
    want_header "response Location" '^Location: http://example.com/next$'
    cgi status-location 'Status: 301\nLocation: /y\n\n'
    want_code "response Status before Location" 301
    want_header "response Status before Location" '^Location: /y$'
    cgi location-status 'Location: /y\nStatus: 307 Temporary\n\n'
    want_code "response Status after Location" 307
    for bad in abc 99 600 2000 ' ' 20x -200 100; do
        cgi bad-status "Status: $bad\nContent-Type: text/plain\n\nbody"
        want_code "response bad Status '$bad': 502" 502
    done
    insufficient="At least one of 'content-type', 'status' or 'location' must be specified, then a blank line"
    for out in 'Content-Type: text/plain\nhello' '' 'X-Only: 1\n\nbody' '\n\nbody' \
        'no colon\n\n'; do
        cgi insufficient "$out"
        want_code "response '$out': 500" 500
        want_body "response '$out': message" "$insufficient"
    done
    cgi cookies 'Content-Type: text/plain\nSet-Cookie: a=1\nSet-Cookie: b=2; Path=/\nX-Multi: x
Set-Cookie: c=3\nX-Multi: y\n\nc'
    want_code "response several Set-Cookie" 200
    check "response several Set-Cookie" \
        "$(grep -ic '^set-cookie: ' "$tmp/head") Set-Cookie headers, want 3" \
        [ "$(grep -ic '^set-cookie: ' "$tmp/head")" = 3 ]
    want_header "response several Set-Cookie: b" '^Set-Cookie: b=2; Path=/$'
    check "response repeated X-Multi" \
        "$(grep -ic '^x-multi: ' "$tmp/head") X-Multi headers, want 2" \
        [ "$(grep -ic '^x-multi: ' "$tmp/head")" = 2 ]
    cgi ct-twice 'Content-Type: a/b\nContent-Type: c/d\n\n'
    check "response Content-Type twice: the later" "$(short "$(cat "$tmp/head")")" \
        [ "$(grep -i '^content-type: ' "$tmp/head")" = 'Content-Type: c/d' ]
    cgi skipped 'Content-Type: text/plain\nno colon here\nX-After: 1\n\nok'
    want_code "response line without ':' skipped" 200
    want_header "response line without ':' skipped" '^X-After: 1$'
    cgi utf8 'Content-Type: text/plain\nX-Utf: caf\xc3\xa9\n\nok'
    want_code "response UTF-8 header value" 200
    # headers a module must never get through: 502, never a crash
    for out in 'X-Bad: a\rb' 'X-Bad: a\0b' 'X Bad: v' 'X(Bad): v' ': v' 'X-Bad: a\x7fb' \
        'X-Bad: a\x01b' 'X-A: 1\n folded' 'X-Bad\0: v' 'Content-Type: text/plain\rX-Injected: 1'; do
        cgi bad-header "Content-Type: text/plain\n$out\n\nbody"
        want_code "response bad header '$out': 502" 502
        want_noheader "response bad header '$out': not passed" '^X-(Bad|Injected)'
    done
    cgi not-utf8 'Content-Type: text/plain\nX-Bin: \xff\xfe\n\nbody'
    want_code "response header block not UTF-8: 500" 500
    want_body "response header block not UTF-8: empty body" ''
    python3 -c 'print("Content-Type: text/plain\nX-Big: " + "v" * 20000 + "\n")' >"$tmp/big.out"
    req --data-binary @"$tmp/big.out" "$base/cat"
    want_code "response header over 16 KiB: 502" 502
    python3 -c 'print("Content-Type: text/plain\n" + "".join(f"X-H{i}: v\n" for i in range(500)))' \
        >"$tmp/many.out"
    req --data-binary @"$tmp/many.out" "$base/cat"
    want_code "response 500 headers" 200
    want_header "response 500 headers: the last" '^X-H499: v$'
    # hop-by-hop and framing headers are dropped; the module cannot close the connection
    printf '%s\n' 'Content-Type: text/plain' 'Connection: close' 'Transfer-Encoding: chunked' \
        'Content-Length: 999' 'Keep-Alive: timeout=1' 'Upgrade: h2c' 'Trailer: X-T' 'TE: trailers' \
        'Proxy-Connection: close' 'X-Keep: yes' '' >"$tmp/hop.out"
    printf body >>"$tmp/hop.out"
    {
        httphead 'POST /cat HTTP/1.1' 'Host: x' "Content-Length: $(wc -c <"$tmp/hop.out")"
        cat "$tmp/hop.out"
        httphead 'GET /healthz HTTP/1.1' 'Host: x' 'Connection: close'
    } | raw "$PORT"
    n="response hop-by-hop headers"
    check "$n: connection kept" "statuses '$(statuses)', want '200 200'" \
        [ "$(statuses)" = "200 200" ]
    raw_part 1
    want_header "$n: X-Keep" '^X-Keep: yes$'
    want_header "$n: own Content-Length" '^Content-Length: 4$'
    want_noheader "$n: dropped" \
        '^(Transfer-Encoding|Keep-Alive|Upgrade|Trailer|TE|Proxy-Connection|Connection: close)'
    check "$n: body" "$(short "$(cat "$tmp/raw")")" grep -aq '^body body$' "$tmp/raw"

    {
        httphead 'HEAD /exit0 HTTP/1.1' 'Host: x'
        httphead 'GET /healthz HTTP/1.1' 'Host: x' 'Connection: close'
    } | raw "$PORT" $((2 * slow)) --head 1
    raw_part 1
    want_code "HEAD" 200
    want_header "HEAD: the length of the GET body" '^Content-Length: 6$'
    want_body "HEAD: no body" ''
    raw_part 2
    want_body "HEAD: the next request on the connection" 'OK\n'
    req "$base/exit0"
    want_code "proc_exit(0) is a success" 200
    want_body "proc_exit(0) is a success" 'exit0\n'
    req "$base/exit3"
    want_code "proc_exit(3) is a failure" 500
    req "$base/trap"
    want_code "trap: 500" 500
    want_body "trap: empty body" ''
    req "$base/noentry"
    want_code "missing entrypoint: 500" 500
    req "$base/entry"
    want_env "entrypoint other than _start" '@handler=on_wildcard'
    req "$base/exit0"
    want_code "serves after a trap" 200
    for q in one two; do
        req "$base/stderr?$q"
        want_code "stderr module" 200
    done
    sleep 0.2
    id=$(grep -a '"GET /trap HTTP/1.1" 500 ' "$tmp/resp.access" |
        sed -n 's/.* id=\([0-9]*\).*/\1/p' | head -1)
    if [ -z "$id" ]; then
        fail "trap: access log" \
            "no line for GET /trap with an id: $(short "$(cat "$tmp/resp.access")")"
    else
        pass
        if grep -a "request ${id}[^0-9]" "$tmp/resp.err" | grep -qi unreachable; then
            pass
        else
            fail "trap: log line with the request id and the trap" \
                "no line with 'request $id' and 'unreachable' in: $(short "$(cat "$tmp/resp.err")")"
        fi
        # The function it trapped in, named from the module's name section (clang writes one).
        if grep -a "request ${id}[^0-9]" "$tmp/resp.err" |
            grep -Eq 'unreachable \(in func\[[0-9]+\] <[^>]+> @ 0x[0-9a-f]{6}\)'; then
            pass
        else
            fail "trap: log line names the function" \
                "no '(in func[N] <name> @ 0x...)' after the trap in: $(short "$(cat "$tmp/resp.err")")"
        fi
    fi
    if grep -a "No such function 'nope'" "$tmp/resp.err" | grep -q 'request [0-9]'; then
        pass
    else
        fail "missing entrypoint: log line" "$(short "$(cat "$tmp/resp.err")")"
    fi
    if grep -a 'exit status 3' "$tmp/resp.err" | grep -q 'request [0-9]'; then
        pass
    else
        fail "proc_exit(3): log line" "$(short "$(cat "$tmp/resp.err")")"
    fi
    log=$tmp/resp.logs/stderr-$(printf '%s' /stderr | sha256sum | cut -d' ' -f1)/module.stderr
    printf 'stderr-line one\nstderr-line two\n' >"$tmp/want"
    check "per-route stderr log" "$log: '$(short "$(cat "$log" 2>&1)")', want both lines" \
        cmp -s "$tmp/want" "$log"
fi

# The log directory is made with its parents (WAGI does; corral used to fail), one folder
# per route: <readable part of the route>-<sha256 of the route as written>.
long_route=/$(printf 'long%.0s' $(seq 30))
cat >"$tmp/logdir.toml" <<EOF
[[module]]
route = "/api/v1/:id/..."
module = "$g/behave.wasm"
environment = { MODE = "stderr" }

[[module]]
route = "/"
module = "$g/env.wasm"

[[module]]
route = "/caf%C3%A9/../.x"
module = "$g/env.wasm"

[[module]]
route = "$long_route"
module = "$g/env.wasm"

[[module]]
route = "/..."
module = "$g/env.wasm"
EOF
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
logs=$tmp/made/deep/logs
api_log=$logs/api_v1_id_...-$(sha '/api/v1/:id/...')/module.stderr
if LOG_DIR=$logs serve logdir "$tmp/logdir.toml"; then
    pass
    req "http://127.0.0.1:$PORT/api/v1/:id/x?hi"
    want_code "log dir: a request" 200
    for want in "api_v1_id_...-$(sha '/api/v1/:id/...')" "root-$(sha /)" \
        "caf_C3_A9_.._.x-$(sha '/caf%C3%A9/../.x')" \
        "$(printf 'long%.0s' $(seq 12))-$(sha "$long_route")" "root_...-$(sha /...)"; do
        check "log dir: folder $want" "not in: $(ls "$logs" 2>&1 | tr '\n' ' ')" \
            [ -d "$logs/$want" ]
    done
    check "log dir: the module's stderr in its route's folder" \
        "$(short "$(cat "$api_log" 2>&1)")" grep -q 'stderr-line hi' "$api_log"
    check "log dir: one folder per route, nothing else" "$(ls "$logs" | tr '\n' ' ')" \
        [ "$(ls "$logs" | wc -l)" = 5 ]
    stop logdir "$PID"
fi
# An existing log directory is used as it is: a restart appends to the same files.
if LOG_DIR=$logs serve logdir2 "$tmp/logdir.toml"; then
    req "http://127.0.0.1:$PORT/api/v1/:id/x?again"
    check "log dir: a restart appends to the route's log" "$(short "$(cat "$api_log" 2>&1)")" \
        grep -q 'stderr-line again' "$api_log"
    check "log dir: a restart reuses the folders" "$(ls "$logs" | tr '\n' ' ')" \
        [ "$(ls "$logs" | wc -l)" = 5 ]
    stop logdir2 "$PID"
fi

# Unknown imports (issue 10): unknown.wasm imports env::f and env::g, which only some
# entrypoints call. Without a stand-in the module cannot run (500); unknown_imports = "trap"
# runs it until it calls one (then 500, the trap in the log), "default" returns zeros;
# --trap-unknown-imports is the default of every module without the key.
cat >"$tmp/unknown.toml" <<EOF
[[module]]
route = "/none"
module = "$g/unknown.wasm"

[[module]]
route = "/trap"
module = "$g/unknown.wasm"
unknown_imports = "trap"

[[module]]
route = "/trap-f"
module = "$g/unknown.wasm"
unknown_imports = "trap"
entrypoint = "call_f"

[[module]]
route = "/default-g"
module = "$g/unknown.wasm"
unknown_imports = "default"
entrypoint = "call_g"

[[module]]
route = "/default-f"
module = "$g/unknown.wasm"
unknown_imports = "default"
entrypoint = "call_f"
EOF
if serve unknown_imports "$tmp/unknown.toml"; then
    base=http://127.0.0.1:$PORT
    req "$base/none"
    want_code "unknown imports: none stood in for: 500" 500
    req "$base/trap"
    want_code "unknown imports: trap, not called" 200
    want_body "unknown imports: trap, not called" 'ok!\n'
    req "$base/trap-f"
    want_code "unknown imports: trap, called: 500" 500
    want_body "unknown imports: trap, called: empty body" ''
    req "$base/default-g"
    want_code "unknown imports: default, i64 result" 200
    want_body "unknown imports: default, i64 result is 0" 'ok0\n'
    req "$base/default-f"
    want_code "unknown imports: default, no result" 200
    want_body "unknown imports: default, no result" 'ok!\n'
    req "$base/trap"
    want_code "unknown imports: one file, linked per policy, again" 200
    sleep 0.2
    check "unknown imports: none: log line" "$(short "$(cat "$tmp/unknown_imports.err")")" \
        grep -q 'request [0-9].*unknown import env::f' "$tmp/unknown_imports.err"
    check "unknown imports: trap: log line names the import" \
        "$(short "$(cat "$tmp/unknown_imports.err")")" \
        grep -q 'request [0-9].*trap: unknown import env::f was called' "$tmp/unknown_imports.err"
    stop unknown_imports "$PID"
fi
# The flag sets every module's default; a module's key overrides it.
cat >"$tmp/unknown-flag.toml" <<EOF
[[module]]
route = "/flag"
module = "$g/unknown.wasm"

[[module]]
route = "/error"
module = "$g/unknown.wasm"
unknown_imports = "error"

[[module]]
route = "/flag-f"
module = "$g/unknown.wasm"
entrypoint = "call_f"
EOF
if serve unknown_flag "$tmp/unknown-flag.toml" --default-values-unknown-imports; then
    base=http://127.0.0.1:$PORT
    req "$base/flag"
    want_code "--default-values-unknown-imports: the default of every module" 200
    req "$base/flag-f"
    want_body "--default-values-unknown-imports: the stand-in returns" 'ok!\n'
    req "$base/error"
    want_code "--default-values-unknown-imports: unknown_imports = \"error\" overrides it" 500
    stop unknown_flag "$PID"
fi
if serve unknown_flag2 "$tmp/unknown-flag.toml" --trap-unknown-imports; then
    base=http://127.0.0.1:$PORT
    req "$base/flag"
    want_code "--trap-unknown-imports: not called" 200
    req "$base/flag-f"
    want_code "--trap-unknown-imports: called" 500
    stop unknown_flag2 "$PID"
fi

# ---- 4. limits ---------------------------------------------------------------------------

mkdir -p "$tmp/data"
cat >"$tmp/limits.toml" <<EOF
[[module]]
route = "/env"
module = "$g/env.wasm"

[[module]]
route = "/loop"
module = "$g/behave.wasm"
environment = { MODE = "loop" }

[[module]]
route = "/sleep"
module = "$g/behave.wasm"
environment = { MODE = "sleep" }

[[module]]
route = "/grow"
module = "$g/behave.wasm"
environment = { MODE = "grow" }

[[module]]
route = "/bigmem"
module = "$g/bigmem.wasm"

[[module]]
route = "/bigout"
module = "$g/behave.wasm"
environment = { MODE = "bigout" }

[[module]]
route = "/hit"
module = "$g/behave.wasm"
environment = { MODE = "hit" }
volumes = { "/data" = "$tmp/data" }
EOF

if serve limits "$tmp/limits.toml" --timeout 200ms --max-memory 2MiB --max-body 1KiB \
    --max-output 1KiB --workers 2; then
    lim_port=$PORT lim_pid=$PID base=http://127.0.0.1:$PORT

    # --timeout: a module that never ends gets 504, and the other worker serves meanwhile
    t0=$(now_ms)
    curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/loop" >"$tmp/loop.code" &
    lp=$!
    sleep 0.05
    t1=$(now_ms)
    req "$base/env"
    want_code "timeout (loop): another request meanwhile" 200
    check "timeout (loop): another request meanwhile" "took $(($(now_ms) - t1)) ms" \
        [ $(($(now_ms) - t1)) -lt $((800 * slow)) ]
    wait "$lp"
    dt=$(($(now_ms) - t0))
    check "timeout (loop): 504" "status $(cat "$tmp/loop.code")" \
        [ "$(cat "$tmp/loop.code")" = 504 ]
    check "timeout (loop): within 1 s" "took $dt ms" [ "$dt" -lt $((1000 * slow)) ]
    # The deadline can also come while the module waits in a WASI call (poll_oneoff): still
    # a 504. Four tries, as two stoppers race there (the watchdog and the WASI wait).
    codes='' dt=0
    for _ in 1 2 3 4; do
        t0=$(now_ms)
        req "$base/sleep?5000"
        codes="$codes $CODE"
        [ $(($(now_ms) - t0)) -gt "$dt" ] && dt=$(($(now_ms) - t0))
    done
    check "timeout during a WASI sleep: 504" "statuses$codes, want 504 each time" \
        [ "$codes" = " 504 504 504 504" ]
    check "timeout during a WASI sleep: within 1 s" "took $dt ms" [ "$dt" -lt $((1000 * slow)) ]
    req "$base/sleep?50"
    want_code "timeout: a quick sleep is fine" 200

    # --max-memory
    req "$base/grow"
    check "max-memory: growing past 2 MiB" "status $CODE, want 500 or 503" \
        grep -qxE '500|503' <<<"$CODE"
    req "$base/bigmem"
    check "max-memory: 4 MiB initial memory" "status $CODE, want 500 or 503" \
        grep -qxE '500|503' <<<"$CODE"
    req "$base/env"
    want_code "max-memory: serves after" 200

    # --max-body 1KiB (Content-Length and chunked)
    head -c 1024 "$tmp/bin" >"$tmp/b1024"
    head -c 1025 "$tmp/bin" >"$tmp/b1025"
    req --data-binary @"$tmp/b1024" "$base/env"
    want_env "max-body: 1024 bytes" "$(fnv "$tmp/b1024")"
    req --data-binary @"$tmp/b1025" "$base/env"
    want_code "max-body: 1025 bytes: 413" 413
    req -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/b1024" "$base/env"
    want_env "max-body: 1024 bytes chunked" "$(fnv "$tmp/b1024")"
    req -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/bin" "$base/env"
    want_code "max-body: 100000 bytes chunked: 413" 413

    # request head over 16 KiB: 431
    big=$(head -c 65536 /dev/zero | tr '\0' a)
    req -H "X-Big: $big" "$base/env"
    want_code "a 64 KiB header: 431" 431
    req -H "X-Big: ${big:0:20000}" "$base/env"
    want_code "a 20 KiB header: 431" 431
    req -H "X-Big: ${big:0:4000}" "$base/sleep?1"
    want_code "a 4 KiB header is fine" 200

    # a request line over the head limit: 414
    req "$base/env/${big:0:20000}"
    want_code "a 20 KiB request target: 414" 414
    # Expect: 100-continue is answered by the body limit before the body comes
    req -H 'Expect: 100-continue' --data-binary @"$tmp/b1025" "$base/env"
    want_code "max-body: Expect: 100-continue with 1025 bytes: 413" 413
    req -H 'Expect: 100-continue' --data-binary @"$tmp/b1024" "$base/sleep?1"
    want_code "max-body: Expect: 100-continue with 1024 bytes" 200

    # --max-output 1KiB (the 26 bytes of the header count)
    req "$base/bigout?900"
    want_code "max-output: 926 bytes" 200
    check "max-output: 926 bytes" "body of $(wc -c <"$tmp/body") bytes" \
        [ "$(wc -c <"$tmp/body")" = 900 ]
    req "$base/bigout?2000"
    want_code "max-output: 2026 bytes: 500" 500
    req "$base/bigout?10000000"
    want_code "max-output: 10 MB: 500" 500

    # smuggling: Content-Length with Transfer-Encoding is refused and closes the
    # connection; the request behind it never runs
    {
        httphead 'POST /hit?smuggler HTTP/1.1' 'Host: x' 'Content-Length: 5' \
            'Transfer-Encoding: chunked'
        printf '0\r\n\r\n'
        httphead 'GET /hit?smuggled HTTP/1.1' 'Host: x'
    } | raw "$PORT"
    n="Content-Length + Transfer-Encoding"
    check "$n: one 400" "statuses '$(statuses)', want '400'" [ "$(statuses)" = 400 ]
    check "$n: connection closed" "still open" [ "$(cat "$tmp/raw.state")" = "[closed]" ]
    {
        httphead 'POST /hit?smuggler HTTP/1.1' 'Host: x' 'Content-Length: 3' 'Content-Length: 30'
        printf abc
        httphead 'GET /hit?smuggled HTTP/1.1' 'Host: x'
    } | raw "$PORT"
    n="two different Content-Lengths"
    check "$n: one 400" "statuses '$(statuses)', want '400'" [ "$(statuses)" = 400 ]
    check "$n: connection closed" "still open" [ "$(cat "$tmp/raw.state")" = "[closed]" ]
    httphead 'GET /hit?twohosts HTTP/1.1' 'Host: a.example' 'Host: b.example' 'Connection: close' |
        raw "$PORT"
    check "two Host headers: 400" "statuses '$(statuses)'" [ "$(statuses)" = 400 ]
    # the positive control: pipelined requests do run, in order
    {
        httphead 'GET /hit?p1 HTTP/1.1' 'Host: x'
        httphead 'GET /hit?p2 HTTP/1.1' 'Host: x' 'Connection: close'
    } | raw "$PORT"
    check "pipelined /hit" "statuses '$(statuses)'" [ "$(statuses)" = "200 200" ]
    sleep 0.2
    printf 'hit p1\nhit p2\n' >"$tmp/want"
    check "only the valid requests ran" \
        "hits: '$(short "$(cat "$tmp/data/hits" 2>&1)")', want p1 and p2" \
        cmp -s "$tmp/want" "$tmp/data/hits"
    {
        httphead 'GET /env?1 HTTP/1.1' 'Host: x'
        httphead 'POST /env?2 HTTP/1.1' 'Host: x' 'Content-Length: 3'
        printf abc
        httphead 'GET /env?3 HTTP/1.1' 'Host: x'
        httphead 'GET /healthz HTTP/1.1' 'Host: x'
        httphead 'GET /env?5 HTTP/1.1' 'Host: x' 'Connection: close'
    } | raw "$PORT"
    n="pipelined requests"
    check "$n" "statuses '$(statuses)'" [ "$(statuses)" = "200 200 200 200 200" ]
    order=$(grep -a '^body QUERY_STRING=\|^body OK$' "$tmp/raw" | cut -c 6- | tr '\n' ' ')
    check "$n: in order" "got '$order'" \
        [ "$order" = "QUERY_STRING=1 QUERY_STRING=2 QUERY_STRING=3 OK QUERY_STRING=5 " ]
    check "$n: the POST body" "no '@stdin=3'" grep -aq '^body @stdin=3 ' "$tmp/raw"
    check "$n: Connection: close honoured" "still open" [ "$(cat "$tmp/raw.state")" = "[closed]" ]
fi

# --max-concurrency 1: of six slow requests at once, some get 503 and none waits forever
cat >"$tmp/conc.toml" <<EOF
[[module]]
route = "/sleep"
module = "$g/behave.wasm"
environment = { MODE = "sleep" }
EOF
if serve conc "$tmp/conc.toml" --max-concurrency 1 --workers 2; then
    cps=()
    for i in 1 2 3 4 5 6; do
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 "http://127.0.0.1:$PORT/sleep?600" \
            >"$tmp/conc.$i" &
        cps+=($!)
    done
    wait "${cps[@]}"
    codes=$(cat "$tmp"/conc.? | sort | tr '\n' ' ')
    ok200=$(grep -c 200 <<<"${codes// /$'\n'}")
    ok503=$(grep -c 503 <<<"${codes// /$'\n'}")
    if [ "$ok200" -ge 1 ] && [ "$ok503" -ge 1 ] && [ $((ok200 + ok503)) = 6 ]; then
        pass
    else
        fail "max-concurrency 1" "statuses $codes, want some 200 and some 503"
    fi
    req "http://127.0.0.1:$PORT/sleep?1"
    want_code "max-concurrency 1: serves after" 200
    stop conc "$PID"
fi

# ---- 5. isolation ------------------------------------------------------------------------

cat >"$tmp/iso.toml" <<EOF
[[module]]
route = "/state"
module = "$g/state.wasm"

[[module]]
route = "/state_wat"
module = "$g/state_wat.wasm"
EOF
if serve iso "$tmp/iso.toml" --workers 2; then
    data=$(python3 -c '
d = bytearray(4096)
d[0:16] = bytes([1, 2, 3, 4, 5, 6, 7, 8]) + b"corral" + bytes([0, 255])
d[1000], d[2000], d[4095] = 42, 43, 44
h = 0xcbf29ce484222325
for b in d:
    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
print(f"{h:016x}")')
    for route in state state_wat; do
        for _ in $(seq 1000); do
            echo "url = \"http://127.0.0.1:$PORT/$route\""
        done >"$tmp/urls"
        curl -s --max-time $((60 * slow)) --config "$tmp/urls" >"$tmp/iso.out"
        lines=$(sort "$tmp/iso.out" | uniq -c | sed 's/^ *//')
        first=$(head -1 "$tmp/iso.out")
        case $route in
        state) want="^counter=0 data=$data bss=0 heap=[0-9]+ pages=[0-9]+\$" ;;
        *) want='^G=0 M=0 S=1 T=0$' ;;
        esac
        if [ "$(wc -l <"$tmp/iso.out")" = 1000 ] && [ "$(wc -l <<<"$lines")" = 1 ] &&
            grep -qE "$want" <<<"$first"; then
            pass
        else
            fail "isolation: 1000 requests to $route" "got $(short "$lines"), want 1000 x /$want/"
        fi
    done
    stop iso "$PID"
fi
# A module in the text format is read by src/text, like a binary one.
printf '[[module]]\nroute = "/x"\nmodule = "%s"\n' "$here/guests/state.wat" >"$tmp/wat.toml"
if serve wat "$tmp/wat.toml"; then
    req "http://127.0.0.1:$PORT/x"
    check "a .wat module serves" "got $CODE '$(short "$(cat "$tmp/body")")'" \
        grep -qx 'G=0 M=0 S=1 T=0' "$tmp/body"
    stop wat "$PID"
fi

# ---- SIGINT and SIGTERM ----
# A regression: the watchdog thread, started while the app loads, kept SIGTERM unblocked
# (the main thread blocked it only after loading), so a SIGTERM between Ready and sigwait
# went to the watchdog and its default action killed the server (status 143, once in a few
# hundred starts). Now both are blocked in every thread but the one that takes them.
# unblocked_threads PID: the threads of PID with SIGINT or SIGTERM unblocked (SigBlk bits 1
# and 14), one "TID main|other" line each.
unblocked_threads() {
    local t blk
    for t in /proc/"$1"/task/*; do
        blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "$t/status" 2>/dev/null)
        [ -n "$blk" ] || continue
        if [ $((0x$blk & 0x4002)) != $((0x4002)) ]; then
            [ "${t##*/}" = "$1" ] && echo "${t##*/} main" || echo "${t##*/} other"
        fi
    done
}
if serve sigmask "$tmp/wat.toml"; then
    req "http://127.0.0.1:$PORT/x" # the workers and the watchdog have run
    u=$(unblocked_threads "$PID")
    check "signals: after Ready, at most one thread (not main) takes SIGINT/SIGTERM" \
        "unblocked in: $(short "$u")" \
        test "$(grep -c . <<<"$u")" -le 1 -a -z "$(grep main <<<"$u")"
    stop sigmask "$PID"
fi
# Quick starts and stops: every SIGTERM right after Ready is a clean stop (stop checks 0).
for i in $(seq 20); do
    serve "quick$i" "$tmp/wat.toml" || break
    stop "quick$i" "$PID"
done
# A signal during a long start-up (a C compiler that never ends, for --tier jit) ends it at
# once with the signal's status, and the compiler with it.
cat >"$tmp/slowcc" <<'SH'
#!/bin/sh
case "$1" in --version) echo "slowcc 1.0"; exit 0 ;; esac
echo $$ >"$SLOWCC_MARK"
exec sleep 300
SH
chmod +x "$tmp/slowcc"
# cstate: the state of process $cpid from /proc: empty when gone, Z for a zombie (killed, not
# yet reaped by init).
cstate() { sed -n 's/^.*) \(.\).*/\1/p' "/proc/$cpid/stat" 2>/dev/null; }
for sig in TERM INT; do
    mark=$tmp/slowcc.$sig
    mkdir -p "$tmp/startup.logs"
    CORRAL_CC=$tmp/slowcc SLOWCC_MARK=$mark "$corral" serve -c "$tmp/wat.toml" -l 127.0.0.1:0 \
        --tier jit --no-cache --log-dir "$tmp/startup.logs" --access-log off \
        >"$tmp/startup.out" 2>"$tmp/startup.err" </dev/null &
    spid=$!
    pids+=("$spid")
    for _ in $(seq $((200 * slow))); do
        [ -s "$mark" ] && break
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.05
    done
    if [ ! -s "$mark" ]; then
        fail "signals: SIG$sig during start-up" \
            "the compiler never started: $(short "$(cat "$tmp/startup.err")")"
        kill -KILL "$spid" 2>/dev/null
        wait "$spid" 2>/dev/null
        continue
    fi
    status=0
    kill -"$sig" "$spid"
    wait "$spid" 2>/dev/null || status=$?
    want=$([ "$sig" = TERM ] && echo 143 || echo 130)
    check "signals: SIG$sig during start-up ends it with $want" "status $status" \
        test "$status" = "$want"
    check "signals: SIG$sig during start-up says so" "$(short "$(cat "$tmp/startup.err")")" \
        grep -q "SIG$sig received while starting" "$tmp/startup.err"
    cpid=$(cat "$mark")
    for _ in $(seq $((100 * slow))); do
        case $(cstate) in "" | Z*) break ;; esac
        sleep 0.05
    done
    st=$(cstate)
    check "signals: SIG$sig during start-up stops the compiler" "compiler state '$st'" \
        test -z "$st" -o "${st#Z}" != "$st"
    case $st in "" | Z*) ;; *) kill -KILL "$cpid" 2>/dev/null ;; esac
done

# One worker, so every request reuses the same worker's state: nothing of a request (open
# descriptors, unread stdin, environment, another module's volumes) may reach the next one.
mkdir -p "$tmp/fdsdata"
: >"$tmp/fdsdata/f"
cat >"$tmp/iso1.toml" <<EOF
[[module]]
route = "/env"
module = "$g/env.wasm"

[[module]]
route = "/peek"
module = "$g/behave.wasm"
environment = { MODE = "peek" }

[[module]]
route = "/fds"
module = "$g/behave.wasm"
environment = { MODE = "fds" }
volumes = { "/data" = "$tmp/fdsdata" }

[[module]]
route = "/nofds"
module = "$g/behave.wasm"
environment = { MODE = "fds" }
EOF
if serve iso1 "$tmp/iso1.toml" --workers 1; then
    base=http://127.0.0.1:$PORT
    got=''
    for _ in $(seq 10); do
        req "$base/fds"
        got="$got$(cat "$tmp/body")|"
        req "$base/nofds"
        got="$got$(cat "$tmp/body")|"
    done
    want=$(for _ in $(seq 10); do printf 'open=4 valid=3,4,|open=-1 valid=|'; done)
    check "isolation: descriptors and volumes per request" "got '$(short "$got")'" \
        [ "$got" = "$want" ]
    req --data-binary @"$tmp/bin" "$base/peek"
    want_body "isolation: a module that reads 1 byte of its stdin" 'peeked 1\n'
    req "$base/env"
    want_env "isolation: the next request's stdin" '@stdin=0 fnv=cbf29ce484222325' CONTENT_LENGTH=0
    req -H 'X-Secret: s3cret' "$base/env?secret"
    want_env "isolation: a header" HTTP_X_SECRET=s3cret
    req "$base/env"
    want_noenv "isolation: the next request's environment" HTTP_X_SECRET
    want_env "isolation: the next request's argv" '@argc=1' QUERY_STRING=
    stop iso1 "$PID"
fi

# ---- 6. startup errors -------------------------------------------------------------------

# start_fails NAME STATUS MESSAGE ARGS...: `corral serve ARGS` exits with STATUS (no crash,
# no Ready line) and its stderr contains MESSAGE (a fixed string).
start_fails() {
    local name=$1 want=$2 msg=$3
    shift 3
    try_serve "$@"
    check "startup: $name" "exit status $status, want $want: $(short "$(cat "$tmp/err")")" \
        [ "$status" = "$want" ]
    check "startup: $name: message" "'$(short "$(cat "$tmp/err")")', want '$msg'" \
        grep -qF -- "$msg" "$tmp/err"
    check "startup: $name" "said Ready" not grep -q '^Ready' "$tmp/out"
    check "startup: $name: sanitizer" \
        "$(short "$(grep -m1 -E 'Sanitizer|runtime error:' "$tmp/err")")" \
        not grep -qE 'Sanitizer|runtime error:' "$tmp/err"
}

m() { printf '[[module]]\nroute = "/x"\nmodule = "%s"\n%b' "$1" "${2:-}"; }
m "$g/env.wasm" >"$tmp/good.toml"
printf '[[module]]\nroute = "/x"\nmodule = \n' >"$tmp/bad.toml"
printf 'not wasm at all\n' >"$tmp/text.wasm"
m "$tmp/text.wasm" >"$tmp/text.toml"
m "$here/guests/state.wat" >"$tmp/wat.toml"
m "$tmp/missing.wasm" >"$tmp/missing.toml"
printf '\0asm\1\0\0\0\1\5' >"$tmp/trunc.wasm"
m "$tmp/trunc.wasm" >"$tmp/trunc.toml"
m "ftp://example.com/hello.wasm" >"$tmp/scheme.toml"
m "$g/env.wasm" 'volumes = { "/data" = "/nonexistent/dir" }\n' >"$tmp/vol.toml"
printf '[[module]]\nmodule = "%s"\n' "$g/env.wasm" >"$tmp/noroute.toml"
printf '[[module]]\nroute = "x"\nmodule = "%s"\n' "$g/env.wasm" >"$tmp/badroute.toml"
printf 'junk\n' >"$tmp/junk.pem"

start_fails "no -c" 2 "You must specify module config file or bindle ID"
start_fails "missing config file" 1 "$tmp/none.toml" -c "$tmp/none.toml"
start_fails "bad TOML" 1 "bad.toml:3:" -c "$tmp/bad.toml"
check "startup: bad TOML: line:col" "'$(short "$(cat "$tmp/err")")'" \
    grep -qE 'bad\.toml:3:[0-9]+: ' "$tmp/err"
start_fails "not wasm" 1 "not a WebAssembly binary" -c "$tmp/text.toml"
printf '(module (func (export "_start") (i32.frob)))' >"$tmp/bad.wat"
m "$tmp/bad.wat" >"$tmp/badwat.toml"
start_fails "malformed .wat module" 1 "bad.wat:1:34: unknown operator" -c "$tmp/badwat.toml"
start_fails "missing module file" 1 "missing.wasm" -c "$tmp/missing.toml"
start_fails "truncated module" 1 "trunc.wasm" -c "$tmp/trunc.toml"
start_fails "unknown scheme" 1 "scheme.toml:1: Unknown scheme ftp in module reference ftp://" -c "$tmp/scheme.toml"
start_fails "missing volume" 1 "/nonexistent/dir" -c "$tmp/vol.toml"
start_fails "no route" 1 "route" -c "$tmp/noroute.toml"
start_fails "route without /" 1 "'x'" -c "$tmp/badroute.toml"
start_fails "-b without a source" 2 "A bindle ID requires either a server URL or standalone directory" -b example.com/hello/1.0.0
start_fails "-c and --bindle" 2 "You cannot specify both module config file and bindle ID" -c "$tmp/good.toml" --bindle example.com/hello/1.0.0
start_fails "--tls-cert without --tls-key" 2 "--tls-key" -c "$tmp/good.toml" \
    --tls-cert "$tmp/junk.pem"
start_fails "unusable TLS certificate" 1 "junk.pem" -c "$tmp/good.toml" -l 127.0.0.1:0 \
    --tls-cert "$tmp/junk.pem" --tls-key "$tmp/junk.pem"
# a port held by another process for the length of the check
python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(60)' >"$tmp/holder.port" &
holder=$!
pids+=("$holder")
for _ in $(seq 100); do
    [ -s "$tmp/holder.port" ] && break
    sleep 0.05
done
start_fails "--listen on a port in use" 1 "ddress already in use" -c "$tmp/good.toml" \
    -l "127.0.0.1:$(cat "$tmp/holder.port")"
kill "$holder"
wait "$holder" 2>/dev/null
for l in nonsense 127.0.0.1:99999 127.0.0.1: 300.1.1.1:80 127.0.0.1:80x ''; do
    try_serve -c "$tmp/good.toml" -l "$l"
    case $status in
    1 | 2) pass ;;
    *)
        fail "startup: --listen '$l'" \
            "exit status $status, want 1 or 2: $(short "$(cat "$tmp/err")")"
        ;;
    esac
    if [ -s "$tmp/err" ] && grep -qF -- "$l" "$tmp/err"; then
        pass
    else
        fail "startup: --listen '$l': message" "'$(short "$(cat "$tmp/err")")' does not name it"
    fi
done
# A --log-dir that cannot be made: a file is in the way.
: >"$tmp/a-file"
start_fails "--log-dir under a file" 1 "cannot create the log directory $tmp/a-file/logs: Not a directory" \
    -c "$tmp/good.toml" -l 127.0.0.1:0 --log-dir "$tmp/a-file/logs"
m "$g/env.wasm" 'unknown_imports = "maybe"\n' >"$tmp/badunknown.toml"
start_fails "unknown_imports with a bad value" 1 \
    "badunknown.toml:4: 'unknown_imports' must be \"error\", \"trap\" or \"default\"" \
    -c "$tmp/badunknown.toml"
start_fails "--trap-unknown-imports and --default-values-unknown-imports" 2 "exclude each other" \
    -c "$tmp/good.toml" --trap-unknown-imports --default-values-unknown-imports
start_fails "--trap-unknown-imports=x" 2 "--trap-unknown-imports takes no value" \
    -c "$tmp/good.toml" --trap-unknown-imports=x
start_fails "--env with an empty name" 2 "'=x'" -c "$tmp/good.toml" --env =x
start_fails "--env without =" 2 "'NOVALUE'" -c "$tmp/good.toml" --env NOVALUE
try_serve -c "$tmp/good.toml" --env-file "$tmp/none.env"
check "startup: missing --env-file" "exit status $status, want 1 or 2" grep -qxE '1|2' <<<"$status"
check "startup: missing --env-file: message" "'$(short "$(cat "$tmp/err")")'" \
    grep -qF "$tmp/none.env" "$tmp/err"
m "$g/env.wasm" 'colour = "blue"\n' >"$tmp/unknown.toml"
if serve unknown "$tmp/unknown.toml"; then
    check "startup: unknown key: warning" "'$(short "$(cat "$tmp/unknown.err")")'" \
        grep -q "unknown.toml:4: unknown key 'colour'" "$tmp/unknown.err"
    req "http://127.0.0.1:$PORT/x"
    want_code "startup: unknown key: serves" 200
    stop unknown "$PID"
fi

# ---- the survivors: slow clients cut, servers alive, clean stop ------------------------------

if [ -n "${lim_pid:-}" ]; then
    if kill -0 "$lim_pid" 2>/dev/null; then
        pass
    else
        fail "limits: alive at the end" "the server died"
    fi
    req "http://127.0.0.1:$lim_port/healthz"
    want_body "limits: /healthz at the end" OK
    stop limits "$lim_pid"
fi
if [ -n "${resp_pid:-}" ]; then
    req "http://127.0.0.1:$resp_port/healthz"
    want_body "resp: /healthz at the end" OK
    stop resp "$resp_pid"
fi
if [ -n "${env_pid:-}" ]; then
    req "http://127.0.0.1:$env_port/healthz"
    want_body "env: /healthz at the end" OK
    stop env "$env_pid"
fi
if [ -n "$slow_port" ]; then
    wait "${slow_pids[@]}"
    for i in 1 2 3; do
        r=$(cat "$tmp/slowloris.$i")
        t=$(sed -n 's/^closed after \([0-9]*\).*/\1/p' <<<"$r")
        if [ -n "$t" ] && [ "$t" -ge 25 ] && [ "$t" -le 40 ]; then
            pass
        else
            fail "slowloris $i: cut after the 30 s head timeout" "'$(short "$r")'"
        fi
    done
    req "http://127.0.0.1:$slow_port/env"
    want_code "slowloris: serves after" 200
    stop slow "$slow_pid"
fi

echo "gateway: $passed passed, $failed failed"
[ "$failed" = 0 ]

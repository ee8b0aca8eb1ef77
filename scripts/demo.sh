#!/usr/bin/env bash
# demo.sh: `make demo`, Corral's main job: builds the example web apps (examples/serve/) and
# serves them with `corral serve` on 127.0.0.1:3000 until Ctrl-C, after showing each app
# answering a real request.
#
#   scripts/demo.sh           build, check every app once, then serve in the foreground
#   scripts/demo.sh --check   build, check every app once over HTTP, stop
#
# Environment: CORRAL (default build/corral), DEMO_LISTEN (default 127.0.0.1:3000): the
# address to serve on, HOST:PORT; port 0 takes any free port (the URLs shown say which).
# `make demo DEMO_LISTEN=127.0.0.1:8080` passes it through. An address already in use stops
# the demo at once, before the apps are built, with "port in use" and the address.
# Expects `make` to have built the CLI (the Makefile's demo target does).
set -euo pipefail
case "${CORRAL:-}" in */*) CORRAL=$(realpath -m -- "$CORRAL") ;; esac
cd "$(dirname "$0")/.."

CORRAL=${CORRAL:-build/corral}
LISTEN=${DEMO_LISTEN:-127.0.0.1:3000}
check_only=0
[ "${1:-}" = --check ] && check_only=1

[ -x "$CORRAL" ] || { echo "demo: $CORRAL not found; run make first" >&2; exit 1; }
command -v curl >/dev/null || { echo "demo: curl not found (scripts/deps.sh installs it)" >&2; exit 1; }

# in_use: true when something accepts connections at $LISTEN already (a wildcard address is
# probed on the loopback). Another server there would answer the demo's requests itself.
in_use() {
    local host=${LISTEN%:*} port=${LISTEN##*:}
    host=${host#[}
    host=${host%]}
    case $host in '' | 0.0.0.0) host=127.0.0.1 ;; ::) host=::1 ;; esac
    # shellcheck disable=SC2016 # $0 and $1 are the inner bash's
    [ "$port" != 0 ] && timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
}

# choose_another WHAT: how to pick another address, after a failure to listen.
choose_another() {
    echo "demo: $1, or choose another address for the demo, e.g." >&2
    echo "demo:   make demo DEMO_LISTEN=127.0.0.1:3001   (port 0: any free port)" >&2
}

if in_use; then
    echo "demo: port in use: another server is already listening on $LISTEN." >&2
    choose_another "stop that server"
    exit 1
fi

echo "== Building the example apps (examples/serve/)"
scripts/build_examples.sh >/dev/null
echo "built: $(cd build/examples/serve && echo *.wasm)"
echo

LOG=build/examples/serve/logs
mkdir -p "$LOG"
# The server's stdout goes to a file: its last line, "Ready: serving on URL", says that it
# listens, and where (the port, when DEMO_LISTEN asked for port 0).
ready=build/examples/serve/serve.out
: >"$ready"
# fetch.wasm requests this gateway's own /hello: that takes a second worker.
workers=$(nproc 2>/dev/null || echo 2)
[ "$workers" -ge 2 ] || workers=2
# The counter's store "default" lives in .corral/ (the default --state-dir), so visits
# count on across demos.
"$CORRAL" serve -c examples/serve/modules.toml -l "$LISTEN" --log-dir "$LOG" \
    --access-log build/examples/serve/access.log --workers "$workers" >"$ready" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

base=
for _ in $(seq 1 200); do
    base=$(sed -n 's/^Ready: serving on //p' "$ready")
    [ -n "$base" ] && break
    if ! kill -0 $server 2>/dev/null; then
        echo "demo: corral serve could not listen on $LISTEN (its message is above)." >&2
        choose_another "if another program holds that address, stop it"
        exit 1
    fi
    sleep 0.05
done
[ -n "$base" ] || { echo "demo: corral serve did not get ready in 10 s" >&2; exit 1; }
cat "$ready"
echo

failures=0
# shell_words ARG...: the arguments as they must be typed in a shell: plain words as they
# are, anything else in single quotes, so a command shown can be pasted as it is.
shell_words() {
    local a words=() q="'"
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
            words+=("$a")
        else
            words+=("$q${a//$q/$q\\$q$q}$q")
        fi
    done
    printf '%s\n' "${words[*]}"
}

# try WANT CURL_ARGS...: one request; its body must contain WANT.
try() {
    local want=$1 got
    shift
    echo "\$ curl $(shell_words "$@")"
    got=$(curl -s --max-time 10 "$@" 2>&1) || true
    printf '%s\n' "$got" | head -n 8
    if [[ "$got" == *"$want"* ]]; then
        echo "  ok"
    else
        echo "  ^ FAILED: expected the answer to contain: $want"
        failures=$((failures + 1))
    fi
    echo
}

# try_counter URL: two requests; the second must count one visit more than the first.
try_counter() {
    local first second
    echo "\$ curl $(shell_words "$1")    # twice"
    first=$(curl -s --max-time 10 "$1" 2>&1) || true
    second=$(curl -s --max-time 10 "$1" 2>&1) || true
    printf '%s\n%s\n' "$first" "$second"
    first=${first#Visits: } second=${second#Visits: }
    if [[ $first =~ ^[0-9]+$ && $second =~ ^[0-9]+$ ]] && [ "$second" -eq $((first + 1)) ]; then
        echo "  ok"
    else
        echo "  ^ FAILED: expected 'Visits: N' and then 'Visits: N+1'"
        failures=$((failures + 1))
    fi
    echo
}

echo "== Each app answering over HTTP"
try "Hello from Corral!" "$base/hello"
try "REQUEST_METHOD=GET" "$base/env/some/path?x=1&y=2"
try '"form":{"a":"1","b":"2"}' -d 'a=1&b=2' "$base/echo"
try '"json":{"n":[1,2,3]}' -H 'Content-Type: application/json' -d '{"n":[1,2,3]}' "$base/echo"
try "Corral static example" "$base/static/"
try "say_hello" "$base/routes/hello"
try "Hello from Rust!" "$base/rust"
try_counter "$base/counter"
try "Hello from Corral!" "$base/fetch"
try "failed: destination_not_allowed" "$base/fetch?url=https://example.com/"
try "OK" "$base/healthz"
try "corral_http_requests_total" "$base/metrics"

if [ "$failures" -ne 0 ]; then
    echo "demo: $failures request(s) did not answer as they should" >&2
    exit 1
fi
echo "demo: every app answered"
[ "$check_only" = 1 ] && exit 0

echo
echo "Serving on $base (Ctrl-C to stop). Try: curl $(shell_words "$base/hello"); module logs in $LOG/,"
echo "access log in build/examples/serve/access.log."
trap - EXIT
wait $server

#!/usr/bin/env bash
# demo.sh: `make demo`, Corral's main job: builds the example web apps (examples/serve/) and
# serves them with `corral serve` on 127.0.0.1:3000 until Ctrl-C, after showing each app
# answering a real request.
#
#   scripts/demo.sh           build, check every app once, then serve in the foreground
#   scripts/demo.sh --check   build, check every app once over HTTP, stop (used by make test)
#
# Environment: CORRAL (default build/corral), DEMO_LISTEN (default 127.0.0.1:3000).
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

echo "== Building the example apps (examples/serve/)"
scripts/build_examples.sh >/dev/null
echo "built: $(cd build/examples/serve && echo *.wasm)"
echo

LOG=build/examples/serve/logs
mkdir -p "$LOG"
# fetch.wasm requests this gateway's own /hello: that takes a second worker.
workers=$(nproc 2>/dev/null || echo 2)
[ "$workers" -ge 2 ] || workers=2
# The counter's store "default" lives in .corral/ (the default --state-dir), so visits
# count on across demos.
"$CORRAL" serve -c examples/serve/modules.toml -l "$LISTEN" --log-dir "$LOG" \
    --access-log build/examples/serve/access.log --workers "$workers" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

base=http://$LISTEN
for _ in $(seq 1 100); do
    curl -s -o /dev/null "$base/healthz" && break
    kill -0 $server 2>/dev/null || { echo "demo: corral serve exited; see above" >&2; exit 1; }
    sleep 0.05
done

failures=0
# try WANT CURL_ARGS...: one request; its body must contain WANT.
try() {
    local want=$1 got
    shift
    echo "\$ curl $*"
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
    echo "\$ curl $1    # twice"
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
echo "Serving on $base (Ctrl-C to stop). Try: curl $base/hello ; module logs in $LOG/,"
echo "access log in build/examples/serve/access.log."
trap - EXIT
wait $server

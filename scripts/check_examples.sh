#!/usr/bin/env bash
# check_examples.sh: runs each `corral serve` example (examples/serve/) with `corral run`,
# setting the CGI variables by hand as the gateway would, and checks the whole CGI response
# each prints (headers, blank line, body). Needs scripts/build_examples.sh to have run.
# CORRAL overrides build/corral. Exits non-zero if any response differs.
set -euo pipefail
case "${CORRAL:-}" in */*) CORRAL=$(realpath -m -- "$CORRAL") ;; esac
cd "$(dirname "$0")/.."

CORRAL=${CORRAL:-build/corral}
B=build/examples/serve
[ -x "$CORRAL" ] || { echo "check_examples: $CORRAL not found; run make first" >&2; exit 1; }
[ -f "$B/hello.wasm" ] || { echo "check_examples: run scripts/build_examples.sh first" >&2; exit 1; }

failures=0
NL=$'\n'

# check NAME STDIN WANT CMD...: runs CMD with STDIN on its standard input and checks that it
# exits 0 having printed WANT (trailing newlines aside). WANT starting with "~" is instead an
# extended regular expression the whole output must match.
check() {
    local name=$1 input=$2 want=$3 got status=0
    shift 3
    got=$(printf '%s' "$input" | "$@" 2>&1) || status=$?
    if [ "$status" -ne 0 ]; then
        echo "FAIL $name: exit status $status"
    elif [[ $want == "~"* ]] && [[ $got =~ ${want#"~"} ]]; then
        echo "ok   $name"
        return
    elif [[ $want != "~"* ]] && [ "$got" = "$want" ]; then
        echo "ok   $name"
        return
    else
        echo "FAIL $name"
    fi
    printf '  command: %s\n  got:\n%s\n  want:\n%s\n' "$*" "$got" "$want"
    failures=$((failures + 1))
}

RUN=("$CORRAL" run)
TEXT="Content-Type: text/plain; charset=utf-8"
JSON="Content-Type: application/json"
NOSNIFF="X-Content-Type-Options: nosniff"
FORM=application/x-www-form-urlencoded
STATIC=(--dir examples/serve/static::/static --env SCRIPT_NAME=/static)

echo "== hello.c"
check "hello: GET /hello with GREETING" "" \
    "$TEXT${NL}${NL}Hello from Corral!${NL}Greeting: Howdy${NL}Method: GET${NL}Path: /hello" \
    "${RUN[@]}" --env REQUEST_METHOD=GET --env SCRIPT_NAME=/hello --env GREETING=Howdy \
    "$B/hello.wasm"
check "hello: no CGI variables at all" "" \
    "$TEXT${NL}${NL}Hello from Corral!${NL}Method: GET${NL}Path: /" "${RUN[@]}" "$B/hello.wasm"

echo "== env.c"
check "env: sorted by name, then argv" "" \
    "$TEXT${NL}${NL}# Environment: 4 variables${NL}A=2${NL}A1=3${NL}PATH_INFO=/a/b${NL}QUERY_STRING=x=1&y=2${NL}${NL}# argv: argc = 3${NL}argv[0] = /env/a/b${NL}argv[1] = x=1${NL}argv[2] = y=2" \
    "${RUN[@]}" --env A1=3 --env 'QUERY_STRING=x=1&y=2' --env A=2 --env PATH_INFO=/a/b \
    --argv0 /env/a/b "$B/env.wasm" x=1 y=2

echo "== echo.c"
check "echo: form body" "a=1&b=2" \
    "$JSON${NL}${NL}{\"method\":\"POST\",\"query\":{},\"form\":{\"a\":\"1\",\"b\":\"2\"}}" \
    "${RUN[@]}" --env REQUEST_METHOD=POST --env CONTENT_TYPE=$FORM --env CONTENT_LENGTH=7 \
    "$B/echo.wasm"
check "echo: query, decoding, repeated names, escaping" "n=J%C3%B6rg+M&t=a&t=b&q%22=%0a%FF" \
    "$JSON${NL}${NL}{\"method\":\"POST\",\"query\":{\"x\":\"a b\",\"y\":\"\"},\"form\":{\"n\":\"Jörg M\",\"t\":[\"a\",\"b\"],\"q\\\"\":\"\\n\\ufffd\"}}" \
    "${RUN[@]}" --env REQUEST_METHOD=POST --env "CONTENT_TYPE=$FORM; charset=UTF-8" \
    --env CONTENT_LENGTH=33 --env 'QUERY_STRING=x=a%20b&&y' "$B/echo.wasm"
check "echo: content type in HTTP_CONTENT_TYPE only (WAGI)" "a=1" \
    "$JSON${NL}${NL}{\"method\":\"GET\",\"query\":{},\"form\":{\"a\":\"1\"}}" \
    "${RUN[@]}" --env CONTENT_TYPE= --env HTTP_CONTENT_TYPE=$FORM --env CONTENT_LENGTH=3 \
    "$B/echo.wasm"
check "echo: JSON body" ' {"n": [1, 2.5e3], "s": "\u00e9"} ' \
    "$JSON${NL}${NL}{\"method\":\"PUT\",\"json\":{\"n\": [1, 2.5e3], \"s\": \"\\u00e9\"}}" \
    "${RUN[@]}" --env REQUEST_METHOD=PUT --env CONTENT_TYPE=application/json \
    --env CONTENT_LENGTH=33 "$B/echo.wasm"
check "echo: invalid JSON is 400" '{"a":1,}' \
    "Status: 400 Bad Request${NL}$JSON${NL}${NL}{\"error\":\"the body is not valid JSON\"}" \
    "${RUN[@]}" --env CONTENT_TYPE=application/json --env CONTENT_LENGTH=8 "$B/echo.wasm"
check "echo: body shorter than CONTENT_LENGTH is 400" "a=1" \
    "Status: 400 Bad Request${NL}$JSON${NL}${NL}{\"error\":\"the body ended after 3 of 10 bytes\"}" \
    "${RUN[@]}" --env CONTENT_TYPE=$FORM --env CONTENT_LENGTH=10 "$B/echo.wasm"
check "echo: body longer than CONTENT_LENGTH: the rest is not read" "a=1&b=2" \
    "$JSON${NL}${NL}{\"method\":\"GET\",\"query\":{},\"form\":{\"a\":\"1\"}}" \
    "${RUN[@]}" --env CONTENT_TYPE=$FORM --env CONTENT_LENGTH=3 "$B/echo.wasm"
check "echo: CONTENT_LENGTH over the cap is 413" "" \
    "Status: 413 Payload Too Large${NL}$JSON${NL}${NL}{\"error\":\"the body is larger than 1048576 bytes\"}" \
    "${RUN[@]}" --env CONTENT_TYPE=$FORM --env CONTENT_LENGTH=99999999999999999999999 \
    "$B/echo.wasm"
check "echo: CONTENT_LENGTH not a number is 400" "" \
    "Status: 400 Bad Request${NL}$JSON${NL}${NL}{\"error\":\"CONTENT_LENGTH is not a number\"}" \
    "${RUN[@]}" --env CONTENT_LENGTH=-1 "$B/echo.wasm"
check "echo: other media types are 415" "hi" \
    "Status: 415 Unsupported Media Type${NL}$JSON${NL}${NL}{\"error\":\"send application/x-www-form-urlencoded or application/json\"}" \
    "${RUN[@]}" --env CONTENT_TYPE=text/plain --env CONTENT_LENGTH=2 "$B/echo.wasm"

echo "== static.c"
check "static: a file, by extension" "" \
    "$TEXT${NL}$NOSNIFF${NL}${NL}$(cat examples/serve/static/hello.txt)" \
    "${RUN[@]}" "${STATIC[@]}" --env PATH_INFO=/hello.txt "$B/static.wasm"
check "static: index.html for a directory" "" \
    "Content-Type: text/html; charset=utf-8${NL}$NOSNIFF${NL}${NL}$(cat examples/serve/static/index.html)" \
    "${RUN[@]}" "${STATIC[@]}" --env PATH_INFO=/ "$B/static.wasm"
check "static: a missing file is 404" "" \
    "Status: 404 Not Found${NL}$TEXT${NL}$NOSNIFF${NL}${NL}Not found: /static/missing.txt" \
    "${RUN[@]}" "${STATIC[@]}" --env PATH_INFO=/missing.txt "$B/static.wasm"
check "static: '..' is 400" "" \
    "Status: 400 Bad Request${NL}$TEXT${NL}$NOSNIFF${NL}${NL}'..' is not allowed in the path: /static/notes/../../x" \
    "${RUN[@]}" "${STATIC[@]}" --env PATH_INFO=/notes/../../x "$B/static.wasm"
check "static: a directory without its '/' is 301" "" \
    "Status: 301 Moved Permanently${NL}Location: http://127.0.0.1:3000/static/notes/?a=1${NL}$TEXT${NL}${NL}Moved to /static/notes/" \
    "${RUN[@]}" "${STATIC[@]}" --env PATH_INFO=/notes \
    --env 'X_FULL_URL=http://127.0.0.1:3000/static/notes?a=1' "$B/static.wasm"
check "static: a directory without index.html is listed" "" \
    "~^Content-Type: text/html; charset=utf-8${NL}$NOSNIFF${NL}${NL}<!DOCTYPE html>.*<a href=\"../\">.*<a href=\"data.json\">data.json</a>.*<a href=\"readme.txt\">readme.txt</a>" \
    "${RUN[@]}" "${STATIC[@]}" --env PATH_INFO=/notes/ "$B/static.wasm"
check "static: POST is 405" "" \
    "Allow: GET, HEAD${NL}Status: 405 Method Not Allowed${NL}$TEXT${NL}$NOSNIFF${NL}${NL}Method not allowed: POST" \
    "${RUN[@]}" "${STATIC[@]}" --env REQUEST_METHOD=POST --env PATH_INFO=/hello.txt \
    "$B/static.wasm"

echo "== routes.c"
check "routes: _routes" "" "/hello say_hello${NL}/bye/... say_bye" \
    "${RUN[@]}" --invoke _routes "$B/routes.wasm"
check "routes: say_hello" "" \
    "$TEXT${NL}${NL}Hello from say_hello, an export of routes.wasm!${NL}X_MATCHED_ROUTE: /routes/hello" \
    "${RUN[@]}" --env X_MATCHED_ROUTE=/routes/hello --invoke say_hello "$B/routes.wasm"
check "routes: say_bye" "" \
    "$TEXT${NL}${NL}Goodbye, alice!${NL}X_MATCHED_ROUTE: /routes/bye/..." \
    "${RUN[@]}" --env X_MATCHED_ROUTE=/routes/bye/... --env PATH_INFO=/alice \
    --invoke say_bye "$B/routes.wasm"
check "routes: _start" "" \
    "~^$TEXT${NL}${NL}routes.wasm: main\\(\\) answered /routes/x \\(the parent route" \
    "${RUN[@]}" --env SCRIPT_NAME=/routes --env PATH_INFO=/x "$B/routes.wasm"

echo "== rust/hello.rs"
check "rust: JSON with the body's size" "hello" \
    "~^Content-Type: application/json${NL}${NL}\\{${NL}  \"message\": \"Hello from Rust!\",${NL}  \"time\": \"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\",.*\"method\": \"POST\",${NL}  \"path\": \"/rust\",.*\"body_bytes\": 5,${NL}  \"args\": \\[\"/rust\", \"a=1\"\\]${NL}\\}$" \
    "${RUN[@]}" --env REQUEST_METHOD=POST --env SCRIPT_NAME=/rust --env CONTENT_LENGTH=5 \
    --env QUERY_STRING=a=1 --argv0 /rust "$B/hello_rust.wasm" a=1
check "rust: CONTENT_LENGTH over the cap is 413" "" \
    "Status: 413 Payload Too Large${NL}$JSON${NL}${NL}{\"error\": \"the body is larger than 1 MiB\"}" \
    "${RUN[@]}" --env CONTENT_LENGTH=2000000 "$B/hello_rust.wasm"

echo "== counter.c"
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
check "counter: the first visit, in a new SQLite store" "" \
    "$TEXT${NL}Cache-Control: no-store${NL}${NL}Visits: 1" \
    "${RUN[@]}" --kv-store default --state-dir "$state" "$B/counter.wasm"
check "counter: the second" "" "$TEXT${NL}Cache-Control: no-store${NL}${NL}Visits: 2" \
    "${RUN[@]}" --kv-store default --state-dir "$state" "$B/counter.wasm"
check "counter: no store granted is 500" "" \
    "Status: 500 Internal Server Error${NL}$TEXT${NL}${NL}The counter's store failed: ACCESS_DENIED" \
    "${RUN[@]}" "$B/counter.wasm"

echo "== fetch.c"
check "fetch: a URL outside the allow-list is refused" "" \
    "Status: 502 Bad Gateway${NL}$TEXT${NL}${NL}GET https://example.com/x${NL}failed: destination_not_allowed${NL}(its origin is not in this module's allowed_hosts in modules.toml)" \
    "${RUN[@]}" --allow-host http://127.0.0.1:3000 --env 'QUERY_STRING=url=https%3A//example.com/x' \
    "$B/fetch.wasm"
check "fetch: not a URL" "" \
    "Status: 502 Bad Gateway${NL}$TEXT${NL}${NL}GET ftp://x/${NL}failed: invalid_url" \
    "${RUN[@]}" --allow-host 'insecure:allow-all' --env 'QUERY_STRING=url=ftp://x/' \
    "$B/fetch.wasm"

if [ "$failures" -ne 0 ]; then
    echo "check_examples: $failures response(s) differ" >&2
    exit 1
fi
echo "check_examples: every example answered as expected"

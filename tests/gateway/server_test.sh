#!/usr/bin/env bash
# server_test.sh ECHO_SERVER: black-box tests of the gateway's HTTP server (src/gateway/server*.c)
# through tests/gateway/echo_server: framing, pipelining, body and head limits, slow clients,
# request smuggling, the concurrency bound, TLS, the access log, metrics and the stop.
# Servers listen on 127.0.0.1 port 0 and are killed on exit. Needs curl and python3; wrk and
# openssl parts are skipped when those are missing. Exits non-zero when a check fails.
set -u
BIN=${1:-build/tests/echo_server}
[ -x "$BIN" ] || { echo "server_test: no $BIN" >&2; exit 2; }
TMP=$(mktemp -d)
PIDS=()
FAILED=0
PASSED=0

cleanup() {
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -20 | sed 's/^/#   /'; }
# check NAME TEXT PATTERN: TEXT matches the extended regexp PATTERN.
check() { if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else not_ok "$1" "$2"; fi; }
# check_not NAME TEXT PATTERN: TEXT does not match PATTERN.
check_not() { if printf '%s' "$2" | grep -Eq -- "$3"; then not_ok "$1" "$2"; else ok "$1"; fi; }

# start NAME ARGS...: starts an echo server; sets PORT and PID, its stdout (the access log)
# goes to $TMP/NAME.log and stderr to $TMP/NAME.err.
start() {
    local name=$1
    shift
    : >"$TMP/$name.log"
    "$BIN" "$@" >>"$TMP/$name.log" 2>"$TMP/$name.err" &
    PID=$!
    PIDS+=("$PID")
    PORT=
    for _ in $(seq 100); do
        PORT=$(awk '/^PORT /{print $2; exit}' "$TMP/$name.log")
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "server_test: $name did not start: $(cat "$TMP/$name.err")" >&2
    exit 1
}

# stop PID: SIGTERM and wait; sets STOPPED to its exit status.
stop() {
    kill -TERM "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    STOPPED=$?
}

# raw PORT PAYLOAD [SECONDS_PER_BYTE] [TIMEOUT]: sends PAYLOAD (Python escapes: \r \n \x00)
# on one connection, prints everything read back, then <<EOF>> if the server closed the
# connection, <<RESET>> if it reset it, or <<TIMEOUT>> if it kept it open TIMEOUT seconds.
cat >"$TMP/raw.py" <<'EOF'
import codecs, socket, sys, time
port, payload = int(sys.argv[1]), codecs.decode(sys.argv[2], "unicode_escape").encode("latin-1")
slow = float(sys.argv[3]) if len(sys.argv) > 3 else 0
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 3
try:
    s = socket.create_connection(("127.0.0.1", port))
except OSError as e:
    sys.exit("<<REFUSED>> %s" % e)
out, end = b"", "<<TIMEOUT>>"
try:
    if slow:
        s.settimeout(0.001)
        for i in range(len(payload)):
            s.sendall(payload[i:i + 1])
            t = time.time() + slow
            while time.time() < t:
                try:
                    b = s.recv(65536)
                    if not b:
                        raise EOFError
                    out += b
                except socket.timeout:
                    time.sleep(0.01)
    else:
        s.sendall(payload)
    s.settimeout(timeout)
    while True:
        b = s.recv(65536)
        if not b:
            end = "<<EOF>>"
            break
        out += b
except EOFError:
    end = "<<EOF>>"
except (ConnectionResetError, BrokenPipeError):
    end = "<<RESET>>"
except socket.timeout:
    pass
sys.stdout.write(out.decode("latin-1") + "\n" + end + "\n")
EOF
raw() { python3 "$TMP/raw.py" "$@"; }
H='Host: t\r\n'

# ---- basic framing ----------------------------------------------------------------------
start basic --max-body 1000 --max-header 2048
BASIC=$PID
B=$PORT
out=$(curl -sS -i "http://127.0.0.1:$B/a%20b/%2F?x=%41&y")
check "GET: 200 with the raw target (nothing decoded)" "$out" '^target=/a%20b/%2F\?x=%41&y'
check "GET: headers in arrival order" "$(printf '%s' "$out" | grep '^header=' | head -1)" '^header=Host: '
out=$(curl -sS -H 'X-Dup: 1' -H 'X-Dup: 2' "http://127.0.0.1:$B/")
check "GET: duplicate request headers both kept" "$out" 'header=X-Dup: 1.*'
check "GET: duplicate request headers, second" "$out" 'header=X-Dup: 2'
printf 'hello\r\nbinary\0body' >"$TMP/body"
curl -sS --data-binary @"$TMP/body" -o "$TMP/post.out" "http://127.0.0.1:$B/post"
check "POST: body length" "$(grep -a body_len "$TMP/post.out")" '^body_len=18$'
tail -c 18 "$TMP/post.out" | cmp -s - "$TMP/body" && ok "POST: body bytes (CR, NUL kept)" ||
    not_ok "POST: body bytes (CR, NUL kept)"
head -c 900 /dev/urandom >"$TMP/body900"
curl -sS -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/body900" -o "$TMP/chunked.out" \
    "http://127.0.0.1:$B/chunked"
check "POST chunked: whole body" "$(grep -a body_len "$TMP/chunked.out")" '^body_len=900$'
tail -c 900 "$TMP/chunked.out" | cmp -s - "$TMP/body900" && ok "POST chunked: body bytes" ||
    not_ok "POST chunked: body bytes"
out=$(curl -sS "http://127.0.0.1:$B/cookies?cookies=3&empty=1" -D - -o /dev/null)
check "response: several Set-Cookie all sent" "$(printf '%s' "$out" | grep -c '^Set-Cookie: c[0-9]=v[0-9]')" '^3$'
check "response: an empty header value is sent" "$out" $'X-Empty: *\r'
out=$(curl -sS -I "http://127.0.0.1:$B/head")
check "HEAD: Content-Length of the GET body, no body" "$out" 'Content-Length: [1-9]'
out=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$B/s?status=404")
check "response: handler status passed through" "$out" '^404$'
out=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$B/s?status=101")
check "response: an interim 1xx from the handler becomes 502" "$out" '^502$'
out=$(raw "$B" "GET /p1 HTTP/1.1\r\n${H}\r\nGET /p2 HTTP/1.1\r\n${H}\r\nGET /p3 HTTP/1.1\r\n${H}Connection: close\r\n\r\n")
check "pipelining: three answers in order" "$(printf '%s' "$out" | grep '^target=' | tr '\n' ' ')" '^target=/p1 target=/p2 target=/p3 $'
out=$(raw "$B" "GET /old HTTP/1.0\r\n\r\n")
check "HTTP/1.0 without Host: answered, then closed" "$out" '^target=/old'
check "HTTP/1.0: closed" "$out" '<<EOF>>'
out=$(raw "$B" "GET /nohost HTTP/1.1\r\n\r\n")
check "HTTP/1.1 without Host: 400 (strict)" "$out" '^HTTP/1.1 400'
out=$(raw "$B" "GET / HTTP/2.0\r\n${H}\r\n")
check "HTTP/2.0 request line: 505" "$out" '^HTTP/1.1 505'
out=$(raw "$B" "GET /a b HTTP/1.1\r\n${H}\r\n")
check "space in the target: 400" "$out" '^HTTP/1.1 400'
out=$(raw "$B" "GET /nohost HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
check "two Host fields: 400" "$out" '^HTTP/1.1 400'
out=$(raw "$B" "GET /a\x01b HTTP/1.1\r\n${H}\r\n")
check "control byte in the target: 400" "$out" '^HTTP/1.1 400'

out=$(raw "$B" "POST /exp HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n" 0 1)
check "Expect: 100-continue: 100 before the body" "$out" '^HTTP/1.1 100 Continue'
out=$(raw "$B" "POST /trailer HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n")
check "chunked with a trailer: body" "$out" '^body_len=3$'
check_not "chunked with a trailer: the trailer is not a header" "$out" 'header=X-Trailer'
curl -sS -m 0.3 "http://127.0.0.1:$B/gone?sleep=800" >/dev/null 2>&1
sleep 0.8
out=$(curl -sS "http://127.0.0.1:$B/after-gone")
check "client gone while its request runs: still serving" "$out" '^target=/after-gone$'

# ---- body limit -------------------------------------------------------------------------
out=$(raw "$B" "POST /big HTTP/1.1\r\n${H}Content-Length: 1001\r\n\r\n")
check "Content-Length over max_body: 413 before the body" "$out" '^HTTP/1.1 413'
check "Content-Length over max_body: closed" "$out" '<<EOF>>'
out=$(raw "$B" "POST /big HTTP/1.1\r\n${H}Content-Length: 1000\r\n\r\n$(head -c 1000 /dev/zero | tr '\0' a)")
check "Content-Length == max_body: accepted" "$out" '^body_len=1000$'
chunk=$(printf 'a%.0s' $(seq 600))
out=$(raw "$B" "POST /bigc HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n258\r\n$chunk\r\n258\r\n$chunk\r\n0\r\n\r\n")
check "chunked body over max_body: 413" "$out" '^HTTP/1.1 413'
check "chunked body over max_body: closed" "$out" '<<EOF>>'
out=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Expect: 100-continue' --data-binary @"$TMP/body900" --data-binary @"$TMP/body900" "http://127.0.0.1:$B/")
check "curl POST over max_body with Expect: 413" "$out" '^413$'

# ---- head limit (max_header 2048) -------------------------------------------------------
pad=$(head -c 2100 /dev/zero | tr '\0' x)
out=$(raw "$B" "GET / HTTP/1.1\r\n${H}X-Pad: $pad\r\n\r\n")
check "head over max_header: 431" "$out" '^HTTP/1.1 431'
check "head over max_header: closed" "$out" '<<EOF>>'
pad=$(head -c 1900 /dev/zero | tr '\0' x)
out=$(raw "$B" "GET / HTTP/1.1\r\n${H}X-Pad: $pad\r\nConnection: close\r\n\r\n")
check "head just under max_header: 200" "$out" '^HTTP/1.1 200'
pad=$(head -c 100000 /dev/zero | tr '\0' x)
out=$(raw "$B" "GET / HTTP/1.1\r\n${H}X-Pad: $pad\r\n\r\n")
check "head far over max_header (past MHD's pool): 431" "$out" '^HTTP/1.1 431'
out=$(raw "$B" "GET /$(head -c 2100 /dev/zero | tr '\0' x) HTTP/1.1\r\n${H}\r\n")
check "request line over max_header: 414" "$out" '^HTTP/1.1 414'
out=$(raw "$B" "GET /${pad} HTTP/1.1\r\n${H}\r\n")
check "request line far over (past MHD's pool): 414" "$out" '^HTTP/1.1 414'
many=$(for i in $(seq 300); do printf 'a%d: b\\r\\n' "$i"; done)
out=$(raw "$B" "GET / HTTP/1.1\r\n${H}${many}\r\n")
check "300 small fields under max_header: 431 (MHD's bookkeeping) or 200" "$out" '^HTTP/1.1 (431|200)'

# ---- smuggling: framing conflicts close the connection ----------------------------------
smuggle() { # NAME STATUS HEADERS BODY
    local o
    o=$(raw "$B" "POST /$1 HTTP/1.1\r\n${H}$3\r\n$4GET /smuggled-$1 HTTP/1.1\r\n${H}\r\n")
    check "smuggling $1: $2" "$o" "^HTTP/1.1 $2"
    check "smuggling $1: closed after it" "$o" '<<EOF>>$'
    check_not "smuggling $1: the request behind it is not answered" "$o" 'target=/smuggled'
}
smuggle cl-te 400 'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n' '0\r\n\r\n'
smuggle te-cl 400 'Transfer-Encoding: chunked\r\nContent-Length: 5\r\n' '0\r\n\r\n'
smuggle te-space-colon 400 'Transfer-Encoding : chunked\r\n' '0\r\n\r\n'
smuggle te-trailing-blank 400 'Transfer-Encoding: chunked \r\n' '0\r\n\r\n'
smuggle te-gzip 400 'Transfer-Encoding: gzip\r\n' ''
smuggle te-gzip-chunked 501 'Transfer-Encoding: gzip, chunked\r\n' '0\r\n\r\n'
smuggle te-twice 501 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n' '0\r\n\r\n'
smuggle cl-twice 400 'Content-Length: 0\r\nContent-Length: 0\r\n' ''
smuggle cl-list 400 'Content-Length: 0, 0\r\n' ''
smuggle cl-plus 400 'Content-Length: +0\r\n' ''
smuggle bare-cr 400 'X-A: a\rb\r\n' ''
smuggle host-twice 400 'Host: u\r\n' ''
out=$(raw "$B" "POST /te10 HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
check "smuggling: Transfer-Encoding in HTTP/1.0: 400" "$out" '^HTTP/1.1 400'
out=$(raw "$B" "POST /badchunk HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\nGET /smuggled-chunk HTTP/1.1\r\n${H}\r\n")
check "smuggling: malformed chunk size: 400" "$out" '^HTTP/1.1 400'
sleep 0.5
check_not "smuggled requests never reached the handler" "$(cat "$TMP/basic.log")" 'smuggled'
check "access log: CLF-like line with status, bytes, ms, route, id" "$(cat "$TMP/basic.log")" \
    '^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\] "HEAD /head HTTP/1\.1" 200 [0-9]+ [0-9]+\.[0-9]{3} /echo id=[0-9]+$'
check "access log: the server's own refusals have route -" "$(cat "$TMP/basic.log")" '"POST /big HTTP/1.1" 413 [0-9]+ [0-9.]+ - id='
check "access log: control bytes escaped" "$(cat "$TMP/basic.log")" '"GET /a\\x01b HTTP/1.1" 400'
check "access log: MHD's own 431 logged (bytes -)" "$(cat "$TMP/basic.log")" '" 431 - '
check "access log: a client gone before its answer is logged" "$(cat "$TMP/basic.log")" '"GET /gone\?sleep=800 HTTP/1.1" (200|-) '

# ---- response header block ---------------------------------------------------------------
out=$(curl -sS -D - -o /dev/null "http://127.0.0.1:$B/c?cookies=400")
check "response: 400 Set-Cookie fields (about 8 KiB) sent" "$(printf '%s' "$out" | grep -c '^Set-Cookie')" '^400$'
out=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Pad: $(head -c 1900 /dev/zero | tr '\0' x)" "http://127.0.0.1:$B/h?hdrbytes=16000")
check "response: 16000-byte header after a full request head: 200" "$out" '^200$'
out=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$B/h?hdrbytes=17000")
check "response: headers over GW_RESP_HEAD_MAX: 502" "$out" '^502$'

# ---- metrics -----------------------------------------------------------------------------
out=$(curl -sS "http://127.0.0.1:$B/metrics")
check "metrics: per-route counts" "$out" '^corral_http_requests_total\{route="/echo",status="200"\} [1-9]'
check "metrics: rejections by status (413)" "$out" '^corral_http_rejections_total\{status="413"\} [1-9]'
check "metrics: rejections by status (431)" "$out" '^corral_http_rejections_total\{status="431"\} [1-9]'
check "metrics: latency histogram" "$out" '^corral_http_request_duration_seconds_count [1-9]'
stop "$BASIC"
check "stop: exit status 0" "$STOPPED" '^0$'
check_not "no errors from the server" "$(cat "$TMP/basic.err")" 'corral: (out of memory|libmicrohttpd refused a)'

# ---- slow clients -----------------------------------------------------------------------
start slow --idle-timeout 2
SLOW=$PID
t0=$(date +%s%N)
raw "$PORT" "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: $(printf 'a%.0s' $(seq 20))\r\n\r\n" 1 >"$TMP/slowloris.out" &
LORIS=$!
sleep 0.3
served=0
for _ in $(seq 8); do
    [ "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/other")" = 200 ] && served=$((served + 1))
    sleep 0.25
done
wait "$LORIS"
t1=$(date +%s%N)
check "slowloris: other clients served meanwhile" "$served" '^8$'
check "slowloris (1 header byte/s): closed, no answer" "$(cat "$TMP/slowloris.out")" '^\s*<<(EOF|RESET)>>$'
ms=$(((t1 - t0) / 1000000))
[ "$ms" -ge 1800 ] && [ "$ms" -le 3900 ] && ok "slowloris: closed after about idle_timeout_s (${ms} ms)" ||
    not_ok "slowloris: closed after about idle_timeout_s" "${ms} ms"
out=$(raw "$PORT" "" 0 5)
check "idle connection: closed after idle_timeout_s" "$out" '<<EOF>>'
out=$(raw "$PORT" "POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc" 0 5)
check "stalled body: closed after idle_timeout_s" "$out" '<<EOF>>'
stop "$SLOW"

# ---- concurrency bound: 503 -------------------------------------------------------------
start busy --workers 1 --max-concurrency 2
BUSY=$PID
curl -sS -o "$TMP/busy1" -w '%{http_code}' "http://127.0.0.1:$PORT/s?sleep=1200" >"$TMP/busy1.code" &
C1=$!
curl -sS -o "$TMP/busy2" -w '%{http_code}' "http://127.0.0.1:$PORT/s?sleep=1200" >"$TMP/busy2.code" &
C2=$!
sleep 0.4
out=$(curl -sS -i "http://127.0.0.1:$PORT/third")
check "max_concurrency exceeded: 503" "$out" '^HTTP/1.1 503'
check "503 carries Retry-After: 1" "$out" $'Retry-After: 1\r'
out=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")
check "fast path still answers while workers are busy" "$out" '^200$'
wait "$C1" "$C2"
check "the two admitted requests: 200 (one waited for the single worker)" "$(cat "$TMP/busy1.code") $(cat "$TMP/busy2.code")" '^200 200$'
out=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/after")
check "after the burst: 200 again" "$out" '^200$'
out=$(curl -sS "http://127.0.0.1:$PORT/metrics")
check "metrics: rejections by status (503)" "$out" '^corral_http_rejections_total\{status="503"\} 1$'
# graceful stop: a request in flight is finished and sent
curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/s?sleep=800" >"$TMP/grace.code" &
C1=$!
sleep 0.2
stop "$BUSY"
wait "$C1"
check "stop: the request in flight still gets its 200" "$(cat "$TMP/grace.code")" '^200$'
check "stop: exit status 0" "$STOPPED" '^0$'

# ---- connection limit ---------------------------------------------------------------------
start conns --max-connections 2
CONNS=$PID
raw "$PORT" "" 0 3 >/dev/null &
R1=$!
raw "$PORT" "" 0 3 >/dev/null &
R2=$!
sleep 1
out=$(curl -sS -m 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/third" 2>&1)
check "max_connections reached: a third connection waits (not served within 1 s)" "$out" '^000'
wait "$R1" "$R2"
out=$(curl -sS -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/later")
check "max_connections: served again once one closes" "$out" '^200$'
stop "$CONNS"

# ---- start errors ----------------------------------------------------------------------------
start taken
TAKEN=$PID
out=$("$BIN" --listen "127.0.0.1:$PORT" 2>&1)
check "listen on a port in use: clear error" "$out" "cannot listen on 127.0.0.1:$PORT: Address already in use"
out=$("$BIN" --listen "nonsense" 2>&1)
check "listen address without a port: clear error" "$out" "cannot listen on 'nonsense': expected HOST:PORT"
out=$("$BIN" --tls-cert /nonexistent.pem --tls-key /nonexistent.key 2>&1)
check "missing TLS certificate: clear error" "$out" "cannot read TLS certificate '/nonexistent.pem': No such file or directory"
stop "$TAKEN"

# ---- IPv6 ---------------------------------------------------------------------------------
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
    start v6 --listen '[::1]:0'
    out=$(curl -sS "http://[::1]:$PORT/v6")
    check "IPv6 listen: client address without port" "$out" '^remote=::1:[0-9]+$'
    stop "$PID"
fi

# ---- TLS -----------------------------------------------------------------------------------
if command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 1 \
        -subj /CN=localhost >/dev/null 2>&1
    start tls --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem"
    TLS=$PID
    out=$(curl -sS -k "https://127.0.0.1:$PORT/secure")
    check "TLS: served, tls=1" "$out" '^tls=1$'
    out=$(curl -sS -k -v --http2 -o /dev/null "https://127.0.0.1:$PORT/alpn" 2>&1)
    check "TLS: ALPN picks http/1.1 even when h2 is offered" "$out" 'ALPN: server accepted http/1.1'
    out=$(raw "$PORT" "GET / HTTP/1.1\r\n${H}\r\n" 0 2)
    check "TLS: plain HTTP to the TLS port is dropped" "$out" '<<(EOF|RESET)>>'
    out=$(curl -sS -k -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/again")
    check "TLS: still serving after a bad handshake" "$out" '^200$'
    stop "$TLS"
    printf 'not a key\n' >"$TMP/bad.pem"
    out=$("$BIN" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/bad.pem" 2>&1)
    check "bad TLS key: clear error" "$out" "cannot serve TLS with certificate '.*cert.pem' and key '.*bad.pem': "
else
    echo "# skipped TLS: no openssl"
fi

# ---- throughput ----------------------------------------------------------------------------
if command -v wrk >/dev/null && [ -z "${SERVER_TEST_NO_WRK:-}" ]; then
    start wrk --no-access-log
    out=$(wrk -t2 -c32 -d"${WRK_SECONDS:-3}"s --latency "http://127.0.0.1:$PORT/hello" 2>&1)
    echo "$out" | grep -E 'Requests/sec|99%|Non-2xx|Socket errors' | sed 's/^/# /'
    check_not "wrk: no errors" "$out" 'Non-2xx|Socket errors'
    check "wrk: requests served" "$out" 'Requests/sec: +[0-9]{3,}'
    stop "$PID"
else
    echo "# skipped wrk"
fi

for p in "${PIDS[@]}"; do # every server has stopped: their stderr is complete
    kill -TERM "$p" 2>/dev/null
    wait "$p" 2>/dev/null
done
check_not "no sanitizer reports from any server" "$(cat "$TMP"/*.err)" 'Sanitizer|runtime error'

echo "server_test: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

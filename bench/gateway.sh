# shellcheck shell=bash
# bench/gateway.sh: the `gateway` section of `make bench` (sourced by bench/run.sh after
# bench/startup_limits.sh, whose row/die helpers it uses). Issue 5's measurements:
#
#   1. corral serve with a hello-world module (bench/gateway/hello.c, a fresh instance per
#      request) under wrk at 32 connections: requests per second and p99 latency;
#   2. in the same run, nginx serving a static file with the same body, the reference:
#      the target is at least 50% of nginx's throughput;
#   3. the instantiation time per request, from the server's own histogram (/metrics: WASI
#      context, linking and instantiation, timed around each request's instance);
#   4. resident memory after the first 1,000 requests and after 100,000: must stay within
#      10% (no growth per request).
#
# Environment:
#   BENCH_GATEWAY_SECONDS=10   duration of each wrk run
#   BENCH_GATEWAY_CONNS=32     wrk connections (threads: 2)
#   BENCH_GATEWAY_REQUESTS=100000   requests for the memory check

GW_SECONDS=${BENCH_GATEWAY_SECONDS:-10}
GW_CONNS=${BENCH_GATEWAY_CONNS:-32}
GW_REQUESTS=${BENCH_GATEWAY_REQUESTS:-100000}

# free_port: a TCP port nobody listens on now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL: waits up to 5 s for URL to answer.
wait_http() {
    local _
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.05
    done
    return 1
}

# wrk_run URL: wrk for GW_SECONDS at GW_CONNS; sets RPS and P99 (ms).
wrk_run() {
    local out
    out=$(wrk -t2 -c"$GW_CONNS" -d"${GW_SECONDS}s" --latency "$1" 2>&1) || die "wrk failed: $out"
    RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
    P99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
               f = (u == "us") ? 0.001 : (u == "s") ? 1000 : 1; printf "%.2f", v * f }' <<<"$out")
    grep -q "Non-2xx" <<<"$out" && problem_note "gateway: wrk saw non-2xx answers from $1"
    [ -n "$RPS" ] || die "wrk printed no rate: $out"
}

# rss_kib PID: its resident set size now (KiB).
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# metric NAME: a sample's value from the server's /metrics (first match).
metric() { curl -s "$GW_BASE/metrics" | awk -v n="$1" '$1 == n { print $2; exit }'; }

# histogram_quantile Q PREFIX: a quantile from a Prometheus histogram's buckets (upper bound
# of the bucket where the cumulative count first reaches Q of the total), in seconds.
histogram_quantile() {
    curl -s "$GW_BASE/metrics" | awk -v q="$1" -v p="$2" '
        index($1, p "_bucket{le=\"") == 1 { le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le)
                                            b[++n] = le; c[n] = $2 }
        END { total = c[n]; for (i = 1; i <= n; i++) if (c[i] >= q * total) { print b[i]; exit } }'
}

section_gateway() {
    local d=$OUT/gateway port nport pid npid rss1 rss2 sum count inst_mean inst_p50 inst_p99
    local body corral_rps corral_p99 nginx_rps nginx_p99 n
    d=$(realpath -m "$d")
    for tool in wrk nginx curl python3; do
        command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
            die "$tool not found (scripts/deps.sh installs it)"
    done
    mkdir -p "$d/logs" "$d/html" "$d/nginx"
    build_guest bench/gateway/hello.c "$d/hello.wasm"
    sed "s|MODULE|$(realpath "$d/hello.wasm")|" bench/gateway/modules.toml >"$d/modules.toml"

    # nginx serves exactly the body the module prints.
    body=$("$CORRAL" run "$d/hello.wasm" | sed '1,/^$/d')
    printf '%s\n' "$body" >"$d/html/hello"
    nport=$(free_port)
    cat >"$d/nginx/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $d/nginx/nginx.pid;
error_log $d/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/plain;
  server { listen 127.0.0.1:$nport; root $d/html; }
}
NGINX
    port=$(free_port)
    GW_BASE=http://127.0.0.1:$port
    "$CORRAL" serve -c "$d/modules.toml" -l "127.0.0.1:$port" --log-dir "$d/logs" \
        --access-log off >"$d/serve.out" 2>"$d/serve.err" &
    pid=$!
    wait_http "$GW_BASE/healthz" || die "corral serve did not start: $(cat "$d/serve.err")"
    [ "$(curl -s "$GW_BASE/hello")" = "$body" ] || die "gateway: /hello answered wrongly"

    # Memory: RSS after 1,000 requests, then after GW_REQUESTS in all.
    python3 - "$port" 1000 <<'PY' || die "gateway: the first 1,000 requests failed"
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    c.request("GET", "/hello"); r = c.getresponse(); r.read()
    if r.status != 200: sys.exit(1)
PY
    rss1=$(rss_kib "$pid")

    wrk_run "$GW_BASE/hello"
    corral_rps=$RPS corral_p99=$P99
    n=$(metric 'corral_http_requests_total{route="/hello",status="200"}')
    while [ "${n%.*}" -lt "$GW_REQUESTS" ]; do
        wrk -t2 -c"$GW_CONNS" -d2s "$GW_BASE/hello" >/dev/null 2>&1
        n=$(metric 'corral_http_requests_total{route="/hello",status="200"}')
    done
    rss2=$(rss_kib "$pid")
    sum=$(metric corral_instantiation_duration_seconds_sum)
    count=$(metric corral_instantiation_duration_seconds_count)
    inst_mean=$(awk -v s="$sum" -v c="$count" 'BEGIN { printf "%.1f", c ? s / c * 1e6 : 0 }')
    inst_p50=$(histogram_quantile 0.5 corral_instantiation_duration_seconds)
    inst_p99=$(histogram_quantile 0.99 corral_instantiation_duration_seconds)
    kill "$pid"
    wait "$pid" 2>/dev/null || true

    /usr/sbin/nginx -c "$d/nginx/nginx.conf" -p "$d/nginx" &
    npid=$!
    wait_http "http://127.0.0.1:$nport/hello" || die "nginx did not start: $(cat "$d/nginx/error.log")"
    wrk_run "http://127.0.0.1:$nport/hello"
    nginx_rps=$RPS nginx_p99=$P99
    kill "$npid"
    wait "$npid" 2>/dev/null || true

    row "== Gateway (issue 5): wrk -t2 -c$GW_CONNS -d${GW_SECONDS}s, a fresh instance per request =="
    row "$(printf '%-52s %12s %10s' "what" "requests/s" "p99")"
    row "$(printf '%-52s %12s %10s' "corral serve, hello module (bench/gateway/hello.c)" "$corral_rps" "$corral_p99 ms")"
    row "$(printf '%-52s %12s %10s' "nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///'), static file, same body" "$nginx_rps" "$nginx_p99 ms")"
    row "$(awk -v a="$corral_rps" -v b="$nginx_rps" 'BEGIN { r = b ? a / b : 0
        printf "corral / nginx: %.0f%% (issue 5 target: at least 50%%): %s", 100 * r, (r >= 0.5) ? "met" : "NOT met" }')"
    row "instantiation per request (WASI context + link + instantiate, $count requests): mean $inst_mean us, p50 <= $(awk -v s="$inst_p50" 'BEGIN { printf "%g", s * 1e6 }') us, p99 <= $(awk -v s="$inst_p99" 'BEGIN { printf "%g", s * 1e6 }') us (target: under 20 us): $(awk -v m="$inst_mean" 'BEGIN { print (m < 20) ? "met" : "NOT met" }')"
    row "$(awk -v a="$rss1" -v b="$rss2" -v n="$n" 'BEGIN { r = (b - a) / a
        printf "resident memory: %.1f MiB after 1,000 requests, %.1f MiB after %d: %+.1f%% (target: within 10%%): %s",
               a / 1024, b / 1024, n, 100 * r, (r < 0.10 && r > -0.10) ? "met" : "NOT met" }')"
}

# shellcheck shell=bash
# bench/store.sh: the `store` section of `make bench` (sourced by bench/run.sh after
# bench/gateway.sh; it uses row and list_stats from bench/startup_limits.sh and
# free_port and wait_http from bench/gateway.sh). Issue 11's acceptance 4, for
# `corral store serve` (docs/design/store.md):
#
#   1. upload: a signed invoice pushed (POST /v1/_i), then its 100 MiB parcel (POST
#      /v1/_i/ID@SHA, curl -T) into a fresh store, several times: MB/s, fsync and SHA-256
#      included; `dd conv=fsync` of the same file shows what the disk alone does;
#   2. download: GET /v1/_i/ID@SHA with curl -o /dev/null, and in the same run nginx serving
#      the same file (the parcel.dat of the store itself) as a static file, runs interleaved:
#      median MB/s and the ratio (target: at least 70% of nginx); the server's CPU time per
#      download (utime + stime from /proc, so less sensitive to load than wall time); and,
#      unless BENCH_STORE_WRK_SECONDS=0, wrk with several connections;
#   3. resident memory: VmRSS of the server sampled every 50 ms while a 1 GiB parcel (a sparse
#      file of zeros in build/bench/store, deleted at the end) is uploaded and then
#      downloaded: start, peak and end, and VmHWM (target: flat, nothing buffered whole).
#
# Every download is checked: status 200 and the parcel's size on each timed run, and the
# SHA-256 of the whole body against the parcel's once per server (and of the 1 GiB download).
# A wrong answer is a problem (problem_note); a slow one is only reported.
#
# The parcel's bytes are AES-128-CTR over zeros keyed by SHA-256(BENCH_STORE_SEED) (openssl
# enc): random-looking, the same on every run and every machine. MB/s is 10^6 bytes/s, as
# curl and dd count. The invoice is signed as creator by a key made with `corral keys create`
# and trusted through the server's --keyring; nothing is read from or written to ~/.config.
#
# Environment:
#   BENCH_STORE_MIB=100            size of the timed parcel
#   BENCH_STORE_UPLOADS=5          timed uploads, each to a fresh store
#   BENCH_STORE_RUNS=9             timed downloads from each server (after one checked one)
#   BENCH_STORE_WRK_SECONDS=5      duration of each wrk run; 0 skips wrk
#   BENCH_STORE_WRK_CONNS=4        wrk connections (threads: 2)
#   BENCH_STORE_BIG_MIB=1024       the memory check's parcel; 0 skips the check
#   BENCH_STORE_RSS_SLACK_MIB=4    how far above the start the peak may go and count as flat
#   BENCH_STORE_SEED=corral-bench  seed of the parcel's bytes

ST_MIB=${BENCH_STORE_MIB:-100}
ST_UPLOADS=${BENCH_STORE_UPLOADS:-5}
ST_RUNS=${BENCH_STORE_RUNS:-9}
ST_WRK_SECONDS=${BENCH_STORE_WRK_SECONDS:-5}
ST_WRK_CONNS=${BENCH_STORE_WRK_CONNS:-4}
ST_BIG_MIB=${BENCH_STORE_BIG_MIB:-1024}
ST_RSS_SLACK_MIB=${BENCH_STORE_RSS_SLACK_MIB:-4}
ST_SEED=${BENCH_STORE_SEED:-corral-bench}
ST_TARGET=70 # percent of nginx's download throughput (issue 11)
ST_KEY="Corral bench <bench@corral.invalid>"
# Set by the functions below (see each one's comment).
ST_PID="" ST_BASE="" ST_NGINX="" ST_NGINX_BASE="" ST_SAMPLER="" ST_DIR="" ST_HZ=100
ST_SHA="" ST_ID="" ST_UP="" ST_DD="" ST_UP_CPU="" ST_GET_C="" ST_GET_N="" ST_CPU_C="" ST_CPU_N=""
ST_WRK_C="" ST_WRK_N=""

# st_cleanup: stops what the section started and removes the big files; on any exit, so a
# failed run leaves no server behind and no parcel filling the disk.
st_cleanup() {
    local p
    for p in "$ST_SAMPLER" "$ST_PID" "$ST_NGINX"; do
        [ -z "$p" ] || kill "$p" 2>/dev/null || true
    done
    for p in "$ST_SAMPLER" "$ST_PID" "$ST_NGINX"; do
        [ -z "$p" ] || wait "$p" 2>/dev/null || true
    done
    ST_SAMPLER="" ST_PID="" ST_NGINX=""
    [ -z "$ST_DIR" ] || rm -rf "$ST_DIR"/s.* "$ST_DIR"/*.bin "$ST_DIR/dd.out"
}

# st_corral ARGS...: the CLI with its own config directory (no key file in ~/.config).
st_corral() { XDG_CONFIG_HOME=$ST_DIR/cfg "$CORRAL" "$@"; }

# st_start STORE: starts `corral store serve` on STORE, on a port the kernel picks; sets
# ST_PID and ST_BASE (http://127.0.0.1:PORT) once the server says it is ready.
st_start() {
    local out=$1.out port="" _
    XDG_CONFIG_HOME=$ST_DIR/cfg "$CORRAL" store serve --unauthenticated --directory "$1" \
        -i 127.0.0.1:0 --keyring "$ST_DIR/keys/keyring.toml" --access-log off \
        >"$out" 2>"$1.err" &
    ST_PID=$!
    for _ in $(seq 1 200); do
        port=$(sed -n 's|^Ready: serving Bindle on http://127\.0\.0\.1:\([0-9]*\)/v1/.*|\1|p' "$out")
        [ -n "$port" ] && break
        kill -0 "$ST_PID" 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$port" ] || die "corral store serve did not start: $(cat "$1.err")"
    ST_BASE=http://127.0.0.1:$port
}

st_stop() {
    kill "$ST_PID" 2>/dev/null || true
    wait "$ST_PID" 2>/dev/null || true
    ST_PID=""
}

# st_parcel FILE MIB: MIB MiB of the seeded bytes.
st_parcel() {
    local key
    key=$(printf '%s' "$ST_SEED" | sha256sum | cut -c1-32)
    head -c "$(($2 * 1048576))" /dev/zero |
        openssl enc -aes-128-ctr -K "$key" -iv 00000000000000000000000000000000 -nosalt >"$1" ||
        die "store: openssl enc failed"
    [ "$(stat -c %s "$1")" -eq $(($2 * 1048576)) ] || die "store: could not write $1"
}

# st_invoice NAME SHA SIZE OUT: an invoice for one parcel, signed as creator, in OUT.
st_invoice() {
    cat >"$4.unsigned" <<TOML
bindleVersion = "1.0.0"

[bindle]
name = "$1"
version = "1.0.0"

[[parcel]]
[parcel.label]
sha256 = "$2"
mediaType = "application/octet-stream"
name = "parcel.bin"
size = $3
TOML
    st_corral keys sign-invoice "$4.unsigned" -f "$ST_DIR/keys/secret.toml" \
        --keyring "$ST_DIR/keys/keyring.toml" -o "$4" >/dev/null 2>"$4.err" ||
        die "corral keys sign-invoice failed: $(cat "$4.err")"
}

# st_push INVOICE: POST /v1/_i; the answer must be 202 (accepted, the parcel missing).
st_push() {
    local code
    code=$(curl -s -o "$1.answer" -w '%{http_code}' -H 'Content-Type: application/toml' \
        --data-binary "@$1" "$ST_BASE/v1/_i")
    [ "$code" = 202 ] || die "store: POST /v1/_i answered $code: $(head -c 300 "$1.answer")"
}

# st_upload URL FILE: streams FILE to URL (POST, curl -T reads it piece by piece); prints
# "HTTP_CODE BYTES_PER_S".
st_upload() {
    curl -s -T "$2" -X POST -H 'Content-Type: application/octet-stream' -o /dev/null \
        -w '%{http_code} %{speed_upload}\n' "$1"
}

# st_get URL: GET to /dev/null; prints "HTTP_CODE SIZE BYTES_PER_S".
st_get() { curl -s -o /dev/null -w '%{http_code} %{size_download} %{speed_download}\n' "$1"; }

# st_ticks PID...: CPU time used so far by these processes, threads that ended included
# (utime + stime, clock ticks).
st_ticks() {
    local p sum=0 f
    for p in "$@"; do
        read -r -a f <"/proc/$p/stat"
        sum=$((sum + f[13] + f[14]))
    done
    echo "$sum"
}

# st_sha: the SHA-256 of stdin, in hex. openssl's, which uses the CPU's SHA instructions where
# there are any: coreutils' sha256sum is several times slower (about 300 MB/s here) and would
# be the bottleneck of the 1 GiB download.
st_sha() { openssl dgst -sha256 -r | cut -d' ' -f1; }

# st_status PID FIELD: a field of /proc/PID/status, in kB (VmRSS, VmHWM).
st_status() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# st_sample PID FILE: in the background, appends PID's VmRSS (kB) to FILE every 50 ms; sets
# ST_SAMPLER. Reads with the shell's own read, so each sample costs one sleep and no awk.
st_sample() {
    (
        while [ -r "/proc/$1/status" ]; do
            while read -r k v _; do
                [ "$k" = VmRSS: ] && echo "$v"
            done <"/proc/$1/status"
            sleep 0.05
        done
    ) >>"$2" 2>/dev/null &
    ST_SAMPLER=$!
}
st_sample_stop() {
    kill "$ST_SAMPLER" 2>/dev/null || true
    wait "$ST_SAMPLER" 2>/dev/null || true
    ST_SAMPLER=""
}

# st_mbs: bytes/s on stdin, one a line, as "MEDIAN MIN MAX N" in MB/s.
st_mbs() {
    list_stats | awk '{ printf "%.0f %.0f %.0f %d\n", $3 / 1e6, $6 / 1e6, $5 / 1e6, $1 }'
}

# st_avail_mib DIR: free space where DIR is.
st_avail_mib() { df -Pk "$1" | awk 'NR == 2 { printf "%d", $4 / 1024 }'; }

# st_uploads: the timed uploads, each into a fresh store (a parcel is stored once: the same
# one again is 409), each followed by dd writing the same file; the last store stays up for
# the downloads. Sets ST_UP (st_mbs of the uploads), ST_DD (of dd) and ST_UP_CPU.
st_uploads() {
    local d=$ST_DIR i code speed t0 ticks=0
    : >"$d/up.txt"
    : >"$d/dd.txt"
    for ((i = 1; i <= ST_UPLOADS; i++)); do
        [ -z "$ST_PID" ] || st_stop
        rm -rf "$d/s.$((i - 1))"
        st_start "$d/s.$i"
        st_push "$d/invoice.toml"
        t0=$(st_ticks "$ST_PID")
        read -r code speed < <(st_upload "$ST_BASE/v1/_i/$ST_ID@$ST_SHA" "$d/parcel.bin")
        ticks=$((ticks + $(st_ticks "$ST_PID") - t0))
        if [ "$code" != 200 ]; then
            problem_note "store: upload $i of the $ST_MIB MiB parcel answered $code"
            continue
        fi
        echo "$speed" >>"$d/up.txt"
        # What the disk does with the same bytes: write and fsync, as the server does.
        LC_ALL=C dd if="$d/parcel.bin" of="$d/dd.out" bs=1M conv=fsync 2>&1 |
            awk '/copied/ { print $1 / $(NF - 3) }' >>"$d/dd.txt"
        rm -f "$d/dd.out"
    done
    ST_UP=$(st_mbs <"$d/up.txt")
    ST_DD=$(st_mbs <"$d/dd.txt")
    ST_UP_CPU=$(st_cpu_ms "$ticks" "${ST_UP##* }")
}

# st_nginx_start ROOT: nginx serving ROOT on a free port; sets ST_NGINX and ST_NGINX_BASE.
# sendfile on, as Debian's stock nginx.conf has it (corral sends parcels with sendfile too).
st_nginx_start() {
    local d=$ST_DIR/nginx port
    port=$(free_port)
    cat >"$d/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  default_type application/octet-stream;
  server { listen 127.0.0.1:$port; root $1; }
}
NGINX
    /usr/sbin/nginx -c "$d/nginx.conf" -p "$d" &
    ST_NGINX=$!
    ST_NGINX_BASE=http://127.0.0.1:$port
    wait_http "$ST_NGINX_BASE/" || die "nginx did not start: $(cat "$d/error.log")"
}

# st_downloads: checked, then timed downloads from corral and from nginx, which serves the
# stored parcel.dat itself (the same bytes, the same page cache); runs interleaved, each
# server first on every other run; then wrk. Sets ST_GET_C, ST_GET_N (st_mbs), ST_CPU_C,
# ST_CPU_N, ST_WRK_C and ST_WRK_N (bytes/s, empty without wrk).
st_downloads() {
    local d=$ST_DIR url nurl pids i who order code bytes speed t0 c_ticks=0 n_ticks=0
    local size=$((ST_MIB * 1048576))
    url=$ST_BASE/v1/_i/$ST_ID@$ST_SHA
    st_nginx_start "$d/s.$ST_UPLOADS/parcels"
    nurl=$ST_NGINX_BASE/$ST_SHA/parcel.dat
    pids=$(pgrep -P "$ST_NGINX" | paste -sd' ') # the workers
    # The bytes first (and a warm page cache for both).
    [ "$(curl -s "$url" | st_sha)" = "$ST_SHA" ] ||
        problem_note "store: GET $ST_ID@$ST_SHA: the body's SHA-256 is not the parcel's"
    [ "$(curl -s "$nurl" | st_sha)" = "$ST_SHA" ] ||
        problem_note "store: nginx's copy of the parcel differs from it (a setup error)"
    : >"$d/get.corral"
    : >"$d/get.nginx"
    for ((i = 1; i <= ST_RUNS; i++)); do
        order="corral nginx"
        [ $((i % 2)) -eq 1 ] || order="nginx corral"
        for who in $order; do
            if [ "$who" = corral ]; then
                t0=$(st_ticks "$ST_PID")
                read -r code bytes speed < <(st_get "$url")
                c_ticks=$((c_ticks + $(st_ticks "$ST_PID") - t0))
            else
                # shellcheck disable=SC2086 # the worker pids, one word each
                t0=$(st_ticks $pids)
                read -r code bytes speed < <(st_get "$nurl")
                # shellcheck disable=SC2086
                n_ticks=$((n_ticks + $(st_ticks $pids) - t0))
            fi
            if [ "$code" != 200 ] || [ "$bytes" != "$size" ]; then
                problem_note "store: $who download $i: status $code, $bytes bytes of $size"
                continue
            fi
            echo "$speed" >>"$d/get.$who"
        done
    done
    ST_GET_C=$(st_mbs <"$d/get.corral")
    ST_GET_N=$(st_mbs <"$d/get.nginx")
    ST_CPU_C=$(st_cpu_ms "$c_ticks" "${ST_GET_C##* }")
    ST_CPU_N=$(st_cpu_ms "$n_ticks" "${ST_GET_N##* }")
    ST_WRK_C="" ST_WRK_N=""
    if [ "$ST_WRK_SECONDS" != 0 ]; then
        ST_WRK_C=$(st_wrk "$url")
        ST_WRK_N=$(st_wrk "$nurl")
    fi
    kill "$ST_NGINX"
    wait "$ST_NGINX" 2>/dev/null || true
    ST_NGINX=""
}

# st_memory: the server's resident memory while a ST_BIG_MIB parcel is uploaded, then
# downloaded (into openssl, which checks it); prints its rows. The source is a sparse file
# of zeros: the store's copy is the only one on disk.
st_memory() {
    local d=$ST_DIR big=$ST_DIR/big.bin sha id=bench/big/1.0.0 code up down t0
    local rss0 hwm0 rss1 hwm1 peak_up peak_down n need=$((ST_BIG_MIB + 256))
    if [ "$ST_BIG_MIB" = 0 ]; then
        row "resident memory with a big parcel: skipped (BENCH_STORE_BIG_MIB=0)"
        return
    fi
    if [ "$(st_avail_mib "$d")" -lt "$need" ]; then
        row "resident memory with a $ST_BIG_MIB MiB parcel: skipped: $(st_avail_mib "$d") MiB free in $d, $need MiB needed"
        return
    fi
    truncate -s "${ST_BIG_MIB}M" "$big"
    sha=$(st_sha <"$big")
    st_invoice bench/big "$sha" "$((ST_BIG_MIB * 1048576))" "$d/big.toml"
    st_push "$d/big.toml"
    rss0=$(st_status "$ST_PID" VmRSS)
    hwm0=$(st_status "$ST_PID" VmHWM)
    : >"$d/rss.up"
    : >"$d/rss.down"
    st_sample "$ST_PID" "$d/rss.up"
    read -r code up < <(st_upload "$ST_BASE/v1/_i/$id@$sha" "$big")
    st_sample_stop
    [ "$code" = 200 ] || problem_note "store: upload of the $ST_BIG_MIB MiB parcel answered $code"
    st_sample "$ST_PID" "$d/rss.down"
    t0=$(date +%s%N)
    [ "$(curl -s "$ST_BASE/v1/_i/$id@$sha" | st_sha)" = "$sha" ] ||
        problem_note "store: GET $id@...: the body's SHA-256 is not the $ST_BIG_MIB MiB parcel's"
    down=$(awk -v b="$((ST_BIG_MIB * 1048576))" -v ns="$(($(date +%s%N) - t0))" \
        'BEGIN { print b / (ns / 1e9) }')
    st_sample_stop
    rss1=$(st_status "$ST_PID" VmRSS)
    hwm1=$(st_status "$ST_PID" VmHWM)
    rm -f "$big"
    peak_up=$(sort -n "$d/rss.up" | tail -n 1)
    peak_down=$(sort -n "$d/rss.down" | tail -n 1)
    n=$(cat "$d/rss.up" "$d/rss.down" | wc -l)
    row "$(awk -v r0="$rss0" -v h0="$hwm0" -v pu="${peak_up:-0}" -v pd="${peak_down:-0}" \
        -v r1="$rss1" -v h1="$hwm1" -v s="$ST_RSS_SLACK_MIB" -v big="$ST_BIG_MIB" 'BEGIN {
        peak = (pu > pd) ? pu : pd
        if (h1 > h0 && h1 > peak) peak = h1 # a peak between two samples
        printf "resident memory, a %d MiB parcel up then down: start %.1f MiB, peak %.1f MiB, end %.1f MiB: %+.1f MiB (target: flat, within %g MiB): %s\n",
               big, r0 / 1024, peak / 1024, r1 / 1024, (peak - r0) / 1024, s,
               (peak - r0 <= s * 1024) ? "met" : "NOT met"
        printf "  VmRSS every 50 ms: peak %.1f MiB during the upload, %.1f MiB during the download; VmHWM %.1f -> %.1f MiB",
               pu / 1024, pd / 1024, h0 / 1024, h1 / 1024 }')"
    row "$(awk -v u="${up:-0}" -v g="$down" -v n="$n" 'BEGIN {
        printf "  (%d samples) upload %.0f MB/s, download %.0f MB/s (into openssl dgst -sha256, checked)",
               n, u / 1e6, g / 1e6 }')"
}

section_store() {
    local d
    for tool in curl openssl python3; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
    done
    [ -x /usr/sbin/nginx ] || die "/usr/sbin/nginx not found (scripts/deps.sh installs nginx-light)"
    if [ "$ST_UPLOADS" -lt 1 ] || [ "$ST_RUNS" -lt 1 ]; then
        die "BENCH_STORE_UPLOADS and BENCH_STORE_RUNS must be at least 1"
    fi
    [ "$ST_WRK_SECONDS" = 0 ] || command -v wrk >/dev/null 2>&1 ||
        die "wrk not found (scripts/deps.sh installs it)"
    d=$(realpath -m "$OUT/store")
    ST_DIR=$d
    rm -rf "$d"
    mkdir -p "$d/keys" "$d/cfg" "$d/nginx"
    ST_HZ=$(getconf CLK_TCK)

    row ""
    row "== Package store (issue 11): corral store serve, a $ST_MIB MiB parcel over loopback, curl =="
    row "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
    # The parcel, its copy in each store, and dd's copy.
    if [ "$(st_avail_mib "$d")" -lt $((3 * ST_MIB + 64)) ]; then
        row "skipped: $(st_avail_mib "$d") MiB free in $d, $((3 * ST_MIB + 64)) MiB needed"
        return
    fi
    trap st_cleanup EXIT
    st_corral keys create "$ST_KEY" -f "$d/keys/secret.toml" --keyring "$d/keys/keyring.toml" \
        >/dev/null 2>"$d/keys/err" || die "corral keys create failed: $(cat "$d/keys/err")"
    st_parcel "$d/parcel.bin" "$ST_MIB"
    ST_SHA=$(st_sha <"$d/parcel.bin")
    ST_ID=bench/parcel/1.0.0
    st_invoice bench/parcel "$ST_SHA" "$((ST_MIB * 1048576))" "$d/invoice.toml"

    st_uploads
    st_downloads
    st_row what "" ""
    st_row "upload: POST /v1/_i/ID@SHA (curl -T), into a fresh store" "$ST_UP" "$ST_UP_CPU"
    st_row "  the disk alone: dd conv=fsync of the same file" "$ST_DD" ""
    st_row "download: GET /v1/_i/ID@SHA (curl -o /dev/null)" "$ST_GET_C" "$ST_CPU_C"
    st_row "nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///'), the same file (static, sendfile on)" \
        "$ST_GET_N" "$ST_CPU_N"
    row "$(awk -v a="${ST_GET_C%% *}" -v b="${ST_GET_N%% *}" -v t="$ST_TARGET" 'BEGIN {
        r = b ? a / b : 0
        printf "corral / nginx, medians: %.0f%% (issue 11 target: at least %d%%): %s", 100 * r, t,
               (100 * r >= t) ? "met" : "NOT met" }')"
    if [ -n "$ST_WRK_C" ]; then
        row "$(awk -v a="$ST_WRK_C" -v b="$ST_WRK_N" -v s="$ST_WRK_SECONDS" -v c="$ST_WRK_CONNS" 'BEGIN {
            printf "wrk -t2 -c%d -d%ds: corral %.0f MB/s, nginx %.0f MB/s: %.0f%%", c, s, a / 1e6,
                   b / 1e6, b ? 100 * a / b : 0 }')"
    fi
    st_memory
    row "(MB/s: 10^6 bytes/s; server CPU: utime + stime per transfer, in 1/$ST_HZ s ticks summed over the runs)"
    row "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    st_cleanup
    trap - EXIT
}

# st_row LABEL "MEDIAN MIN MAX N" CPU: one row of the throughput table (MB/s); LABEL "what"
# prints the column titles.
st_row() {
    local m lo hi n
    read -r m lo hi n <<<"$2"
    if [ "$1" = what ]; then
        row "$(printf '%-60s %9s %5s %11s %13s' what median runs min-max "server CPU")"
    else
        row "$(printf '%-60s %9s %5s %11s %13s' "$1" "$m MB/s" "$n" "$lo-$hi" "$3")"
    fi
}

# st_cpu_ms TICKS RUNS: CPU time per run, in ms.
st_cpu_ms() {
    awk -v t="$1" -v n="$2" -v hz="$ST_HZ" 'BEGIN { printf "%.0f ms/run", n ? t / n * 1000 / hz : 0 }'
}

# st_wrk URL: wrk for ST_WRK_SECONDS at ST_WRK_CONNS; prints the bytes/s it read.
st_wrk() {
    local out
    out=$(wrk -t2 -c"$ST_WRK_CONNS" -d"${ST_WRK_SECONDS}s" "$1" 2>&1) || die "wrk failed: $out"
    grep -q "Non-2xx" <<<"$out" && problem_note "store: wrk saw non-2xx answers from $1"
    awk '/^Transfer\/sec:/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v)
         f = (u == "KB") ? 1024 : (u == "MB") ? 1048576 : (u == "GB") ? 1073741824 : 1
         printf "%.0f\n", v * f }' <<<"$out"
}

# shellcheck shell=bash
# bench/startup_limits.sh: the whole-process measurements of `make bench` beyond the kernels,
# sourced by bench/run.sh (which sets OUT, CORRAL and the helpers ms, die, problem_note):
#
#   startup  a C hello world (bench/startup/hello.c) from exec to exit on corral and node
#            (issue 3: < 5 ms end to end), its peak resident memory, and the time from spawn
#            to the guest's main (bench/startup/stamp.c, timed by bench/startup/to_start.c)
#   timeout  an endless guest (bench/limits/spin.c) under --timeout: how far past the deadline
#            the process exits (issue 4: within the timeout + 100 ms)
#   fuel     the same guest under --fuel, twice: same output, same trap, and its run time
#   checks   callgrind instruction counts of the kernels with and without a fuel budget, next
#            to the A/B cost of the compiled-in checks recorded in docs/design/interp.md §9.4
#
# Each section adds its rows to $OUT/sections.txt, which run.sh prints after the kernel table
# and appends to results.txt. As for the kernels, timings are reported against the issues'
# targets but never fail the run; a wrong result does (a guest that is not stopped, stopped by
# the wrong limit, or two fuel runs that differ).
#
# Environment (besides run.sh's):
#   BENCH_STARTUP_RUNS=200      timed runs of each corral start-up row (after 5 warm-ups)
#   BENCH_NODE_STARTUP_RUNS=30  the same for node, whose start-up is ~100 times longer
#   BENCH_TIMEOUTS="100ms 500ms 2s"   the --timeout values
#   BENCH_TIMEOUT_RUNS=10       timed runs per timeout value
#   BENCH_FUEL=100000000        the --fuel budget
#   BENCH_CHECK_ARGS="fib=27 matmul=128 crc32=2 sieve=1"
#                               kernels and arguments run under callgrind (those of §9.4)

STARTUP_RUNS=${BENCH_STARTUP_RUNS:-200}
NODE_STARTUP_RUNS=${BENCH_NODE_STARTUP_RUNS:-30}
TIMEOUTS=${BENCH_TIMEOUTS:-100ms 500ms 2s}
TIMEOUT_RUNS=${BENCH_TIMEOUT_RUNS:-10}
FUEL=${BENCH_FUEL:-100000000}
CHECK_ARGS=${BENCH_CHECK_ARGS:-fib=27 matmul=128 crc32=2 sieve=1}
RSS_RUNS=5
GUEST_CFLAGS=(--target=wasm32-wasi -O2) # exactly issue 3's command line
SECTIONS_TXT=$OUT/sections.txt
TO_MAIN_MEDIAN="" # set by the startup section: corral's median time from spawn to main

# row TEXT...: one line of the section report (printed at once as progress, too).
row() {
    printf '%s\n' "$*" | tee -a "$SECTIONS_TXT"
}

# list_stats: numbers on stdin, one a line (seconds), as "N MEAN MEDIAN P95 MAX MIN"; P95 by
# nearest rank.
list_stats() {
    LC_ALL=C sort -g | awk '
        { t[++n] = $1 + 0; sum += $1 }
        END {
            if (n == 0) { print "0 0 0 0 0 0"; exit }
            median = (n % 2) ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
            p = int(0.95 * n); if (p < 0.95 * n) p++
            printf "%d %.9f %.9f %.9f %.9f %.9f\n", n, sum / n, median, t[p], t[n], t[1]
        }'
}

# hf_list FILE.json NAME: the numbers of hyperfine's JSON array NAME ("times", "exit_codes"),
# one a line.
hf_list() {
    tr -d ' \n\t' <"$1" | sed -n "s/.*\"$2\":\[\([^]]*\)\].*/\1/p" | tr ',' '\n'
}

# timed NAME RUNS WARMUP ARGV...: hyperfine -N over ARGV (any exit status accepted; the caller
# checked the command first), then sets N MEAN MEDIAN P95 MAX MIN (seconds) and CODES (the
# exit statuses seen, joined by commas) from its JSON.
timed() {
    local name=$1 runs=$2 warmup=$3
    shift 3
    hyperfine -N -i --warmup "$warmup" --runs "$runs" --style none --command-name "$name" \
        --export-json "$OUT/json/$name.json" "$(printf '%q ' "$@")" >/dev/null 2>"$OUT/$name.hf.err" \
        || die "hyperfine failed on $name: $(head -c 300 "$OUT/$name.hf.err")"
    read -r N MEAN MEDIAN P95 MAX MIN < <(hf_list "$OUT/json/$name.json" times | list_stats)
    CODES=$(hf_list "$OUT/json/$name.json" exit_codes | sort -un | paste -sd,)
}

# peak_rss ARGV...: the largest maximum resident set size (KiB, GNU time's %M) of RSS_RUNS runs.
peak_rss() {
    local i kib max=0
    for ((i = 0; i < RSS_RUNS; i++)); do
        /usr/bin/time -f %M -o "$OUT/rss.txt" "$@" >/dev/null 2>&1 || true
        kib=$(tail -n 1 "$OUT/rss.txt")
        [ "$kib" -gt "$max" ] && max=$kib
    done
    echo "$max"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# seconds DURATION: a --timeout value (500ms, 2s, 1.5m; bare: seconds) in seconds.
seconds() {
    awk -v d="$1" 'BEGIN {
        n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
        f["ns"] = 1e-9; f["us"] = 1e-6; f["ms"] = 1e-3; f["s"] = 1; f[""] = 1; f["m"] = 60; f["h"] = 3600
        if (!(u in f)) exit 1
        printf "%.9f\n", n * f[u] }' || die "BENCH_TIMEOUTS: bad duration '$1'"
}

# build_guest SRC OUT.wasm: a WASI command, compiled as issue 3 says.
build_guest() {
    clang "${GUEST_CFLAGS[@]}" "$1" -o "$2" || die "wasm build of $1 failed"
}

# ---- startup ------------------------------------------------------------------------------
section_startup() {
    local d=$OUT/startup err=$OUT/startup/err.txt out status verdict c_median c_p95 c_max
    local hello=$OUT/startup/hello.wasm stamp=$OUT/startup/stamp.wasm TO_EXIT_NOTE=""
    mkdir -p "$d"
    build_guest bench/startup/hello.c "$hello"
    build_guest bench/startup/stamp.c "$stamp"
    "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" bench/startup/to_start.c -o "$d/to_start" \
        || die "native build of bench/startup/to_start.c failed"
    row ""
    row "== Start-up: C hello world (bench/startup/hello.c, clang ${GUEST_CFLAGS[*]}, $(stat -c %s "$hello") bytes), whole process =="

    # Correctness first: the greeting.
    status=0
    out=$("$CORRAL" run "$hello" 2>"$err") || status=$?
    if [ "$status" -ne 0 ] || [ "$out" != "Hello, world!" ]; then
        problem_note "startup: corral run hello.wasm: exit $status, printed '$out': $(head -c 300 "$err")"
        return
    fi
    local node_ok=0
    if command -v node >/dev/null 2>&1; then
        status=0
        out=$(node --no-warnings bench/startup/node_wasi.mjs "$hello" 2>"$err") || status=$?
        if [ "$status" -ne 0 ] || [ "$out" != "Hello, world!" ]; then
            problem_note "startup: node hello.wasm: exit $status, printed '$out': $(head -c 300 "$err")"
        else
            node_ok=1
        fi
    fi

    row "$(printf '%-46s %5s %9s %9s %9s %9s %10s' what runs median mean p95 max 'peak RSS')"
    # startup_row LABEL NAME RUNS WARMUP RSS ARGV...: times ARGV with hyperfine -N (and its peak
    # RSS when RSS is "rss") and prints one row.
    startup_row() {
        local label=$1 name=$2 runs=$3 warmup=$4 want_rss=$5 rss_text=-
        shift 5
        timed "$name" "$runs" "$warmup" "$@"
        [ "$want_rss" = rss ] && rss_text=$(mib "$(peak_rss "$@")")
        row "$(printf '%-46s %5d %9s %9s %9s %9s %10s' "$label" "$N" "$(ms "$MEDIAN") ms" \
            "$(ms "$MEAN") ms" "$(ms "$P95") ms" "$(ms "$MAX") ms" "$rss_text")"
    }
    # to_main_row ENGINE LABEL NAME RUNS WARMUP ARGV...: the time from spawning ARGV (which
    # runs stamp.wasm) until the guest's main read the clock; one row.
    to_main_row() {
        local engine=$1 label=$2 name=$3 runs=$4 warmup=$5
        shift 5
        if ! "$d/to_start" "$warmup" "$runs" "$@" >"$d/$name.txt" 2>"$err"; then
            row "$(printf '%-46s (not measured: %s)' "$label" "$(head -n 1 "$err")")"
            return 1
        fi
        read -r N MEAN MEDIAN P95 MAX MIN < <(cut -d' ' -f1 "$d/$name.txt" | list_stats)
        row "$(printf '%-46s %5d %9s %9s %9s %9s %10s' "$label" "$N" "$(ms "$MEDIAN") ms" \
            "$(ms "$MEAN") ms" "$(ms "$P95") ms" "$(ms "$MAX") ms" -)"
        # The same runs' spawn to exit, so the two can be compared without a change of tool.
        TO_EXIT_NOTE+="${TO_EXIT_NOTE:+, }$engine $(ms "$MEDIAN") / $(ms "$(cut -d' ' -f2 \
            "$d/$name.txt" | list_stats | cut -d' ' -f3)") ms"
    }
    startup_row "exec floor: /bin/true" startup.true "$STARTUP_RUNS" 5 rss /bin/true
    startup_row "corral validate hello.wasm" startup.validate "$STARTUP_RUNS" 5 - \
        "$CORRAL" validate "$hello"
    to_main_row corral "corral: spawn to main (stamp.c, $(stat -c %s "$stamp") B)" startup.to_main \
        "$STARTUP_RUNS" 5 "$CORRAL" run "$stamp" && TO_MAIN_MEDIAN=$MEDIAN
    startup_row "corral run hello.wasm: END TO END" startup.corral "$STARTUP_RUNS" 5 rss \
        "$CORRAL" run "$hello"
    c_median=$MEDIAN c_p95=$P95 c_max=$MAX
    if [ "$node_ok" -eq 1 ]; then
        to_main_row node "node (node:wasi): spawn to main, reference" startup.node_to_main \
            "$NODE_STARTUP_RUNS" 3 node --no-warnings bench/startup/node_wasi.mjs "$stamp" || true
        startup_row "node (node:wasi) hello.wasm: end to end" startup.node \
            "$NODE_STARTUP_RUNS" 3 rss node --no-warnings bench/startup/node_wasi.mjs "$hello"
    fi
    verdict=met
    awk -v m="$c_median" 'BEGIN { exit !(m >= 0.005) }' && verdict=MISSED
    row "issue 3 target \"< 5 ms end to end\": $verdict (median $(ms "$c_median") ms, p95 $(ms "$c_p95") ms, worst $(ms "$c_max") ms of $STARTUP_RUNS)"
    row "(end to end: hyperfine -N --warmup 5, whole process from spawn to exit; peak RSS: the largest GNU time %M of $RSS_RUNS runs)"
    row "(spawn to main: bench/startup/to_start.c, the guest's CLOCK_MONOTONIC on entering main minus the spawn time: reading, decoding, validating, instantiating, wasi-libc's constructors; medians of spawn to main / spawn to exit over the same runs: $TO_EXIT_NOTE)"
}

# ---- timeout ------------------------------------------------------------------------------
section_timeout() {
    local wasm=$OUT/limits/spin.wasm err=$OUT/limits/timeout.err t t_s status verdict
    mkdir -p "$OUT/limits"
    build_guest bench/limits/spin.c "$wasm"
    row ""
    row "== Timeout accuracy: endless loop (bench/limits/spin.c) under corral run --timeout T; wall time from exec to exit =="
    row "$(printf '%-8s %5s %12s %12s %12s %15s %15s  %s' timeout runs 'min wall' 'median wall' 'max wall' 'median over' 'max over' 'target T + 100 ms')"
    for t in $TIMEOUTS; do
        t_s=$(seconds "$t")
        status=0
        "$CORRAL" run --timeout "$t" "$wasm" >/dev/null 2>"$err" || status=$?
        if [ "$status" -ne 134 ] || ! grep -q 'interrupted: time limit exceeded' "$err"; then
            problem_note "timeout $t: expected exit 134 'interrupted: time limit exceeded', got exit $status: $(head -n 1 "$err")"
            continue
        fi
        timed "timeout.$t" "$TIMEOUT_RUNS" 0 "$CORRAL" run --timeout "$t" "$wasm"
        if [ "$CODES" != 134 ]; then
            problem_note "timeout $t: exit statuses $CODES under hyperfine, expected only 134"
            continue
        fi
        verdict=$(awk -v max="$MAX" -v min="$MIN" -v t="$t_s" 'BEGIN {
            if (min < t) print "EARLY: stopped before the deadline"
            else if (max - t <= 0.100) print "met"
            else print "MISSED" }')
        [ "${verdict%%:*}" = EARLY ] && problem_note "timeout $t: a run ended after $(ms "$MIN") ms, before the deadline"
        row "$(printf '%-8s %5d %12s %12s %12s %15s %15s  %s' "$t" "$N" "$(ms "$MIN") ms" \
            "$(ms "$MEDIAN") ms" "$(ms "$MAX") ms" "+$(ms "$(awk -v a="$MEDIAN" -v b="$t_s" 'BEGIN { print a - b }')") ms" \
            "+$(ms "$(awk -v a="$MAX" -v b="$t_s" 'BEGIN { print a - b }')") ms" "$verdict")"
    done
    row "(overshoot = wall time - T: process start-up and exit, timer wake-up, the interpreter's next check; every run exited 134, \"interrupted: time limit exceeded\")"
}

# ---- fuel ---------------------------------------------------------------------------------
section_fuel() {
    local wasm=$OUT/limits/spin.wasm d=$OUT/limits i status lines
    mkdir -p "$d"
    [ -f "$wasm" ] || build_guest bench/limits/spin.c "$wasm"
    row ""
    row "== Fuel: the endless loop under corral run --fuel $FUEL, twice =="
    for i in 1 2; do
        status=0
        "$CORRAL" run --fuel "$FUEL" "$wasm" >"$d/fuel.$i.out" 2>"$d/fuel.$i.err" || status=$?
        if [ "$status" -ne 134 ] || ! grep -q 'fuel exhausted' "$d/fuel.$i.err"; then
            problem_note "fuel run $i: expected exit 134 'fuel exhausted', got exit $status: $(head -n 1 "$d/fuel.$i.err")"
            return
        fi
    done
    lines=$(wc -l <"$d/fuel.1.out")
    row "run 1: exit 134, $(head -n 1 "$d/fuel.1.err" | sed 's/^error: //'), stopped at$(sed -n '2s/^ *0://p' "$d/fuel.1.err"), $lines lines of output, the last '$(tail -n 1 "$d/fuel.1.out")'"
    if cmp -s "$d/fuel.1.out" "$d/fuel.2.out" && cmp -s "$d/fuel.1.err" "$d/fuel.2.err"; then
        row "run 2: identical stdout and stderr (trap message and backtrace): deterministic"
    else
        row "run 2: !!! DIFFERENT from run 1 (see $d/fuel.{1,2}.{out,err}) !!!"
        problem_note "fuel: two runs with --fuel $FUEL differ"
    fi
    timed fuel 5 1 "$CORRAL" run --fuel "$FUEL" "$wasm"
    local rate=""
    if [ -n "${TO_MAIN_MEDIAN:-}" ]; then
        rate=$(awk -v f="$FUEL" -v t="$MEDIAN" -v s="$TO_MAIN_MEDIAN" \
            'BEGIN { if (t > s) printf ", about %.0f M fuel units/s after start-up", f / (t - s) / 1e6 }')
    fi
    row "run time: median $(ms "$MEDIAN") ms, max $(ms "$MAX") ms of $N$rate"
}

# ---- checks -------------------------------------------------------------------------------
# recorded_overheads: "KERNEL(ARG) OVERHEAD" lines from the callgrind table of interp.md §9.4.
recorded_overheads() {
    awk -F'|' '/^### 9\.4/ { on = 1; next } /^###? / { on = 0 } /^Wall time/ { on = 0 }
        on && $2 ~ /^ *[a-z0-9_]+\([0-9]+\) *$/ && $5 ~ /%/ {
            gsub(/ /, "", $2); gsub(/ /, "", $5); print $2, $5 }' docs/design/interp.md
}

# instructions LOG: the instruction count callgrind wrote to LOG ("Collected : N").
instructions() {
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$1"
}

section_checks() {
    local d=$OUT/callgrind entry k arg key rec free fueled out1 out2 budget=1000000000000000
    mkdir -p "$d"
    row ""
    row "== Interruption checks: host instructions executed (callgrind, whole process, deterministic) =="
    if ! command -v valgrind >/dev/null 2>&1; then
        row "valgrind not installed: only the A/B recorded in docs/design/interp.md §9.4 (two engines, before and after the checks):"
        recorded_overheads | while read -r key rec; do row "  $key: $rec"; done
        return
    fi
    row "$(printf '%-12s %15s %15s %12s  %s' kernel 'no budget' "--fuel 1e15" 'budget cost' 'checks compiled in (A/B recorded in interp.md §9.4)')"
    for entry in $CHECK_ARGS; do
        k=${entry%%=*} arg=${entry#*=}
        if [[ " ${KERNELS[*]-} " != *" $k "* ]]; then
            row "$(printf '%-12s (not built: not in BENCH_KERNELS)' "$k($arg)")"
            continue
        fi
        out1=$(valgrind --tool=callgrind --callgrind-out-file="$d/$k.free.out" \
            "$CORRAL" run "$OUT/wasm/$k.wasm" --invoke "$k" "$arg" 2>"$d/$k.free.log") || true
        out2=$(valgrind --tool=callgrind --callgrind-out-file="$d/$k.fuel.out" \
            "$CORRAL" run --fuel "$budget" "$OUT/wasm/$k.wasm" --invoke "$k" "$arg" 2>"$d/$k.fuel.log") || true
        free=$(instructions "$d/$k.free.log")
        fueled=$(instructions "$d/$k.fuel.log")
        if [ -z "$free" ] || [ -z "$fueled" ] || [ -z "$out1" ] || [ "$out1" != "$out2" ]; then
            problem_note "checks: $k($arg) under callgrind failed or printed different results ('$out1', '$out2'); see $d/$k.*.log"
            continue
        fi
        rec=$(recorded_overheads | awk -v key="$k($arg)" '$1 == key { print $2 }')
        row "$(awk -v k="$k($arg)" -v a="$free" -v b="$fueled" -v r="${rec:--}" 'BEGIN {
            printf "%-12s %15s %15s %+11.2f%%  %s", k, commas(a), commas(b), (b - a) * 100 / a, r }
            function commas(n,   s, r) {  # 35226121 -> 35,226,121 (mawk has no {3})
                s = sprintf("%d", n); r = ""
                while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
                return s r }')"
    done
    row "(budget cost: what an active --fuel budget adds to unlimited fuel, settling the reserve once per slice; the checks themselves are always compiled in, so their cost needs two engines: the last column, recorded when they were added)"
}

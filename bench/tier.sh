# bench/tier.sh: the compiled tier's start-up and `auto` sections of `make bench`
# (BENCH_SECTIONS tier-startup tier-auto). Sourced by bench/run.sh, after
# bench/startup_limits.sh (row, timed, build_guest).
#
#   tier-startup  a hello-world command from its artifact (`corral run hello.cwasm`) against the
#                 interpreter's `corral run --tier interp hello.wasm`: medians of BENCH_TIER_RUNS
#                 (default 40) whole processes.
#   tier-auto     a job of about BENCH_AUTO_SECONDS (default 10) on aot (its artifact cached
#                 first) and on auto with an empty cache (interpreter at once, background
#                 compile after 100 ms, native code from the next function entry): the sha256
#                 kernel, whose work is one call per block. BENCH_AUTO_RUNS (default 5)
#                 alternating pairs of runs; the figure is the median of the pairs' auto/aot
#                 ratios (and their range), robust to the drift of a shared machine's speed.

section_tier_startup() {
    local d=$OUT/tier hello=$OUT/tier/hello.wasm runs=${BENCH_TIER_RUNS:-40}
    mkdir -p "$d"
    build_guest bench/startup/hello.c "$hello"
    "$CORRAL" compile "$hello" -o "$d/hello.cwasm" || die "corral compile of hello failed"
    timed tier-hello-artifact "$runs" 5 "$CORRAL" run "$d/hello.cwasm"
    local a_median=$MEDIAN
    timed tier-hello-interp "$runs" 5 "$CORRAL" run --tier interp "$hello"
    local i_median=$MEDIAN
    row "hello world, whole process: artifact $(ms "$a_median") ms, interpreter $(ms "$i_median") ms (medians of $runs; $(awk -v a="$a_median" -v b="$i_median" 'BEGIN { printf "%.2f", a / b }')x)"
}

# one_time ARGV...: the wall time in seconds of one run; checks the result against WANT.
one_time() {
    local t0 got
    t0=$(now_ns)
    got=$("$@" 2>"$OUT/tier/auto.err") || problem_note "tier-auto: $* failed: $(head -c 200 "$OUT/tier/auto.err")"
    awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
    [ "$got" = "$WANT" ] || problem_note "tier-auto: $* printed '$got', want '$WANT'"
}

# median NUMBERS...: their median.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

section_tier_auto() {
    local d=$OUT/tier secs=${BENCH_AUTO_SECONDS:-10} arg t_aot t_auto
    mkdir -p "$d"
    rm -rf "$d/aot-cache" "$d/auto-cache"
    clang "${WASM_CFLAGS[@]}" -Wl,--export=sha256 bench/kernels/sha256.c -o "$d/sha256.wasm" \
        || die "wasm build of sha256 failed"
    "$CORRAL" compile "$d/sha256.wasm" -o "$d/sha256.cwasm" || die "corral compile failed"
    # size the job: the artifact's time for arg 200 (about a second: start-up and noise
    # matter little), scaled to secs
    local t0 t200
    t0=$(now_ns)
    "$CORRAL" run "$d/sha256.cwasm" --invoke sha256 200 >/dev/null
    t200=$(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { print (b - a) / 1e9 }')
    arg=$(awk -v t="$t200" -v s="$secs" 'BEGIN { a = int(200 * s / t); print a < 200 ? 200 : a }')
    # the time is not linear in the argument: measure once more at the estimate and rescale
    local t1
    t0=$(now_ns)
    "$CORRAL" run "$d/sha256.cwasm" --invoke sha256 "$arg" >/dev/null
    t1=$(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { print (b - a) / 1e9 }')
    arg=$(awk -v t="$t1" -v s="$secs" -v a0="$arg" 'BEGIN { a = int(a0 * s / t); print a < 200 ? 200 : a }')
    WANT=$("$CORRAL" run "$d/sha256.cwasm" --invoke sha256 "$arg")
    # alternating pairs, so that a drift of the machine's speed (a shared VM's varies by 10-20%
    # over minutes) hits both tiers alike; the median of the pairs' ratios is the figure
    local pairs=${BENCH_AUTO_RUNS:-5} i ta tu aots=() autos=() ratios=()
    "$CORRAL" run --tier aot --cache-dir "$d/aot-cache" --invoke sha256 "$d/sha256.wasm" 200 >/dev/null
    for ((i = 0; i < pairs; i++)); do
        ta=$(one_time "$CORRAL" run --tier aot --cache-dir "$d/aot-cache" --invoke sha256 "$d/sha256.wasm" "$arg")
        rm -rf "$d/auto-cache" # auto starts from an empty cache every time
        tu=$(one_time "$CORRAL" run --tier auto --cache-dir "$d/auto-cache" --invoke sha256 "$d/sha256.wasm" "$arg")
        aots+=("$ta") autos+=("$tu")
        ratios+=("$(awk -v a="$tu" -v b="$ta" 'BEGIN { printf "%.4f", a / b }')")
    done
    t_aot=$(median "${aots[@]}")
    t_auto=$(median "${autos[@]}")
    local r lo hi
    r=$(median "${ratios[@]}")
    lo=$(printf '%s\n' "${ratios[@]}" | sort -g | head -n 1)
    hi=$(printf '%s\n' "${ratios[@]}" | sort -g | tail -n 1)
    row "auto on a job of about ${secs} s (sha256 $arg), $pairs alternating pairs: aot median ${t_aot} s, auto median ${t_auto} s from an empty cache; auto/aot median $(awk -v r="$r" 'BEGIN { printf "%+.1f%%", (r - 1) * 100 }') (pairs $(awk -v r="$lo" 'BEGIN { printf "%+.1f%%", (r - 1) * 100 }') to $(awk -v r="$hi" 'BEGIN { printf "%+.1f%%", (r - 1) * 100 }'))"
}

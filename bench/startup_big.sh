# shellcheck shell=bash
# bench/startup_big.sh: start-up of big real programs (issue 10), sourced by bench/run.sh
# (which sets OUT, CORRAL and the helpers of bench/startup_limits.sh):
#
#   startup-big  LLVM's multi-call binary from npm's @yowasp/clang (75 MB of Wasm) and Yosys
#                from @yowasp/yosys (31 MB), fetched with `npm pack` into build/bench/big/
#                (never committed): how fast `corral validate` reads them (MB/s, on one core
#                and on all),
#                and `clang --version` and `yosys -V` end to end with their peak resident
#                memory, against the targets; node:wasi runs the same modules for reference.
#
# Start-up is proportional to the code that runs: modules are validated eagerly in one pass
# and functions lowered on their first call (docs/design/interp.md, "Start-up").
#
# Environment (besides run.sh's):
#   BENCH_BIG_RUNS=10        timed runs of each row (after 2 warm-ups)
#   BENCH_BIG_DIR=DIR        where the packages are unpacked (default build/bench/big)
#   BENCH_CLANG_PKG, BENCH_YOSYS_PKG   the npm packages (pinned versions by default)

BIG_RUNS=${BENCH_BIG_RUNS:-10}
BIG_DIR=${BENCH_BIG_DIR:-build/bench/big}
CLANG_PKG=${BENCH_CLANG_PKG:-@yowasp/clang@22.0.0-git20542-10}
YOSYS_PKG=${BENCH_YOSYS_PKG:-@yowasp/yosys@0.55.944}

# big_fetch PKG NAME: unpacks PKG into $BIG_DIR/NAME (once) and prints its directory, or
# returns 1 with the reason in $OUT/big/err.txt.
big_fetch() {
    local pkg=$1 dir tgz err
    dir=$(realpath -m -- "$BIG_DIR/$2")
    err=$(realpath -m -- "$OUT/big/err.txt")
    if [ ! -f "$dir/package/package.json" ]; then
        rm -rf "$dir" && mkdir -p "$dir"
        tgz=$(cd "$dir" && npm pack --silent "$pkg" 2>"$err") || return 1
        tar -xzf "$dir/$tgz" -C "$dir" 2>>"$err" || return 1
        rm -f "$dir/$tgz"
    fi
    echo "$dir/package"
}

# big_row LABEL NAME TARGET_S TARGET_MIB ARGV...: one row (median, p95, peak RSS) and whether
# the targets were met (a target of 0 is none).
big_row() {
    local label=$1 name=$2 target_s=$3 target_mib=$4 kib verdict=""
    shift 4
    timed "$name" "$BIG_RUNS" 2 "$@"
    kib=$(peak_rss "$@")
    if [ "$target_s" != 0 ]; then
        verdict=$(awk -v m="$MEDIAN" -v k="$kib" -v ts="$target_s" -v tm="$target_mib" 'BEGIN {
            printf "%s (< %g s, < %g MiB)", (m < ts && k / 1024 < tm) ? "met" : "MISSED", ts, tm }')
    fi
    row "$(printf '%-44s %5d %9s %9s %10s  %s' "$label" "$N" "$(ms "$MEDIAN") ms" \
        "$(ms "$P95") ms" "$(mib "$kib")" "$verdict")"
}

# big_check LABEL WANT ARGV...: runs ARGV once; its output must contain WANT.
big_check() {
    local label=$1 want=$2 out status=0
    shift 2
    out=$("$@" 2>&1) || status=$?
    if [ "$status" -ne 0 ] || [[ "$out" != *"$want"* ]]; then
        problem_note "startup-big: $label: exit $status, printed '$(printf '%s' "$out" | head -c 300)'"
        return 1
    fi
}

section_startup_big() {
    local clang_dir yosys_dir llvm yosys size bytes_per_s cpu
    mkdir -p "$OUT/big"
    row ""
    if ! clang_dir=$(big_fetch "$CLANG_PKG" clang) || ! yosys_dir=$(big_fetch "$YOSYS_PKG" yosys); then
        row "== Start-up of big modules: not measured (npm pack failed: $(head -c 200 "$OUT/big/err.txt")) =="
        return
    fi
    llvm=$clang_dir/gen/llvm.core.wasm
    yosys=$yosys_dir/gen/yosys.core.wasm
    row "== Start-up of big modules: $CLANG_PKG (llvm.core.wasm, $(stat -c %s "$llvm") bytes), $YOSYS_PKG (yosys.core.wasm, $(stat -c %s "$yosys") bytes) =="
    big_check "corral validate llvm.core.wasm" "" "$CORRAL" validate "$llvm" || return
    big_check "clang --version" "clang version" "$CORRAL" run --argv0 clang "$llvm" --version || return
    big_check "yosys -V" "Yosys " "$CORRAL" run --argv0 yosys "$yosys" -V || return

    row "$(printf '%-44s %5s %9s %9s %10s  %s' what runs median p95 'peak RSS' target)"
    # Validation, on one core (taskset: the bodies' threads share it) and on all of them.
    for m in "$llvm" "$yosys"; do
        size=$(stat -c %s "$m")
        big_row "corral validate $(basename "$m"), one core" "big.validate1.$(basename "$m" .wasm)" \
            0 0 taskset -c 0 "$CORRAL" validate "$m"
        bytes_per_s=$(awk -v s="$size" -v t="$MEDIAN" 'BEGIN { printf "%.0f", s / t / 1e6 }')
        /usr/bin/time -f '%U %S' -o "$OUT/big/cpu.txt" taskset -c 0 "$CORRAL" validate "$m" \
            >/dev/null 2>&1
        cpu=$(awk -v s="$size" '{ printf "%.0f", s / ($1 + $2) / 1e6 }' "$OUT/big/cpu.txt")
        row "  $bytes_per_s MB/s by the median wall time ($cpu MB/s by CPU time of one run); target >= 250 MB/s on one core: $(awk -v r="$bytes_per_s" 'BEGIN { print (r >= 250) ? "met" : "MISSED" }')"
        big_row "corral validate $(basename "$m"), $(nproc) cores" \
            "big.validate.$(basename "$m" .wasm)" 0 0 "$CORRAL" validate "$m"
        row "  $(awk -v s="$size" -v t="$MEDIAN" 'BEGIN { printf "%.0f", s / t / 1e6 }') MB/s by the median wall time"
    done
    big_row "corral run: clang --version" big.clang 0.5 200 \
        "$CORRAL" run --argv0 clang "$llvm" --version
    big_row "corral run: yosys -V" big.yosys 0.25 100 "$CORRAL" run --argv0 yosys "$yosys" -V
    if command -v node >/dev/null 2>&1; then
        big_row "node (node:wasi): clang --version, reference" big.node_clang 0 0 \
            env WASI_ARGV0=clang node --no-warnings bench/startup/node_wasi.mjs "$llvm" --version
        big_row "node (node:wasi): yosys -V, reference" big.node_yosys 0 0 \
            env WASI_ARGV0=yosys node --no-warnings bench/startup/node_wasi.mjs "$yosys" -V
    fi
    row "(hyperfine -N --warmup 2, whole process; peak RSS: the largest GNU time %M of $RSS_RUNS runs; packages in $BIG_DIR)"
}

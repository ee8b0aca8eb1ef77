#!/usr/bin/env bash
# tests/compile/run.sh: the differential test of the C emitter's first cut. Each bench kernel
# (built to wasm32 as bench/run.sh builds it) is translated by build/tests/emit_c, compiled
# with gcc -O2 together with tests/compile/driver.c, run with its BENCH_ARG, and its output
# compared with the interpreter's (`corral run --invoke`). Prints best-of-RUNS wall times of
# native gcc -O2, the compiled module and the interpreter. Not part of `make test` yet.
#   KERNELS="fib sieve"   a subset (default: every bench/kernels/*.c)
#   RUNS=3                timed runs per route (default 3)
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-3}
OUT=build/tests/compile
WASM_CFLAGS=(--target=wasm32-wasi -O2 -nostdlib -mbulk-memory -Wl,--no-entry) # as bench/run.sh
NATIVE_CFLAGS=(-O2 -std=c11 -fno-math-errno -Wall -Wextra)                    # as bench/run.sh
# The generated code: -ffp-contract=off as the engine itself (no fused multiply-add, which
# would change float results); -fsignaling-nans, or GCC folds x*1, x/-1, x-0 on a signalling
# NaN without quietening it as the interpreter's hardware operation does;
# -fno-optimize-sibling-calls, or unbounded tail recursion becomes a loop instead of
# "call stack exhausted" (the stack check compares frame addresses); numeric.h and
# emit_rt.h come from the source tree.
GEN_CFLAGS=(-O2 -std=gnu11 -fno-math-errno -ffp-contract=off -fsignaling-nans
    -fno-optimize-sibling-calls -Isrc/compile
    -Isrc/engine)

make -s -j2 build/corral build/tests/emit_c
mkdir -p "$OUT"

if [ -z "${KERNELS:-}" ]; then
    KERNELS=$(for f in bench/kernels/*.c; do basename "$f" .c; done)
fi

# best_of CMD...: the smallest wall time in seconds of RUNS runs (output discarded).
best_of() {
    local best="" t0 t1 dt
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        dt=$(( t1 - t0 ))
        if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
    done
    awk -v n="$best" 'BEGIN { printf "%.3f", n / 1e9 }'
}

fail=0
printf '%-11s %9s %8s %8s %8s %9s %7s %7s %s\n' kernel arg native_s cc_s interp_s gcc_s \
    cc/nat int/cc result
for k in $KERNELS; do
    src=bench/kernels/$k.c
    arg=$(sed -n 's/^#define BENCH_ARG \([0-9][0-9]*\).*/\1/p' "$src")
    clang "${WASM_CFLAGS[@]}" -Wl,--export="$k" "$src" -o "$OUT/$k.wasm"
    gcc "${NATIVE_CFLAGS[@]}" -DKERNEL="$k" bench/native_main.c "$src" -o "$OUT/$k.native" -lm
    if ! build/tests/emit_c "$OUT/$k.wasm" >"$OUT/$k.c" 2>"$OUT/$k.err"; then
        printf '%-11s emit failed: %s\n' "$k" "$(cat "$OUT/$k.err")"
        fail=1
        continue
    fi
    t0=$(date +%s%N)
    gcc "${GEN_CFLAGS[@]}" "$OUT/$k.c" tests/compile/driver.c -o "$OUT/$k.cc" -lm
    t1=$(date +%s%N)
    gcc_s=$(awk -v n=$(( t1 - t0 )) 'BEGIN { printf "%.2f", n / 1e9 }')
    want=$(build/corral run "$OUT/$k.wasm" --invoke "$k" "$arg" 2>&1 || true)
    got=$("$OUT/$k.cc" "$k" "$arg" 2>&1 || true)
    if [ "$want" = "$got" ]; then
        result="ok ($got)"
    else
        result="MISMATCH: interp '$want', compiled '$got'"
        fail=1
    fi
    nat=$(best_of "$OUT/$k.native" "$arg")
    cc=$(best_of "$OUT/$k.cc" "$k" "$arg")
    int=$(best_of build/corral run "$OUT/$k.wasm" --invoke "$k" "$arg")
    printf '%-11s %9s %8s %8s %8s %9s %7s %7s %s\n' "$k" "$arg" "$nat" "$cc" "$int" "$gcc_s" \
        "$(awk -v a="$cc" -v b="$nat" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" \
        "$(awk -v a="$int" -v b="$cc" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" "$result"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
exit $fail

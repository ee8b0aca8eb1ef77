#!/usr/bin/env bash
# tests/compile/diff.sh: the differential test of the tiers (issue 13, acceptance 2). Every
# bench kernel and every guest of tests/wasi must print the same output on every tier.
#
#   Kernels: each bench/kernels/NAME.c is built to wasm32 exactly as bench/run.sh builds it and
#   run with `corral run --tier T --invoke NAME FILE.wasm BENCH_ARG` on each tier; stdout,
#   stderr and the exit status must be identical to the first tier's, which must succeed.
#   Guests: tests/wasi/run.sh runs its cases on the engines of the tiers (interp: corral, jit:
#   corral-jit, aot: corral-aot), which checks each against tests/wasi/expected, and keeps its
#   worlds; then each case's stdout and exit status on every tier must be identical to the
#   first tier's, and so must its stderr except the lines of a trap's backtrace ("  N: func..."
#   and "  ... repeated"), whose differences are listed as notes (DIFF_STRICT_STDERR=1 makes
#   them failures). The world's path is replaced by @T@ before comparing. Cases whose output
#   depends on timing (TIMING below) are compared on their exit status only. The stdio/ runs
#   of run.sh check an exit status against a fixed expectation on each tier and are not
#   compared again here.
#
# usage: tests/compile/diff.sh [CORRAL]   (default: $CORRAL, else build/corral)
# Environment:
#   DIFF_TIERS="interp jit aot"  the tiers (the first is the reference); late is aot with
#                                CORRAL_TIER_LATE=1: the code arrives at the first fuel
#                                slice, and running functions move to it at a loop (OSR);
#                                merged is late with CORRAL_TIER_LATE=merged (one body for
#                                calls and loop entries, auto's form for resident functions)
#   DIFF_KERNELS="fib sieve"     the kernels (default: every bench/kernels/*.c, and each
#                                bench/simd/NAME.c as NAME and NAME_simd)
#   DIFF_WASI=0                  skip the tests/wasi guests;  DIFF_WASI_ONLY=REGEX: WASI_ONLY
#   DIFF_STRICT_STDERR=1         backtrace differences fail too
# Work files go to build/tests/diff (the aot cache is emptied first).
#
# Prints a line per difference, then "diff: N comparisons, M differences" (a comparison is
# one kernel or case on one tier against the reference); exits 1 on a difference or when
# tests/wasi/run.sh failed, 2 when the test could not be set up.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
corral=${1:-${CORRAL:-$repo/build/corral}}
corral=$(realpath -m -- "$corral")
tiers=${DIFF_TIERS:-interp jit aot}
strict=${DIFF_STRICT_STDERR:-0}
out=$repo/build/tests/diff
# Outputs that depend on the clock or on a race with a helper (sandbox/race*: how many opens
# won the race): only the exit status is compared.
TIMING='^(timeout|timeout-.*|poll_.*|clock|race|race-.*)$'

die() {
    echo "diff: $*" >&2
    exit 2
}
[ -x "$corral" ] || die "$corral is not an executable; run make first"
command -v clang >/dev/null || die "clang not found (scripts/deps.sh installs it)"
ref=${tiers%% *}
for t in $tiers; do
    case $t in interp | jit | aot | late | merged) ;; *) die "DIFF_TIERS: unknown tier $t" ;; esac
done

rm -rf "$out/cache"
mkdir -p "$out/wasm" "$out/runs" "$out/cache"

# tier_args T: the corral run options of tier T.
tier_args() {
    case $1 in
    aot) targs=(--tier aot --cache-dir "$out/cache") ;;
    late | merged) targs=(--tier aot --cache-dir "$out/cache/$1") ;; # and CORRAL_TIER_LATE: code
        # with entries at loops, which corral compile and aot leave out
    *) targs=(--tier "$1") ;;
    esac
}

compared=0
differ=0
declare -a notes=()

# same WHAT TIER REF GOT: compares two files; a difference is reported with its diff.
same() {
    cmp -s "$3" "$4" && return 0
    echo "DIFF $1 ($2)"
    diff -u --label "$ref" --label "$2" "$3" "$4" | head -n 20 | sed 's/^/    /' || true
    return 1
}

# ---- bench kernels ----
# shellcheck disable=SC2054 # the commas belong to -Wl,
WASM_CFLAGS=(--target=wasm32-wasi -O2 -nostdlib -mbulk-memory -Wl,--no-entry) # bench/run.sh
# The SIMD kernels of bench/simd/ too, each in its scalar form NAME and, built with -msimd128,
# as NAME_simd (as bench/run.sh builds them), whose result must equal NAME's; BENCH_TEST_ARG,
# where a kernel has one, is the argument here.
kernels=${DIFF_KERNELS:-$(for f in "$repo"/bench/kernels/*.c "$repo"/bench/simd/*.c; do
    basename "$f" .c
    [[ $f != "$repo"/bench/simd/* ]] || echo "$(basename "$f" .c)_simd"
done)}
for k in $kernels; do
    base=$k simd=() src=$repo/bench/kernels/$k.c
    if [ -f "$repo/bench/simd/${k%_simd}.c" ]; then
        base=${k%_simd} src=$repo/bench/simd/${k%_simd}.c
        [ "$k" = "$base" ] || simd=(-msimd128 "-D$base=$k")
    fi
    [ -e "$src" ] || die "no kernel $src"
    wasm=$out/wasm/$k.wasm
    if [ ! -e "$wasm" ] || [ "$src" -nt "$wasm" ]; then
        clang "${WASM_CFLAGS[@]}" ${simd[@]+"${simd[@]}"} -Wl,--export="$k" "$src" -o "$wasm" \
            || die "cannot build $k"
    fi
    arg=$(sed -n 's/^#define BENCH_TEST_ARG \([0-9][0-9]*\).*/\1/p' "$src")
    [ -n "$arg" ] || arg=$(sed -n 's/^#define BENCH_ARG \([0-9][0-9]*\).*/\1/p' "$src")
    [ -n "$arg" ] || die "$src has no #define BENCH_ARG"
    for t in $tiers; do
        rd=$out/runs/kernel.$k.$t
        mkdir -p "$rd"
        tier_args "$t"
        set +e
        late=0
        [ "$t" != late ] || late=1
        [ "$t" != merged ] || late=merged
        CORRAL_TIER_LATE=$late timeout -k 5 600 "$corral" run "${targs[@]}" --invoke "$k" \
            "$wasm" "$arg" </dev/null >"$rd/out" 2>"$rd/err"
        echo $? >"$rd/rc"
        set -e
        if [ "$t" = "$ref" ]; then
            if [ "$(cat "$rd/rc")" != 0 ] || ! grep -qE '^[0-9]+$' "$rd/out"; then
                echo "FAIL kernel $k ($t): exit status $(cat "$rd/rc"), output" \
                    "'$(head -c 200 "$rd/out")' $(head -c 300 "$rd/err")"
                differ=$((differ + 1))
            fi
            continue
        fi
        compared=$((compared + 1))
        r=$out/runs/kernel.$k.$ref ok=1
        for f in out err rc; do same "kernel $k $f" "$t" "$r/$f" "$rd/$f" || ok=0; done
        [ $ok = 1 ] || differ=$((differ + 1))
    done
    if [ "$k" != "$base" ] && [ -e "$out/runs/kernel.$base.$ref/out" ]; then
        compared=$((compared + 1))
        same "kernel $k against $base" "$ref" "$out/runs/kernel.$base.$ref/out" \
            "$out/runs/kernel.$k.$ref/out" || differ=$((differ + 1))
    fi
    [ "${DIFF_VERBOSE:-0}" != 1 ] || echo "kernel $k $arg: $(cat "$out/runs/kernel.$k.$ref/out")"
done
kernel_compared=$compared

# ---- tests/wasi guests ----
engine_of() {
    case $1 in interp) echo corral ;; *) echo "corral-$1" ;; esac
}

# normalize FILE WORLD STRIP: FILE with WORLD replaced by @T@, and with the backtrace lines
# removed when STRIP is 1.
normalize() {
    local world=$2 re
    re=$(printf '%s' "$world" | sed 's/[][\.*^$|]/\\&/g')
    if [ "$3" = 1 ]; then
        sed "s|$re|@T@|g" "$1" | grep -vE '^  ([0-9]+: |\.\.\. )' || true
    else
        sed "s|$re|@T@|g" "$1"
    fi
}

wasi_status=0
if [ "${DIFF_WASI:-1}" != 0 ]; then
    engines=""
    for t in $tiers; do engines+="$(engine_of "$t") "; done
    rm -rf "$out/wasi"
    mkdir -p "$out/wasi"
    set +e
    TMPDIR=$out/wasi WASI_KEEP=1 WASI_ENGINES=$engines WASI_ONLY=${DIFF_WASI_ONLY:-} \
        WASI_CACHE=$out/wasi-cache "$repo/tests/wasi/run.sh" "$corral" >"$out/wasi.log" 2>&1
    wasi_status=$?
    set -e
    grep -v '^wasi: kept ' "$out/wasi.log" || true
    # (a run.sh that stopped half-way, without its totals, must not pass for a finished one)
    if ! grep -qE '^wasi: [0-9]+ passed, [0-9]+ failed$' "$out/wasi.log" ||
        { [ "$wasi_status" != 0 ] && [ "$wasi_status" != 1 ]; }; then
        die "tests/wasi/run.sh stopped (exit status $wasi_status; $out/wasi.log)"
    fi
    kept=$(find "$out/wasi" -maxdepth 1 -name 'corral-wasi.*' | head -n 1)
    [ -n "$kept" ] || die "tests/wasi/run.sh kept no worlds"
    refe=$(engine_of "$ref")
    while IFS= read -r rc; do
        rdir=${rc%/1/rc}
        label=${rdir#"$kept"/}
        label=${label%."$refe"}
        for t in $tiers; do
            [ "$t" != "$ref" ] || continue
            e=$(engine_of "$t")
            gdir=$kept/$label.$e
            compared=$((compared + 1))
            if [ ! -e "$gdir/1/rc" ]; then
                echo "DIFF $label ($t): no run on $e"
                differ=$((differ + 1))
                continue
            fi
            ok=1
            same "$label rc" "$t" "$rdir/1/rc" "$gdir/1/rc" || ok=0
            if ! [[ ${label#sandbox/} =~ $TIMING ]]; then
                for f in out err; do
                    strip=0
                    [ $f = out ] || [ "$strict" = 1 ] || strip=1
                    normalize "$rdir/1/$f" "$rdir/1/world" $strip >"$gdir/1/$f.ref.norm"
                    normalize "$gdir/1/$f" "$gdir/1/world" $strip >"$gdir/1/$f.norm"
                    same "$label $f" "$t" "$gdir/1/$f.ref.norm" "$gdir/1/$f.norm" || ok=0
                done
                if [ $ok = 1 ] && [ "$strict" != 1 ] &&
                    ! cmp -s <(normalize "$rdir/1/err" "$rdir/1/world" 0) \
                        <(normalize "$gdir/1/err" "$gdir/1/world" 0); then
                    notes+=("$label ($t): trap backtrace $(grep -cE '^  ([0-9]+: |\.\.\. )' \
                        "$rdir/1/err") lines on $ref, $(grep -cE '^  ([0-9]+: |\.\.\. )' \
                        "$gdir/1/err") on $t")
                fi
            fi
            [ $ok = 1 ] || differ=$((differ + 1))
        done
    done < <(find "$kept" -path '*/1/rc' -path "*.$refe/1/rc" | sort)
fi

for n in "${notes[@]}"; do echo "note: $n"; done
echo "diff: $kernel_compared kernel comparisons, $((compared - kernel_compared)) guest" \
    "comparisons ($tiers; reference $ref)"
[ "${#notes[@]}" -eq 0 ] || echo "diff: ${#notes[@]} backtraces differ (not failures;" \
    "DIFF_STRICT_STDERR=1 makes them so)"
echo "diff: $compared comparisons, $differ differences"
[ "$differ" -eq 0 ] && [ "$wasi_status" = 0 ]

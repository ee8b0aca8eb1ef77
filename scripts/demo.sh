#!/usr/bin/env bash
# demo.sh: `make demo`. Builds the example modules into build/examples/ and runs them with
# build/corral, printing each command, its output and the value it must print.
# Expects `make` to have built the CLI (the Makefile's demo target does); CORRAL overrides it.
set -euo pipefail
case "${CORRAL:-}" in */*) CORRAL=$(realpath -m -- "$CORRAL") ;; esac
cd "$(dirname "$0")/.."

CORRAL=${CORRAL:-build/corral}
OUT=build/examples
# shellcheck disable=SC2054 # the commas belong to -Wl,
WASM_CFLAGS=(--target=wasm32-wasi -O2 -nostdlib -mbulk-memory -Wl,--no-entry)

[ -x "$CORRAL" ] || { echo "demo: $CORRAL not found; run make first" >&2; exit 1; }
mkdir -p "$OUT"

failures=0

# show CMD...: prints the command line as a user would type it, then runs it.
show() {
    echo "\$ $*"
    "$@"
}

# expect WANT CMD...: runs CMD, prints its output and time, and checks that it exits 0 having
# printed exactly WANT.
expect() {
    local want=$1 got status t0 t1
    shift
    echo "\$ $*"
    t0=$(date +%s%N)
    status=0
    got=$("$@" 2>&1) || status=$?
    t1=$(date +%s%N)
    [ -z "$got" ] || printf '%s\n' "$got"
    if [ "$status" -ne 0 ]; then
        echo "  ^ FAILED: exit status $status"
        failures=$((failures + 1))
    elif [ "$got" != "$want" ]; then
        echo "  ^ WRONG: expected $want"
        failures=$((failures + 1))
    else
        echo "  ok, $(((t1 - t0) / 1000000)) ms"
    fi
    echo
}

echo "== Building the examples into $OUT/"
show wat2wasm examples/fib.wat -o "$OUT/fib.wasm"
show clang "${WASM_CFLAGS[@]}" -Wl,--export=count_primes -Wl,--export=nth_prime \
    -Wl,--export=collatz_max examples/c/primes.c -o "$OUT/primes.wasm"
echo

echo "== Validating"
expect "$OUT/fib.wasm: valid
$OUT/primes.wasm: valid" "$CORRAL" validate -v "$OUT/fib.wasm" "$OUT/primes.wasm"

echo "== examples/fib.wat: recursion and a loop"
expect 75025 "$CORRAL" run "$OUT/fib.wasm" --invoke fib 25
expect 2880067194370816120 "$CORRAL" run "$OUT/fib.wasm" --invoke fib_iter 90

echo "== examples/c/primes.c: C compiled with clang --target=wasm32-wasi, no libc, no imports"
expect 78498 "$CORRAL" run "$OUT/primes.wasm" --invoke count_primes 1000000
expect 7919 "$CORRAL" run "$OUT/primes.wasm" --invoke nth_prime 1000
expect 77031 "$CORRAL" run "$OUT/primes.wasm" --invoke collatz_max 100000

if [ "$failures" -ne 0 ]; then
    echo "demo: $failures command(s) did not print what they should" >&2
    exit 1
fi
echo "demo: all examples printed the expected values"

#!/usr/bin/env bash
# osr.sh: code that is running when its native code arrives (issue 13: `auto` switches at a
# loop, not only at the next call). CORRAL_TIER_LATE=1 makes `--tier jit` deliver the code
# at the first fuel slice, as a background compile would, so the switch happens at the same
# point of every run. Each case of tests/compile/osr.c runs on the interpreter and so; the
# stdout, the exit status and the stderr without the backtrace's frame lines must be the
# interpreter's, and the run must report (CORRAL_TIER_TRACE=1) that a call moved to native
# code at a loop (on-stack replacement) where the case is built for one. Every case runs in
# both forms of code with loop entries: a second copy of each function with loops
# (CORRAL_TIER_LATE=1) and one body for calls and loop entries alike (=merged, the form
# `auto` gives the functions it found running long in the interpreter).
#
#   grow_then_read  native code grows the memory; the interpreted caller reads the new pages
#   mixed, calls    loops with i32/i64/f32/f64 locals; f64 and i64 results
#   oob, recurse    traps in native code after the switch (memory, stack)
#   forever         --timeout stops a loop that moved to native code
#   fuel            --fuel stops at the interpreter's place after the switch
#   simd            v128 locals (two cells each) between scalar ones (osr_simd.wat)
#
# usage: tests/compile/osr.sh [CORRAL]
set -u
corral=${1:-build/corral}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/corral-osr.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

wasm=$work/osr.wasm
clang --target=wasm32-wasi -O2 -nostdlib -Wl,--no-entry "$here/osr.c" -o "$wasm" ||
    { echo "osr: cannot build osr.c (clang, wasi-libc: scripts/deps.sh)"; exit 2; }
simd_wasm=$work/osr_simd.wasm
wat2wasm "$here/osr_simd.wat" -o "$simd_wasm" || { echo "osr: cannot build osr_simd.wat"; exit 2; }

# run TIER OUT OPTIONS...: runs on TIER (interp, or 1 / merged: jit with CORRAL_TIER_LATE=TIER)
run() {
    local tier=$1 out=$2 late=0 t=interp
    shift 2
    [ "$tier" = interp ] || { late=$tier t=jit; }
    CORRAL_TIER_TRACE=1 CORRAL_TIER_LATE=$late timeout -k 5 120 "$corral" run --tier $t "$@" \
        >"$out.out" 2>"$out.err"
    echo $? >"$out.rc"
}

# check NAME OSR OPTIONS...: the case on the interpreter and on each form of late code;
# OSR=1 when it must switch at a loop.
check() {
    local name=$1 want_osr=$2 form
    shift 2
    run interp "$work/i" "$@"
    for form in 1 merged; do
        check_form "$name (late=$form)" "$want_osr" "$form" "$@"
    done
}

check_form() {
    local name=$1 want_osr=$2 form=$3
    shift 3
    run "$form" "$work/l" "$@"
    local ok=1 f
    for f in out rc; do
        cmp -s "$work/i.$f" "$work/l.$f" || {
            bad "$name: $f differs: interp '$(head -c 200 "$work/i.$f")', late" \
                "'$(head -c 200 "$work/l.$f")'"
            ok=0
        }
    done
    # the message and anything else, without the frames (inlined functions have none) and
    # without the trace line
    local strip='^(  [0-9]+: |  \.\.\. |corral: tier: )'
    if ! cmp -s <(grep -vE "$strip" "$work/i.err") <(grep -vE "$strip" "$work/l.err"); then
        bad "$name: stderr differs: interp '$(head -c 300 "$work/i.err")', late" \
            "'$(head -c 300 "$work/l.err")'"
        ok=0
    fi
    local n
    n=$(sed -n 's/^corral: tier: \([0-9]*\) on-stack replacements$/\1/p' "$work/l.err")
    if [ -z "$n" ]; then
        bad "$name: no tier trace on stderr"
        ok=0
    elif [ "$want_osr" = 1 ] && [ "$n" -lt 1 ]; then
        bad "$name: no call moved to native code at a loop"
        ok=0
    fi
    [ $ok = 0 ] || pass=$((pass + 1))
}

check grow_then_read 1 --invoke grow_then_read "$wasm" 4
check mixed 1 --invoke mixed "$wasm" 3000000
check calls 1 --invoke calls "$wasm" 300000
check oob 1 --invoke oob "$wasm" 300000
check recurse 1 --invoke recurse_late "$wasm" 300000
check forever 1 --timeout 300ms --invoke forever "$wasm" 5
check simd 1 --invoke simd "$simd_wasm" 3000000
for fuel in 50000 2000000 20000000; do
    check "calls --fuel $fuel" 0 --fuel "$fuel" --invoke calls "$wasm" 300000
    check "mixed --fuel $fuel" 0 --fuel "$fuel" --invoke mixed "$wasm" 3000000
done
# the budget outlasts the switch: the rest is counted by native code
check "calls --fuel 200000000" 1 --fuel 200000000 --invoke calls "$wasm" 300000
check "mixed --fuel 200000000" 1 --fuel 200000000 --invoke mixed "$wasm" 3000000

echo "osr: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

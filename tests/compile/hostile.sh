#!/usr/bin/env bash
# hostile.sh: the compiled tier against untrusted artifacts and hostile guests (issue 13,
# acceptance 4 and 5).
#
# usage: tests/compile/hostile.sh [CORRAL] [ARTIFACT_TOOL]
#
# Artifacts: truncated, bit-flipped, of another Corral version, for another target, needing
# a CPU feature this host lacks, of the wrong code flags, another module's in the cache:
# each refused with its message and a non-zero status. "Nothing executed": the object inside
# every forged artifact has a constructor that creates a marker file when the object is
# mapped and run; a control artifact with a valid header shows the marker does appear when
# the checks pass (and the engine then refuses the object, which is not Corral's code).
# Guests: unbounded recursion, an endless loop under --timeout, and fuel running out end as
# the interpreter's traps, in native code.
set -u
corral=${1:-build/corral}
tool=${2:-build/tests/artifact_tool}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/corral-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# expect_refused NAME FILE MESSAGE [corral args...]: corral run FILE fails with MESSAGE in
# its stderr and the marker stays absent.
expect_refused() {
    local name=$1 file=$2 msg=$3
    shift 3
    rm -f "$work/marker"
    "$corral" run "$@" "$file" >"$work/out" 2>"$work/err"
    local st=$?
    if [ $st -eq 0 ]; then
        bad "$name: exit status 0"
    elif ! grep -qF -- "$msg" "$work/err"; then
        bad "$name: stderr lacks '$msg': $(head -c 300 "$work/err")"
    elif [ -e "$work/marker" ]; then
        bad "$name: the object's constructor ran"
    else
        ok
    fi
}

# A module, and an object that marks its own execution.
cat >"$work/app.wat" <<'WAT'
(module (func (export "answer") (result i32) i32.const 42))
WAT
cat >"$work/other.wat" <<'WAT'
(module (func (export "answer") (result i32) i32.const 7))
WAT
wat2wasm "$work/app.wat" -o "$work/app.wasm" && wat2wasm "$work/other.wat" -o "$work/other.wasm" || exit 2
cat >"$work/evil.c" <<EOF2
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void mark(void) { close(open("$work/marker", O_CREAT | O_WRONLY, 0600)); }
EOF2
cc -shared -fPIC -o "$work/evil.so" "$work/evil.c" || exit 2

# Control: a valid header, so the object is mapped: the marker appears.
"$tool" "$work/app.wasm" "$work/evil.so" "$work/control.cwasm" || exit 2
rm -f "$work/marker"
"$corral" run --invoke answer "$work/control.cwasm" >/dev/null 2>"$work/err"
if [ -e "$work/marker" ] && grep -q "native code" "$work/err"; then ok; else bad "control: marker absent or no refusal ($(cat "$work/err"))"; fi

# A genuine artifact, then damaged copies.
"$corral" compile "$work/app.wasm" -o "$work/app.cwasm" || exit 2
out=$("$corral" run --invoke answer "$work/app.cwasm")
[ "$out" = 42 ] && ok || bad "genuine artifact printed '$out'"
size=$(stat -c %s "$work/app.cwasm")
for n in 0 9 40 $((size / 2)) $((size - 1)); do
    head -c "$n" "$work/app.cwasm" >"$work/trunc.cwasm"
    # shorter than the magic, a file is no artifact at all: then it is refused as a module
    if [ "$n" -lt 10 ]; then
        expect_refused "truncated to $n" "$work/trunc.cwasm" "" --invoke answer
    else
        expect_refused "truncated to $n" "$work/trunc.cwasm" "truncated" --invoke answer
    fi
done
# a flip in the header's structure is refused as such, one anywhere else by the checksum
for at in 12 100 $((size / 2)) $((size - 5)); do
    python3 - "$work/app.cwasm" "$work/flip.cwasm" "$at" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[int(sys.argv[3])] ^= 0x10
open(sys.argv[2], 'wb').write(b)
PY
    want="checksum mismatch"
    [ "$at" -ge $((size / 2)) ] || want="flip.cwasm: "
    expect_refused "bit flip at $at" "$work/flip.cwasm" "$want" --invoke answer
done

# Forged headers with valid checksums, around the marking object.
"$tool" "$work/app.wasm" "$work/evil.so" "$work/v.cwasm" version 0.0.1 || exit 2
expect_refused "other version" "$work/v.cwasm" "made by Corral 0.0.1" --invoke answer
"$tool" "$work/app.wasm" "$work/evil.so" "$work/t.cwasm" target s390x-linux-gnu || exit 2
expect_refused "other target" "$work/t.cwasm" "compiled for s390x-linux-gnu" --invoke answer
"$tool" "$work/app.wasm" "$work/evil.so" "$work/c.cwasm" cpu 0x8000000000000000 || exit 2
expect_refused "missing CPU feature" "$work/c.cwasm" "needs CPU features" --invoke answer
"$tool" "$work/app.wasm" "$work/evil.so" "$work/f.cwasm" flags 0x10 || exit 2
expect_refused "other code flags" "$work/f.cwasm" "flags" --invoke answer

# Another module's artifact under this module's name in the cache: aot refuses it, auto
# reports it and compiles afresh; neither runs it.
cache=$work/cache
"$corral" run --tier aot --cache-dir "$cache" --invoke answer "$work/app.wasm" >/dev/null || exit 2
key=$(basename "$(ls "$cache"/*.cwasm)" .cwasm)
"$tool" "$work/other.wasm" "$work/evil.so" "$cache/$key.cwasm" || exit 2
expect_refused "another module's artifact (aot)" "$work/app.wasm" "artifact of another module" \
    --tier aot --cache-dir "$cache" --invoke answer
rm -f "$work/marker"
out=$("$corral" run --tier auto --cache-dir "$cache" --invoke answer "$work/app.wasm" 2>"$work/err")
if [ "$out" = 42 ] && grep -q "artifact of another module" "$work/err" && [ ! -e "$work/marker" ]; then
    ok
else
    bad "another module's artifact (auto): printed '$out', $(cat "$work/err")"
fi

# Hostile guests on every native tier: the interpreter's traps.
cat >"$work/guest.wat" <<'WAT'
(module
  (func $rec (export "rec") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $rec)
  (func (export "spin") (loop $l br $l))
  (func (export "spin_calls") (loop $l call $nop br $l))
  (func $nop))
WAT
wat2wasm "$work/guest.wat" -o "$work/guest.wasm" || exit 2
for tier in interp jit aot; do
    args=(--tier "$tier" --cache-dir "$work/gcache")
    check_trap() {
        local what=$1 msg=$2
        shift 2
        "$corral" run "${args[@]}" "$@" >/dev/null 2>"$work/err"
        local st=$?
        if [ $st -ne 0 ] && grep -qF "$msg" "$work/err"; then ok; else bad "$tier $what: status $st, $(head -c 300 "$work/err")"; fi
    }
    g=$work/guest.wasm
    check_trap "unbounded recursion" "error: trap: call stack exhausted" --invoke rec "$g" 0
    check_trap "endless loop, --timeout" "interrupted: time limit exceeded" --timeout 100ms --invoke spin "$g"
    check_trap "endless calls, --timeout" "interrupted: time limit exceeded" --timeout 100ms --invoke spin_calls "$g"
    check_trap "fuel" "fuel exhausted: all 1000000 units of fuel consumed" --fuel 1000000 --invoke spin "$g"
done

# auto: a job of a few seconds in the interpreter (long enough that a compile on a loaded
# machine still ends well before it) switches to native code once the
# background compile is done (the artifact lands in the cache only after it was attached),
# and prints what the interpreter prints.
cat >"$work/long.wat" <<'WAT'
(module
  (func $step (param i32) (result i32) local.get 0 i32.const 1103515245 i32.mul i32.const 12345 i32.add)
  (func (export "long") (param i32) (result i32) (local i32)
    loop $l
      local.get 1 call $step local.set 1
      local.get 0 i32.const 1 i32.sub local.tee 0
      br_if $l
    end
    local.get 1))
WAT
wat2wasm "$work/long.wat" -o "$work/long.wasm" || exit 2
want=$("$corral" run --tier interp --invoke long "$work/long.wasm" 300000000)
got=$("$corral" run --tier auto --cache-dir "$work/acache" --invoke long "$work/long.wasm" 300000000)
if [ -n "$want" ] && [ "$got" = "$want" ] && ls "$work/acache"/*.cwasm >/dev/null 2>&1; then
    ok
else
    bad "auto: printed '$got' (interp '$want'), cache: $(ls "$work/acache" 2>&1)"
fi

echo "hostile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# run.sh: a real tail-calling program. Builds tailvm.c (a bytecode VM whose handlers tail-call
# each other) with clang -mtail-call into build/tests/tailcall, checks that the module really
# holds return_call and return_call_indirect, runs it with `corral run` on the default tier and
# on the interpreter and compares the output and exit status with tailvm.expected; runs
# host.wat, whose tail calls reach WASI functions. The compiled tier declines tail calls:
# --tier jit must say so rather than run it.
#
# usage: tests/tailcall/run.sh [CORRAL]   (default: the checkout's build/corral)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
corral=${1:-$repo/build/corral}
build=$repo/build/tests/tailcall
wasm=$build/tailvm.wasm
fail=0

die() {
    echo "tailcall: $*" >&2
    exit 2
}

for tool in clang wasm-objdump; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
done
mkdir -p "$build"
if [ ! -e "$wasm" ] || [ "$here/tailvm.c" -nt "$wasm" ] || [ "$0" -nt "$wasm" ]; then
    clang --target=wasm32-wasi -O2 -mtail-call -Wall -Wextra -Werror "$here/tailvm.c" \
        -o "$wasm.tmp" || die "cannot build tailvm.c"
    mv "$wasm.tmp" "$wasm"
fi

# The handlers' musttail calls must have become Wasm tail calls, direct and indirect.
ops=$(wasm-objdump -d "$wasm" | grep -oE 'return_call(_indirect)?' | sort -u | tr '\n' ' ')
if [ "$ops" != "return_call return_call_indirect " ]; then
    echo "tailcall: tailvm.wasm lacks tail calls (found: ${ops:-none})"
    fail=1
fi

# Where the compiled tier makes no code for the host (tier_native_unsupported: not x86-64,
# e.g. under qemu-user), --tier auto says so in one line and runs on the interpreter, and
# --tier jit is refused for that reason before any tail call is looked at.
no_native="the compiled tier does not generate code for "
for tier in auto interp; do
    status=0
    out=$("$corral" run --tier "$tier" "$wasm" 2>&1) || status=$?
    if [ "$tier" = auto ] && [[ $out == "corral: --tier auto: $no_native"*$'; running on the interpreter\n'* ]]; then
        out=${out#*$'\n'}
    fi
    if [ "$status" != 0 ] || [ "$out" != "$(cat "$here/tailvm.expected")" ]; then
        echo "tailcall: tailvm on $tier: exit $status, output differs:"
        diff <(printf '%s\n' "$out") "$here/tailvm.expected" | head -20 || true
        fail=1
    fi
done

# Host functions reached by tail calls (host.wat): output, errno results and the exit code.
status=0
out=$("$corral" run "$here/host.wat" 2>&1) || status=$?
if [ "$status" != 7 ] || [ "$out" != $'hello\nhello' ]; then
    echo "tailcall: host.wat: exit $status (want 7), output: $out"
    fail=1
fi

status=0
out=$("$corral" run --tier jit "$wasm" 2>&1) || status=$?
if [ "$status" = 0 ] || [[ $out != *"does not support tail-call"* && $out != *"$no_native"* ]]; then
    echo "tailcall: --tier jit should decline tail calls: exit $status, $out"
    fail=1
fi

[ $fail = 0 ] && echo "tailcall: 5 checks passed"
exit $fail

#!/usr/bin/env bash
# run.sh: a C++ program that throws and catches (throw_catch.cpp: std::runtime_error and its
# own types through several frames, catch by base class and by value, catch (...), rethrow,
# destructors run during unwinding, exceptions out of a lambda in a std::function, a member
# constructor that throws, a base at a non-zero offset), built with -fwasm-exceptions in both
# of WebAssembly's exception-handling forms and run with `corral run` on the interpreter and
# the default tier, its output compared with throw_catch.expected (what g++'s native build
# prints). The compiled tier declines exceptions: --tier jit must say so.
#
#   legacy form (try/catch/catch_all/rethrow/delegate): Debian's clang 14 with
#       libc++-14-dev-wasm32, which scripts/deps.sh installs;
#   exnref form (try_table/throw_ref/catch_ref): clang 22 from npm (@yowasp/clang, Clang/LLD
#       compiled to WASI, running under node), with -mllvm -wasm-use-legacy-eh=false. It is
#       installed with npm ci into build/tests/cxx_eh/yowasp (yowasp/package-lock.json pins
#       it; about 27 MB to fetch, once).
# Both toolchains' wasm32 libc++abi is built without exceptions (no __cxa_throw, no
# libunwind), so eh_rt.cpp, the test's own small runtime, is linked in. An exception that
# leaves main must end the run as an uncaught exception (exit 134), as std::terminate does
# natively.
#
# usage: tests/cxx_eh/run.sh [CORRAL]   (default: the checkout's build/corral)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
corral=${1:-$repo/build/corral}
build=$repo/build/tests/cxx_eh
srcs=("$here/throw_catch.cpp" "$here/eh_rt.cpp")
expected=$here/throw_catch.expected
fail=0
checks=0

die() {
    echo "cxx_eh: $*" >&2
    exit 2
}

# stale OUT DEP...: true when OUT is missing or older than one of DEP.
stale() {
    local out=$1 dep
    shift
    [ -e "$out" ] || return 0
    for dep in "$@"; do [ "$dep" -nt "$out" ] && return 0; done
    return 1
}

for tool in clang++ wasm-objdump node npm; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
done
[ -e /usr/include/wasm32-wasi/c++/v1/exception ] ||
    die "libc++ for wasm32-wasi not found (scripts/deps.sh installs libc++-14-dev-wasm32)"
mkdir -p "$build"

# Legacy form, Debian's clang.
legacy=$build/legacy.wasm
if stale "$legacy" "${srcs[@]}" "$0"; then
    clang++ --target=wasm32-wasi -O2 -fwasm-exceptions -Wall -Wextra -Werror "${srcs[@]}" \
        -o "$legacy.tmp" || die "cannot build throw_catch.cpp with clang++ (legacy form)"
    mv "$legacy.tmp" "$legacy"
fi

# Exnref form, npm's clang 22: npm ci again when the lock changes.
yw=$build/yowasp
if stale "$yw/node_modules/.package-lock.json" "$here/yowasp/package-lock.json"; then
    echo "cxx_eh: npm ci in build/tests/cxx_eh/yowasp (installs @yowasp/clang)" >&2
    rm -rf "$yw"
    mkdir -p "$yw"
    cp "$here/yowasp/package.json" "$here/yowasp/package-lock.json" "$yw/"
    (cd "$yw" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error) >&2 ||
        die "npm ci failed in $yw (is the npm registry reachable?)"
fi
cp "$here/yowasp/clang.mjs" "$yw/clang.mjs"
exnref=$build/exnref.wasm
if stale "$exnref" "${srcs[@]}" "$0" "$here/yowasp/package-lock.json"; then
    node "$yw/clang.mjs" clang++ --target=wasm32-wasip1 -O2 -fwasm-exceptions \
        -mllvm -wasm-use-legacy-eh=false -Wall -Wextra -Werror "${srcs[@]}" -o "$exnref.tmp" ||
        die "cannot build throw_catch.cpp with @yowasp/clang (exnref form)"
    mv "$exnref.tmp" "$exnref"
fi

# Each module holds the instructions of its form and none of the other's. wabt's
# wasm-objdump reads the legacy form only; LLVM's objdump (from the npm package) reads both.
eh_ops() {
    grep -oE '\b(try_table|try|catch_all_ref|catch_all|catch_ref|catch|throw_ref|throw|rethrow|delegate)\b' |
        sort -u | tr '\n' ' '
}
ops=$(wasm-objdump -d "$legacy" | eh_ops)
checks=$((checks + 1))
if [ "$ops" != "catch catch_all delegate rethrow throw try " ]; then
    echo "cxx_eh: legacy.wasm: wrong exception instructions (found: ${ops:-none})"
    fail=1
fi
ops=$(node "$yw/clang.mjs" objdump -d "$exnref" | eh_ops)
checks=$((checks + 1))
if [ "$ops" != "catch catch_all catch_all_ref catch_ref throw throw_ref try_table " ]; then
    echo "cxx_eh: exnref.wasm: wrong exception instructions (found: ${ops:-none})"
    fail=1
fi

for wasm in "$legacy" "$exnref"; do
    name=$(basename "$wasm")
    for tier in interp auto; do
        checks=$((checks + 1))
        status=0
        out=$("$corral" run --tier "$tier" "$wasm" 2>&1) || status=$?
        if [ "$status" != 0 ] || [ "$out" != "$(cat "$expected")" ]; then
            echo "cxx_eh: $name on $tier: exit $status, output differs:"
            diff <(printf '%s\n' "$out") "$expected" | head -20 || true
            fail=1
        fi
    done

    checks=$((checks + 1))
    status=0
    out=$("$corral" run --tier interp "$wasm" escape 2>&1) || status=$?
    if [ "$status" != 134 ] || [[ $out != *"escaping"* ]] || [[ $out != *"uncaught exception"* ]]; then
        echo "cxx_eh: $name escape: exit $status (want 134, an uncaught exception), output: $out"
        fail=1
    fi

    checks=$((checks + 1))
    status=0
    out=$("$corral" run --tier jit "$wasm" 2>&1) || status=$?
    if [ "$status" = 0 ] || [[ $out != *"does not support exceptions"* ]]; then
        echo "cxx_eh: $name: --tier jit should decline exceptions: exit $status, $out"
        fail=1
    fi
done

[ $fail = 0 ] && echo "cxx_eh: $checks checks passed"
exit $fail

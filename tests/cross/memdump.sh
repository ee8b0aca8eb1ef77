#!/usr/bin/env bash
# memdump.sh: runs tests/cross/memdump.wat (every load and store width, v128 lanes included)
# with CORRAL and compares the hex dump of its memory with memdump.expected, which x86-64 made
# and Node (V8) agrees with: linear memory is little-endian on every host, so the bytes must be
# identical on aarch64 and big-endian s390x too. With NODE=1 (and node on PATH) the module also
# runs under Node against the same file.
#
# usage: tests/cross/memdump.sh CORRAL [BUILD_DIR]    (CORRAL may be a qemu wrapper script)
# Prints "memdump: N passed, M failed"; exits 1 on a difference, 2 when it cannot run.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
corral=${1:?usage: $0 CORRAL [BUILD_DIR]}
build=${2:-$repo/build/tests/cross}
mkdir -p "$build"
wasm=$build/memdump.wasm
if [ ! -e "$wasm" ] || [ "$here/memdump.wat" -nt "$wasm" ]; then
    wat2wasm "$here/memdump.wat" -o "$wasm" || { echo "memdump: wat2wasm failed" >&2; exit 2; }
fi

pass=0 fail=0
check() { # NAME COMMAND...
    local name=$1 out=$build/memdump.$1.out
    shift
    if ! "$@" "$wasm" >"$out" 2>"$out.err"; then
        echo "memdump: $name: exit status $? ($(head -c 300 "$out.err"))"
        fail=$((fail + 1))
    elif ! cmp -s "$out" "$here/memdump.expected"; then
        echo "memdump: $name: the dump differs from tests/cross/memdump.expected:"
        diff "$here/memdump.expected" "$out" | head -20
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}
check corral "$corral" run --tier interp
if [ "${NODE:-0}" = 1 ] && command -v node >/dev/null 2>&1; then
    check node node "$repo/tests/wasi/node_run.mjs"
fi
echo "memdump: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# build_examples.sh: builds the `corral serve` example apps of examples/serve/ into
# build/examples/serve/, the paths examples/serve/modules.toml names. Rebuilds everything
# each time (a few seconds), prints each command, and stops with a non-zero status at the
# first failure. Overrides: CC (clang), RUSTC (/usr/bin/rustc), RUST_TARGET (wasm32-wasi),
# OUT (build/examples/serve), SKIP_RUST=1 to leave the Rust app out.
set -euo pipefail
cd "$(dirname "$0")/.."

SRC=examples/serve
OUT=${OUT:-build/examples/serve}
CC=${CC:-clang}
# Debian's rustc ships the wasm32-wasi standard library; a rustup toolchain earlier in PATH
# may have no wasm target at all (and from Rust 1.84 on the target is named wasm32-wasip1).
RUSTC=${RUSTC:-/usr/bin/rustc}
RUST_TARGET=${RUST_TARGET:-wasm32-wasi}

# -ftls-model=local-exec: wasi-libc declares errno _Thread_local, and with -mbulk-memory
# clang 14's wasm backend stops with "only -ftls-model=local-exec is supported for now on
# non-Emscripten OSes" in any file that uses errno unless told the model (without
# -mbulk-memory it makes thread-locals plain globals; later clangs pick the model themselves).
# -Wl,--strip-debug drops the DWARF that wasi-libc's objects carry (4/5 of each module) and
# keeps the name section, so traps still show function names.
# -I sdk: the guest SDK headers of Corral's host interfaces (corral_kv.h for counter.c,
# wasi_experimental_http.h for fetch.c).
# shellcheck disable=SC2054 # the comma belongs to -Wl,
CFLAGS=(--target=wasm32-wasi -O2 -mbulk-memory -ftls-model=local-exec -std=c11
    -D_GNU_SOURCE -Wall -Wextra -Wl,--strip-debug -I sdk)

# show CMD...: prints the command as a user would type it, then runs it.
show() {
    echo "\$ $*"
    "$@"
}

command -v "$CC" >/dev/null || { echo "build_examples: $CC not found" >&2; exit 1; }
if [ "${SKIP_RUST:-0}" != 1 ] && ! command -v "$RUSTC" >/dev/null; then
    echo "build_examples: $RUSTC not found (set RUSTC, or SKIP_RUST=1)" >&2
    exit 1
fi
mkdir -p "$OUT"

echo "== Building the corral serve examples into $OUT/"
# Every C app is a WASI command (wasi-libc's crt1, _start calling main). routes.c also
# exports _routes, say_hello and say_bye, which wasm-ld wraps to run libc's constructors
# before and its destructors (the stdout flush) after: see the comment in routes.c.
for app in hello env echo static routes counter fetch; do
    show "$CC" "${CFLAGS[@]}" "$SRC/$app.c" -o "$OUT/$app.wasm"
done

if [ "${SKIP_RUST:-0}" = 1 ]; then
    echo "(SKIP_RUST=1: not building $SRC/rust/hello.rs)"
else
    show "$RUSTC" --target "$RUST_TARGET" -O --edition 2021 -C strip=debuginfo \
        "$SRC/rust/hello.rs" -o "$OUT/hello_rust.wasm"
fi

echo "build_examples: built $(find "$OUT" -maxdepth 1 -name '*.wasm' | wc -l) modules in $OUT/"

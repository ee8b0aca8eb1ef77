#!/bin/sh
# tests/sjlj/run.sh CORRAL [OUTDIR]: builds sjlj.c with clang's setjmp/longjmp lowering to
# WebAssembly exception handling (the legacy try/catch form clang 14 emits) and runs it.
set -eu
corral=$1
out=${2:-build/sjlj}
dir=$(dirname "$0")
mkdir -p "$out"
clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -mllvm -wasm-enable-sjlj \
    "$dir/sjlj.c" "$dir/sjlj_rt.c" -o "$out/sjlj.wasm"
"$corral" run "$out/sjlj.wasm"

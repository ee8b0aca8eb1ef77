#!/usr/bin/env bash
# bench/compiled/why.sh: why bytes and sha256 run 1.5-1.9x native in every Wasm route
# (docs/design/compiled.md, section 4.4); about a minute. Builds the two kernels natively and
# through wasm2c + gcc exactly as study.sh does, plus variants that each remove one suspected
# cause:
#
#   nat            gcc -O2 (the baseline)
#   nat-novec      gcc -O2 -fno-tree-vectorize: what SSE2 vectorisation buys natively
#   clang          clang-14 -O2, natively
#   clang-novec    clang-14 -O2 -fno-vectorize -fno-slp-vectorize
#   w2c            the Wasm (clang-14 --target=wasm32 -O2 -mbulk-memory) through wasm2c + gcc -O2
#   w2c-base       the same C, but loads and stores address a global register variable (r14)
#                  holding the linear-memory base, set once after instantiation, instead of
#                  instance->memory.data: no store can alias the base, so it is not reloaded
#   w2c-base-novec w2c-base with -fno-tree-vectorize
#   w2c-nounroll   the Wasm built with -fno-unroll-loops, then as w2c-base
#
# and the same for two edited copies of the kernels, whose linear-memory addresses are
# constants: sha256-sw (the schedule array w[64] static instead of on the shadow stack) and
# bytes-ca (the round loop written out twice, so every pass gets its buffers as constant
# addresses instead of the swapped src/dst pointers). Then (if node exists) V8 TurboFan on the
# Wasm with and without -msimd128 (wasm2c 1.0.32 cannot translate SIMD).
#
# Times: every binary runs RUNS times (default 9), round-robin, so load from other work spreads
# evenly over the variants; printed: the median in ms, as a multiple of nat, and min-max.
#
# Usage: bench/compiled/why.sh [SCRATCH_DIR]   (default /tmp/corral-why)
# It writes only into SCRATCH_DIR. Needs gcc, clang-14, lld-14, wabt (node optional).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/bench/compiled
OUT=${1:-/tmp/corral-why}
RUNS=${RUNS:-9}
RT_LIB=/usr/lib/x86_64-linux-gnu/libwasm-rt-impl.a
# shellcheck disable=SC2054 # the commas belong to -Wl,
WASM_CFLAGS=(--target=wasm32-wasi -O2 -nostdlib -mbulk-memory -Wl,--no-entry)
NATIVE_CFLAGS=(-O2 -std=c11 -fno-math-errno)
VARIANTS=(nat nat-novec clang clang-novec w2c w2c-base w2c-base-novec w2c-nounroll)
mkdir -p "$OUT"

die() {
    echo "why: $*" >&2
    exit 1
}

# base_in_register IN OUT: wasm2c's C with every load and store addressing study_base (r14).
base_in_register() {
    {
        echo '#include <stdint.h>'
        echo 'register uint8_t *study_base __asm__("r14");'
        sed -e 's/&mem->data\[addr\]/\&study_base[addr]/' \
            -e 's/^\(  wasm_rt_allocate_memory(&instance->w2c_memory, .*);\)$/\1 study_base = instance->w2c_memory.data;/' \
            "$1"
    } >"$2"
    grep -q 'study_base = instance' "$2" || die "no memory allocation found in $1"
}

# w2c_build DIR K TAG NAME [GCC FLAGS...]: DIR/K.c (wasm2c output) into OUT/TAG.NAME.
w2c_build() {
    local dir=$1 k=$2 tag=$3 name=$4
    shift 4
    gcc -O2 -w "$@" -c -I"$dir" -I"$HERE" -DKERNEL="$k" "$HERE/w2c_entry.c" -o "$OUT/$tag.$name.o"
    gcc -O2 "$HERE/w2c_main.c" "$OUT/$tag.$name.o" "$RT_LIB" -lm -o "$OUT/$tag.$name"
}

# edited SRC OUT: the copies with constant addresses (see above).
edited() {
    case "$1" in
    */sha256.c)
        sed 's/^    uint32_t w\[64\];$/    static uint32_t w[64];/' "$1" >"$2"
        grep -q 'static uint32_t w\[64\]' "$2" || die "sha256.c: no w[64] to make static"
        ;;
    */bytes.c)
        sed '/^int32_t bytes(int32_t rounds)$/,$d' "$1" >"$2"
        cat >>"$2" <<'EOF'
int32_t bytes(int32_t rounds)
{
    uint32_t x = 2463534242u; /* xorshift32 */
    for (uint32_t i = 0; i < BUF_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf_a[i] = (uint8_t)x;
    }
    uint32_t sum = 0;
#define ROUND(dst, src)                                                                        \
    transform(dst, src, (uint32_t)r);                                                          \
    reverse(dst);                                                                              \
    sum = sum * 31 + histogram(dst);                                                           \
    sum = sum * 31 + count_equal(dst, src);                                                    \
    sum = sum * 31 + adler32(dst);
    for (int32_t r = 0; r < rounds; r++) {
        if (r % 2 == 0) {
            ROUND(buf_b, buf_a)
        } else {
            ROUND(buf_a, buf_b)
        }
    }
    return (int32_t)(sum & 0x7fffffff);
}
EOF
        ;;
    esac
}

# build K SRC TAG: every variant of kernel K from SRC, as OUT/TAG.VARIANT.
build() {
    local k=$1 src=$2 tag=$3 w
    local main=(-DKERNEL="$k" "$ROOT/bench/native_main.c" "$src") extra
    gcc "${NATIVE_CFLAGS[@]}" "${main[@]}" -o "$OUT/$tag.nat"
    gcc "${NATIVE_CFLAGS[@]}" -fno-tree-vectorize "${main[@]}" -o "$OUT/$tag.nat-novec"
    clang-14 "${NATIVE_CFLAGS[@]}" "${main[@]}" -o "$OUT/$tag.clang"
    clang-14 "${NATIVE_CFLAGS[@]}" -fno-vectorize -fno-slp-vectorize "${main[@]}" \
        -o "$OUT/$tag.clang-novec"
    for w in plain nounroll; do
        mkdir -p "$OUT/$tag-$w" "$OUT/$tag-$w-base"
        extra=()
        [[ $w == nounroll ]] && extra=(-fno-unroll-loops)
        clang-14 "${WASM_CFLAGS[@]}" ${extra[@]+"${extra[@]}"} -Wl,--export="$k" "$src" \
            -o "$OUT/$tag-$w/$k.wasm"
        wasm2c "$OUT/$tag-$w/$k.wasm" -o "$OUT/$tag-$w/$k.c"
        cp "$OUT/$tag-$w/$k.h" "$OUT/$tag-$w-base/$k.h"
        base_in_register "$OUT/$tag-$w/$k.c" "$OUT/$tag-$w-base/$k.c"
    done
    w2c_build "$OUT/$tag-plain" "$k" "$tag" w2c
    w2c_build "$OUT/$tag-plain-base" "$k" "$tag" w2c-base
    w2c_build "$OUT/$tag-plain-base" "$k" "$tag" w2c-base-novec -fno-tree-vectorize
    w2c_build "$OUT/$tag-nounroll-base" "$k" "$tag" w2c-nounroll
}

tags=()
declare -A ARG
for k in bytes sha256; do
    src=$ROOT/bench/kernels/$k.c
    arg=$(sed -n 's/^#define BENCH_ARG \([0-9][0-9]*\).*/\1/p' "$src")
    tag=$k-sw
    [[ $k == bytes ]] && tag=$k-ca
    edited "$src" "$OUT/$k-edited.c"
    echo "why: building $k and $tag" >&2
    build "$k" "$src" "$k"
    build "$k" "$OUT/$k-edited.c" "$tag"
    ARG[$k]=$arg
    ARG[$tag]=$arg
    tags+=("$k" "$tag")
done

# Check every result, then time round-robin.
for t in "${tags[@]}"; do
    want=$("$OUT/$t.nat" "${ARG[$t]}")
    for v in "${VARIANTS[@]}"; do
        got=$("$OUT/$t.$v" "${ARG[$t]}")
        [[ $got == "$want" ]] || die "$t.$v printed $got, native $want"
        : >"$OUT/$t.$v.us"
    done
done
echo "why: timing, $RUNS rounds" >&2
for ((r = 0; r < RUNS; r++)); do
    for t in "${tags[@]}"; do
        for v in "${VARIANTS[@]}"; do
            t0=$(date +%s%N)
            "$OUT/$t.$v" "${ARG[$t]}" >/dev/null
            t1=$(date +%s%N)
            echo $(((t1 - t0) / 1000)) >>"$OUT/$t.$v.us"
        done
    done
done

# median FILE: the median of the microseconds in FILE, in ms.
median() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}
echo "median of $RUNS runs, ms, x nat, [min-max ms]"
for t in "${tags[@]}"; do
    nat=$(median "$OUT/$t.nat.us")
    for v in "${VARIANTS[@]}"; do
        m=$(median "$OUT/$t.$v.us")
        range=$(sort -n "$OUT/$t.$v.us" | awk 'NR == 1 { lo = $1 } { hi = $1 }
            END { printf "%.0f-%.0f", lo / 1000, hi / 1000 }')
        printf '  %-10s %-15s %7s ms  %5.2fx  [%s]\n' "$t" "$v" "$m" \
            "$(awk -v m="$m" -v n="$nat" 'BEGIN { print m / n }')" "$range"
    done
done

# V8 TurboFan (the flags of study.sh), the Wasm with and without -msimd128: median warm call.
if command -v node >/dev/null; then
    tf=(--no-liftoff --no-wasm-dynamic-tiering --no-wasm-lazy-compilation)
    for k in bytes sha256; do
        clang-14 "${WASM_CFLAGS[@]}" -msimd128 -Wl,--export="$k" "$ROOT/bench/kernels/$k.c" \
            -o "$OUT/$k.simd.wasm"
        for w in "$OUT/$k-plain/$k.wasm" "$OUT/$k.simd.wasm"; do
            t=$(node "${tf[@]}" "$HERE/v8_tiers.mjs" run "$w" "$k" "${ARG[$k]}" "$RUNS" 2>&1 >/dev/null)
            echo "  turbofan $(basename "$w") $t"
        done
    done
fi

#!/usr/bin/env bash
# bench/run.sh: `make bench`. Builds every kernel in bench/kernels/ and bench/simd/ natively (gcc -O2) and to
# wasm32 (clang -O2, no libc, no imports), runs each on every engine, checks that each engine
# printed native's result, and prints a table of median wall times and ratios to native.
# Timing is reported, never judged: only a wrong or missing result makes this script fail.
#
# What is timed: the whole process, `ENGINE ... ARG` from exec to exit (hyperfine -N), so the
# times include process start-up, reading, validating and compiling the module. Node's
# start-up alone is measured and printed; the extra row node-call is V8 measured inside one
# process (the median of repeated warm calls after instantiation), V8's speed without start-up.
#
# Environment:
#   BENCH_RUNS=N           timed runs per kernel and engine (default 5; fewer for very slow runs)
#   BENCH_KERNELS="a b"    kernels to run (default: every bench/kernels/*.c, and each
#                          bench/simd/NAME.c twice: NAME, scalar, and NAME_simd, built with
#                          -msimd128 and its function renamed; their table is apart, and the
#                          geometric mean covers bench/kernels/ only)
#   BENCH_ARGS="fib=30"    override a kernel's argument (default: its BENCH_ARG)
#   BENCH_ENGINES="name=/path/to/cmd ..."
#                          extra engines, space-separated. How each is called depends on the
#                          basename of its command (a -VERSION suffix allowed):
#                            wasm3   `wasm3 --func NAME FILE.wasm ARG`; the result is the N of
#                                    the `Result: N` line it prints on stderr
#                            iwasm   WAMR: `iwasm --function NAME FILE.wasm ARG`; the result is
#                                    its `0x1f:i32` line on stdout, read as a signed i32
#                            wasm2c  WABT's wasm2c (Debian's wabt has it): each kernel's .wasm
#                                    translated to C and compiled with CC_NATIVE -O2, its
#                                    runtime (guard pages, as Corral's) and bench/wasm2c_main.c,
#                                    before the timing; the row times the executable
#                            other   `cmd FILE.wasm NAME ARG`, which must print the result as a
#                                    signed decimal on the last line of stdout
#                          Every engine must exit 0. A command that needs options of its own
#                          goes in a small wrapper script (not named wasm3 or iwasm).
#   CORRAL=path            the Corral CLI (default build/corral)
#   CC_NATIVE=gcc          the native compiler (default gcc)
#
# A kernel is one file bench/kernels/NAME.c defining `int32_t NAME(int32_t arg)` (pure: no
# libc, no I/O, the same result on every call) that returns a non-negative checksum, and
# `#define BENCH_ARG n`, its default argument, sized so native takes roughly 0.05-0.5 s and an
# interpreter well under 20 s.
#
# After the kernel table come the sections of bench/startup_limits.sh (start-up of a hello
# world, --timeout accuracy, --fuel determinism, the cost of the interruption checks), of
# bench/startup_big.sh (start-up of LLVM and Yosys from npm's @yowasp packages) and of
# bench/gateway.sh (corral serve against nginx under wrk, instantiation time, memory over
# 100,000 requests) and of bench/store.sh (corral store serve: parcel upload, download against
# nginx, memory while a 1 GiB parcel streams) and of bench/cluster.sh (containerd-shim-corral-v1
# against runc: start to first output, memory of a pod of 1, 10, 100 containers); their headers
# list their own knobs; and of bench/tier.sh (the compiled tier: a hello world from its
# artifact, and `auto` against `aot` on a job of about ten seconds). Then the
# load average at the end.
# Everything printed as a table also goes to build/bench/results.txt, which opens with the
# machine, the compilers and the commit.
#
#   BENCH_SECTIONS="kernels startup startup-big timeout fuel checks tier-startup tier-auto gateway store cluster"
#                          the parts to run (default: all of them, in this order)
#   BENCH_RECORD=1         also copy results.txt to bench/results/DATE-COMMIT.txt, a record
#                          to keep (bench/results/README.md)
set -euo pipefail

# abs PATH: PATH made absolute if it names a file relative to the caller's directory; a bare
# command name (looked up in PATH) is left alone. Symbolic links stay unresolved: an engine's
# basename says how to call it (iwasm is a link to iwasm-VERSION).
abs() {
    case "$1" in
        */*) realpath -m -s -- "$1" ;;
        *) printf '%s\n' "$1" ;;
    esac
}
[ -z "${CORRAL:-}" ] || CORRAL=$(abs "$CORRAL")
extra_engines=()
for entry in ${BENCH_ENGINES:-}; do
    case "$entry" in
        ?*=?*) extra_engines+=("${entry%%=*}=$(abs "${entry#*=}")") ;;
        *) echo "bench: BENCH_ENGINES entry '$entry' is not name=/path/to/cmd" >&2; exit 1 ;;
    esac
done

cd "$(dirname "$0")/.."
CORRAL=${CORRAL:-build/corral}
CC_NATIVE=${CC_NATIVE:-gcc}
RUNS=${BENCH_RUNS:-5}
OUT=build/bench
BUDGET_S=60 # rough cap on the timed runs of one kernel on one engine

# shellcheck disable=SC2054 # the commas belong to -Wl,
WASM_CFLAGS=(--target=wasm32-wasi -O2 -nostdlib -mbulk-memory -Wl,--no-entry)
# -fno-math-errno as clang's wasm32 target has by default: __builtin_sqrt is then the bare
# instruction, without the libm call gcc otherwise keeps to set errno for negative arguments.
NATIVE_CFLAGS=(-O2 -std=c11 -fno-math-errno -Wall -Wextra)

die() {
    echo "bench: $*" >&2
    exit 1
}

for tool in "$CC_NATIVE" clang hyperfine; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
done
[ -x "$CORRAL" ] || die "$CORRAL not found; run make first"

ALL_SECTIONS="kernels startup startup-big timeout fuel checks tier-startup tier-auto gateway store cluster"
SECTIONS=${BENCH_SECTIONS:-$ALL_SECTIONS}
for s in $SECTIONS; do
    case " $ALL_SECTIONS " in
        *" $s "*) ;;
        *) die "BENCH_SECTIONS: no section '$s' (sections: $ALL_SECTIONS)" ;;
    esac
done
# want SECTION: whether SECTION is to run.
want() {
    case " $SECTIONS " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}
if want startup && [ ! -x /usr/bin/time ]; then
    die "/usr/bin/time not found (scripts/deps.sh installs it: Debian package time)"
fi

# ---- engines ------------------------------------------------------------------------------
# Parallel arrays: engine name, its command and its kind, which says how it is called
# (engine_argv) and where its result is (engine_result). native, corral and node are built in;
# an extra engine's kind is wasm3 or iwasm by its command's basename (a -VERSION suffix
# allowed), else plain.
# corral is the interpreter; corral-aot runs the artifact `corral compile` wrote before the
# timing (so its times hold loading the artifact, not compiling it: the compile table below
# has that).
ENGINE_NAMES=(native corral corral-aot)
ENGINE_CMDS=("" "$CORRAL" "$CORRAL")
ENGINE_KINDS=(native corral corral-aot)
if command -v node >/dev/null 2>&1; then
    ENGINE_NAMES+=(node)
    ENGINE_CMDS+=(node)
    ENGINE_KINDS+=(node)
else
    echo "bench: node not found; skipping V8" >&2
fi
for entry in ${extra_engines[@]+"${extra_engines[@]}"}; do
    name=${entry%%=*}
    cmd=${entry#*=}
    [ -x "$cmd" ] || command -v "$cmd" >/dev/null 2>&1 || die "engine $name: $cmd not executable"
    ENGINE_NAMES+=("$name")
    ENGINE_CMDS+=("$cmd")
    case "$(basename -- "$cmd")" in
        wasm3 | wasm3-*) ENGINE_KINDS+=(wasm3) ;;
        iwasm | iwasm-*) ENGINE_KINDS+=(iwasm) ;;
        wasm2c | wasm2c-*) ENGINE_KINDS+=(wasm2c) ;;
        *) ENGINE_KINDS+=(plain) ;;
    esac
done

# engine_argv I KERNEL ARG: sets ARGV to the command line running KERNEL(ARG) on engine I.
engine_argv() {
    local cmd=${ENGINE_CMDS[$1]} k=$2 arg=$3 wasm=$OUT/wasm/$2.wasm
    case "${ENGINE_KINDS[$1]}" in
        native) ARGV=("$OUT/native/$k" "$arg") ;;
        corral) ARGV=("$cmd" run --tier interp "$wasm" --invoke "$k" "$arg") ;;
        corral-aot) ARGV=("$cmd" run "$OUT/aot/$k.cwasm" --invoke "$k" "$arg") ;;
        node) ARGV=(node bench/node_run.mjs "$wasm" "$k" "$arg") ;;
        wasm3) ARGV=("$cmd" --func "$k" "$wasm" "$arg") ;;
        iwasm) ARGV=("$cmd" --function "$k" "$wasm" "$arg") ;;
        wasm2c) ARGV=("$OUT/wasm2c/$k/$k" "$arg") ;;
        *) ARGV=("$cmd" "$wasm" "$k" "$arg") ;;
    esac
}

# engine_result I STDOUT STDERR: prints the i32 result of engine I as a signed decimal, taken
# from the files holding what it printed; prints nothing if there is none.
engine_result() {
    local hex
    case "${ENGINE_KINDS[$1]}" in
        wasm3) sed -n 's/^Result: \(-\{0,1\}[0-9][0-9]*\)$/\1/p' "$3" | tail -n 1 ;;
        iwasm)
            hex=$(sed -n 's/^0x\([0-9a-fA-F]\{1,8\}\):i32$/\1/p' "$2" | tail -n 1)
            [ -z "$hex" ] || echo $(((16#$hex ^ 0x80000000) - 0x80000000))
            ;;
        *) tail -n 1 "$2" | tr -d '[:space:]' ;;
    esac
}

# ---- kernels ------------------------------------------------------------------------------
if [ -n "${BENCH_KERNELS:-}" ]; then
    read -r -a KERNELS <<<"$BENCH_KERNELS"
else
    KERNELS=()
    for f in bench/kernels/*.c bench/simd/*.c; do
        KERNELS+=("$(basename "$f" .c)")
        [[ $f != bench/simd/* ]] || KERNELS+=("$(basename "$f" .c)_simd")
    done
fi

# kernel_base K: the name of the source K is built from: NAME for NAME_simd, the SIMD form of a
# kernel of bench/simd/ (the same source built with -msimd128, its function renamed NAME_simd).
kernel_base() {
    local k=$1
    if [[ $k == *_simd ]] && [ -f "bench/simd/${k%_simd}.c" ]; then
        echo "${k%_simd}"
    else
        echo "$k"
    fi
}
# kernel_src K: K's source file.
kernel_src() {
    local base
    base=$(kernel_base "$1")
    if [ -f "bench/simd/$base.c" ]; then echo "bench/simd/$base.c"; else echo "bench/kernels/$base.c"; fi
}

kernel_arg() {
    local k=$1 override
    for override in ${BENCH_ARGS:-}; do
        if [ "${override%%=*}" = "$k" ]; then
            echo "${override#*=}"
            return
        fi
    done
    sed -n 's/^#define BENCH_ARG \([0-9][0-9]*\).*/\1/p' "$(kernel_src "$k")"
}

mkdir -p "$OUT/native" "$OUT/wasm" "$OUT/json" "$OUT/aot"
COMPILE_TSV=$OUT/compile.tsv
printf 'kernel\twasm_bytes\tseconds\tpeak_kib\n' >"$COMPILE_TSV"
want kernels || want checks || KERNELS=() # checks runs the kernels under callgrind
for k in ${KERNELS[@]+"${KERNELS[@]}"}; do
    base=$(kernel_base "$k") rename=() simd=()
    src=$(kernel_src "$k")
    [ -f "$src" ] || die "no kernel $src"
    [ "$base" = "$k" ] || rename=("-D$base=$k") simd=(-msimd128)
    [[ "$(kernel_arg "$k")" =~ ^-?[0-9]+$ ]] || die "$k: no integer argument (BENCH_ARG n or BENCH_ARGS)"
    "$CC_NATIVE" "${NATIVE_CFLAGS[@]}" ${rename[@]+"${rename[@]}"} -DKERNEL="$k" \
        bench/native_main.c "$src" -o "$OUT/native/$k" || die "native build of $k failed"
    clang "${WASM_CFLAGS[@]}" ${simd[@]+"${simd[@]}"} ${rename[@]+"${rename[@]}"} \
        -Wl,--export="$k" "$src" -o "$OUT/wasm/$k.wasm" || die "wasm build of $k failed"
    # the compiled tier's artifact; /usr/bin/time's peak is the largest process, which is
    # the C compiler's (cc1), not corral's
    /usr/bin/time -f "%e %M" -o "$OUT/aot/$k.time" "$CORRAL" compile "$OUT/wasm/$k.wasm" \
        -o "$OUT/aot/$k.cwasm" || die "corral compile of $k failed"
    read -r secs kib <"$OUT/aot/$k.time"
    printf '%s\t%s\t%s\t%s\n' "$k" "$(stat -c %s "$OUT/wasm/$k.wasm")" "$secs" "$kib" >>"$COMPILE_TSV"
    for i in "${!ENGINE_KINDS[@]}"; do
        [ "${ENGINE_KINDS[$i]}" = wasm2c ] || continue
        w2c=$OUT/wasm2c/$k
        rt=$(dirname "$(dirname "$(command -v "${ENGINE_CMDS[$i]}")")")/share/wabt/wasm2c
        [ -f "$rt/wasm-rt-impl.c" ] || die "wasm2c: no runtime in $rt (Debian package wabt)"
        mkdir -p "$w2c"
        "${ENGINE_CMDS[$i]}" "$OUT/wasm/$k.wasm" -n "$k" -o "$w2c/$k.c" || die "wasm2c of $k failed"
        "$CC_NATIVE" -O2 -fno-math-errno -w -I"$rt" -DKERNEL="$k" -include "$w2c/$k.h" \
            bench/wasm2c_main.c "$w2c/$k.c" "$rt/wasm-rt-impl.c" -lm -o "$w2c/$k" \
            || die "the C of wasm2c for $k did not compile"
    done
done

# ---- running ------------------------------------------------------------------------------
now_ns() { date +%s%N; }

# ms SECONDS: formats a time in seconds as milliseconds.
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

RESULTS=$OUT/results.tsv
printf 'kernel\targ\tengine\tmedian_s\tstatus\n' >"$RESULTS"
problems=0
WANT=""

# version COMMAND...: the first line COMMAND prints about its version, or "not installed".
version() {
    command -v "$1" >/dev/null 2>&1 || { echo "$1 not installed"; return; }
    "$@" 2>&1 | head -n 1
}
# What a recorded result needs beside the numbers: machine, compilers, commit, load.
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" = unknown ]; then
    TREE="not a git checkout"
elif [ -z "$(git status --porcelain -- src include 2>/dev/null)" ]; then
    TREE="src/ and include/ as committed"
else
    TREE="WITH UNCOMMITTED CHANGES to src/ or include/"
fi
{
    echo "Corral benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), sections: $SECTIONS"
    echo "machine:   $(nproc) cores, $(awk -F': ' '/^model name/ { m = $2 } /^cpu family/ { f = $2 }
        /^model[[:space:]]*:/ { n = $2 } /^cpu MHz/ { h = $2 } /^flags/ { v = ($0 ~ / hypervisor/) }
        END { printf "%s (family %s model %s, %.0f MHz)%s", m, f, n, h, v ? ", virtual machine" : "" }' \
        /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
    echo "kernel:    $(uname -sr) $(uname -m)"
    echo "compilers: $(version "$CC_NATIVE" --version); $(version clang --version)"
    echo "tools:     node $(version node --version); $(version hyperfine --version); $(version valgrind --version)"
    echo "commit:    $COMMIT ($TREE); corral built with the Makefile's flags"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
    # The other platforms, under qemu-user: the legs that passed in the last
    # `make test-cross ARCH=...` here (scripts/cross-test.sh writes legs.txt); not run by bench.
    for arch in aarch64 s390x; do
        legs=build/cross-$arch/legs.txt
        if [ -f "$legs" ]; then
            echo "cross:     $arch under qemu-user ($(date -u -r "$legs" '+%Y-%m-%d %H:%M UTC')):" \
                "$(awk -v a="cross $arch: " 'index($0, a) == 1 { sub(a, ""); printf "%s%s", n++ ? "; " : "", $0 }' "$legs")"
        else
            echo "cross:     $arch not run (make test-cross ARCH=$arch)"
        fi
    done
} | tee "$OUT/results.txt"
if want kernels; then
    echo "Kernels: $RUNS runs each; whole-process wall time" | tee -a "$OUT/results.txt"
fi
if want kernels && command -v node >/dev/null 2>&1; then
    hyperfine -N --runs "$RUNS" --style none --command-name node-startup \
        --export-csv "$OUT/node-startup.csv" "node -e 0" >/dev/null 2>&1 \
        && echo "Node start-up alone (node -e 0): $(ms "$(awk -F, 'NR==2 {print $4}' \
            "$OUT/node-startup.csv")") ms, included in node's times"
fi
echo

# record KERNEL ARG ENGINE MEDIAN_S STATUS: adds a row to the results.
record() {
    printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"
}

# problem KERNEL ARG ENGINE STATUS MESSAGE: records and reports a failed or wrong run.
problem() {
    echo "$5"
    record "$1" "$2" "$3" "" "$4"
    problems=$((problems + 1))
}

# bench_one KERNEL ARG I: checks and times KERNEL(ARG) on engine I; native (I = 0) first, as
# it sets WANT, the result every other engine must print.
bench_one() {
    local k=$1 arg=$2 i=$3 engine=${ENGINE_NAMES[$3]} got status t0 t1 runs median out err
    out=$OUT/$k.$engine.stdout
    err=$OUT/$k.$engine.stderr
    engine_argv "$i" "$k" "$arg"
    printf '%-10s %-10s ' "$k" "$engine"
    if [ "$k" != "$(kernel_base "$k")" ] && [ "${ENGINE_KINDS[$i]}" = wasm3 ]; then
        echo "not run: wasm3 has no SIMD"
        record "$k" "$arg" "$engine" "" "not run (no SIMD)"
        return
    fi

    # One untimed run that checks the result (and warms the file cache).
    t0=$(now_ns)
    status=0
    "${ARGV[@]}" >"$out" 2>"$err" || status=$?
    t1=$(now_ns)
    got=$(engine_result "$i" "$out" "$err")
    if [ "$status" -ne 0 ] || [ -z "$got" ]; then
        problem "$k" "$arg" "$engine" FAILED \
            "FAILED (exit $status): $(cat "$err" "$out" | head -c 300)"
        return
    fi
    if [ "$engine" = native ]; then
        WANT=$got
    elif [ -z "$WANT" ]; then
        problem "$k" "$arg" "$engine" UNCHECKED "UNCHECKED: printed '$got', native gave no result"
        return
    elif [ "$got" != "$WANT" ]; then
        problem "$k" "$arg" "$engine" "MISMATCH $got != $WANT" \
            "!!! MISMATCH: printed '$got', native printed '$WANT' !!!"
        return
    fi

    # Slow engines get fewer runs, so one kernel cannot take much more than BUDGET_S.
    runs=$(awk -v r="$RUNS" -v t="$(((t1 - t0) / 1000000))" -v b="$BUDGET_S" \
        'BEGIN { n = (t > 0) ? int(b * 1000 / t) : r; if (n > r) n = r; if (n < 2) n = 2
                 print n }')
    if ! hyperfine -N --runs "$runs" --style none --command-name "$k.$engine" \
        --export-json "$OUT/json/$k.$engine.json" --export-csv "$OUT/$k.$engine.csv" \
        "$(printf '%q ' "${ARGV[@]}")" >/dev/null 2>"$err"; then
        problem "$k" "$arg" "$engine" FAILED "FAILED under hyperfine: $(head -c 300 "$err")"
        return
    fi
    median=$(awk -F, 'NR == 2 { print $4 }' "$OUT/$k.$engine.csv")
    echo "$(ms "$median") ms (median of $runs)"
    record "$k" "$arg" "$engine" "$median" "ok $got"

    # For Node, also V8's warm speed: the median of calls inside one process.
    if [ "$engine" = node ]; then
        printf '%-10s %-10s ' "$k" node-call
        status=0
        got=$(node bench/node_run.mjs --time "$runs" "$OUT/wasm/$k.wasm" "$k" "$arg" 2>"$err" \
            | tail -n 1 | tr -d '[:space:]') || status=$?
        median=$(sed -n 's/^median_s=//p' "$err")
        if [ "$status" -ne 0 ] || [ -z "$median" ]; then
            problem "$k" "$arg" node-call FAILED "FAILED (exit $status): $(head -c 300 "$err")"
        elif [ "$got" != "$WANT" ]; then
            problem "$k" "$arg" node-call "MISMATCH $got != $WANT" \
                "!!! MISMATCH: printed '$got', native printed '$WANT' !!!"
        else
            echo "$(ms "$median") ms (median of $runs calls in one process)"
            record "$k" "$arg" node-call "$median" "ok $got"
        fi
    fi
}

TIMED_KERNELS=()
want kernels && TIMED_KERNELS=(${KERNELS[@]+"${KERNELS[@]}"})
for k in ${TIMED_KERNELS[@]+"${TIMED_KERNELS[@]}"}; do
    arg=$(kernel_arg "$k")
    WANT=""
    for i in "${!ENGINE_NAMES[@]}"; do
        bench_one "$k" "$arg" "$i"
    done
done

# ---- the table ----------------------------------------------------------------------------
if want kernels; then
    echo
    SIMD_BASES=" $(for f in bench/simd/*.c; do basename "$f" .c; done | tr '\n' ' ')"
    awk -F'\t' -v simd_bases="$SIMD_BASES" '
        NR == 1 { next }
        { kernel[NR] = $1; arg[NR] = $2; engine[NR] = $3; median[NR] = $4; status[NR] = $5
          if ($3 == "native" && $4 != "") base[$1] = $4
          if (!($3 in seen)) { seen[$3] = 1; order[++ne] = $3 } }
        END {
            printf "%-10s %-8s %-10s %12s %9s  %s\n", "kernel", "arg", "engine", "median", "x native", "result"
            for (i = 2; i <= NR; i++) {
                ratio = "-"
                k = kernel[i]; sub(/_simd$/, "", k)
                simd_row = index(simd_bases, " " k " ") > 0
                if (median[i] != "" && base[kernel[i]] != "") {
                    r = median[i] / base[kernel[i]]
                    ratio = sprintf("%.2f", r)
                    if (!simd_row) { logsum[engine[i]] += log(r); count[engine[i]]++ }
                }
                if (simd_row && median[i] != "")
                    simd_t[k, engine[i], kernel[i] == k ? "scalar" : "simd"] = median[i]
                t = (median[i] == "") ? "-" : sprintf("%.1f ms", median[i] * 1000)
                printf "%-10s %-8s %-10s %12s %9s  %s\n", kernel[i], arg[i], engine[i], t, ratio, status[i]
            }
            printf "\ngeometric mean of x native (bench/kernels/ only):"
            for (j = 1; j <= ne; j++)
                if (count[order[j]] > 0)
                    printf "  %s %.2f", order[j], exp(logsum[order[j]] / count[order[j]])
            printf "\n"
            n = split(simd_bases, sb, " ")
            if (n == 0) exit
            printf "\nSIMD (bench/simd/): each kernel scalar and built with -msimd128; speed-up = scalar / simd\n"
            printf "%-10s %-10s %12s %12s %9s\n", "kernel", "engine", "scalar", "simd", "speed-up"
            for (b = 1; b <= n; b++)
                for (j = 1; j <= ne; j++) {
                    e = order[j]
                    if (e == "native" || !((sb[b], e, "scalar") in simd_t) || !((sb[b], e, "simd") in simd_t))
                        continue
                    sc = simd_t[sb[b], e, "scalar"]; sv = simd_t[sb[b], e, "simd"]
                    printf "%-10s %-10s %9.1f ms %9.1f ms %8.2fx\n", sb[b], e, sc * 1000, sv * 1000, sc / sv
                }
        }' "$RESULTS" | tee -a "$OUT/results.txt"
fi

# ---- compile times ----------------------------------------------------------------------------
if want kernels && [ ${#KERNELS[@]} -gt 0 ]; then
    echo
    awk -F'\t' '
        NR == 1 { printf "%-10s %10s %10s %12s\n", "compile", "wasm", "seconds", "peak RSS"; next }
        { printf "%-10s %8.1f K %10.2f %9.0f MiB\n", $1, $2 / 1024, $3, $4 / 1024
          bytes += $2; secs += $3; if ($4 > peak) peak = $4 }
        END { printf "compiled tier: %.1f s per MB of Wasm over %d modules (tiny modules: the C compiler'"'"'s start-up dominates); peak compiler memory %.0f MiB\n", secs / (bytes / 1e6), NR - 1, peak / 1024 }
    ' "$COMPILE_TSV" | tee -a "$OUT/results.txt"
fi

# ---- start-up and limits --------------------------------------------------------------------
# problem_note MESSAGE: a wrong result in one of these sections.
problem_note() {
    echo "!!! $* !!!"
    problems=$((problems + 1))
}
# shellcheck source=bench/startup_limits.sh disable=SC1091
. bench/startup_limits.sh
# shellcheck source=bench/startup_big.sh disable=SC1091
. bench/startup_big.sh
# shellcheck source=bench/gateway.sh disable=SC1091
. bench/gateway.sh
# shellcheck source=bench/store.sh disable=SC1091
. bench/store.sh
# shellcheck source=bench/cluster.sh disable=SC1091
. bench/cluster.sh
# shellcheck source=bench/tier.sh disable=SC1091
. bench/tier.sh
: >"$SECTIONS_TXT"
for s in startup startup-big timeout fuel checks tier-startup tier-auto gateway store cluster; do
    if want "$s"; then
        echo
        echo "[$s]"
        "section_${s//-/_}"
    fi
done
if [ -s "$SECTIONS_TXT" ]; then
    echo
    echo "==== start-up, big modules, limits, the gateway, the store and the cluster (issues 3 to 5, 10 to 12) ===="
    cat "$SECTIONS_TXT"
    cat "$SECTIONS_TXT" >>"$OUT/results.txt"
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/results.txt"
echo "(raw runs: $OUT/json/, tables: $OUT/results.txt)"
if [ "${BENCH_RECORD:-0}" = 1 ]; then
    record_file=bench/results/$(date -u +%Y-%m-%d)-$COMMIT.txt
    mkdir -p bench/results
    cp "$OUT/results.txt" "$record_file"
    echo "recorded: $record_file (describe the machine in bench/results/README.md)"
fi

if [ "$problems" -ne 0 ]; then
    echo >&2
    echo "bench: !!! $problems problem(s): a run FAILED, printed a result different from native's, or a limit did not stop the guest as it should (see above) !!!" >&2
    exit 1
fi

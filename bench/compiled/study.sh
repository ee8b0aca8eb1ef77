#!/usr/bin/env bash
# bench/compiled/study.sh: the measurements behind docs/design/compiled.md (issue 13, the
# compiled tier's backend). Builds every bench kernel (bench/kernels/*.c) and two real programs
# (Lua 5.4 and SQLite 3.40, from Debian's source packages) natively and to Wasm, then runs each
# through the candidate routes and prints two tables, into build/compiled-study/:
#
#   run time    native gcc -O2 (the baseline) and clang-14 -O2 (the control); wasm2c
#               + gcc -O2, also with a poll at entries and loops (a fuel counter in memory,
#               one in a register, an interrupt flag); wasm2c + clang-14 -O2; LLVM 14 (and
#               19) opt -O2 + llc -O2 as an object file (AOT); the same IR through ORC LLJIT in
#               process (JIT); Corral's interpreter (the newest bench/results record, and
#               this run if build/corral exists). Every route must print native's result.
#               V8's Liftoff alone and TurboFan alone (node flags), calls in process.
#   compile     per module: seconds, seconds per MB of Wasm and peak RSS of each step.
#   os checks   bench/compiled/os_checks.c: executable pages, 8 GiB reservations, signals.
#
# It installs nothing: a missing Debian package is named and the script exits 2. It never
# builds build/corral (it only runs one that exists). About 15 minutes on 2 cores.
#
# Environment:
#   STUDY_RUNS=5            hyperfine runs per route and kernel (JIT: in-process runs)
#   STUDY_KERNELS="a b"     only these kernels (names of bench/kernels/*.c, luabench, sqlbench)
#   STUDY_LUA_DIR=DIR       Lua 5.4's src/ (default: build/compiled-study/src/lua*/src)
#   STUDY_SQLITE_DIR=DIR    SQLite's source tree or amalgamation (default: .../src/sqlite3-*)
#   CORRAL=PATH             the interpreter to time (default build/corral, skipped if absent)
#   STUDY_TABLES_ONLY=1     measure nothing; print the tables of the last run again
set -euo pipefail

cd "$(dirname "$0")/../.."
HERE=bench/compiled
OUT=build/compiled-study
RUNS=${STUDY_RUNS:-5}
TABLES_ONLY=${STUDY_TABLES_ONLY:-0}
CORRAL=${CORRAL:-build/corral}
RT_LIB=/usr/lib/x86_64-linux-gnu/libwasm-rt-impl.a

# The flags of bench/run.sh, so the kernels are the very modules `make bench` times.
# shellcheck disable=SC2054 # the commas belong to -Wl,
WASM_CFLAGS=(--target=wasm32-wasi -O2 -nostdlib -mbulk-memory -Wl,--no-entry)
NATIVE_CFLAGS=(-O2 -std=c11 -fno-math-errno -Wall -Wextra)
# Lua's errors become traps (wasi-libc has no setjmp) and its seeds constants; the script
# raises no error. The native build gets the same defines, so both run the same program.
LUA_DEFS=(-D'LUAI_THROW(L,c)=__builtin_trap()' -D'LUAI_TRY(L,c,a)=a' -D'luai_jmpbuf=int'
    -D'luai_makeseed(L)=0' -Dl_signalT=int -D'l_randomizePivot()=0')
SQLITE_DEFS=(-DSQLITE_OS_OTHER=1 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION
    -DSQLITE_TEMP_STORE=3 -DSQLITE_OMIT_WAL -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_DEFAULT_MEMSTATUS=0)

die() {
    echo "study: $*" >&2
    exit 1
}

# ---- what must be installed ----------------------------------------------------------------
missing=()
# need PACKAGE THING...: each THING (a command, or a path starting with /) must exist.
need() {
    local pkg=$1 thing
    shift
    for thing in "$@"; do
        case "$thing" in
            /*) [ -e "$thing" ] || { missing+=("$pkg ($thing)"); return; } ;;
            *) command -v "$thing" >/dev/null 2>&1 || { missing+=("$pkg ($thing)"); return; } ;;
        esac
    done
}
need gcc gcc
need clang-14 clang-14
need lld-14 wasm-ld-14
need wabt wasm2c "$RT_LIB" /usr/include/wasm-rt.h
need wasi-libc /usr/lib/wasm32-wasi/libc.a
need llvm-14 opt-14 llc-14
need llvm-14-dev /usr/lib/llvm-14/include/llvm-c/LLJIT.h
need hyperfine hyperfine
need time /usr/bin/time
if [ ${#missing[@]} -gt 0 ]; then
    printf 'study: missing Debian package: %s\n' "${missing[@]}" >&2
    exit 2
fi
LLVMS=(14)
if [ -e /usr/lib/llvm-19/include/llvm-c/LLJIT.h ] && command -v opt-19 >/dev/null 2>&1; then
    LLVMS+=(19)
else
    echo "study: Debian packages llvm-19 and llvm-19-dev not installed: LLVM 19 columns skipped" >&2
fi

# ---- the real programs' sources --------------------------------------------------------------
mkdir -p "$OUT"/{native,wasm,c,obj,ir,bin,log,src}
first() { local f; for f in "$@"; do [ -e "$f" ] && { echo "$f"; return; }; done; true; }
LUA_DIR=${STUDY_LUA_DIR:-$(first "$OUT"/src/lua*/src)}
SQLITE_DIR=${STUDY_SQLITE_DIR:-$(first "$OUT"/src/sqlite3-*/)}
if [ -z "$LUA_DIR" ] || [ ! -f "$LUA_DIR/lvm.c" ]; then
    echo "study: missing Debian source package lua5.4: unpack it under $OUT/src/ (with a deb-src" \
        "line for bookworm: cd $OUT/src && apt-get source --download-only lua5.4 && tar xzf" \
        "lua5.4_*.orig.tar.gz), or set STUDY_LUA_DIR to Lua 5.4's src/" >&2
    exit 2
fi
if [ -z "$SQLITE_DIR" ] || { [ ! -f "$SQLITE_DIR/sqlite3.c" ] && [ ! -f "$SQLITE_DIR/configure" ]; }; then
    echo "study: missing Debian source package sqlite3: unpack it under $OUT/src/ (cd $OUT/src &&" \
        "apt-get source --download-only sqlite3 && tar xJf sqlite3_*.orig.tar.xz), or set" \
        "STUDY_SQLITE_DIR" >&2
    exit 2
fi
SQLITE_DIR=${SQLITE_DIR%/}
if [ ! -f "$SQLITE_DIR/sqlite3.c" ]; then
    need tcl tclsh
    need make make
    if [ ${#missing[@]} -gt 0 ]; then
        printf 'study: missing Debian package: %s (to generate sqlite3.c)\n' "${missing[@]}" >&2
        exit 2
    fi
    echo "study: generating the SQLite amalgamation (configure; make sqlite3.c)" >&2
    (cd "$SQLITE_DIR" && ./configure >/dev/null && make sqlite3.c >/dev/null) \
        || die "could not generate $SQLITE_DIR/sqlite3.c"
fi
LUA_SRCS=()
for f in "$LUA_DIR"/*.c; do
    case "$(basename "$f")" in
        lua.c | luac.c | linit.c | loslib.c | liolib.c | loadlib.c) ;; # no files, no OS
        *) LUA_SRCS+=("$f") ;;
    esac
done

# ---- kernels -----------------------------------------------------------------------------
if [ -n "${STUDY_KERNELS:-}" ]; then
    read -r -a KERNELS <<<"$STUDY_KERNELS"
else
    KERNELS=()
    for f in bench/kernels/*.c; do KERNELS+=("$(basename "$f" .c)"); done
    KERNELS+=(luabench sqlbench)
fi

# kernel_setup K: sets SRC (the kernel's file), ARG, and per-kernel flags: N_EXTRA (native
# sources and flags), W_FLAGS (the whole Wasm build command's flags) and ENTRY_DEFS.
kernel_setup() {
    case "$1" in
        luabench)
            SRC=$HERE/lua_kernel.c
            N_EXTRA=(-I"$LUA_DIR" "${LUA_DEFS[@]}" "${LUA_SRCS[@]}" -lm)
            W_FLAGS=(--target=wasm32-wasi -O2 -mexec-model=reactor "-Wl,--export=luabench"
                -I"$HERE/wasi-shim" -I"$LUA_DIR" "${LUA_DEFS[@]}" "${LUA_SRCS[@]}")
            ENTRY_DEFS=(-DSTUDY_WASI -DSTUDY_REACTOR)
            ;;
        sqlbench)
            SRC=$HERE/sqlite_kernel.c
            N_EXTRA=(-I"$SQLITE_DIR" "${SQLITE_DEFS[@]}" "$SQLITE_DIR/sqlite3.c" -lm)
            W_FLAGS=(--target=wasm32-wasi -O2 -mexec-model=reactor "-Wl,--export=sqlbench"
                -I"$SQLITE_DIR" "${SQLITE_DEFS[@]}" "$SQLITE_DIR/sqlite3.c")
            ENTRY_DEFS=(-DSTUDY_REACTOR)
            ;;
        *)
            SRC=bench/kernels/$1.c
            [ -f "$SRC" ] || die "no kernel $SRC"
            N_EXTRA=()
            W_FLAGS=("${WASM_CFLAGS[@]}" "-Wl,--export=$1")
            ENTRY_DEFS=()
            ;;
    esac
    ARG=$(sed -n 's/^#define BENCH_ARG \([0-9][0-9]*\).*/\1/p' "$SRC")
    [ -n "$ARG" ] || die "$SRC: no #define BENCH_ARG"
}

now_ns() { date +%s%N; }
# measure LOG CMD...: runs CMD once under GNU time; sets SECS (wall, from the clock) and
# RSS_KIB (peak resident set); CMD's output goes to LOG.
measure() {
    local log=$1 t0 t1
    shift
    t0=$(now_ns)
    /usr/bin/time -f '%M' -o "$log.rss" "$@" >"$log" 2>&1 || { cat "$log" >&2; die "failed: $*"; }
    t1=$(now_ns)
    SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    RSS_KIB=$(tail -n 1 "$log.rss")
}
COMPILE=$OUT/compile.tsv
RUN=$OUT/run.tsv
if [ "$TABLES_ONLY" != 1 ]; then
    printf 'kernel\twasm_bytes\tstep\tseconds\trss_kib\n' >"$COMPILE"
    printf 'kernel\targ\troute\tmedian_s\n' >"$RUN"
fi
# compile_row K STEP: records the last measure.
compile_row() {
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$(stat -c %s "$OUT/wasm/$1.wasm")" "$2" "$SECS" \
        "$RSS_KIB" >>"$COMPILE"
}

# The drivers: jit_run against each LLVM, linked with the wasm2c runtime, whose symbols the
# JIT-compiled code finds in the process.
for v in "${LLVMS[@]}"; do
    clang-14 -O2 -Wall -Wextra -I"/usr/lib/llvm-$v/include" "$HERE/jit_run.c" \
        -o "$OUT/bin/jit_run-$v" -L"/usr/lib/llvm-$v/lib" -lLLVM-"$v" \
        -Wl,-rpath,"/usr/lib/llvm-$v/lib" -Wl,--whole-archive "$RT_LIB" -Wl,--no-whole-archive \
        -rdynamic -lm || die "building jit_run against LLVM $v"
done
gcc -O2 -std=c11 -Wall -Wextra "$HERE/os_checks.c" -o "$OUT/bin/os_checks"

# build_kernel K: native binary, Wasm module, wasm2c C, and one executable per route.
build_kernel() {
    local k=$1 cc o v
    kernel_setup "$k"
    echo "study: building $k" >&2
    gcc "${NATIVE_CFLAGS[@]}" -DKERNEL="$k" bench/native_main.c "$SRC" \
        ${N_EXTRA[@]+"${N_EXTRA[@]}"} -o "$OUT/native/$k" 2>"$OUT/log/$k.native.txt" \
        || die "native build of $k failed"
    clang-14 "${NATIVE_CFLAGS[@]}" -DKERNEL="$k" bench/native_main.c "$SRC" \
        ${N_EXTRA[@]+"${N_EXTRA[@]}"} -o "$OUT/native/$k.clang" 2>"$OUT/log/$k.native-clang.txt" \
        || die "native clang build of $k failed"
    clang-14 "${W_FLAGS[@]}" "$SRC" -o "$OUT/wasm/$k.wasm" 2>"$OUT/log/$k.wasm.txt" \
        || die "wasm build of $k failed"
    measure "$OUT/log/$k.wasm2c.txt" wasm2c "$OUT/wasm/$k.wasm" -o "$OUT/c/$k.c"
    compile_row "$k" wasm2c
    # One translation unit per route: the module and its entry (w2c_entry.c).
    for cc in gcc clang-14; do
        for o in 2 1; do
            measure "$OUT/log/$k.$cc-O$o.txt" "$cc" -O"$o" -w -c -I"$OUT/c" -I"$HERE" \
                -DKERNEL="$k" ${ENTRY_DEFS[@]+"${ENTRY_DEFS[@]}"} "$HERE/w2c_entry.c" \
                -o "$OUT/obj/$k.$cc-O$o.o"
            compile_row "$k" "wasm2c+$cc -O$o"
        done
        gcc -O2 "$HERE/w2c_main.c" "$OUT/obj/$k.$cc-O2.o" "$RT_LIB" -lm -o "$OUT/bin/$k.$cc"
    done
    # The same with a poll at each function entry and loop header (w2c_entry.c): a fuel
    # counter, or only an interrupt flag.
    mkdir -p "$OUT/c-poll"
    cp "$OUT/c/$k.h" "$OUT/c-poll/$k.h"
    sed -e 's/^\( *w2c_L[0-9]*\): *$/\1: STUDY_POLL();/' -e 's/^  FUNC_PROLOGUE;$/  STUDY_POLL();/' \
        "$OUT/c/$k.c" >"$OUT/c-poll/$k.c"
    for o in fuel fuelreg interrupt; do
        gcc -O2 -w -I"$OUT/c-poll" -I"$HERE" -DKERNEL="$k" -DSTUDY_"${o^^}" \
            ${ENTRY_DEFS[@]+"${ENTRY_DEFS[@]}"} "$HERE/w2c_entry.c" "$HERE/w2c_main.c" \
            "$RT_LIB" -lm -o "$OUT/bin/$k.gcc-$o"
    done
    # LLVM: unoptimised IR as a careful Wasm-to-IR translator would emit it (allocas for
    # locals, one function per Wasm function, and alias metadata: clang's TBAA, here, which
    # tells the optimiser that stores into linear memory leave the instance's fields alone),
    # then the optimiser and the code generator separately. Without the metadata (clang -O0
    # -Xclang -disable-O0-optnone) opt -O2 gave sieve 2.5x instead of 1.3x.
    measure "$OUT/log/$k.ir.txt" clang-14 -O2 -Xclang -disable-llvm-passes -w -emit-llvm -c \
        -I"$OUT/c" -I"$HERE" -DKERNEL="$k" ${ENTRY_DEFS[@]+"${ENTRY_DEFS[@]}"} \
        "$HERE/w2c_entry.c" -o "$OUT/ir/$k.bc"
    compile_row "$k" "C to LLVM IR (front end, not a backend cost)"
    for v in "${LLVMS[@]}"; do
        measure "$OUT/log/$k.opt$v.txt" "opt-$v" -O2 "$OUT/ir/$k.bc" -o "$OUT/ir/$k.opt$v.bc"
        compile_row "$k" "LLVM $v opt -O2"
        measure "$OUT/log/$k.llc$v.txt" "llc-$v" -O2 -filetype=obj -relocation-model=pic "$OUT/ir/$k.opt$v.bc" \
            -o "$OUT/obj/$k.llvm$v.o"
        compile_row "$k" "LLVM $v llc -O2"
        gcc -O2 "$HERE/w2c_main.c" "$OUT/obj/$k.llvm$v.o" "$RT_LIB" -lm -o "$OUT/bin/$k.llvm$v"
        measure "$OUT/log/$k.jit$v.txt" "$OUT/bin/jit_run-$v" "$OUT/ir/$k.bc" compile-only
        SECS=$(sed -n 's/.*opt=\([0-9.]*\) codegen=\([0-9.]*\).*/\1 \2/p' "$OUT/log/$k.jit$v.txt" \
            | awk '{ printf "%.3f", ($1 + $2) / 1000 }')
        compile_row "$k" "LLVM $v ORC JIT (opt + codegen in process)"
    done
}

# time_route K ARG ROUTE CMD...: checks CMD's result against native's, then times it.
time_route() {
    local k=$1 arg=$2 route=$3 got csv=$OUT/log/$1.$3.csv
    shift 3
    got=$("$@" 2>/dev/null | tail -n 1) || die "$k on $route failed"
    if [ "$route" = native ]; then
        WANT=$got
    elif [ "$got" != "$WANT" ]; then
        die "$k on $route printed $got, native printed $WANT"
    fi
    hyperfine -N --warmup 1 --runs "$RUNS" --style none --export-csv "$csv" \
        "$(printf '%q ' "$@")" >/dev/null 2>&1 || die "hyperfine: $k on $route"
    printf '%s\t%s\t%s\t%s\n' "$k" "$arg" "$route" "$(awk -F, 'NR == 2 { print $4 }' "$csv")" \
        >>"$RUN"
}

# time_jit K ARG V: the median in-process run time of the JIT-compiled code (compile excluded).
time_jit() {
    local k=$1 arg=$2 v=$3 i got log=$OUT/log/$1.jitrun$3.txt
    : >"$log.all"
    for ((i = 0; i < RUNS; i++)); do
        got=$("$OUT/bin/jit_run-$v" "$OUT/ir/$k.bc" "$arg" 2>"$log" | tail -n 1)
        [ "$got" = "$WANT" ] || die "$k on LLVM $v JIT printed $got, native printed $WANT"
        sed -n 's/.*run=\([0-9.]*\).*/\1/p' "$log" >>"$log.all"
    done
    printf '%s\t%s\tjit%s\t%s\n' "$k" "$arg" "$v" \
        "$(sort -n "$log.all" | awk '{ a[NR] = $1 } END { printf "%.6f", a[int((NR + 1) / 2)] / 1000 }')" \
        >>"$RUN"
}

if [ "$TABLES_ONLY" != 1 ]; then # measuring: the tables below read only files
for k in "${KERNELS[@]}"; do
    build_kernel "$k"
    echo "study: timing $k($ARG)" >&2
    time_route "$k" "$ARG" native "$OUT/native/$k" "$ARG"
    time_route "$k" "$ARG" clang-nat "$OUT/native/$k.clang" "$ARG"
    time_route "$k" "$ARG" w2c-gcc "$OUT/bin/$k.gcc" "$ARG"
    time_route "$k" "$ARG" gcc+fuel "$OUT/bin/$k.gcc-fuel" "$ARG"
    time_route "$k" "$ARG" gcc+fuelr "$OUT/bin/$k.gcc-fuelreg" "$ARG"
    time_route "$k" "$ARG" gcc+intr "$OUT/bin/$k.gcc-interrupt" "$ARG"
    time_route "$k" "$ARG" w2c-clang "$OUT/bin/$k.clang-14" "$ARG"
    for v in "${LLVMS[@]}"; do
        time_route "$k" "$ARG" "aot$v" "$OUT/bin/$k.llvm$v" "$ARG"
        time_jit "$k" "$ARG" "$v"
    done
    if [ -x "$CORRAL" ]; then
        time_route "$k" "$ARG" interp "$CORRAL" run "$OUT/wasm/$k.wasm" --invoke "$k" "$ARG"
    fi
done

# ---- V8's two tiers: a single-pass and an optimizing compiler, for scale ---------------------
LIFTOFF=(--liftoff --liftoff-only --no-wasm-tier-up --no-wasm-dynamic-tiering
    --no-wasm-lazy-compilation)
TURBOFAN=(--no-liftoff --no-wasm-dynamic-tiering --no-wasm-lazy-compilation)
if command -v node >/dev/null 2>&1; then
    for k in "${KERNELS[@]}"; do
        kernel_setup "$k"
        WANT=$("$OUT/native/$k" "$ARG")
        for tier in liftoff turbofan; do
            if [ "$tier" = liftoff ]; then flags=("${LIFTOFF[@]}"); else flags=("${TURBOFAN[@]}"); fi
            got=$(node "${flags[@]}" "$HERE/v8_tiers.mjs" run "$OUT/wasm/$k.wasm" "$k" "$ARG" \
                "$RUNS" 2>"$OUT/log/$k.$tier.txt" | tail -n 1)
            [ "$got" = "$WANT" ] || die "$k on V8 $tier printed $got, native printed $WANT"
            printf '%s\t%s\t%s\t%s\n' "$k" "$ARG" "$tier" \
                "$(sed -n 's/^median_s=//p' "$OUT/log/$k.$tier.txt")" >>"$RUN"
            case "$k" in
                luabench | sqlbench)
                    SECS=$(node --single-threaded "${flags[@]}" "$HERE/v8_tiers.mjs" compile \
                        "$OUT/wasm/$k.wasm" "$RUNS" | sed -n 's/^median_ms=//p' \
                        | awk '{ printf "%.3f", $1 / 1000 }')
                    RSS_KIB=0
                    compile_row "$k" "V8 $tier, one thread (WebAssembly.compile)"
                    ;;
            esac
        done
    done
else
    echo "study: node not found (Debian package nodejs): V8 columns skipped" >&2
fi

# ---- libgccjit: one small experiment ---------------------------------------------------------
GCCJIT_H=/usr/lib/gcc/x86_64-linux-gnu/12/include/libgccjit.h
echo "libgccjit: not measured (Debian package libgccjit-12-dev not installed)" >"$OUT/gccjit.txt"
if [ -e "$GCCJIT_H" ]; then
    gcc -O2 -std=c11 -Wall -Wextra "$HERE/gccjit_probe.c" -o "$OUT/bin/gccjit_probe" -lgccjit
    "$OUT/bin/gccjit_probe" 35 1000 >"$OUT/log/gccjit.out" 2>"$OUT/log/gccjit.txt"
    echo "libgccjit 12, -O2: $(cat "$OUT/log/gccjit.txt") (fib(35) = $(cat "$OUT/log/gccjit.out"))" \
        >"$OUT/gccjit.txt"
fi

# ---- what loading a compiler library costs (the auto tier's first compile pays it) -----------
gcc -O2 -Wall -Wextra "$HERE/dlopen_probe.c" -o "$OUT/bin/dlopen_probe" -ldl
: >"$OUT/dlopen.txt"
for lib in /usr/lib/llvm-14/lib/libLLVM-14.so.1 /usr/lib/llvm-19/lib/libLLVM.so.19.1 \
    /usr/lib/x86_64-linux-gnu/libgccjit.so.0; do
    [ -e "$lib" ] || continue
    "$OUT/bin/dlopen_probe" "$lib" >/dev/null # warm the page cache
    echo "dlopen $lib ($(($(stat -L -c %s "$lib") / 1048576)) MiB): $("$OUT/bin/dlopen_probe" "$lib")" \
        >>"$OUT/dlopen.txt"
done
fi # measuring

# ---- tables ----------------------------------------------------------------------------------
# The newest record with a kernel table (some records hold other sections only).
RECORD=$(find bench/results -name '*.txt' ! -name README.md | sort -r \
    | while read -r f; do
        if grep -qE '^[a-z0-9]+ +-?[0-9]+ +corral +[0-9.]+ ms' "$f"; then echo "$f"; break; fi
    done) || true
{
    echo "Compiled-tier study, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(uname -sr)"
    echo "tools: $(gcc --version | head -n 1); $(clang-14 --version | head -n 1); wasm2c $(wasm2c --version);" \
        "$(for v in "${LLVMS[@]}"; do printf 'LLVM %s; ' "$("llvm-config-$v" --version)"; done)$(hyperfine --version)"
    echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs per route"
    echo
    echo "Run time: whole-process median (jit, liftoff, turbofan: the call alone, in process), as a multiple of native gcc -O2"
    echo "interp (record): Corral's interpreter in $RECORD"
    awk -F'\t' -v rec="$RECORD" '
        BEGIN { while ((getline line < rec) > 0) { split(line, f, /[ \t]+/)
                    if (f[3] == "corral") recorded[f[1]] = f[6] } }
        function geo(r) { return n[r] ? sprintf("%.2f", exp(ls[r] / n[r])) : "-" }
        NR == 1 { next }
        { if (!($1 in seen)) { seen[$1] = 1; order[++nk] = $1; arg[$1] = $2 }
          if (!($3 in rseen)) { rseen[$3] = 1; routes[++nr] = $3 }
          t[$1, $3] = $4 }
        END {
            printf "%-10s %8s %10s", "kernel", "arg", "native ms"
            for (j = 2; j <= nr; j++) printf " %9s", routes[j]
            printf " %9s\n", "interp(r)"
            for (i = 1; i <= nk; i++) {
                k = order[i]; base = t[k, "native"]; real = (k == "luabench" || k == "sqlbench")
                printf "%-10s %8s %10.1f", k, arg[k], base * 1000
                for (j = 2; j <= nr; j++) {
                    r = routes[j]
                    if ((k, r) in t && t[k, r] != "") {
                        x = t[k, r] / base; printf " %9.2f", x
                        if (!real) { ls[r] += log(x); n[r]++; if (x > mx[r]) mx[r] = x }
                    } else printf " %9s", "-"
                }
                if (k in recorded) { printf " %9.2f", recorded[k]
                    if (!real) { ls["rec"] += log(recorded[k]); n["rec"]++
                                 if (recorded[k] > mx["rec"]) mx["rec"] = recorded[k] } }
                else printf " %9s", "-"
                printf "\n"
            }
            printf "%-10s %8s %10s", "geomean", "kernels", ""
            for (j = 2; j <= nr; j++) printf " %9s", geo(routes[j])
            printf " %9s\n", geo("rec")
            printf "%-10s %8s %10s", "max", "kernels", ""
            for (j = 2; j <= nr; j++) printf " %9s", n[routes[j]] ? sprintf("%.2f", mx[routes[j]]) : "-"
            printf " %9s\n", n["rec"] ? sprintf("%.2f", mx["rec"]) : "-"
        }' "$RUN"
    echo
    echo "Compile time and peak RSS per step (one thread; s/MB = seconds per MB of the whole .wasm file)"
    awk -F'\t' '
        NR == 1 { next }
        $1 == "luabench" || $1 == "sqlbench" {
            printf "%-9s %8.2f MB  %-46s %8.3f s %8.3f s/MB %12s\n", $1, $2 / 1e6, $3, $4,
                $4 / ($2 / 1e6), ($5 > 0) ? sprintf("%.0f MiB", $5 / 1024) : "-" }
        $1 == "luabench" || $1 == "sqlbench" { next }
        $3 !~ /^V8/ { s[$3] += $4; b[$3] += $2; if ($5 > m[$3]) m[$3] = $5
            if (!($3 in seen)) { seen[$3] = 1; order[++n] = $3 } }
        END { for (i = 1; i <= n; i++)
            printf "%-9s %8.3f MB  %-46s %8.2f s %8.1f s/MB %8.0f MiB\n", "kernels", b[order[i]] / 1e6,
                order[i], s[order[i]], s[order[i]] / (b[order[i]] / 1e6), m[order[i]] / 1024 }' "$COMPILE"
    echo
    cat "$OUT/gccjit.txt" "$OUT/dlopen.txt"
    echo
    echo "OS checks (bench/compiled/os_checks.c): overcommit_memory $(cat /proc/sys/vm/overcommit_memory)," \
        "max_map_count $(cat /proc/sys/vm/max_map_count), ulimit -v $(ulimit -v), ulimit -s $(ulimit -s)"
    "$OUT/bin/os_checks"
    echo "with ulimit -v 4194304 (4 GiB of address space):"
    (ulimit -v 4194304 && "$OUT/bin/os_checks" | grep reservations)
} | tee "$OUT/results.txt"
echo "(tables: $OUT/results.txt; raw: $OUT/run.tsv, $OUT/compile.tsv, $OUT/log/)"

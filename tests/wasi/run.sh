#!/usr/bin/env bash
# run.sh: the WASI test suite. Builds the guest programs (C, Rust, AssemblyScript) in src/ and
# sandbox/src/ to wasm32-wasi, runs each case with `corral run` in a fresh temporary world and
# compares stdout, stderr and the exit status with expected/; where Node's node:wasi can do the
# case, runs the same module under Node (node_run.mjs) against the same expected files. Every
# run is also checked from the host side: nothing outside the writable preopens was created,
# changed or deleted, no file outside the preopens was read, and the secret never shows up.
#
# usage: tests/wasi/run.sh [CORRAL]   (default: $CORRAL, else the checkout's build/corral)
# Environment:
#   WASI_ENGINES  engines to run, default "corral corral-walk node": corral is `corral run
#                 --tier interp`; corral-walk is the same with CORRAL_WASI_NO_OPENAT2=1, which
#                 resolves paths by its fallback walk instead of openat2 (only the cases with
#                 preopens run there); corral-jit is `--tier jit` (compiled by the C compiler
#                 at load), corral-aot `--tier aot` through artifacts in WASI_CACHE (emptied
#                 first), corral-late the same with CORRAL_TIER_LATE=1: the code arrives at
#                 the first fuel slice and running functions move to it at a loop;
#                 corral-merged as corral-late with CORRAL_TIER_LATE=merged (one body for
#                 calls and loop entries, the form auto gives resident functions); "node" alone checks the expected files against Node without corral
#   WASI_CACHE    corral-aot's --cache-dir (default build/tests/wasi-cache in the checkout)
#   WASI_ONLY     an extended regex: run only the cases whose name matches
#   WASI_BUILD    where the guests are built (default build/tests/wasi in the checkout)
#   WASI_VERBOSE  1: print every case and full diffs;  WASI_KEEP=1: keep the temporary worlds
#   WASI_NODE_SANDBOX=1  also run the sandbox cases under Node, which has no sandbox: they
#                 must fail there, which shows that they notice escapes
#
# A case is tests/wasi/expected/NAME.exit (or sandbox/expected/NAME.exit) with, next to it:
#   NAME.stdout, NAME.stderr   exact expected output; or NAME.stdout.re / NAME.stderr.re, one
#                              extended regex per output line (anchored), where a line "..."
#                              stands for any number of lines
#   NAME.exit                  the expected exit status, or "nonzero" (any failure status but
#                              a harness time-out), where only that is specified
#   NAME.prog                  the program to run (default NAME): src/PROG.c, .rs or .ts
#   NAME.args                  guest arguments, one a line; @T@ is the world, @OUTSIDE@ its
#                              outside/ directory
#   NAME.env                   one a line: NAME=VALUE (--env NAME=VALUE) or NAME (--env NAME,
#                              inherited: the runner exports CORRAL_TEST_INHERIT and makes
#                              sure CORRAL_TEST_UNSET is not set)
#   NAME.dirs                  preopens, one a line: "rw|ro FIXTURE [GUEST]"; without GUEST the
#                              host path is given relative ("--dir FIXTURE"). FIXTURE is a tree
#                              made by a fixture_* function below
#   NAME.opts                  more `corral run` options, whitespace separated (--fuel 1000 ...)
#   NAME.stdin                 the guest's stdin (default /dev/null)
#   NAME.hold                  stdin is instead a pipe that stays open, empty, this many seconds
#   NAME.node                  "skip: REASON": do not run under Node
#   NAME.helper                a host command run in the world while the guest runs, then
#                              killed (the race test's swapper: "swap DIR A B")
#   NAME.repeat                run this many times; every run must give identical output
#   NAME.timeout               the hard time limit in seconds (default 60)
# Sandbox cases, read-only preopens and the limit options are never run under Node.
#
# After the cases, the stdio section runs src/isatty.c with fds 0-2 on /dev/null, a file, a pipe
# and a pty (stdio_run.py, python3): only a pty may look like a terminal ("stdio/..." runs).
#
# Prints one line per failing run, then "wasi: N passed, M failed" (a run is one case on one
# engine); exits 1 when a run failed, 2 when the suite could not be set up.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
corral=${1:-${CORRAL:-$repo/build/corral}}
case $corral in
*/*) corral=$(cd "$(dirname "$corral")" && pwd)/$(basename "$corral") ;;
*) corral=$(command -v "$corral" || echo "$corral") ;;
esac
build=${WASI_BUILD:-$repo/build/tests/wasi}
engines=${WASI_ENGINES:-corral corral-walk node}
cache=${WASI_CACHE:-$repo/build/tests/wasi-cache}
only=${WASI_ONLY:-}
verbose=${WASI_VERBOSE:-0}
keep=${WASI_KEEP:-0}
node=${NODE:-node}
rustc=/usr/bin/rustc # Debian's, with libstd-rust-dev-wasm32; never a rustup one
export LC_ALL=C
export CORRAL_TEST_INHERIT="inherited value" # for --env NAME (inherit) cases
unset CORRAL_TEST_UNSET                       # --env NAME of a variable the host lacks

die() {
    echo "wasi: $*" >&2
    exit 2
}

# ---- requirements ----

if [[ " $engines " == *" corral"* ]] && [ ! -x "$corral" ]; then
    die "$corral is not an executable; run make first"
fi
for tool in clang wasm-ld cc timeout sha256sum find awk od mkfifo python3 "$node"; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
done
[ -e /usr/lib/wasm32-wasi/libc.a ] || die "wasi-libc missing (scripts/deps.sh installs it)"
compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a' >/dev/null ||
    die "libclang-rt-14-dev-wasm32 missing (scripts/deps.sh installs it)"
[ -x "$rustc" ] && [ -d /usr/lib/rustlib/wasm32-wasi ] ||
    die "Debian rustc with libstd-rust-dev-wasm32 missing (scripts/deps.sh installs them)"

mkdir -p "$build/sandbox"
build=$(cd "$build" && pwd)
for engine in $engines; do
    case $engine in
    corral | corral-walk | corral-jit | corral-late | corral-merged | corral-aot | node) ;;
    *) die "unknown engine $engine (known: corral corral-walk corral-jit corral-late corral-merged corral-aot node)" ;;
    esac
done
if [[ " $engines " == *" corral-aot "* || " $engines " == *" corral-late "* ||
      " $engines " == *" corral-merged "* ]]; then
    # Every run of a module after its first one loads the artifact the first one wrote.
    rm -rf "$cache"
    mkdir -p "$cache"
    cache=$(cd "$cache" && pwd)
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corral-wasi.XXXXXX")
cleanup() {
    if [ "$keep" = 1 ]; then echo "wasi: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# ---- building the guests ----

CFLAGS_WASM="--target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wno-unused-function"
CFLAGS_WASM+=" -Wno-unused-result -Wl,--strip-debug"
RUSTFLAGS_WASM="--target wasm32-wasi -O --edition 2021 -C strip=debuginfo"
as_dir=$here/as
asc=$as_dir/node_modules/assemblyscript/bin/asc.js
as_config=node_modules/@assemblyscript/wasi-shim/asconfig.json # relative to $as_dir
as_error=""

stamp=$build/flags.stamp

# stale OUT DEP...: true when OUT is missing or older than one of DEP.
stale() {
    local out=$1 dep
    shift
    [ -e "$out" ] || return 0
    for dep in "$@"; do [ "$dep" -nt "$out" ] && return 0; done
    return 1
}

# The AssemblyScript compiler comes from npm (tests/wasi/as/package-lock.json pins it); it is
# installed into tests/wasi/as/node_modules the first time, and again when the lock changes.
as_install() {
    [ -z "$as_error" ] || return 1
    if [ -e "$as_dir/node_modules/.package-lock.json" ] &&
        ! [ "$as_dir/package-lock.json" -nt "$as_dir/node_modules/.package-lock.json" ]; then
        return 0
    fi
    command -v npm >/dev/null || {
        as_error="npm not found (scripts/deps.sh installs it): cannot build the"
        as_error+=" AssemblyScript guests"
        return 1
    }
    echo "wasi: npm ci in tests/wasi/as (installs the AssemblyScript compiler)" >&2
    if ! (cd "$as_dir" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error) \
        >"$tmp/npm.log" 2>&1; then
        as_error="npm ci failed in tests/wasi/as, so the AssemblyScript guests cannot be built"
        as_error+=" (is the npm registry reachable?): $(grep -m 1 -E 'code E[A-Z_]+' \
            "$tmp/npm.log" || head -n 1 "$tmp/npm.log")"
        echo "wasi: $as_error" >&2
        return 1
    fi
}

# build SRC OUT: compiles one guest; on failure leaves the reason in build_errors[OUT].
declare -A build_errors=()
build_one() {
    local src=$1 out=$2 log=$tmp/build.log
    case $src in
    *.c)
        stale "$out" "$src" "$here"/src/*.h "$(dirname "$src")"/*.h "$stamp" || return 0
        # shellcheck disable=SC2086
        clang $CFLAGS_WASM -fmacro-prefix-map="$(dirname "$src")/=" -I"$here/src" "$src" \
            -o "$out.tmp" >"$log" 2>&1 ;;
    *.rs)
        stale "$out" "$src" "$stamp" || return 0
        # shellcheck disable=SC2086
        "$rustc" $RUSTFLAGS_WASM --remap-path-prefix "$(dirname "$src")/=" "$src" \
            -o "$out.tmp" >"$log" 2>&1 ;;
    *.ts)
        stale "$out" "$src" "$as_dir/package-lock.json" || return 0
        if ! as_install; then
            build_errors[$out]=$as_error
            return 0
        fi
        # asc mishandles an absolute --config path: give it one relative to the project.
        (cd "$as_dir" && node "$asc" "$src" --config "$as_config" -O2 --outFile "$out.tmp") \
            >"$log" 2>&1 ;;
    esac || {
        build_errors[$out]="build failed: $(head -c 2000 "$log")"
        rm -f "$out.tmp"
        return 0
    }
    mv "$out.tmp" "$out"
}

# The stamp changes with the compile flags, compilers and recipe: a change rebuilds all.
flags_now="$CFLAGS_WASM | $RUSTFLAGS_WASM | $(clang --version | sed -n 1p) | $("$rustc" --version)"
flags_now+=" | recipe $(declare -f build_one | cksum)"
[ -e "$stamp" ] && [ "$(cat "$stamp")" = "$flags_now" ] || printf '%s\n' "$flags_now" >"$stamp"

for suite in wasi sandbox; do
    srcdir=$here/src outdir=$build
    [ $suite = sandbox ] && srcdir=$here/sandbox/src outdir=$build/sandbox
    for src in "$srcdir"/*.c "$srcdir"/*.rs "$srcdir"/*.ts; do
        [ -e "$src" ] || continue
        name=$(basename "$src")
        build_one "$src" "$outdir/${name%.*}.wasm"
    done
done
if stale "$build/swap" "$here/sandbox/swap.c"; then
    cc -O2 -Wall -o "$build/swap" "$here/sandbox/swap.c" || die "cannot build sandbox/swap.c"
fi

# ---- fixtures: the world a case runs in ----
# Every run gets a fresh world $T (its working directory):
#   $T/outside/      files no guest may read, change or delete (the secret lives here)
#   $T/top-secret.txt  the secret again, next to the preopened trees ("../" from a preopen)
#   $T/FIXTURE/      one tree per fixture named in NAME.dirs
#   $T/PROG.wasm     the module (a symlink into the build directory)

secret="CORRAL-SECRET-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# Reads of files outside the preopens are seen in their access times: they are set far in the
# past before a run, and a read moves them (relatime updates an atime older than the mtime).
# Where the file system does not keep access times, say so and rely on the other checks.
atime_works=1
printf 'probe\n' >"$tmp/atime-probe"
touch -a -d @946684800 "$tmp/atime-probe"
cat "$tmp/atime-probe" >/dev/null
if [ "$(stat -c %X "$tmp/atime-probe")" = 946684800 ]; then
    atime_works=0
    echo "wasi: note: $tmp does not record access times; reads outside the preopens are" \
        "detected only through the secret in the output" >&2
fi

make_outside() {
    local t=$1
    mkdir -p "$t/outside/subdir"
    printf '%s\n' "$secret" >"$t/outside/secret.txt"
    printf '%s\n' "$secret" >"$t/outside/file.txt"
    printf '%s\n' "$secret" >"$t/outside/subdir/nested.txt"
    printf 'victim\n' >"$t/outside/victim.txt"
    : >"$t/outside/outside-marker"
    printf '%s\n' "$secret" >"$t/top-secret.txt"
}

# A read-mostly tree: files with known contents, a directory to list, links inside the tree.
fixture_data() {
    local d=$1
    mkdir -p "$d/dir/sub" "$d/dir/nested/deeper"
    printf 'hello, world\n' >"$d/hello.txt"
    : >"$d/empty.txt"
    printf '0123456789' >"$d/digits.txt"
    printf 'one\ntwo\nthree\n' >"$d/lines.txt"
    printf 'a\n' >"$d/dir/a.txt"
    printf 'bb\n' >"$d/dir/b.txt"
    printf 'ccc\n' >"$d/dir/c.txt"
    printf 'deep\n' >"$d/dir/nested/deeper/deep.txt"
    ln -s hello.txt "$d/link-hello"
    ln -s dir "$d/link-dir"
    ln -s dir/ "$d/link-dir-slash"
    ln -s no-such-file "$d/dangling"
    ln -s loop "$d/loop"
    touch -d '2001-02-03 04:05:06' "$d/lines.txt"
}

fixture_empty() {
    mkdir -p "$1"
}

# A tree whose symlinks lead outside it in every way the issue lists, and a few that stay in.
fixture_escape() {
    local d=$1 t=$2 i
    mkdir -p "$d/sub/inner"
    printf 'inside\n' >"$d/inside.txt"
    printf 'inner\n' >"$d/sub/inner.txt"
    ln -s .. "$d/up"
    ln -s ../ "$d/up-slash"
    ln -s "$t/outside/secret.txt" "$d/out-abs"
    ln -s ../outside/secret.txt "$d/out-rel"
    ln -s ../outside/victim.txt "$d/out-victim"
    ln -s "$t/outside/created-abs" "$d/out-dangling-abs"
    ln -s ../outside/created-rel "$d/out-dangling-rel"
    ln -s "$t/outside" "$d/out-dir-abs"
    ln -s "$t/outside/" "$d/out-dir-abs-slash"
    ln -s ../outside/ "$d/out-dir-rel-slash"
    ln -s / "$d/root"
    ln -s /etc/passwd "$d/etc-passwd"
    ln -s ../../outside/secret.txt "$d/sub/deep-out"
    ln -s ../inside.txt "$d/sub/ok-up"
    ln -s inner/ "$d/sub/inner-slash"
    ln -s ../sub/../sub/../inside.txt "$d/sub/ok-winding"
    ln -s sub/../../outside/secret.txt "$d/winding-out"
    ln -s loop2 "$d/loop1"
    ln -s loop1 "$d/loop2"
    ln -s self "$d/self"
    ln -s self/x "$d/self-dir"
    # A legitimate chain of 5 links, and one of 60 (more than any expansion bound).
    ln -s inside.txt "$d/chain5"
    for i in 4 3 2 1; do ln -s "chain$((i + 1))" "$d/chain$i"; done
    ln -s inside.txt "$d/long60"
    for i in $(seq 59 -1 1); do ln -s "long$((i + 1))" "$d/long$i"; done
}

# A FIFO no one writes to (opening it for reading blocks in the kernel).
fixture_fifo() {
    mkdir -p "$1"
    mkfifo "$1/fifo"
}

# The race test's tree: sub/ is a real directory; alt is a symlink to the outside directory.
# The helper exchanges the two names while the guest opens paths under sub/.
fixture_race() {
    local d=$1 t=$2
    mkdir -p "$d/sub"
    printf 'inside\n' >"$d/inside.txt"
    printf 'inside\n' >"$d/sub/file.txt"
    : >"$d/sub/inside-marker"
    ln -s "$t/outside" "$d/alt"
}

fixture_race_rel() {
    fixture_race "$1" "$2"
    rm "$1/alt"
    ln -s ../outside "$1/alt"
}

# snapshot T OUT PRUNE...: every path in T except the PRUNE trees, with type, size, mtime,
# mode, link count and link target, and a hash of every regular file.
snapshot() {
    local t=$1 out=$2 p
    shift 2
    local prune=(-false)
    for p in "$@"; do prune+=(-o -path "$p"); done
    {
        find "$t" \( "${prune[@]}" \) -prune -o -printf '%P\t%y\t%s\t%T@\t%m\t%n\t%l\n' | sort
        find "$t" \( "${prune[@]}" \) -prune -o -type f -print0 | sort -z |
            xargs -0 -r sha256sum | sed "s|$t/||"
    } >"$out"
}

# ---- one case ----

# Reads a file's lines into the named array (none when the file is missing).
read_lines() {
    local -n into=$2
    into=()
    [ -e "$1" ] || return 0
    local line
    while IFS= read -r line || [ -n "$line" ]; do into+=("$line"); done <"$1"
}

# re_match PATTERNS OUTPUT: each output line matches its pattern line (anchored ERE); a
# pattern line "..." matches any number of lines.
re_match() {
    awk 'NR == FNR { p[++m] = $0; next }
         { l[++n] = $0 }
         END {
             for (i = m + 1; i >= 1; i--)
                 for (j = n + 1; j >= 1; j--) {
                     if (i == m + 1) ok[i, j] = (j == n + 1)
                     else if (p[i] == "...") ok[i, j] = ok[i + 1, j] || (j <= n && ok[i, j + 1])
                     else ok[i, j] = (j <= n && l[j] ~ ("^(" p[i] ")$") && ok[i + 1, j + 1])
                 }
             exit !ok[1, 1]
         }' "$1" "$2"
}

passed=0
failed=0
declare -A engine_passed=() engine_failed=() # per engine, for the summary
node_runs=0
declare -a node_skips=()

# check_output WHAT EXPECTED_BASE ACTUAL: appends to reasons when ACTUAL does not match.
check_output() {
    local what=$1 base=$2 actual=$3
    if [ -e "$base.re" ]; then
        re_match "$base.re" "$actual" && return 0
        reasons+=("$what does not match $(basename "$base").re")
        diffs+=("--- $what, expected (regex) / +++ actual"
            "$(diff "$base.re" "$actual" | head -n "$difflines" || true)")
    elif [ -e "$base" ]; then
        cmp -s "$base" "$actual" && return 0
        reasons+=("$what differs")
        diffs+=("$(diff -u --label "expected $what" --label "actual $what" "$base" "$actual" |
            head -n "$difflines" || true)")
    else
        reasons+=("no expected $what file ($(basename "$base") or .re)")
    fi
}

# engine_cmd ENGINE: sets cmd to the command line that runs a module on ENGINE (FILE and the
# guest's arguments follow it); nothing for an engine without one (corral-walk in stdio).
engine_cmd() {
    case $1 in
    corral) cmd=("$corral" run --tier interp) ;;
    corral-walk) cmd=(env CORRAL_WASI_NO_OPENAT2=1 "$corral" run --tier interp) ;;
    corral-jit) cmd=("$corral" run --tier jit) ;;
    corral-late) cmd=(env CORRAL_TIER_LATE=1 "$corral" run --tier aot --cache-dir "$cache/late") ;;
    corral-merged)
        cmd=(env CORRAL_TIER_LATE=merged "$corral" run --tier aot --cache-dir "$cache/merged") ;;
    corral-aot) cmd=("$corral" run --tier aot --cache-dir "$cache") ;;
    node) cmd=("$node" --no-warnings "$here/node_run.mjs") ;;
    *) cmd=() ;;
    esac
}

# run_once ENGINE RUNDIR: makes a fresh world in RUNDIR/world, runs the case on ENGINE, leaves
# out, err and rc in RUNDIR, and adds host-side failures to reasons.
run_once() {
    local engine=$1 rd=$2 t=$2/world line mode kind guest host
    mkdir -p "$t"
    t=$(cd "$t" && pwd)
    make_outside "$t"
    local opts=() rw=() made=" "
    for line in "${dirs[@]}"; do
        read -r mode kind guest <<<"$line"
        if [[ $made != *" $kind "* ]]; then
            "fixture_${kind//-/_}" "$t/$kind" "$t"
            made+="$kind "
        fi
        host=$t/$kind
        [ -n "$guest" ] && host="$host::$guest" || host=$kind
        case $mode in
        rw) opts+=(--dir "$host") rw+=("$t/$kind") ;;
        ro) opts+=(--dir-ro "$host") ;;
        *) reasons+=("bad line in .dirs: $line") ;;
        esac
    done
    for line in "${envs[@]}"; do opts+=(--env "$line"); done
    opts+=("${extra_opts[@]}")
    local args=() a
    for a in "${guest_args[@]}"; do
        a=${a//@OUTSIDE@/$t/outside}
        args+=("${a//@T@/$t}")
    done
    ln -s "$wasm" "$t/$prog.wasm"

    snapshot "$t" "$rd/before" "${rw[@]}"
    local outside_files
    mapfile -t outside_files < <(find "$t/outside" "$t/top-secret.txt" -type f)
    touch -a -d @946684800 "${outside_files[@]}" # reading one now shows in its atime

    local cmd
    engine_cmd "$engine"
    local hpid=""
    if [ -n "$helper" ]; then
        # shellcheck disable=SC2086
        (cd "$t" && exec "$build"/$helper) 2>"$rd/helper.err" &
        hpid=$!
        sleep 0.05
    fi
    local start end in=$stdin spid=""
    if [ -n "$hold" ]; then
        in=$rd/stdin.fifo
        mkfifo "$in"
        sleep "$hold" >"$in" &
        spid=$!
    fi
    start=$(date +%s%N)
    set +e
    (cd "$t" && exec timeout -k 5 "$limit" "${cmd[@]}" "${opts[@]}" "$prog.wasm" "${args[@]}") \
        <"$in" >"$rd/out" 2>"$rd/err"
    echo $? >"$rd/rc"
    set -e
    end=$(date +%s%N)
    if [ -n "$spid" ]; then
        kill "$spid" 2>/dev/null || true
        wait "$spid" 2>/dev/null || true
    fi
    elapsed_ms=$(((end - start) / 1000000))
    if [ -n "$hpid" ]; then
        kill -TERM "$hpid" 2>/dev/null || true
        wait "$hpid" 2>/dev/null || true
        local swaps
        swaps=$(sed -n 's/^swaps: //p' "$rd/helper.err")
        [ "${swaps:-0}" -gt 0 ] ||
            reasons+=("the helper did not run: $(head -c 300 "$rd/helper.err")")
        [ "$verbose" = 1 ] && echo "    helper: ${swaps:-0} swaps"
    fi

    local f
    for f in "${outside_files[@]}"; do
        # (a file that is gone shows in the snapshot's difference below)
        [ "$atime_works" = 0 ] || [ ! -e "$f" ] || [ "$(stat -c %X "$f")" = 946684800 ] ||
            reasons+=("${f#"$t"/} was read (its atime changed)")
    done
    snapshot "$t" "$rd/after" "${rw[@]}"
    if ! cmp -s "$rd/before" "$rd/after"; then
        reasons+=("something outside the writable preopens changed")
        diffs+=("$(diff "$rd/before" "$rd/after" | head -n "$difflines" || true)")
    fi
    local stray
    # (|| true: find fails when another process deletes an entry of /tmp while it lists it,
    # and under pipefail that failure ended the whole run without a word)
    stray=$(find /tmp / "$t/.." -maxdepth 1 -name 'corral-escape-*' 2>/dev/null | head -n 3 || true)
    if [ -n "$stray" ]; then
        reasons+=("a guest created files outside its preopens: $stray")
        rm -rf $stray
    fi
    if grep -qF "$secret" "$rd/out" "$rd/err"; then
        reasons+=("THE SECRET LEAKED into the guest's output")
    fi
}

run_case() {
    local suitedir=$1 name=$2 engine=$3
    local e=$suitedir/expected/$name label=$name
    [ "$suitedir" = "$here/sandbox" ] && label=sandbox/$name
    local prog srcdir outdir
    prog=$(cat "$e.prog" 2>/dev/null || echo "$name")
    srcdir=$suitedir/src outdir=$build
    [ "$suitedir" = "$here/sandbox" ] && outdir=$build/sandbox
    wasm=$outdir/$prog.wasm
    local reasons=() diffs=() rd=$tmp/$label.$engine
    difflines=20
    [ "$verbose" = 1 ] && difflines=200
    mkdir -p "$rd"

    read_lines "$e.dirs" dirs
    read_lines "$e.env" envs
    read_lines "$e.args" guest_args
    extra_opts=()
    [ -e "$e.opts" ] && read -r -a extra_opts <<<"$(tr '\n' ' ' <"$e.opts")"
    stdin=/dev/null
    [ -e "$e.stdin" ] && stdin=$e.stdin
    hold=$(cat "$e.hold" 2>/dev/null || true)
    helper=""
    [ -e "$e.helper" ] && helper=$(cat "$e.helper")
    limit=$(cat "$e.timeout" 2>/dev/null || echo 60)
    local repeat
    repeat=$(cat "$e.repeat" 2>/dev/null || echo 1)

    if [ -n "${build_errors[$wasm]:-}" ]; then
        reasons+=("${build_errors[$wasm]}")
    elif [ ! -e "$wasm" ]; then
        reasons+=("no program $prog in $(basename "$srcdir")/")
    else
        local r
        for ((r = 1; r <= repeat; r++)); do
            run_once "$engine" "$rd/$r"
            [ "$verbose" = 1 ] && echo "    run $r: exit $(cat "$rd/$r/rc"), ${elapsed_ms} ms"
            if [ "$r" -gt 1 ] && ! { cmp -s "$rd/1/out" "$rd/$r/out" &&
                cmp -s "$rd/1/err" "$rd/$r/err" && cmp -s "$rd/1/rc" "$rd/$r/rc"; }; then
                reasons+=("run $r differs from run 1 (the case must be deterministic)")
                diffs+=("$(diff "$rd/1/err" "$rd/$r/err" | head -n "$difflines" || true)")
            fi
        done
        local rc want
        rc=$(cat "$rd/1/rc")
        want=$(tr -d ' \n' <"$e.exit")
        if { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && [ "$want" != "$rc" ]; then
            reasons+=("timed out after ${limit}s")
        elif [ "$want" = nonzero ]; then
            [ "$rc" != 0 ] || reasons+=("exit status 0, expected a failure status")
        elif [ "$rc" != "$want" ]; then
            reasons+=("exit status $rc, expected $want")
        fi
        check_output stdout "$e.stdout" "$rd/1/out"
        check_output stderr "$e.stderr" "$rd/1/err"
    fi

    if [ "${#reasons[@]}" -eq 0 ]; then
        passed=$((passed + 1)) engine_passed[$engine]=$((${engine_passed[$engine]:-0} + 1))
        [ "$verbose" = 1 ] && echo "ok   $label ($engine)"
        return 0
    fi
    failed=$((failed + 1)) engine_failed[$engine]=$((${engine_failed[$engine]:-0} + 1))
    local IFS=';'
    echo "FAIL $label ($engine): ${reasons[*]// ;/;}"
    unset IFS
    local d
    for d in "${diffs[@]}"; do [ -n "$d" ] && printf '%s\n' "$d" | sed 's/^/    /'; done
    return 0
}

# node_reason SUITEDIR NAME: why the case cannot run under Node, or nothing when it can.
node_reason() {
    local e=$1/expected/$2
    if [ "$1" = "$here/sandbox" ] && [ "${WASI_NODE_SANDBOX:-0}" != 1 ]; then
        echo "sandbox case (Node follows symlinks out of its preopens)"
    elif [ -e "$e.node" ]; then
        sed -n '1s/^skip: *//p' "$e.node"
    elif [ -e "$e.dirs" ] && grep -q '^ro ' "$e.dirs"; then
        echo "read-only preopen"
    elif [ -e "$e.opts" ] &&
        grep -qE -- '--(fuel|timeout|max-memory|max-stack|dir-ro)' "$e.opts"; then
        echo "corral limit option"
    fi
}

for suitedir in "$here" "$here/sandbox"; do
    for f in "$suitedir"/expected/*.exit; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .exit)
        label=$name
        [ "$suitedir" = "$here/sandbox" ] && label=sandbox/$name
        [ -z "$only" ] || [[ $label =~ $only ]] || continue
        for engine in $engines; do
            # The fallback path walk matters only where there are paths to resolve.
            [ "$engine" != corral-walk ] || [ -e "$suitedir/expected/$name.dirs" ] || continue
            if [ "$engine" = node ]; then
                why=$(node_reason "$suitedir" "$name")
                if [ -n "$why" ]; then
                    node_skips+=("$label: $why")
                    continue
                fi
                node_runs=$((node_runs + 1))
            fi
            run_case "$suitedir" "$name" "$engine"
        done
    done
done

# ---- stdio kinds ----
# isatty() in the guest (src/isatty.c) with fds 0, 1 and 2 on /dev/null, a file, a pipe and a
# pty (stdio_run.py), one fd at a time (the others on files) and all three at once: only a
# pty may be a terminal. wasi-libc takes a character device without seek/tell rights for one,
# so /dev/null, a character device, must not look like that. The guest's exit status is 64 +
# a bit per terminal fd.
run_stdio() {
    local engine=$1 label=$2 k0=$3 k1=$4 k2=$5 want=$6
    local rd=$tmp/$label.$engine cmd rc
    [ -z "$only" ] || [[ $label =~ $only ]] || return 0
    mkdir -p "$rd"
    engine_cmd "$engine"
    if [ -n "${build_errors[$build/isatty.wasm]:-}" ]; then
        failed=$((failed + 1)) engine_failed[$engine]=$((${engine_failed[$engine]:-0} + 1))
        echo "FAIL $label ($engine): ${build_errors[$build/isatty.wasm]}"
        return 0
    fi
    set +e
    (cd "$rd" && exec python3 "$here/stdio_run.py" "$k0" "$k1" "$k2" "$rd" -- \
        "${cmd[@]}" "$build/isatty.wasm") 2>"$rd/err"
    rc=$?
    set -e
    if [ "$rc" = "$want" ]; then
        passed=$((passed + 1)) engine_passed[$engine]=$((${engine_passed[$engine]:-0} + 1))
        [ "$verbose" = 1 ] && echo "ok   $label ($engine)"
        return 0
    fi
    failed=$((failed + 1)) engine_failed[$engine]=$((${engine_failed[$engine]:-0} + 1))
    echo "FAIL $label ($engine): exit status $rc, expected $want (64 + 1 for each terminal fd)"
    { cat "$rd/fd2" "$rd/err" 2>/dev/null || true; } | sed -n "1,10s/^/    /p"
    return 0
}

for engine in $engines; do
    [ "$engine" != corral-walk ] || continue
    for kind in null file pipe pty; do
        bit=0
        [ $kind = pty ] && bit=1
        run_stdio "$engine" "stdio/stdin-$kind" "$kind" file file $((64 + bit))
        run_stdio "$engine" "stdio/stdout-$kind" file "$kind" file $((64 + 2 * bit))
        run_stdio "$engine" "stdio/stderr-$kind" file file "$kind" $((64 + 4 * bit))
        run_stdio "$engine" "stdio/all-$kind" "$kind" "$kind" "$kind" $((64 + 7 * bit))
    done
done

if [[ " $engines " == *" node "* ]]; then
    echo "wasi: $node_runs cases also run under Node, ${#node_skips[@]} not"
    if [ "$verbose" = 1 ]; then
        for s in "${node_skips[@]}"; do echo "    not under node: $s"; done
    fi
fi
for engine in $engines; do
    echo "wasi: $engine: ${engine_passed[$engine]:-0} passed, ${engine_failed[$engine]:-0} failed"
done
echo "wasi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

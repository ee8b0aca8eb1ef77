#!/usr/bin/env bash
# run.sh: black-box tests of the `corral` command line, as a user sees it: stdout, stderr and
# the exit status of each command, never the library behind it.
#
# usage: tests/cli/run.sh [CORRAL]   (default: $CORRAL, else the checkout's build/corral)
# Environment: CLI_TEST_DIR where compiled fixtures go (default: build/tests/cli, next to the
# binary's build directory), CLI_VERBOSE=1 prints every case and the full output of failures.
#
# Needs wat2wasm and wast2json (wabt), clang and wasm-ld (lld), coreutils and mkfifo. The
# fixtures are the *.wat, *.wast and *.c files next to this script; invalid-*.wat are compiled
# with --no-check, names*.wat and names*.wast with --debug-names (a "name" section), *.c with
# clang as pure wasm32 without libc. Broken binaries (bad magic, truncated) and name
# sections appended to a module are made here. Every case runs with the fixture
# directory as its working directory, so messages name files as "x.wasm".
#
# Prints one line per failing case, then exactly "cli: N passed, M failed"; exits 1 when a
# case failed, 2 when the fixtures could not be built.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
corral=${1:-${CORRAL:-$here/../../build/corral}}
case $corral in
*/*) corral=$(cd "$(dirname "$corral")" && pwd)/$(basename "$corral") ;;
*) corral=$(command -v "$corral" || echo "$corral") ;;
esac
out=${CLI_TEST_DIR:-$(dirname "$corral")/tests/cli}
verbose=${CLI_VERBOSE:-0}
export LC_ALL=C

die() {
    echo "cli: $*" >&2
    exit 2
}

[ -x "$corral" ] || die "$corral is not an executable; run make first"
for tool in wat2wasm wast2json clang wasm-ld timeout od truncate mkfifo; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- fixtures ----

# newer SRC DST: true when DST is missing or older than SRC or this script.
newer() {
    [ ! -e "$2" ] || [ "$1" -nt "$2" ] || [ "$here/run.sh" -nt "$2" ]
}

for src in "$here"/*.wat; do
    name=$(basename "$src" .wat)
    flags=()
    case $name in invalid-*) flags=(--no-check) ;; names*) flags=(--debug-names) ;; esac
    if newer "$src" "$out/$name.wasm"; then
        wat2wasm "${flags[@]}" "$src" -o "$out/$name.wasm" || die "wat2wasm failed on $src"
    fi
done
for src in "$here"/*.wast; do
    name=$(basename "$src" .wast)
    flags=()
    case $name in names*) flags=(--debug-names) ;; esac
    if newer "$src" "$out/$name.json"; then
        wast2json "${flags[@]}" "$src" -o "$out/$name.json" || die "wast2json failed on $src"
    fi
done
if newer "$here/names.wast" "$out/names-plain.json"; then
    wast2json "$here/names.wast" -o "$out/names-plain.json" || die "wast2json failed on names.wast"
fi
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    if newer "$src" "$out/$name.wasm"; then
        clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wall -Wextra -Werror "$src" \
            -o "$out/$name.wasm" || die "clang failed on $src"
    fi
done

# Broken binaries, cut from arith.wasm. Its first section is the type section: id 0x01 at
# offset 8, then its size as a one-byte LEB128 at offset 9.
arith=$out/arith.wasm
{
    printf '\0asn'
    tail -c +5 "$arith"
} >"$out/bad-magic.wasm"
{
    printf '\0asm\2\0\0\0'
    tail -c +9 "$arith"
} >"$out/bad-version.wasm"
head -c 6 "$arith" >"$out/truncated-header.wasm" # ends inside the version field
head -c 20 "$arith" >"$out/truncated-section.wasm" # ends inside the type section
head -c "$(($(wc -c <"$arith") - 1))" "$arith" >"$out/truncated-last-byte.wasm"
: >"$out/empty.wasm"
cp "$here/arith.wat" "$out/source.wat" # the text format, read by src/text
printf '(module\n  (func (i32.frob)))\n' >"$out/bad-text.wat" # malformed text: an unknown operator
printf '(module (func))\n(assert_return (invoke "f")\n' >"$out/bad-script.wast" # unclosed
printf '(module)\n' >"$out/text-paren.wat"        # text starting with "(" at once
printf '(; a block (; nested ;) comment ;)\n  (module)' >"$out/text-block-comment.wat"
printf ' \n\t\n' >"$out/text-blank.wat"          # blanks only: the empty text module
printf '{"source_filename": "x.wast", "commands": [' >"$out/not-json.json"
printf '\0{"commands": []}' >"$out/nul.json"      # a NUL first: not JSON at all
printf '{"source_filename": "x.wast"}' >"$out/no-commands.json"
rm -f "$out/missing.wasm" "$out/missing.json"

# with_names NAME HEX...: NAME.wasm is backtrace.wasm (which has no name section, and 5
# functions) with a custom section "name" appended whose payload is the subsections HEX
# (sizes below 128, so one-byte LEB128s). Custom sections may come last; nothing else moves.
with_names() {
    local dst=$out/$1.wasm
    shift
    set -- 04 6e 61 6d 65 "$@" # the section's own name: "name"
    {
        cat "$out/backtrace.wasm"
        printf '%b' "$(printf '\\x%s' 00 "$(printf '%02x' $#)" "$@")"
    } >"$dst"
}
# Function 2 is "named_boom" (6e 61 6d 65 64 5f 62 6f 6f 6d): subsection 1, 13 bytes, one
# entry: index 2, length 10. The malformed variants must be ignored as a whole.
named_boom='6e 61 6d 65 64 5f 62 6f 6f 6d'
# shellcheck disable=SC2086 # word splitting of the hex lists is the point
{
    with_names names-appended 01 0d 01 02 0a $named_boom
    with_names names-after-module-name 00 03 02 6d 6d 01 0d 01 02 0a $named_boom
    with_names names-bad-size 01 20 01 02 0a $named_boom                  # past the end
    with_names names-bad-utf8 01 0d 01 02 0a ff 61 6d 65 64 5f 62 6f 6f 6d # not UTF-8
    with_names names-bad-index 01 0d 01 09 0a $named_boom                 # no func 9
    with_names names-bad-order 01 09 02 02 02 61 61 01 02 62 62           # 2, then 1
    with_names names-bad-count 01 05 ff ff ff ff 0f                      # 2^32-1 names
    with_names names-bad-leb 01 06 ff ff ff ff ff 0f                     # 6-byte LEB128
    with_names names-bad-extra 01 0e 01 02 0a $named_boom 00             # a byte left over
    with_names names-bad-sub-order 02 00 01 0d 01 02 0a $named_boom      # 2 before 1
    with_names names-empty                                               # no subsection
}

# ---- the case runner ----

passed=0 failed=0
case_name='' reasons=()

# byte FILE OFFSET: the byte at OFFSET as two hex digits.
byte() {
    od -An -tx1 -j "$2" -N 1 "$1" | tr -d ' \n'
}

# run NAME STATUS ARGS...: starts a case; runs corral ARGS in $out (20 s at most) and checks
# the exit status. The expect_* calls that follow check the output; end_case counts it.
# stdin_from=FILE (default /dev/null) feeds standard input; stdout_to=FILE sends stdout
# there instead of capturing it, stdout_to=closed runs with stdout closed (either way the
# captured stdout is then empty). Set them for one call: stdin_from=x.wasm t ...
run() {
    case_name=$1
    local want=$2 status=0 in=${stdin_from:-/dev/null} to=${stdout_to:-$tmp/stdout}
    shift 2
    reasons=()
    [ "$verbose" = 1 ] && echo "cli: $case_name: corral $*"
    : >"$tmp/stdout"
    if [ "$to" = closed ]; then
        (cd "$out" && timeout 20 "$corral" "$@") >&- 2>"$tmp/stderr" <"$in" || status=$?
    else
        (cd "$out" && timeout 20 "$corral" "$@") >"$to" 2>"$tmp/stderr" <"$in" || status=$?
    fi
    [ "$status" = "$want" ] || reasons+=("exit status $status, want $want")
}

# first_line FILE: a short view of FILE for a one-line failure report.
first_line() {
    local n
    n=$(wc -l <"$1")
    printf "'%s'%s" "$(head -n 1 "$1" | cut -c 1-100)" "$([ "$n" -gt 1 ] && echo " (+$((n - 1)) lines)")"
}

# expect STREAM SPEC: checks the captured stdout or stderr. SPEC is
#   ''      nothing at all          =TEXT   exactly TEXT and a newline (TEXT may span lines)
#   ~TEXT   some line contains TEXT  1~TEXT  exactly one line, and it contains TEXT
#   *       anything
expect() {
    local file=$tmp/$1 spec=$2
    case $spec in
    '*') ;;
    '')
        [ ! -s "$file" ] || reasons+=("$1 not empty: $(first_line "$file")")
        ;;
    =*)
        printf '%s\n' "${spec#=}" >"$tmp/want"
        cmp -s "$tmp/want" "$file" ||
            reasons+=("$1: want $(first_line "$tmp/want"), got $(first_line "$file")")
        ;;
    1~*)
        local n
        n=$(wc -l <"$file")
        [ "$n" = 1 ] && [ -z "$(tail -c 1 "$file")" ] ||
            reasons+=("$1: want one line, got $n: $(first_line "$file")")
        grep -qF -- "${spec#1~}" "$file" ||
            reasons+=("$1: want '${spec#1~}' in $(first_line "$file")")
        ;;
    ~*)
        grep -qF -- "${spec#\~}" "$file" ||
            reasons+=("$1: want '${spec#\~}' in $(first_line "$file")")
        ;;
    *)
        reasons+=("bad expectation '$spec' (run.sh bug)")
        ;;
    esac
}

# expect_lines STREAM ERE: every line of the stream matches the extended regex.
expect_lines() {
    local bad
    bad=$(grep -vcE -- "$2" "$tmp/$1" || true)
    [ "$bad" = 0 ] || reasons+=("$1: $bad lines do not match /$2/")
}

# fixture FILE OFFSET HEX WHAT: the compiled fixture has byte HEX at OFFSET. A wabt that lays
# out a module differently must break the fixture check, not pass as a Corral bug.
fixture() {
    local got
    got=$(byte "$out/$1" "$2")
    [ "$got" = "$3" ] ||
        reasons+=("fixture $1: byte at $2 is '$got', want $3 ($4); update run.sh's offsets")
}

end_case() {
    if [ ${#reasons[@]} -eq 0 ]; then
        passed=$((passed + 1))
        return
    fi
    failed=$((failed + 1))
    local joined
    joined=$(printf '; %s' "${reasons[@]}")
    echo "FAIL $case_name: ${joined#; }"
    if [ "$verbose" = 1 ]; then
        sed 's/^/  stdout| /' "$tmp/stdout"
        sed 's/^/  stderr| /' "$tmp/stderr"
    fi
}

# t NAME STATUS STDOUT STDERR ARGS...: a whole case in one line.
t() {
    local name=$1 status=$2 want_out=$3 want_err=$4
    shift 4
    run "$name" "$status" "$@"
    expect stdout "$want_out"
    expect stderr "$want_err"
    end_case
}

# ---- corral, help and usage errors ----

t no-args 2 '' '~usage: corral <command>'
t version 0 '~corral ' '' --version
t version-short 0 '~corral ' '' -V
t unknown-command 2 '' "1~unknown command 'frobnicate'" frobnicate
t unknown-option 2 '' "1~unknown option '--frobnicate'" --frobnicate
t help-unknown-command 2 '' "1~unknown command 'frobnicate'" help frobnicate

for form in --help -h help; do
    run "help($form)" 0 "$form"
    for want in run validate wast help '-h, --help' '-V, --version'; do
        expect stdout "~$want"
    done
    expect stderr ''
    end_case
done

# Each subcommand's help, both ways, mentions every option it documents; both ways agree.
declare -A options=(
    [run]='--invoke NAME|--dir HOST[::GUEST]|--dir-ro HOST[::GUEST]|--env NAME=VALUE|--env NAME|--argv0 NAME|--fuel N|--timeout DURATION|--max-memory BYTES|--max-stack BYTES|-h, --help|--kv-store NAME|--runtime-config FILE|--state-dir DIR|--allow-host URL|--http-max-concurrency N|--http-timeout DURATION|--http-max-body BYTES|--trap-unknown-imports|--default-values-unknown-imports|unknown import env::f was called'
    [validate]='-v, --verbose|-h, --help'
    [wast]='-v, --verbose|-q, --quiet|-h, --help'
    [serve]='-c, --config FILE|-l, --listen ADDR|--log-dir DIR|made with its parents|LOG_DIR/<name>-<sha256 of the route>/module.stderr|--trap-unknown-imports|--default-values-unknown-imports|unknown_imports = "error", "trap" or "default"|--runtime-config FILE'
)
for cmd in run validate wast serve; do
    (cd "$out" && "$corral" help "$cmd") >"$tmp/help" 2>&1 || true
    for form in "$cmd --help" "$cmd -h" "help $cmd"; do
        # shellcheck disable=SC2086 # form is two words on purpose
        run "help($form)" 0 $form
        IFS='|' read -ra opts <<<"${options[$cmd]}"
        for opt in "${opts[@]}"; do
            expect stdout "~$opt"
        done
        expect stdout "~usage: corral $cmd"
        expect stderr ''
        cmp -s "$tmp/help" "$tmp/stdout" || reasons+=("differs from 'corral help $cmd'")
        end_case
    done
    t "$cmd-unknown-option" 2 '' "1~unknown option '--frobnicate'" "$cmd" --frobnicate arith.wasm
    t "$cmd-no-file" 2 '' '1~usage: corral' "$cmd"
done

# run's help says what each exit status means, traps while instantiating included.
run help-run-exit-status 0 run --help
expect stdout '~  0    success'
expect stdout '~  1    FILE cannot be read, decoded, validated or linked'
expect stdout '~  2    usage error'
expect stdout '~  134  trap, whether in the function or while instantiating'
end_case

# ---- output that cannot be written ----
# Every command checks stdout when it is done: a result that did not get out is a failure
# (exit 1, "corral: write error: REASON"), never a silent success. A command that failed
# anyway keeps its own status.

stdout_to=/dev/full t run-write-error 1 '' '=corral: write error: No space left on device' \
    run arith.wasm --invoke add 1 2
stdout_to=closed t run-stdout-closed 1 '' '=corral: write error: Bad file descriptor' \
    run arith.wasm --invoke add 1 2
stdout_to=/dev/full t run-write-error-no-output 0 '' '' run arith.wasm --invoke nothing
stdout_to=/dev/full t run-write-error-trap 134 '' '~error: trap: unreachable' \
    run traps.wasm --invoke unreachable
stdout_to=/dev/full t help-write-error 1 '' '1~corral: write error: ' --help
stdout_to=/dev/full t help-run-write-error 1 '' '1~corral: write error: ' help run
stdout_to=/dev/full t version-write-error 1 '' '1~corral: write error: ' --version
stdout_to=closed t version-stdout-closed 1 '' '1~corral: write error: Bad file descriptor' -V
stdout_to=/dev/full t validate-write-error 1 '' '1~corral: write error: ' \
    validate -v arith.wasm
stdout_to=/dev/full t validate-write-error-quiet 0 '' '' validate arith.wasm
stdout_to=/dev/full t wast-write-error 1 '' '1~corral: write error: ' wast wast-pass.json
stdout_to=/dev/full t wast-write-error-failing 1 '' '1~corral: write error: ' \
    wast wast-fail.json

# ---- corral validate ----

t validate-valid 0 '' '' validate arith.wasm
t validate-valid-many 0 '' '' validate arith.wasm traps.wasm command.wasm imports.wasm
t validate-verbose 0 '=arith.wasm: valid' '' validate -v arith.wasm
t validate-verbose-long 0 $'=arith.wasm: valid\ntraps.wasm: valid' '' \
    validate --verbose arith.wasm traps.wasm
t validate-dashdash 0 '' '' validate -- arith.wasm

# Function bodies; the offsets are those of wasm-objdump -d, checked against the bytes.
# invalid-operand: func 1's body is 41 01 (i32.const 1) at 0x23, 42 02 (i64.const 2) at 0x25
# and 6a (i32.add) at 0x27, which pops the i64.
run validate-operand-mismatch 1 validate invalid-operand.wasm
fixture invalid-operand.wasm 39 6a i32.add
expect stdout ''
expect stderr '=invalid-operand.wasm: 0x000027: func 1: type mismatch: instruction requires [i32 i32] but stack has [i32 i64]'
end_case
# invalid-result: func 0 is 42 01 (i64.const 1) at 0x18, then 0b (end) at 0x1a, where the
# i64 meets the declared i32 result.
run validate-result-mismatch 1 validate invalid-result.wasm
fixture invalid-result.wasm 26 0b end
expect stdout ''
expect stderr '=invalid-result.wasm: 0x00001a: func 0: type mismatch: instruction requires [i32] but stack has [i64]'
end_case
# invalid-local: func 2 (after the import and one empty function) declares one i64 local
# (01 7e at 0x2a); 20 05 (local.get 5) at 0x2c names a local past param 0 and local 1.
run validate-unknown-local 1 validate invalid-local.wasm
fixture invalid-local.wasm 44 20 local.get
expect stdout ''
expect stderr '=invalid-local.wasm: 0x00002c: func 2: unknown local 5'
end_case

# The header: "\0asm" at 0, version 1 as a u32 at 4.
t validate-bad-magic 1 '' '=bad-magic.wasm: 0x000000: magic header not detected' \
    validate bad-magic.wasm
t validate-bad-version 1 '' '=bad-version.wasm: 0x000004: unknown binary version' \
    validate bad-version.wasm
t validate-empty 1 '' '=empty.wasm: 0x000000: unexpected end' validate empty.wasm
t validate-truncated-header 1 '' '=truncated-header.wasm: 0x000004: unexpected end' \
    validate truncated-header.wasm
# truncated-section keeps 20 bytes: the type section's size byte at 9 announces more bytes
# than the 10 left, which is the spec decoder's len32 error, at the size itself.
run validate-truncated-section 1 validate truncated-section.wasm
fixture truncated-section.wasm 8 01 'type section id'
fixture truncated-section.wasm 9 43 'type section size 67, more than the 10 bytes left'
expect stdout ''
expect stderr '=truncated-section.wasm: 0x000009: length out of bounds'
end_case
# Without the last byte, the last function body is cut short; where exactly the spec's
# decoder notices that is its own business, so only the message is checked.
t validate-truncated-last-byte 1 '' '1~unexpected end' validate truncated-last-byte.wasm
# The text format is read by Corral's own parser (src/text), whatever the file's name: bytes
# that start with "(" or blanks or comments instead of "\0asm" (blanks alone: the empty
# module). Malformed text is reported as FILE:LINE:COLUMN: message; a file that is neither
# (bad-magic) still gets the decoder's own message.
t validate-text-format 0 '=source.wat: valid' '' validate -v source.wat
t validate-text-paren 0 '' '' validate text-paren.wat
t validate-text-block-comment 0 '' '' validate text-block-comment.wat
t validate-text-blank 0 '' '' validate text-blank.wat
t validate-text-malformed 1 '' '=corral: bad-text.wat:2:10: unknown operator i32.frob' validate bad-text.wat
t validate-missing 1 '' '=corral: missing.wasm: No such file or directory' validate missing.wasm
t validate-directory 1 '' '=corral: .: is a directory' validate .
# Every file is checked; only the invalid one is reported, and the status says so.
t validate-mixed 1 '' '=invalid-result.wasm: 0x00001a: func 0: type mismatch: instruction requires [i32] but stack has [i64]' \
    validate arith.wasm invalid-result.wasm traps.wasm
t validate-mixed-verbose 1 $'=arith.wasm: valid\ntraps.wasm: valid' \
    '=invalid-result.wasm: 0x00001a: func 0: type mismatch: instruction requires [i32] but stack has [i64]' \
    validate -v arith.wasm invalid-result.wasm traps.wasm

# Modules that are not regular files: standard input as "-" or /dev/stdin, a pipe, a FIFO.
stdin_from=$out/arith.wasm t validate-stdin 0 '=<stdin>: valid' '' validate -v -
stdin_from=$out/arith.wasm t validate-dev-stdin 0 '=/dev/stdin: valid' '' validate -v /dev/stdin
stdin_from=$out/invalid-result.wasm t validate-stdin-invalid 1 '' \
    '=<stdin>: 0x00001a: func 0: type mismatch: instruction requires [i32] but stack has [i64]' validate -
stdin_from=$out/source.wat t validate-stdin-text 0 '=<stdin>: valid' '' validate -v -
# stdin read twice: the second read finds it at its end, an empty module
stdin_from=$out/arith.wasm t validate-stdin-twice 1 '=<stdin>: valid' \
    '=<stdin>: 0x000000: unexpected end' validate -v - -
t validate-pipe 0 '' '' validate <(cat "$out/arith.wasm")
mkfifo "$tmp/fifo.wasm"
# the writer gives up after 20 s, so a corral that never opens the FIFO cannot hang the suite
# shellcheck disable=SC2016 # $1 and $2 are sh's, not ours
timeout 20 sh -c 'cat "$1" >"$2"' sh "$out/arith.wasm" "$tmp/fifo.wasm" &
t validate-fifo 0 '' '' validate "$tmp/fifo.wasm"
wait
# Past 1 GiB is refused before reading (a sparse file: no disk is used).
truncate -s $(((1 << 30) + 1)) "$tmp/huge.wasm"
t validate-too-big 1 '' "=corral: $tmp/huge.wasm: larger than 1 GiB, the most Corral reads" \
    validate "$tmp/huge.wasm"

# ---- corral run: arguments and results ----

t run-i32 0 '=3' '' run arith.wasm --invoke add 1 2
t run-i32-negative 0 '=-5' '' run arith.wasm --invoke add -2 -3
t run-i32-hex 0 '=255' '' run arith.wasm --invoke i32 0xff
t run-i32-hex-upper 0 '=-1' '' run arith.wasm --invoke i32 0XFFFFFFFF
t run-i32-hex-negative 0 '=-16' '' run arith.wasm --invoke i32 -0x10
t run-i32-wraps-signed 0 '=-2147483648' '' run arith.wasm --invoke add 0x7fffffff 1
t run-i32-min 0 '=-2147483648' '' run arith.wasm --invoke i32 -2147483648
t run-i32-unsigned-max 0 '=-1' '' run arith.wasm --invoke i32 4294967295
t run-i32-plus 0 '=7' '' run arith.wasm --invoke i32 +7
t run-i32-minus-zero 0 '=0' '' run arith.wasm --invoke i32 -0
t run-i32-no-octal 0 '=10' '' run arith.wasm --invoke i32 010
t run-i64-max 0 '=9223372036854775807' '' run arith.wasm --invoke i64 9223372036854775807
t run-i64-min 0 '=-9223372036854775808' '' run arith.wasm --invoke i64 -9223372036854775808
t run-i64-hex 0 '=-9223372036854775808' '' run arith.wasm --invoke i64 0x8000000000000000
t run-i64-hex-all-ones 0 '=-1' '' run arith.wasm --invoke i64 0xffffffffffffffff
t run-f32 0 '=0.1' '' run arith.wasm --invoke f32 0.1
t run-f32-rounds 0 '=16777216' '' run arith.wasm --invoke f32 16777217
t run-f32-hex-float 0 '=3' '' run arith.wasm --invoke f32 0x1.8p1
t run-f32-max 0 '=3.4028235e+38' '' run arith.wasm --invoke f32 3.4028235e38
t run-f32-min-subnormal 0 '=1e-45' '' run arith.wasm --invoke f32 0x1p-149
t run-f32-neg-zero 0 '=-0' '' run arith.wasm --invoke f32 -0
t run-f32-neg-zero-bits 0 '=-2147483648' '' run arith.wasm --invoke f32_bits -0
t run-f32-inf 0 '=inf' '' run arith.wasm --invoke f32 inf
t run-f32-neg-inf 0 '=-inf' '' run arith.wasm --invoke f32 -inf
t run-f32-nan 0 '=nan' '' run arith.wasm --invoke f32 nan
t run-f32-nan-bits 0 '=2143289344' '' run arith.wasm --invoke f32_bits nan # 0x7fc00000
t run-f32-neg-nan-bits 0 '=-4194304' '' run arith.wasm --invoke f32_bits -nan # 0xffc00000
t run-f32-nan-payload 0 '=2139095041' '' run arith.wasm --invoke f32_bits nan:0x1 # 0x7f800001
t run-f32-print-nan-payload 0 '=-nan:0x12345' '' run arith.wasm --invoke bits_f32 0xff812345
t run-f32-print-neg-nan 0 '=-nan' '' run arith.wasm --invoke bits_f32 0xffc00000
t run-f64 0 '=0.30000000000000004' '' run arith.wasm --invoke f64_add 0.1 0.2
t run-f64-max 0 '=1.7976931348623157e+308' '' run arith.wasm --invoke f64 1.7976931348623157e308
t run-f64-min-subnormal 0 '=5e-324' '' run arith.wasm --invoke f64 0x1p-1074
t run-f64-neg-zero 0 '=-0' '' run arith.wasm --invoke f64 -0
t run-f64-neg-zero-bits 0 '=-9223372036854775808' '' run arith.wasm --invoke f64_bits -0
t run-f64-inf 0 '=inf' '' run arith.wasm --invoke f64 inf
t run-f64-neg-inf 0 '=-inf' '' run arith.wasm --invoke f64 -inf
t run-f64-nan 0 '=nan' '' run arith.wasm --invoke f64 nan
t run-f64-nan-bits 0 '=9221120237041090560' '' run arith.wasm --invoke f64_bits nan # 0x7ff8<<48
t run-f64-nan-payload 0 '=nan:0x4000000000001' '' run arith.wasm --invoke f64 nan:0x4000000000001
t run-f64-print-nan-payload 0 '=nan:0x1' '' run arith.wasm --invoke bits_f64 0x7ff0000000000001
# Floats print as JavaScript prints numbers: plain from 1e-6 up to below 1e21, else with an
# exponent; always the shortest decimal that reads back to the same bits.
t run-f64-plain-1500 0 '=1500' '' run arith.wasm --invoke f64 1500
t run-f64-plain-100000 0 '=100000' '' run arith.wasm --invoke f64 1e5
t run-f64-plain-large 0 '=123456789012345680000' '' run arith.wasm --invoke f64 123456789012345678901
t run-f64-exp-1e21 0 '=1e+21' '' run arith.wasm --invoke f64 1e21
t run-f64-exp-large 0 '=1.5e+300' '' run arith.wasm --invoke f64 1.5e300
t run-f64-plain-small 0 '=0.000001' '' run arith.wasm --invoke f64 1e-6
t run-f64-plain-fraction 0 '=-0.000025' '' run arith.wasm --invoke f64 -2.5e-5
t run-f64-exp-small 0 '=1e-7' '' run arith.wasm --invoke f64 1e-7
t run-f64-exp-small-digits 0 '=-1.2345e-7' '' run arith.wasm --invoke f64 -0.00000012345
t run-f64-decimal 0 '=1.5' '' run arith.wasm --invoke f64 1.5
# 2^-44 and 2^970: powers of two, whose rounding interval is lopsided; the shortest
# decimal lies on the far side of the nearest one.
t run-f64-power-of-two 0 '=5.684341886080802e-14' '' run arith.wasm --invoke f64 0x1p-44
t run-f64-power-of-two-2 0 '=9.9792015476736e+291' '' run arith.wasm --invoke f64 0x1p970
t run-f32-plain-1500 0 '=1500' '' run arith.wasm --invoke f32 1500
t run-f32-plain-small 0 '=0.000001' '' run arith.wasm --invoke f32 1e-6
t run-f32-exp-large 0 '=1e+21' '' run arith.wasm --invoke f32 1e21
# Several results: one per line, in order, each printed by its own type.
t run-multi-value 0 $'=nan\n-0\n16\n-1' '' run arith.wasm --invoke swap4 -1 0x10 -0 nan
t run-multi-value-2 0 $'=-inf\n0.5\n-9223372036854775808\n2147483647' '' \
    run arith.wasm --invoke swap4 2147483647 -9223372036854775808 0.5 -inf
# A v128 result prints as the text format's i32x4 constant (lanes of a little-endian image).
t run-v128 0 $'=7\ni32x4 0x03020107 0x0706050b 0x0b0a090f 0xff0e0d13\n-1' '' \
    run v128.wasm --invoke v128 7
t run-no-results 0 '' '' run arith.wasm --invoke nothing
t run-invoke-equals 0 '=3' '' run --invoke=add arith.wasm 1 2
t run-invoke-before-file 0 '=-3' '' run --invoke add arith.wasm -1 -2
t run-dashdash-before-file 0 '=3' '' run --invoke add -- arith.wasm 1 2
t run-start-default 0 '' '' run command.wasm
t run-start-named 0 '=0' '' run command.wasm --invoke ran

# Usage errors: exit 2, one clear line, nothing on stdout.
t run-too-few-args 2 '' "=corral: 'add' takes 2 arguments (i32, i32), got 1" \
    run arith.wasm --invoke add 1
t run-too-many-args 2 '' "=corral: 'add' takes 2 arguments (i32, i32), got 3" \
    run arith.wasm --invoke add 1 2 3
t run-args-for-nullary 2 '' "=corral: 'nothing' takes 0 arguments, got 1" \
    run arith.wasm --invoke nothing 1
t run-one-arg-missing 2 '' "=corral: 'i32' takes 1 argument (i32), got 0" run arith.wasm --invoke i32
t run-args-signature 2 '' "=corral: 'swap4' takes 4 arguments (i32, i64, f32, f64), got 0" \
    run arith.wasm --invoke swap4
# A command's arguments are the guest's (WASI argv), not numbers for _start.
t run-start-args 0 '' '' run command.wasm 1
t run-bad-i32 2 '' "1~argument 1 'x' is not a valid i32" run arith.wasm --invoke add x 1
t run-float-for-i32 2 '' "1~argument 2 '1.5' is not a valid i32" run arith.wasm --invoke add 1 1.5
t run-empty-i32 2 '' "1~argument 1 '' is not a valid i32" run arith.wasm --invoke i32 ''
t run-blank-i32 2 '' "1~argument 1 ' 1' is not a valid i32" run arith.wasm --invoke i32 ' 1'
t run-bare-hex-prefix 2 '' "1~argument 1 '0x' is not a valid i32" run arith.wasm --invoke i32 0x
t run-i32-too-big 2 '' '1~out of range for i32' run arith.wasm --invoke i32 4294967296
t run-i32-too-small 2 '' '1~out of range for i32' run arith.wasm --invoke i32 -2147483649
t run-i64-too-big 2 '' '1~out of range for i64' run arith.wasm --invoke i64 18446744073709551616
t run-i64-too-small 2 '' '1~out of range for i64' run arith.wasm --invoke i64 -9223372036854775809
t run-bad-f32 2 '' "1~argument 1 'abc' is not a valid f32" run arith.wasm --invoke f32 abc
t run-f32-overflow 2 '' '1~out of range for f32' run arith.wasm --invoke f32 1e39
t run-f64-overflow 2 '' '1~out of range for f64' run arith.wasm --invoke f64 1e309
t run-nan-zero-payload 2 '' \
    "=corral: argument 1 'nan:0x0' is not a valid f32: NaN payload must not be 0 (that is infinity)" \
    run arith.wasm --invoke f32 nan:0x0
t run-nan-big-payload 2 '' \
    "=corral: argument 1 'nan:0x800000' is not a valid f32: NaN payload out of range for f32" \
    run arith.wasm --invoke f32 nan:0x800000
t run-nan-big-payload-f64 2 '' '1~NaN payload out of range for f64' \
    run arith.wasm --invoke f64 nan:0x10000000000000
t run-nan-huge-payload 2 '' '1~NaN payload out of range for f32' \
    run arith.wasm --invoke f32 nan:0x10000000000000000
t run-nan-double-prefix 2 '' "1~'nan:0x0x5' is not a valid f32: not a number" \
    run arith.wasm --invoke f32 nan:0x0x5
t run-nan-no-hex 2 '' "1~'nan:5' is not a valid f32: not a number" run arith.wasm --invoke f32 nan:5
t run-nan-c-syntax 2 '' "1~'nan(1)' is not a valid f64: not a number" \
    run arith.wasm --invoke f64 'nan(1)'
t run-blank-f64 2 '' "1~' 1' is not a valid f64: not a number" run arith.wasm --invoke f64 ' 1'
t run-f64-bare-point 2 '' "1~'.' is not a valid f64: not a number" run arith.wasm --invoke f64 .
t run-i32-double-hex-prefix 2 '' "1~'0x0x5' is not a valid i32: not an integer" \
    run arith.wasm --invoke i32 0x0x5
t run-i32-double-sign 2 '' "1~'+-5' is not a valid i32: not an integer" \
    run arith.wasm --invoke i32 +-5
# Letters are case-insensitive everywhere: hex digits, 0X, exponents, inf and nan alike.
t run-f32-nan-mixed-case 0 '=2139095041' '' run arith.wasm --invoke f32_bits NaN:0X1
t run-f32-nan-upper 0 '=nan' '' run arith.wasm --invoke f32 NAN
t run-f64-neg-nan-payload-upper 0 '=-nan:0xabc' '' run arith.wasm --invoke f64 -nan:0xABC
t run-f64-inf-upper 0 '=inf' '' run arith.wasm --invoke f64 INF
t run-f64-infinity 0 '=-inf' '' run arith.wasm --invoke f64 -Infinity
t run-f64-exp-upper 0 '=1000' '' run arith.wasm --invoke f64 1E3
t run-f64-hex-float-upper 0 '=3' '' run arith.wasm --invoke f64 0X1.8P1
# Too small rounds to nearest (IEEE): 0, -0 or a subnormal, never an error. Too big is.
t run-f64-underflow 0 '=0' '' run arith.wasm --invoke f64 1e-400
t run-f64-underflow-neg 0 '=-0' '' run arith.wasm --invoke f64 -1e-400
t run-f64-underflow-subnormal 0 '=5e-324' '' run arith.wasm --invoke f64 3e-324
t run-f32-underflow 0 '=0' '' run arith.wasm --invoke f32 1e-50
t run-f32-hex-overflow 2 '' '1~out of range for f32' run arith.wasm --invoke f32 0x1p128
t run-missing-export 2 '' "1~no export named 'nosuch'" run arith.wasm --invoke nosuch
t run-export-not-func 2 '' "1~export 'mem' is not a function" run arith.wasm --invoke mem
t run-export-global 2 '' "1~export 'answer' is not a function" run arith.wasm --invoke answer
t run-no-start 2 '' '1~no _start export; use --invoke NAME' run arith.wasm
t run-invoke-no-name 2 '' '1~--invoke needs a function name' run arith.wasm --invoke
t run-invoke-twice 2 '' '1~--invoke given twice' run --invoke add arith.wasm --invoke add 1 2
# "--" ends the options after --invoke too, or right after FILE.
t run-dashdash-after-invoke 0 '=3' '' run arith.wasm --invoke add -- 1 2
t run-dashdash-after-invoke-negative 0 '=-3' '' run arith.wasm --invoke add -- -1 -2
t run-dashdash-after-file 0 '' '' run command.wasm --
t run-dashdash-literal 2 '' "1~argument 1 '--invoke' is not a valid i32" \
    run arith.wasm --invoke i32 -- --invoke
# An option among the arguments is a misplaced option, not an argument.
t run-invoke-after-args 2 '' \
    "=corral: run: '--invoke' after the arguments; options must come before them: corral run [OPTIONS] FILE.wasm [ARGS...]" \
    run arith.wasm 1 2 --invoke add
t run-invoke-among-args 2 '' "1~'--invoke=add' after the arguments; options must come before them" \
    run arith.wasm --invoke add 1 --invoke=add 2
t run-unknown-option-after-file 2 '' "1~unknown option '--frobnicate'" \
    run arith.wasm --invoke add 1 --frobnicate
run run-help-after-file 0 run arith.wasm --invoke add 1 --help
expect stdout '~usage: corral run'
expect stderr ''
end_case
# The module from standard input, a pipe or a FIFO, like validate.
stdin_from=$out/arith.wasm t run-stdin 0 '=3' '' run - --invoke add 1 2
stdin_from=$out/arith.wasm t run-stdin-invoke-first 0 '=-3' '' run --invoke add - -1 -2
t run-pipe 0 '=3' '' run <(cat "$out/arith.wasm") --invoke add 1 2
stdin_from=$out/bad-magic.wasm t run-stdin-bad 1 '' \
    '=corral: <stdin>: 0x000000: magic header not detected' run - --invoke f

# Modules that cannot be run: exit 1, one line "corral: FILE: [0xOFFSET: ]message".
t run-text-format 0 '=3' '' run source.wat --invoke add 1 2
t run-text-malformed 1 '' '=corral: bad-text.wat:2:10: unknown operator i32.frob' run bad-text.wat
t run-bad-magic 1 '' '=corral: bad-magic.wasm: 0x000000: magic header not detected' \
    run bad-magic.wasm --invoke f
t run-empty 1 '' '=corral: empty.wasm: 0x000000: unexpected end' run empty.wasm
t run-invalid 1 '' '=corral: invalid-operand.wasm: 0x000027: func 1: type mismatch: instruction requires [i32 i32] but stack has [i32 i64]' \
    run invalid-operand.wasm --invoke f
t run-missing 1 '' '=corral: missing.wasm: No such file or directory' run missing.wasm --invoke f
# A catch_all near the end of the value stack, after a throw of 1000 v128 values: nothing
# is copied into the catching frame (it once wrote 16 KB past the stack).
t run-catch-all-payload 0 '=7' '' run --tier interp --max-stack 64K --invoke main \
    "$here/../regress-3.0/cli/catch_all_payload.wat"
# v128 in a typed select or a block type with SIMD switched off (and valid with it on)
t validate-select-v128-off 1 '' '~func 0: malformed value type' validate --wasm-features=-simd \
    "$here/../regress-3.0/cli/typed_select_v128.wat"
t validate-select-v128-on 0 '' '' validate "$here/../regress-3.0/cli/typed_select_v128.wat"
# --wasm-features on every command that loads modules; a bad list is a usage error
for cmd in run wast validate compile serve; do
    t "wasm-features-bad($cmd)" 2 '' "~$cmd: --wasm-features: unknown WebAssembly feature 'bogus'" \
        "$cmd" --wasm-features bogus x.wasm
done
t run-directory 1 '' '=corral: .: is a directory' run . --invoke f
t run-too-big 1 '' '1~huge.wasm: larger than 1 GiB, the most Corral reads' run "$tmp/huge.wasm"

# A module that is not WebAssembly at all (here an executable) gets the decoder's one line.
t run-not-wasm 1 '' '1~: 0x000000: magic header not detected' run "$(command -v sh)"

# ---- corral run: WASI ----
# Imports from wasi_snapshot_preview1 are provided; anything else is a link error (exit 1,
# one line naming the import).

t run-imports 0 '' '' run imports.wasm
t run-wasi-hello 0 '=hello' '' run wasi-hello.wasm
t run-import-env 1 '' '=corral: import-env.wasm: unknown import env::f' run import-env.wasm
t run-import-wasi-unknown 1 '' \
    '=corral: import-wasi-unknown.wasm: unknown import wasi_snapshot_preview1::frobnicate' \
    run import-wasi-unknown.wasm
t run-import-wasi-badtype 1 '' \
    '=corral: import-wasi-badtype.wasm: incompatible import type for wasi_snapshot_preview1::fd_write: expects (i32, i32, i32, i32) -> i32, the module declares (i32) -> i32' \
    run import-wasi-badtype.wasm

# Unknown imports (issue 10): --trap-unknown-imports links a stand-in that traps when called,
# --default-values-unknown-imports one that returns zeros, so a module runs as long as the
# path it takes does not need them. unknown-imports.wasm imports env::f, env::zeros and
# other::g; its _start calls none of them.
t run-unknown-plain 1 '' '=corral: unknown-imports.wasm: unknown import env::f' \
    run unknown-imports.wasm
t run-unknown-trap-not-called 0 '=ran' '' run --trap-unknown-imports unknown-imports.wasm
t run-unknown-trap-called 134 '' \
    $'=error: trap: unknown import env::f was called\n  0: func[5] <call_f> @ 0x0000ba' \
    run --trap-unknown-imports unknown-imports.wasm --invoke call_f
t run-unknown-trap-other-module 134 '' '~error: trap: unknown import other::g was called' \
    run --trap-unknown-imports --invoke via_g unknown-imports.wasm 5
t run-unknown-trap-results 134 '' '~error: trap: unknown import env::zeros was called' \
    run --trap-unknown-imports unknown-imports.wasm --invoke zeros
t run-unknown-default-not-called 0 '=ran' '' run --default-values-unknown-imports unknown-imports.wasm
t run-unknown-default-no-results 0 '' '' \
    run --default-values-unknown-imports unknown-imports.wasm --invoke call_f
t run-unknown-default-zeros 0 $'=0\n0\n0\n0\nnull\nnull' '' \
    run --default-values-unknown-imports unknown-imports.wasm --invoke zeros
t run-unknown-default-used 0 '=1' '' \
    run --default-values-unknown-imports unknown-imports.wasm --invoke via_g 5
t run-unknown-default-wasi-intact 0 '=hello' '' run --default-values-unknown-imports wasi-hello.wasm
# What nothing stands in for: a memory (or table, global), a WASI function Corral lacks.
for flag in --trap-unknown-imports --default-values-unknown-imports; do
    t "run-unknown-memory($flag)" 1 '' \
        '=corral: unknown-memory.wasm: unknown import env::mem (a memory): only a function can stand in for an unknown import' \
        run "$flag" unknown-memory.wasm
    t "run-unknown-wasi-name($flag)" 1 '' \
        '=corral: import-wasi-unknown.wasm: unknown import wasi_snapshot_preview1::frobnicate' \
        run "$flag" import-wasi-unknown.wasm
done
t run-unknown-both 2 '' \
    '=corral: run: --trap-unknown-imports and --default-values-unknown-imports exclude each other' \
    run --trap-unknown-imports --default-values-unknown-imports unknown-imports.wasm
t run-unknown-twice 0 '=ran' '' run --trap-unknown-imports --trap-unknown-imports unknown-imports.wasm
t run-unknown-value 2 '' '=corral: run: --trap-unknown-imports takes no value' \
    run --trap-unknown-imports=yes unknown-imports.wasm

# Arguments: argv[0] is FILE as written (or --argv0), then everything after FILE verbatim,
# options and "--" included; only a "--" right after FILE is eaten.
t run-wasi-args 0 $'=wasi-args.wasm\na\nb c\n--help\n--dir\n-1\n--\nx' '' \
    run wasi-args.wasm a 'b c' --help --dir -1 -- x
t run-wasi-args-none 0 '=wasi-args.wasm' '' run wasi-args.wasm
t run-wasi-argv0 0 $'=prog\nx' '' run --argv0 prog wasi-args.wasm x
t run-wasi-argv0-equals 0 $'=\nx' '' run --argv0= wasi-args.wasm x
t run-wasi-args-dashdash 0 $'=wasi-args.wasm\n-x' '' run wasi-args.wasm -- -x
t run-wasi-options-first 0 $'=wasi-args.wasm\n--fuel' '' run --fuel 1000000 -- wasi-args.wasm --fuel

# Environment: only what --env gives, NAME=VALUE or NAME (the host's, when it is set);
# a later setting of a name wins.
export CORRAL_CLI_TEST_VAR='inherited value'
unset CORRAL_CLI_UNSET_VAR
t run-wasi-env-none 0 '' '' run --invoke env wasi-args.wasm
t run-wasi-env 0 $'=A=1\nB=x=y\nC=' '' run --env A=1 --env=B=x=y --env C= --invoke env wasi-args.wasm
t run-wasi-env-inherit 0 '=CORRAL_CLI_TEST_VAR=inherited value' '' \
    run --env CORRAL_CLI_TEST_VAR --env CORRAL_CLI_UNSET_VAR --invoke env wasi-args.wasm
t run-wasi-env-override 0 $'=B=2\nA=3' '' \
    run --env A=1 --env B=2 --env A=3 --invoke env wasi-args.wasm
t run-wasi-env-bad 2 '' "=corral: run: --env '=x': want NAME=VALUE or NAME" \
    run --env =x wasi-args.wasm
t run-wasi-env-no-value 2 '' "=corral: run: --env needs a value; see 'corral run --help'" run --env

# Exit status: proc_exit's (0..125); returning from _start is 0. A larger status (from 126
# up shells read as "cannot execute" or a signal; 256 would read as success) is an error.
t run-wasi-exit 0 '' '' run wasi-args.wasm --invoke exit_with 0
t run-wasi-exit-42 42 '' '' run wasi-args.wasm --invoke exit_with 42
t run-wasi-exit-125 125 '' '' run wasi-args.wasm --invoke exit_with 125
t run-wasi-exit-126 134 '' '=corral: guest called proc_exit(126), outside WASI'"'"'s range 0..125' \
    run wasi-args.wasm --invoke exit_with 126
t run-wasi-exit-257 134 '' '=corral: guest called proc_exit(257), outside WASI'"'"'s range 0..125' \
    run wasi-args.wasm --invoke exit_with 257
# A guest's failed write is the guest's to handle (it gets ENOSPC), not corral's.
stdout_to=/dev/full t run-wasi-stdout-full 0 '' '' run wasi-hello.wasm

# Preopened directories: fd 3 is the first, named GUEST (default HOST as written).
mkdir -p "$out/data" "$tmp/rw"
printf 'file contents\n' >"$out/data/f.txt"
rm -f "$out/data/new.txt"
t run-dir 0 $'=data\nfile contents' '' run --dir data wasi-cat.wasm
t run-dir-guest 0 $'=/sandbox\nfile contents' '' run --dir data::/sandbox wasi-cat.wasm
t run-dir-equals 0 $'=.\nfile contents' '' run --dir=data::. wasi-cat.wasm
t run-dir-ro-read 0 $'=data\nfile contents' '' run --dir-ro data wasi-cat.wasm
# path_open with O_CREAT: errno 0 in a --dir, EROFS (69) in a --dir-ro, which stays unchanged.
run run-dir-ro-create 0 run --dir-ro data --invoke create wasi-cat.wasm
expect stdout '=69'
expect stderr ''
[ ! -e "$out/data/new.txt" ] || reasons+=("new.txt was created in a read-only preopen")
end_case
run run-dir-create 0 run --dir "$tmp/rw::/" --invoke create wasi-cat.wasm
expect stdout '=0'
expect stderr ''
[ -f "$tmp/rw/new.txt" ] || reasons+=("new.txt was not created")
end_case
t run-dir-missing 1 '' "=corral: cannot open directory 'nosuch': No such file or directory" \
    run --dir nosuch wasi-hello.wasm
t run-dir-ro-missing 1 '' "=corral: cannot open directory 'nosuch': No such file or directory" \
    run --dir-ro nosuch::/x wasi-hello.wasm
t run-dir-not-dir 1 '' "=corral: cannot open directory 'arith.wasm': Not a directory" \
    run --dir arith.wasm wasi-hello.wasm
t run-dir-empty-guest 2 '' "=corral: run: --dir 'data::': want HOST or HOST::GUEST" \
    run --dir data:: wasi-hello.wasm
t run-dir-empty-host 2 '' "=corral: run: --dir-ro '::x': want HOST or HOST::GUEST" \
    run --dir-ro ::x wasi-hello.wasm
t run-dir-empty 2 '' "=corral: run: --dir '': want HOST or HOST::GUEST" run --dir '' wasi-hello.wasm
t run-dir-no-value 2 '' "=corral: run: --dir needs a value; see 'corral run --help'" run --dir

# ---- corral run: limits ----
# A limit that stops the guest is a trap (exit 134) whose message names it.

run run-fuel 134 run --fuel 1000 --invoke spin wasi-args.wasm
expect stdout ''
expect stderr '~error: trap: fuel exhausted: all 1000 units of fuel consumed'
end_case
t run-fuel-enough 0 '=hello' '' run --fuel 1000000 wasi-hello.wasm
t run-fuel-equals 0 '=hello' '' run --fuel=1000000 wasi-hello.wasm
t run-fuel-bad 2 '' "=corral: run: --fuel: invalid count 'abc' (want a whole number of instructions)" \
    run --fuel abc wasi-hello.wasm
t run-fuel-negative 2 '' "1~--fuel: invalid count '-1'" run --fuel -1 wasi-hello.wasm
t run-fuel-huge 2 '' "1~--fuel: invalid count '18446744073709551616'" \
    run --fuel 18446744073709551616 wasi-hello.wasm

# --timeout stops a loop and a wait in poll_oneoff alike, well within a second here.
for what in spin 'sleep 10000000000'; do
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # what is a function and maybe its argument
    run "run-timeout-${what%% *}" 134 run --timeout 200ms wasi-args.wasm --invoke $what
    ms=$((($(date +%s%N) - start) / 1000000))
    expect stdout ''
    expect stderr '~error: trap: interrupted: time limit exceeded'
    [ "$ms" -lt 1500 ] || reasons+=("took $ms ms for a 200 ms timeout")
    end_case
done
t run-timeout-not-hit 0 '=hello' '' run --timeout 10s wasi-hello.wasm
for d in 1m 1.5m 2 0.5s 2h 500000us 900000000ns; do
    t "run-timeout-unit-$d" 0 '=hello' '' run --timeout "$d" wasi-hello.wasm
done
for d in abc 5x 0 0ms '' -1s 1.s .5s 1e3s 99999999999999999999s; do
    t "run-timeout-bad-'$d'" 2 '' \
        "=corral: run: --timeout: invalid duration '$d' (want e.g. 500ms, 2s, 1m)" \
        run --timeout "$d" wasi-hello.wasm
done

# --max-memory caps every memory at a whole number of 64 KiB pages.
t run-max-memory-low 1 '' '=corral: memory-2.wasm: memory of 2 pages exceeds the limit of 1 pages' \
    run --max-memory 64K memory-2.wasm
t run-max-memory-rounds-down 1 '' '1~exceeds the limit of 1 pages' \
    run --max-memory 131071 memory-2.wasm
for size in 131072 128K 128k 128KiB 1M 1MiB 1G 1GiB 4G 1000G 128kib 131072B; do
    t "run-max-memory-$size" 0 '' '' run --max-memory "$size" memory-2.wasm
done
for size in 12Q -5 '' 1.5M M 0x10 1KB 99999999999999999999 18446744073709551615G; do
    t "run-max-memory-bad-'$size'" 2 '' \
        "=corral: run: --max-memory: invalid size '$size' (want bytes, e.g. 65536, 64K, 16MiB, 1G)" \
        run --max-memory "$size" memory-2.wasm
done
run run-max-stack 134 run --max-stack 1K --invoke recurse wasi-args.wasm
expect stdout ''
head -n 1 "$tmp/stderr" | grep -qx 'error: trap: call stack exhausted' ||
    reasons+=("stderr: first line is '$(head -n 1 "$tmp/stderr")'")
end_case
t run-max-stack-bad 2 '' "1~--max-stack: invalid size 'big'" run --max-stack big wasi-hello.wasm

# ---- corral run: traps ----
# Exit 134, "error: trap: MESSAGE", then the backtrace innermost first, one frame a line:
# "  N: func[INDEX] <NAME> @ 0xOFFSET", the offset being that of the trapping instruction
# or call, <NAME> the function's first export name when it has one (these fixtures have no
# name section; a name from there comes first: see "function names" below).

run trap-unreachable 134 run traps.wasm --invoke unreachable
fixture traps.wasm 92 00 unreachable # func 0 at 0x5c
expect stdout ''
expect stderr $'=error: trap: unreachable\n  0: func[0] <unreachable> @ 0x00005c'
end_case

run trap-divide-by-zero 134 run traps.wasm --invoke div 1 0
fixture traps.wasm 100 6d i32.div_s # func 1 at 0x64
expect stdout ''
expect stderr $'=error: trap: integer divide by zero\n  0: func[1] <div> @ 0x000064'
end_case

run trap-overflow 134 run traps.wasm --invoke div -2147483648 -1
expect stdout ''
expect stderr $'=error: trap: integer overflow\n  0: func[1] <div> @ 0x000064'
end_case

run trap-out-of-bounds 134 run traps.wasm --invoke load 65534
fixture traps.wasm 106 28 i32.load # func 2 at 0x6a; a 4-byte load at 65534 crosses the end
expect stdout ''
expect stderr $'=error: trap: out of bounds memory access\n  0: func[2] <load> @ 0x00006a'
end_case

run trap-out-of-bounds-far 134 run traps.wasm --invoke load -1
expect stderr $'=error: trap: out of bounds memory access\n  0: func[2] <load> @ 0x00006a'
end_case

# outer (func 4) calls middle (func 5, not exported) at 0x79, which calls div (func 1) at
# 0x82.
run trap-backtrace 134 run traps.wasm --invoke outer 7
fixture traps.wasm 121 10 'call in outer'
fixture traps.wasm 130 10 'call in middle'
expect stdout ''
expect stderr $'=error: trap: integer divide by zero\n  0: func[1] <div> @ 0x000064\n  1: func[5] @ 0x000082\n  2: func[4] <outer> @ 0x000079'
end_case

# Infinite recursion: every frame is func 3 at its call (0x72), so the run of identical
# frames prints as two lines. How deep the stack went is not part of the contract.
run trap-stack-exhausted 134 run traps.wasm --invoke recurse 0
fixture traps.wasm 114 10 'call in recurse'
expect stdout ''
head -n 2 "$tmp/stderr" >"$tmp/head"
printf '%s\n' 'error: trap: call stack exhausted' '  0: func[3] <recurse> @ 0x000072' |
    cmp -s - "$tmp/head" || reasons+=("stderr: want the trap line and frame 0 first")
tail -n +3 "$tmp/stderr" >"$tmp/stderr.rest"
mv "$tmp/stderr.rest" "$tmp/stderr"
expect stderr '1~  ... func[3] <recurse> @ 0x000072 repeated '
expect_lines stderr '^  \.\.\. func\[3\] <recurse> @ 0x000072 repeated [0-9]{3,} more times$'
end_case

# ping (func 0) and pong (func 1) call each other: no two frames alike in a row, so the
# middle of the stack is left out: frames 0 to 19, "... K frames omitted", the last 5, whose
# numbers end at the depth reached (20 + K + 5 frames).
run trap-stack-exhausted-mutual 134 run backtrace.wasm --invoke ping 0
fixture backtrace.wasm 83 10 'call in ping'
fixture backtrace.wasm 90 10 'call in pong'
expect stdout ''
[ "$(wc -l <"$tmp/stderr")" = 27 ] || reasons+=("stderr: want 27 lines, got $(wc -l <"$tmp/stderr")")
head -n 1 "$tmp/stderr" | grep -qx 'error: trap: call stack exhausted' ||
    reasons+=("stderr: the trap line is not first")
omitted=$(sed -n '22s/^  \.\.\. \([0-9]*\) frames omitted$/\1/p' "$tmp/stderr")
[ -n "$omitted" ] || reasons+=("stderr: line 22 is not '  ... K frames omitted'")
sed -n '2,21p;23,27p' "$tmp/stderr" | sed 's/:.*//; s/ //g' >"$tmp/numbers"
{
    seq 0 19
    [ -n "$omitted" ] && seq $((20 + omitted)) $((24 + omitted))
} | cmp -s - "$tmp/numbers" || reasons+=("stderr: frames not numbered 0-19 and the last 5")
sed -n '2,21p;23,27p' "$tmp/stderr" >"$tmp/frames"
mv "$tmp/frames" "$tmp/stderr"
expect_lines stderr '^  [0-9]+: (func\[0\] <ping> @ 0x000053|func\[1\] @ 0x00005a)$'
end_case

# A run of identical frames longer than 3 collapses; 3 or fewer print one by one.
# countdown (func 3) traps at 0x68 after N calls to itself at 0x6f.
run trap-repeat-collapsed 134 run backtrace.wasm --invoke countdown 4
fixture backtrace.wasm 104 00 'unreachable in countdown'
fixture backtrace.wasm 111 10 'call in countdown'
expect stdout ''
expect stderr $'=error: trap: unreachable\n  0: func[3] <countdown> @ 0x000068\n  1: func[3] <countdown> @ 0x00006f\n  ... func[3] <countdown> @ 0x00006f repeated 3 more times'
end_case
run trap-repeat-short 134 run backtrace.wasm --invoke countdown 3
expect stdout ''
expect stderr $'=error: trap: unreachable\n  0: func[3] <countdown> @ 0x000068\n  1: func[3] <countdown> @ 0x00006f\n  2: func[3] <countdown> @ 0x00006f\n  3: func[3] <countdown> @ 0x00006f'
end_case

# A function exported twice shows its first name, whichever name was invoked; a name is
# shown with control bytes, '\' and '>' escaped as \hh.
t trap-name-first-export 134 '' $'=error: trap: unreachable\n  0: func[2] <boom> @ 0x00005f' \
    run backtrace.wasm --invoke alias
t trap-name-escaped 134 '' $'=error: trap: unreachable\n  0: func[4] <tab\\09\\3e> @ 0x000074' \
    run backtrace.wasm --invoke $'tab\t>'

# Traps while instantiating name the file; still exit 134.
run trap-in-start 134 run start-trap.wasm --invoke f
fixture start-trap.wasm 34 00 'unreachable in the start function'
expect stdout ''
expect stderr $'=error: trap while instantiating start-trap.wasm: unreachable\n  0: func[0] @ 0x000022'
end_case
t trap-data-segment 134 '' '=error: trap while instantiating data-oob.wasm: out of bounds memory access' \
    run data-oob.wasm --invoke f
t trap-elem-segment 134 '' '=error: trap while instantiating elem-oob.wasm: out of bounds table access' \
    run elem-oob.wasm --invoke f
stdin_from=$out/data-oob.wasm t trap-data-segment-stdin 134 '' \
    '=error: trap while instantiating <stdin>: out of bounds memory access' run - --invoke f

# The same function, not trapping.
t trap-none 0 '=0' '' run traps.wasm --invoke div 0 5

# ---- corral run: function names from the name section ----
# A frame shows the name its function has in the module's "name" section (the names of the
# source: wat2wasm --debug-names, clang, rustc), else its first export name, else none.

# names.wasm: run (func 1, $entry_point) calls $divide_helper (func 0, not exported) at 0x59,
# which divides at 0x50.
run names-section 134 run names.wasm --invoke run 0
fixture names.wasm 80 6d 'i32.div_s in divide_helper'
fixture names.wasm 89 10 'call in entry_point'
expect stdout ''
expect stderr $'=error: trap: integer divide by zero\n  0: func[0] <divide_helper> @ 0x000050\n  1: func[1] <entry_point> @ 0x000059'
end_case
t names-no-trap 0 '=33' '' run names.wasm --invoke run 3
t names-escaped 134 '' $'=error: trap: unreachable\n  0: func[2] <a\\3eb\\5cc> @ 0x00005e' \
    run names.wasm --invoke escaped
t names-fallback-export 134 '' $'=error: trap: unreachable\n  0: func[3] <anonymous> @ 0x000062' \
    run names.wasm --invoke anonymous
long=a_very_long_name_$(printf '0123456789_%.0s' {1..13})
t names-long-cut 134 '' "=error: trap: unreachable
  0: func[4] <$long...> @ 0x000066" run names.wasm --invoke long

# C through clang: the names of the functions, static ones included. The offsets depend on
# the compiler, so only the names are checked.
run names-clang 134 run names-c.wasm --invoke report 0
expect stdout ''
sed 's/ @ 0x[0-9a-f]*$//' "$tmp/stderr" >"$tmp/names" && mv "$tmp/names" "$tmp/stderr"
expect stderr $'=error: trap: integer divide by zero\n  0: func[1] <checked_ratio>\n  1: func[0] <average_per_item>\n  2: func[2] <report>'
end_case

# A name section appended to backtrace.wasm names function 2 "named_boom" (its export is
# "boom"); the module-name subsection may come first.
for f in names-appended names-after-module-name; do
    t "$f" 134 '' $'=error: trap: unreachable\n  0: func[2] <named_boom> @ 0x00005f' \
        run "$f.wasm" --invoke boom
done
# A malformed name section is ignored, never an error (custom sections are not validated):
# the module loads and runs, and the frame falls back to the export name.
for f in names-bad-size names-bad-utf8 names-bad-index names-bad-order names-bad-count \
    names-bad-leb names-bad-extra names-bad-sub-order names-empty; do
    t "$f" 134 '' $'=error: trap: unreachable\n  0: func[2] <boom> @ 0x00005f' \
        run "$f.wasm" --invoke boom
    t "$f-validate" 0 '*' '' validate "$f.wasm"
done

# ---- corral wast ----

# wast-pass: 9 commands; the text-form assert_malformed is skipped, so 8 pass (register
# among them).
t wast-pass 0 '=8 passed, 0 failed, 1 skipped' '' wast wast-pass.json
t wast-pass-quiet 0 '=8 passed, 0 failed, 1 skipped' '' wast -q wast-pass.json
stdin_from=$out/wast-pass.json t wast-stdin 0 '=8 passed, 0 failed, 1 skipped' '' wast -

run wast-fail 1 wast wast-fail.json
expect stdout '~wast-fail.wast:7: assert_return'
expect stdout '~expected i32:5, got i32:4'
tail -n 1 "$tmp/stdout" | grep -qx '4 passed, 1 failed, 1 skipped' ||
    reasons+=("stdout: last line is '$(tail -n 1 "$tmp/stdout")'")
[ "$(wc -l <"$tmp/stdout")" = 2 ] || reasons+=("stdout: want 2 lines, got $(wc -l <"$tmp/stdout")")
expect stderr ''
end_case

t wast-fail-quiet 1 '=4 passed, 1 failed, 1 skipped' '' wast --quiet wast-fail.json

run wast-verbose 1 wast -v wast-fail.json
expect stdout '~wast-fail.wast:2: module'
expect stdout '~wast-fail.wast:5: assert_return'
expect stdout '~wast-fail.wast:7: assert_return "add" : expected i32:5, got i32:4'
tail -n 1 "$tmp/stdout" | grep -qx '4 passed, 1 failed, 1 skipped' ||
    reasons+=("stdout: last line is '$(tail -n 1 "$tmp/stdout")'")
end_case

# A failure caused by a trap says where: the innermost frame, named from the module the
# frame runs in (B calls A's $inner_trap through an import; B's own func 0 is that import).
run wast-trap-names 1 wast names.json
expect stdout $'=names.wast:15: assert_return $B "f" : expected i32:0, got trap "integer divide by zero" at func[0] <inner_trap> @ 0x000024\nnames.wast:17: module : expected the module to instantiate, got trap "unreachable" at func[0] <start_trap> @ 0x00001a\n5 passed, 2 failed, 0 skipped'
expect stderr ''
end_case
# The same script without a name section: the export name, else no name.
run wast-trap-no-names 1 wast names-plain.json
expect stdout $'=names.wast:15: assert_return $B "f" : expected i32:0, got trap "integer divide by zero" at func[0] <g> @ 0x000024\nnames.wast:17: module : expected the module to instantiate, got trap "unreachable" at func[0] @ 0x00001a\n5 passed, 2 failed, 0 skipped'
expect stderr ''
end_case

t wast-missing 1 '' '=corral: missing.json: No such file or directory' wast missing.json
t wast-not-json 1 '' '1~corral: not-json.json:1:' wast not-json.json
t wast-two-scripts 2 '' '1~see' wast wast-pass.json wast-fail.json
# -v and -q contradict each other, in either spelling and order.
t wast-verbose-quiet 2 '' '=corral: wast: -v and -q contradict each other; give one of them' \
    wast -v -q wast-pass.json
t wast-quiet-verbose-long 2 '' '1~-v and -q contradict each other' \
    wast --quiet wast-pass.json --verbose
# Files that are not JSON at all are named as such, not as a JSON syntax error.
t wast-wasm 1 '' "=corral: arith.wasm: neither a .wast script nor wast2json's JSON" wast arith.wasm
t wast-nul 1 '' "=corral: nul.json: neither a .wast script nor wast2json's JSON" wast nul.json
t wast-empty 1 '' "=corral: empty.wasm: neither a .wast script nor wast2json's JSON" wast empty.wasm
# A .wast script runs directly, its text-form modules included (the JSON skips one).
cp "$here/wast-pass.wast" "$out/script.wast"
t wast-text 0 '=9 passed, 0 failed, 0 skipped' '' wast script.wast
stdin_from=$out/script.wast t wast-text-stdin 0 '=9 passed, 0 failed, 0 skipped' '' wast -
run wast-text-fail 1 wast "$here/wast-fail.wast"
expect stdout '~wast-fail.wast:7: assert_return "add" : expected i32:5, got i32:4'
tail -n 1 "$tmp/stdout" | grep -qx '5 passed, 1 failed, 0 skipped' ||
    reasons+=("stdout: last line is '$(tail -n 1 "$tmp/stdout")'")
end_case
t wast-text-malformed 1 '' \
    '=corral: bad-script.wast:3:1: unexpected token (end of text; the "(" at 2:1 is not closed)' \
    wast bad-script.wast
t wast-no-commands 1 '' '=corral: no-commands.json: not a wast2json script (no "commands" array)' \
    wast no-commands.json

# ---- decoding: memop flags of WebAssembly 3.0 and features not supported yet (issue 10) ----
# i32.load with flags 0x42: alignment 4, and bit 6 says the memory index 0 follows.
printf '\x00asm\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7f\x03\x02\x01\x00\x05\x03\x01\x00\x01\x07\x08\x01\x04load\x00\x00\x0a\x0a\x01\x08\x00\x41\x00\x28\x42\x00\x00\x0b' \
    >"$out/memidx.wasm"
t memarg-memory-index 0 '=0' '' run memidx.wasm --invoke load
# A relaxed SIMD instruction in function 1 (after an import) with the feature switched off:
# the instruction, feature, offset and function are named.
printf '\x00asm\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x02\x07\x01\x01m\x01f\x00\x00\x03\x02\x01\x00\x0a\x09\x01\x07\x00\xfd\x80\x02\x1a\x0b\x0b' \
    >"$out/simd.wasm"
t relaxed-simd-off 1 '' \
    '=simd.wasm: 0x000020: func 1: illegal opcode (i8x16.relaxed_swizzle: relaxed-simd is switched off)' \
    validate --wasm-features 2.0 simd.wasm
t relaxed-simd-off-run 1 '' \
    '=corral: simd.wasm: 0x000020: func 1: illegal opcode (i8x16.relaxed_swizzle: relaxed-simd is switched off)' \
    run --wasm-features 2.0 simd.wasm

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]

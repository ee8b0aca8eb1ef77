#!/usr/bin/env bash
# spec.sh: runs the WebAssembly spec testsuite through `corral wast`.
#
# usage: scripts/spec.sh SPEC_DIR OUT_DIR [CORRAL]
#   SPEC_DIR  the testsuite's spec folder (its top-level *.wast, the simd_*.wast included)
#   OUT_DIR   where wast2json output and per-file logs go, e.g. build/spec
#   CORRAL    the corral binary (default: $CORRAL, else build/corral)
# Environment: SPEC_JOBS scripts run at once (default: the CPUs; the totals do not depend on
# it), SPEC_TIMEOUT seconds per file (default 600), SPEC_ONLY a regex of file names
# to run (for debugging; the expectations check then covers only those files), SPEC_TIER the
# tier every module runs on (interp, jit, aot or auto; default interp; aot writes each
# module's artifact into OUT_DIR/cache and loads it back from there), SPEC_TEXT=1 runs each
# .wast directly through Corral's own text parser (src/text) instead of wast2json's JSON,
# SPEC_FEATURES the --wasm-features list (default 2.0: the 2.0 suite's decode rules),
# SPEC_EXPECTATIONS the expectations file (default tests/spec/expectations.txt).
#
# Converts each .wast with wast2json (again only when the .wast is newer than the JSON), runs
# it, prints a line for each file with failures, then the totals. A file wast2json cannot
# convert must be listed in tests/spec/expectations.txt ("name  reason"); an unlisted
# conversion failure is a failure, and so is a listed file that converts (stale entry).
# With SPEC_TEXT=1 nothing is converted; a file listed as "text:name  reason" is expected to
# fail when run directly, and a listed file that passes is a failure too (stale entry);
# "text:name N  reason" expects exactly N failed cases there, so that a regression in the
# file's other cases, or a case that starts passing, fails the run as well.
# Exits non-zero when anything failed.
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 SPEC_DIR OUT_DIR [CORRAL]" >&2
    exit 2
fi
spec_dir=$1
out_dir=$2
corral=${3:-${CORRAL:-build/corral}}
timeout_s=${SPEC_TIMEOUT:-600}
only=${SPEC_ONLY:-}
text_mode=${SPEC_TEXT:-0}
tier=${SPEC_TIER:-interp}
tier_args=(--tier "$tier" --wasm-features "${SPEC_FEATURES:-2.0}")
if [ "$tier" = aot ]; then
    tier_args+=(--cache-dir "$out_dir/cache")
fi
expectations=${SPEC_EXPECTATIONS:-"$(cd "$(dirname "$0")/.." && pwd)/tests/spec/expectations.txt"}
fixups="$(cd "$(dirname "$0")/.." && pwd)/tests/spec/fixups"

tools=("$corral")
[ "$text_mode" = 1 ] || tools+=(wast2json)
for tool in "${tools[@]}"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "spec.sh: $tool not found" >&2
        exit 2
    fi
done
if [ ! -d "$spec_dir" ]; then
    echo "spec.sh: $spec_dir is not a directory" >&2
    exit 2
fi

# Files expected not to convert: name -> reason; and, with SPEC_TEXT=1, files expected to
# fail when run directly ("text:name").
declare -A expected_unconvertible=() expected_text_failure=() expected_text_count=()
if [ -f "$expectations" ]; then
    while read -r name reason; do
        case $name in
        '' | '#'*) continue ;;
        text:*)
            expected_text_failure[${name#text:}]=$reason
            if [[ $reason =~ ^([0-9]+)[[:space:]] ]]; then
                expected_text_count[${name#text:}]=${BASH_REMATCH[1]}
            fi
            ;;
        *) expected_unconvertible[$name]=$reason ;;
        esac
    done <"$expectations"
fi

total_pass=0 total_fail=0 total_skip=0 total_xfail=0
files=0 failing_files=0 unconverted=0

# Converts $1 (a .wast) to $2 (the .json) unless the JSON is newer. Keeps wast2json's
# complaint in $2.err.
convert() {
    local wast=$1 json=$2
    if [ -f "$json" ] && [ "$json" -nt "$wast" ]; then
        return 0
    fi
    mkdir -p "$(dirname "$json")"
    rm -f "$json"
    if wast2json "$wast" -o "$json" 2>"$json.err"; then
        rm -f "$json.err"
        apply_fixups "$json"
        return 0
    fi
    rm -f "$json"
    return 1
}

# Replaces binaries that wast2json encodes wrongly by hand-made ones (tests/spec/fixups/,
# each explained in its README.md).
apply_fixups() {
    local dir name
    dir=$(dirname "$1")
    name=$(basename "$dir")
    if [ -d "$fixups/$name" ]; then
        cp "$fixups/$name"/*.wasm "$dir"/
    fi
}

note_failure() {
    echo "$1"
    failing_files=$((failing_files + 1))
}

# The scripts to run, in order: name, input (converted JSON, or a .wast with SPEC_TEXT=1) and
# log; run_all runs them SPEC_JOBS at a time (default: the CPUs), each into its log and
# LOG.status, and the totals are added up afterwards in this order.
run_names=() run_inputs=() run_logs=()
queue_one() {
    mkdir -p "$(dirname "$3")"
    run_names+=("$1")
    run_inputs+=("$2")
    run_logs+=("$3")
}

run_all() {
    local i
    [ ${#run_names[@]} -gt 0 ] || return 0
    for i in "${!run_names[@]}"; do
        printf '%s\0%s\0' "${run_inputs[$i]}" "${run_logs[$i]}"
    done | SPEC_CORRAL=$corral SPEC_TIMEOUT_S=$timeout_s SPEC_TIER_ARGS="${tier_args[*]}" \
        xargs -0 -n 2 -P "${SPEC_JOBS:-$(nproc)}" bash -c '
            timeout "$SPEC_TIMEOUT_S" "$SPEC_CORRAL" wast $SPEC_TIER_ARGS "$1" >"$2" 2>&1
            echo $? >"$2.status"' _
    for i in "${!run_names[@]}"; do
        tally_one "${run_names[$i]}" "${run_logs[$i]}"
    done
}

# Adds one script's counts to the totals. A run that ends without its summary line, or with
# a status other than 0 or 1 (a crash, a sanitizer report, a timeout), counts one more
# failure.
tally_one() {
    local name=$1 log=$2 status summary p=0 f=0 s=0 extra=""
    status=$(cat "$log.status" 2>/dev/null || echo 125)
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
    if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
    else
        summary="no summary line"
    fi
    if [ $status -eq 124 ]; then
        extra="timed out after ${timeout_s}s"
    elif [ $status -ne 0 ] && [ $status -ne 1 ]; then
        extra="exit status $status"
    elif [ -z "$summary" ] || [ "$summary" = "no summary line" ]; then
        extra="exit status $status"
    fi
    [ -z "$extra" ] || f=$((f + 1))
    if [ "$text_mode" = 1 ] && [ -n "${expected_text_failure[$name]+set}" ]; then
        local want=${expected_text_count[$name]:-}
        if [ "$f" -eq 0 ]; then
            total_fail=$((total_fail + 1))
            note_failure "FAIL $name: passes now; remove text:$name from $expectations"
        elif [ -n "$want" ] && { [ -n "$extra" ] || [ "$f" -ne "$want" ]; }; then
            total_fail=$((total_fail + 1))
            note_failure "FAIL $name: $f cases fail${extra:+ ($extra)}, $expectations expects $want ($summary; log: $log)"
        else
            unconverted=$((unconverted + 1))
            total_xfail=$((total_xfail + f))
        fi
        total_pass=$((total_pass + p))
        total_skip=$((total_skip + s))
        return
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    total_skip=$((total_skip + s))
    if [ "$f" -ne 0 ]; then
        note_failure "FAIL $name: $summary${extra:+, $extra} (log: $log)"
    fi
}

for wast in "$spec_dir"/*.wast; do
    name=$(basename "$wast" .wast)
    if [ -n "$only" ] && ! [[ $name =~ $only ]]; then
        continue
    fi
    files=$((files + 1))
    if [ "$text_mode" = 1 ]; then
        queue_one "$name" "$wast" "$out_dir/$name/result.txt"
        continue
    fi
    json=$out_dir/$name/$name.json
    if ! convert "$wast" "$json"; then
        if [ -n "${expected_unconvertible[$name]+set}" ]; then
            unconverted=$((unconverted + 1))
        else
            total_fail=$((total_fail + 1))
            note_failure "FAIL $name: wast2json cannot convert it and tests/spec/expectations.txt does not list it ($(head -n 1 "$json.err"))"
        fi
        continue
    fi
    if [ -n "${expected_unconvertible[$name]+set}" ]; then
        total_fail=$((total_fail + 1))
        note_failure "FAIL $name: converts now; remove it from tests/spec/expectations.txt"
        continue
    fi
    queue_one "$name" "$json" "$out_dir/$name/result.txt"
done
run_all

if [ "$text_mode" = 1 ]; then
    echo "$files files: $failing_files failing, $unconverted failing as expected"
    xfail=""
    [ "$unconverted" -eq 0 ] || xfail=", and $total_xfail failing in the files listed as expected to fail"
    echo "spec ($tier, .wast run directly): $total_pass passed, $total_fail failed, $total_skip skipped$xfail"
else
    echo "$files files: $failing_files failing, $unconverted not converted as expected"
    echo "spec ($tier): $total_pass passed, $total_fail failed, $total_skip skipped"
fi
[ "$total_fail" -eq 0 ] && [ "$failing_files" -eq 0 ]

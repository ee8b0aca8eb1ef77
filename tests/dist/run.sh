#!/usr/bin/env bash
# run.sh: black-box tests of `corral serve` with fetched applications (issue 11): modules
# pulled from an OCI registry (`module = "oci:..."`), bindles served with --bindle from a
# standalone directory and from a Bindle server (`corral store serve`), `module =
# "bindle:..."`, signatures checked with --keyring, the module cache, and WAGI's start-up
# errors. Real servers only: Debian's docker-registry and `corral store serve`, started here
# on free loopback ports; pushes with `corral push` and Bindle's HTTP API (curl); invoices
# signed with `corral keys`; requests with curl.
#
# Sections (DIST_SECTIONS, default all): oci, standalone, server, errors, accept (acceptance 3:
# a C app from examples/serve pushed to the store, signed, and to the registry, served with
# --bindle --bindle-server and with an oci: module, answering over HTTP, and refused with a
# keyring that does not know its creator).
#
# usage: tests/dist/run.sh [CORRAL]   (default: the checkout's build/corral)
# Environment: DIST_VERBOSE=1 prints every check, DIST_SHOW=1 the stderr of each start-up that
# must fail; DIST_KEEP=1 keeps the temporary directory.
# Prints one line per failing check, then "dist: N passed, M failed"; exits 1 when a check
# failed, 2 when the suite could not be set up.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
corral=${1:-$root/build/corral}
case $corral in */*) corral=$(cd "$(dirname "$corral")" && pwd)/$(basename "$corral") ;; esac
verbose=${DIST_VERBOSE:-0}
sections=${DIST_SECTIONS:-oci standalone server errors accept}
export LC_ALL=C

die() {
    echo "dist: $*" >&2
    exit 2
}

[ -x "$corral" ] || die "$corral is not an executable; run make first"
for tool in docker-registry clang curl python3 sha256sum htpasswd tar; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
done
slow=1
grep -qa __asan_init "$corral" && slow=3

tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    if [ "${DIST_KEEP:-0}" = 1 ]; then echo "dist: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# Nothing of the caller's: no docker config, no proxy, no Bindle variables, own key files.
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config DOCKER_CONFIG= TMPDIR=$tmp/t
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY BINDLE_URL \
    BINDLE_HTTP_USER BINDLE_HTTP_PASSWORD BINDLE_KEYRING CORRAL_KEYRING
mkdir -p "$HOME" "$TMPDIR"

on() { [[ " $sections " == *" $1 "* ]]; }

# ---- checks ----

passed=0 failed=0

# check NAME WANT GOT: GOT must be WANT exactly.
check() {
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
        [ "$verbose" = 1 ] && echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1"
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed -n '2,14s/^/    /p'
    fi
    return 0
}

# check_has NAME WANT GOT: GOT must contain WANT.
check_has() {
    if [[ "$3" == *"$2"* ]]; then
        passed=$((passed + 1))
        [ "$verbose" = 1 ] && echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1: want '$2' in:"
        printf '%s\n' "$3" | head -n 10 | sed 's/^/    /'
    fi
    return 0
}

# check_not NAME TEXT GOT: GOT must not contain TEXT.
check_not() {
    if [[ "$3" != *"$2"* ]]; then
        passed=$((passed + 1))
        [ "$verbose" = 1 ] && echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1: '$2' should not be in:"
        printf '%s\n' "$3" | head -n 10 | sed 's/^/    /'
    fi
    return 0
}

sanitizer() {
    grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$1"
}

# serve NAME ARGS...: starts `corral serve ARGS` on 127.0.0.1 port 0 (its stdout and stderr
# in $tmp/NAME.out, .err); sets PORT and PID, or fails "NAME: start" and returns 1.
serve() {
    local name=$1 ready
    shift
    mkdir -p "$tmp/logs"
    "$corral" serve -l 127.0.0.1:0 --log-dir "$tmp/logs" --access-log off "$@" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
    PID=$!
    pids+=("$PID")
    PORT=
    for _ in $(seq $((300 * slow))); do
        ready=$(grep -m1 '^Ready: serving on ' "$tmp/$name.out" 2>/dev/null)
        if [ -n "$ready" ]; then
            PORT=${ready##*:}
            return 0
        fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    check "$name: start" "Ready" "$(head -c 600 "$tmp/$name.err")"
    return 1
}

# stop NAME: SIGTERM to $PID; it must exit 0 with no sanitizer report.
stop() {
    local status=0
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null || status=$?
    check "$1: exit status after SIGTERM" 0 "$status"
    check "$1: no sanitizer report" "" "$(sanitizer "$tmp/$1.err" && head -n 20 "$tmp/$1.err")"
}

# fails NAME STATUS MESSAGE ARGS...: `corral serve ARGS` exits with STATUS before serving and
# its stderr holds MESSAGE. The stderr stays in $tmp/fail.err.
fails() {
    local name=$1 want=$2 msg=$3 status=0
    shift 3
    mkdir -p "$tmp/logs"
    timeout $((20 * slow)) "$corral" serve -l 127.0.0.1:0 --log-dir "$tmp/logs" "$@" \
        >"$tmp/fail.out" 2>"$tmp/fail.err" </dev/null || status=$?
    [ "${DIST_SHOW:-0}" = 1 ] && printf '%s:\n%s\n' "$name" "$(sed 's/^/    | /' "$tmp/fail.err")"
    check "$name: exit status" "$want" "$status"
    check_has "$name: message" "$msg" "$(cat "$tmp/fail.err")"
    check "$name: never ready" "" "$(grep '^Ready' "$tmp/fail.out")"
    check "$name: no sanitizer report" "" "$(sanitizer "$tmp/fail.err" && head -n 20 "$tmp/fail.err")"
}

# get PATH: the body of GET http://127.0.0.1:$PORT/PATH ("HTTP <code>" first when not 200).
get() {
    local code
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time $((10 * slow)) \
        "http://127.0.0.1:$PORT$1") || code=000
    [ "$code" = 200 ] || printf 'HTTP %s\n' "$code"
    cat "$tmp/body" 2>/dev/null
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
strsha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# ---- guests ----

cflags=(--target=wasm32-wasi -O2 -mbulk-memory -ftls-model=local-exec -Wall -Wextra -Werror)
for t in app two three grouped; do
    clang "${cflags[@]}" -DTAG="\"$t\"" "$here/guests/app.c" -o "$tmp/$t.wasm" ||
        die "cannot compile tests/dist/guests/app.c (clang and wasi-libc: scripts/deps.sh)"
done
clang "${cflags[@]}" "$root/examples/serve/hello.c" -o "$tmp/hello.wasm" ||
    die "cannot compile examples/serve/hello.c"

# Keys: Alice and Bob are creators; the keyrings trust one, the other, or nobody.
keys() { "$corral" keys "$@" >/dev/null 2>"$tmp/keys.err" || die "corral keys $*: $(cat "$tmp/keys.err")"; }
keys create "Alice <alice@example.com>" --roles creator -f "$tmp/alice.keys" --keyring "$tmp/alice.ring"
keys create "Bob <bob@example.com>" --roles creator -f "$tmp/bob.keys" --keyring "$tmp/bob.ring"
printf 'version = "1.0"\nkey = []\n' >"$tmp/empty.ring"

# ---- registries ----

# registry NAME: starts docker-registry with its storage in $tmp/NAME on a free port; sets
# port_NAME and pid_NAME.
registry() {
    local name=$1 port=
    mkdir -p "$tmp/$name"
    cat >"$tmp/$name.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $tmp/$name
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
  secret: corral-test
EOF
    docker-registry serve "$tmp/$name.yml" >"$tmp/$name.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/$name.log" 2>/dev/null | head -n 1)
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || die "docker-registry ($name) did not start: $(tail -n 3 "$tmp/$name.log")"
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
        sleep 0.05
    done
    printf -v "port_$name" '%s' "$port"
    printf -v "pid_$name" '%s' "$pid"
}

# push ARGS...: corral push, its output (the reference with its digest) on stdout.
push() { "$corral" push "$@" 2>"$tmp/push.err" || die "corral push $*: $(cat "$tmp/push.err")"; }

# module TOML ROUTE REF [ROUTE REF]...: a modules.toml.
module() {
    local toml=$1
    shift
    : >"$toml"
    while [ $# -ge 2 ]; do
        printf '[[module]]\nroute = "%s"\nmodule = "%s"\n\n' "$1" "$2" >>"$toml"
        shift 2
    done
}

# ==== 1. oci: module references =============================================================

if on oci; then
    registry reg
    R=127.0.0.1:$port_reg
    d_app=$(push oci://$R/dist/app:v1 "$tmp/app.wasm")
    d_app=${d_app##*@}
    push --sign "$tmp/alice.keys" oci://$R/dist/app:signed "$tmp/app.wasm" >/dev/null
    push oci://$R/dist/two:v1 "$tmp/two.wasm" >/dev/null
    push --image oci://$R/dist/image:v1 "$tmp/two.wasm" >/dev/null

    # Both of WAGI's forms, a digest, the image form; one file, one pull, one cache entry each.
    module "$tmp/oci.toml" /a "oci://$R/dist/app:v1" /w "oci:$R/dist/app:v1" \
        /d "oci://$R/dist/app@$d_app" /i "oci://$R/dist/image:v1"
    if serve oci1 -c "$tmp/oci.toml" --module-cache "$tmp/mc"; then
        check "oci: oci://HOST:PORT/NAME:TAG runs" "handler main|tag app" "$(get /a | sed -n '1,2p' | paste -sd'|')"
        check "oci: WAGI's oci:HOST:PORT/NAME:TAG runs" "handler main|tag app" "$(get /w | sed -n '1,2p' | paste -sd'|')"
        check "oci: a digest reference runs" "handler main|tag app" "$(get /d | sed -n '1,2p' | paste -sd'|')"
        check "oci: the image form runs" "handler main|tag two" "$(get /i | sed -n '1,2p' | paste -sd'|')"
        stop oci1
    fi
    err=$(cat "$tmp/oci1.err")
    check_has "oci: the pull is logged with its digest and form" \
        "corral: module 'oci://$R/dist/app:v1': pulled $d_app (wasm artifact, $(wc -c <"$tmp/app.wasm") bytes) into $tmp/mc/$(strsha "oci://$R/dist/app:v1")" "$err"
    check_has "oci: the image form is logged" "(image, $(wc -c <"$tmp/two.wasm") bytes)" "$err"
    for ref in "oci://$R/dist/app:v1" "oci:$R/dist/app:v1" "oci://$R/dist/app@$d_app"; do
        key=$(strsha "$ref")
        check "oci: $ref is cached at <module-cache>/sha256(reference)" "$(sha "$tmp/app.wasm")" \
            "$(sha "$tmp/mc/$key" 2>&1)"
        check "oci: $ref: the record beside it" "manifest $d_app|module sha256-of-module" \
            "$(sed "s/$(sha "$tmp/app.wasm")/sha256-of-module/" "$tmp/mc/$key.digest" | paste -sd'|')"
    done
    check "oci: no temporary file left in the cache" "" "$(find "$tmp/mc" -name '.*part*')"

    # The next start uses the cache: with the registry gone too.
    registry gone
    G=127.0.0.1:$port_gone
    push oci://$G/dist/app:v1 "$tmp/app.wasm" >/dev/null
    module "$tmp/gone.toml" /a "oci://$G/dist/app:v1"
    if serve gone1 -c "$tmp/gone.toml" --module-cache "$tmp/mc"; then
        stop gone1
    fi
    kill "$pid_gone"
    wait "$pid_gone" 2>/dev/null
    if serve gone2 -c "$tmp/gone.toml" --module-cache "$tmp/mc"; then
        check "oci: the cache serves with the registry gone" "handler main" "$(get /a | head -n 1)"
        stop gone2
    fi
    check_has "oci: reuse is logged" "corral: module 'oci://$G/dist/app:v1': $d_app from the module cache" \
        "$(cat "$tmp/gone2.err")"
    # A cache file changed behind the gateway's back is never run: pulled again, or refused.
    key=$(strsha "oci://$R/dist/app:v1")
    printf 'junk' >>"$tmp/mc/$key"
    if serve tamper1 -c "$tmp/oci.toml" --module-cache "$tmp/mc"; then
        check "oci: a changed cache file is pulled again" "handler main" "$(get /a | head -n 1)"
        stop tamper1
    fi
    check_has "oci: a changed cache file is pulled again (log)" "corral: module 'oci://$R/dist/app:v1': pulled $d_app" \
        "$(cat "$tmp/tamper1.err")"
    check "oci: the cache file is whole again" "$(sha "$tmp/app.wasm")" "$(sha "$tmp/mc/$key")"
    key=$(strsha "oci://$G/dist/app:v1")
    cp "$tmp/two.wasm" "$tmp/mc/$key"
    fails "oci: a changed cache file, registry gone" 1 \
        "gone.toml:1: module 'oci://$G/dist/app:v1': " -c "$tmp/gone.toml" --module-cache "$tmp/mc"
    # The record says which manifest: a moved tag is seen only when the registry is asked,
    # which a keyring makes it (WAGI never asks again either).
    push oci://$R/dist/moving:v1 "$tmp/app.wasm" >/dev/null
    module "$tmp/moving.toml" /m "oci://$R/dist/moving:v1"
    serve moving1 -c "$tmp/moving.toml" --module-cache "$tmp/mc" && stop moving1
    push --sign "$tmp/alice.keys" oci://$R/dist/moving:v1 "$tmp/two.wasm" >/dev/null
    if serve moving2 -c "$tmp/moving.toml" --module-cache "$tmp/mc"; then
        check "oci: without a keyring, a moved tag keeps the cached module (as WAGI)" "tag app" "$(get /m | sed -n 2p)"
        stop moving2
    fi
    if serve moving3 -c "$tmp/moving.toml" --module-cache "$tmp/mc" --keyring "$tmp/alice.ring"; then
        check "oci: with a keyring, a moved tag is pulled again" "tag two" "$(get /m | sed -n 2p)"
        stop moving3
    fi

    # Signatures.
    module "$tmp/signed.toml" /s "oci://$R/dist/app:signed"
    if serve signed1 -c "$tmp/signed.toml" --module-cache "$tmp/mc2" --keyring "$tmp/alice.ring"; then
        check "oci: signed by a key of the keyring: runs" "handler main" "$(get /s | head -n 1)"
        stop signed1
    fi
    check_has "oci: the signer is logged" "signed by 'Alice <alice@example.com>')" "$(cat "$tmp/signed1.err")"
    fails "oci: signed by a key the keyring does not hold" 1 \
        "signed.toml:1: module 'oci://$R/dist/app:signed': $d_app has 1 signature, none by a key of the keyring with the creator or approver role" \
        -c "$tmp/signed.toml" --module-cache "$tmp/mc3" --keyring "$tmp/bob.ring"
    check "oci: nothing is cached for a refused module" "" "$(ls "$tmp/mc3" 2>/dev/null)"
    fails "oci: a cached module, a keyring without its signer" 1 \
        "none by a key of the keyring with the creator or approver role" \
        -c "$tmp/signed.toml" --module-cache "$tmp/mc2" --keyring "$tmp/bob.ring"
    fails "oci: unsigned, with a keyring" 1 "is not signed: the registry has no signature tag" \
        -c "$tmp/oci.toml" --module-cache "$tmp/mc4" --keyring "$tmp/alice.ring"
    fails "oci: a keyring that is not there" 1 "--keyring $tmp/none.ring: No such file or directory" \
        -c "$tmp/signed.toml" --keyring "$tmp/none.ring"

    # Errors name the module's line.
    printf '[[module]]\nroute = "/ok"\nmodule = "%s"\n\n[[module]]\nroute = "/x"\nmodule = "%s"\n' \
        "$tmp/app.wasm" "oci://$R/dist/nosuch:v1" >"$tmp/nosuch.toml"
    fails "oci: no such repository" 1 "nosuch.toml:5: module 'oci://$R/dist/nosuch:v1': manifest v1: $R answered 404" \
        -c "$tmp/nosuch.toml" --module-cache "$tmp/mc5"
    module "$tmp/badref.toml" /x "oci://$R/Dist/app:v1"
    fails "oci: a malformed reference" 1 \
        "badref.toml:1: module 'oci://$R/Dist/app:v1': 'Dist' is not a valid repository name component" \
        -c "$tmp/badref.toml" --module-cache "$tmp/mc5"
    module "$tmp/scheme.toml" /x "https://$R/dist/app.wasm"
    fails "oci: another scheme" 1 "scheme.toml:1: Unknown scheme https in module reference https://$R/dist/app.wasm" \
        -c "$tmp/scheme.toml"
    module "$tmp/notwasm.toml" /x "oci://$R/dist/app:v1"
    : >"$tmp/ro"
    fails "oci: a module cache that cannot be made" 1 "cannot create the module cache $tmp/ro/cache: Not a directory" \
        -c "$tmp/notwasm.toml" --module-cache "$tmp/ro/cache"

    # Without --module-cache: a temporary directory, named, removed at exit.
    if serve tmpcache -c "$tmp/oci.toml"; then
        dir=$(sed -n 's/^corral: no --module-cache given, using temporary directory \(.*\) for fetched modules (removed at exit)$/\1/p' "$tmp/tmpcache.err")
        check "oci: a temporary module cache under TMPDIR" "$TMPDIR/corral-cache-" "${dir%??????}"
        check "oci: the temporary cache holds the module" "$(sha "$tmp/app.wasm")" \
            "$(sha "$dir/$(strsha "oci://$R/dist/app:v1")" 2>&1)"
        stop tmpcache
        check "oci: the temporary cache is removed at exit" "gone" "$([ -e "$dir" ] || echo gone)"
    fi
fi

# ==== 2. standalone bindles (--bindle-path) ==================================================

# bindle DIR TEMPLATE: writes a standalone bindle (tests/dist/mkbindle.py); prints its dir.
bindle() { python3 "$here/mkbindle.py" "$@" || die "mkbindle.py $*"; }

# sign INVOICE KEYS: signs the invoice in place as creator with the first key of KEYS.
sign() {
    "$corral" keys sign-invoice "$1" -f "$2" -o "$1.signed" >/dev/null 2>"$tmp/sign.err" ||
        die "sign-invoice: $(cat "$tmp/sign.err")"
    mv "$1.signed" "$1"
}

printf 'asset a\n' >"$tmp/a.txt"
printf 'deep asset\n' >"$tmp/d.txt"
printf 'asset b\n' >"$tmp/b.txt"
printf 'not an asset\n' >"$tmp/n.txt"
printf '{}\n' >"$tmp/data.json"
# The application: three handlers (one with an entrypoint, one without assets), a wasm parcel
# of a named group and a JSON parcel with routes (not served), assets in three groups, one
# group reached only through another's member, and a member that is not a file.
cat >"$tmp/app.tmpl" <<EOF
bindleVersion = "1.0.0"

[bindle]
name = "example.com/dist"
version = "1.0.0"
authors = ["Corral tests"]

[[group]]
name = "files"

[[group]]
name = "deep"

[[group]]
name = "more"

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/app.wasm}"
mediaType = "application/wasm"
name = "app.wasm"
size = {size:$tmp/app.wasm}
[parcel.label.feature.wagi]
route = "/app/..."
argv = "x \${SCRIPT_NAME} \${ARGS}"
colour = "blue"
[parcel.conditions]
requires = ["files"]

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/two.wasm}"
mediaType = "application/wasm"
name = "two.wasm"
size = {size:$tmp/two.wasm}
[parcel.label.feature.wagi]
route = "/other"
entrypoint = "other"
allowed_hosts = "https://example.com, http://127.0.0.1:1"
[parcel.conditions]
requires = ["more"]

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/three.wasm}"
mediaType = "application/wasm"
name = "three.wasm"
size = {size:$tmp/three.wasm}
[parcel.label.feature.wagi]
route = "/plain"

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/grouped.wasm}"
mediaType = "application/wasm"
name = "grouped.wasm"
size = {size:$tmp/grouped.wasm}
[parcel.label.feature.wagi]
route = "/grouped"
[parcel.conditions]
memberOf = ["more"]

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/data.json}"
mediaType = "application/json"
name = "data.json"
size = {size:$tmp/data.json}
[parcel.label.feature.wagi]
route = "/json"

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/a.txt}"
mediaType = "text/plain"
name = "static/a.txt"
size = {size:$tmp/a.txt}
[parcel.label.feature.wagi]
file = "true"
[parcel.conditions]
memberOf = ["files"]
requires = ["deep"]

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/n.txt}"
mediaType = "text/plain"
name = "n.txt"
size = {size:$tmp/n.txt}
[parcel.conditions]
memberOf = ["files"]

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/d.txt}"
mediaType = "text/plain"
name = "deep/d.txt"
size = {size:$tmp/d.txt}
[parcel.label.feature.wagi]
file = "true"
[parcel.conditions]
memberOf = ["deep"]

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/b.txt}"
mediaType = "text/plain"
name = "b.txt"
size = {size:$tmp/b.txt}
[parcel.label.feature.wagi]
file = "true"
[parcel.conditions]
memberOf = ["more"]
EOF

# Two assets with one name: one handler cannot have both.
cat >"$tmp/clash.tmpl" <<EOF
bindleVersion = "1.0.0"

[bindle]
name = "example.com/clash"
version = "1.0.0"

[[group]]
name = "g"

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/app.wasm}"
mediaType = "application/wasm"
name = "app.wasm"
size = {size:$tmp/app.wasm}
[parcel.label.feature.wagi]
route = "/"
[parcel.conditions]
requires = ["g"]

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/a.txt}"
mediaType = "text/plain"
name = "same.txt"
size = {size:$tmp/a.txt}
[parcel.label.feature.wagi]
file = "true"
[parcel.conditions]
memberOf = ["g"]

[[parcel]]
[parcel.label]
sha256 = "{sha:$tmp/b.txt}"
mediaType = "text/plain"
name = "same.txt"
size = {size:$tmp/b.txt}
[parcel.label.feature.wagi]
file = "true"
[parcel.conditions]
memberOf = ["g"]
EOF

ID=example.com/dist/1.0.0
key=$(strsha "$ID")

if on standalone; then
    sb=$tmp/standalone
    bindle "$sb" "$tmp/app.tmpl" >/dev/null
    check "standalone: the layout is <dir>/sha256(id)/" "invoice.toml parcels" "$(ls "$sb/$key" | paste -sd' ')"
    if serve sa1 -b "$ID" --bindle-path "$sb" --module-cache "$tmp/bc"; then
        check "standalone: the route table, in invoice order" \
            "    /app/...                         app.wasm|    /other                           two.wasm -> other|    /plain                           three.wasm" \
            "$(sed -n '2,4p' "$tmp/sa1.out" | paste -sd'|')"
        check_has "standalone: the banner names the bindle" "serving bindle $ID with" "$(head -n 1 "$tmp/sa1.out")"
        check "standalone: a handler runs, feature.wagi.argv" "handler main|tag app|argv x /app/x" \
            "$(get /app/x | sed -n '1,3p' | paste -sd'|')"
        check "standalone: ARGS in argv" "argv x /app/x/y q=1" "$(get '/app/x/y?q=1' | sed -n 3p)"
        check "standalone: feature.wagi.entrypoint" "handler other|tag two" "$(get /other | sed -n '1,2p' | paste -sd'|')"
        check "standalone: a handler's assets: the groups it requires, transitively" \
            "/deep/d.txt 11|/static/a.txt 8" "$(get '/app/x?ls' | sed -n '4,$p' | sort | paste -sd'|')"
        check "standalone: another handler sees only its own assets" "/b.txt 8" \
            "$(get '/other?ls' | sed -n '4,$p' | sort | paste -sd'|')"
        check_not "standalone: a handler without assets sees no file" "txt" "$(get '/plain?ls')"
        check "standalone: an asset's bytes" "asset a" "$(get '/app/x?cat=/static/a.txt' | sed -n 4p)"
        check "standalone: assets are read-only" "write: Read-only file system" "$(get '/app/x?write' | sed -n 4p)"
        check "standalone: a wasm parcel of a named group is not a route" "HTTP 404" "$(get /grouped)"
        check "standalone: a parcel that is not wasm is not a route" "HTTP 404" "$(get /json)"
        stop sa1
    fi
    err=$(cat "$tmp/sa1.err")
    check_has "standalone: warning: a route in a named group" \
        "corral: warning: bindle $ID: parcel 'grouped.wasm' has feature.wagi.route but is in group 'more', not the global group: not served" "$err"
    check_has "standalone: warning: a route on a parcel that is not wasm" \
        "corral: warning: bindle $ID: parcel 'data.json' has feature.wagi.route but its mediaType is application/json, not application/wasm: not served" "$err"
    check_has "standalone: warning: an unknown feature.wagi key" \
        "corral: warning: bindle $ID: parcel 'app.wasm': unknown key feature.wagi.colour (ignored)" "$err"
    assets=$(sed -n "s|^corral: bindle $ID: route /app/...: 2 assets in \(.*\)$|\1|p" <<<"$err")
    check "standalone: assets go to <module-cache>/_ASSETS/sha256(id)/" "$tmp/bc/_ASSETS/$key/" "${assets%/*}/"
    check "standalone: the asset files" "deep/d.txt static/a.txt" \
        "$(cd "$assets" 2>/dev/null && find . -type f | sed 's|^\./||' | sort | paste -sd' ')"
    # The cache is used again, and repaired when an asset was changed or removed.
    printf 'changed\n' >"$assets/static/a.txt"
    rm -f "$assets/deep/d.txt"
    if serve sa2 -b "$ID" --bindle-path "$sb" --module-cache "$tmp/bc"; then
        check "standalone: a changed asset is replaced" "asset a" "$(get '/app/x?cat=/static/a.txt' | sed -n 4p)"
        check "standalone: a removed asset is put back" "deep asset" "$(get '/app/x?cat=/deep/d.txt' | sed -n 4p)"
        stop sa2
    fi
    check "standalone: no temporary file left in the cache" "" "$(find "$tmp/bc" -name '.*part*')"
    # A standalone bindle as a tarball (Bindle's export), given itself or found in the directory.
    (cd "$sb" && tar czf "$tmp/sb.tar.gz" "$key") || die "tar failed"
    if serve tar1 -b "$ID" --bindle-path "$tmp/sb.tar.gz" --module-cache "$tmp/tc"; then
        check "standalone: a .tar.gz" "/deep/d.txt 11|/static/a.txt 8|handler main" \
            "$(get '/app/x?ls' | sed -n '1p;4,$p' | sort | paste -sd'|')"
        stop tar1
    fi
    mkdir -p "$tmp/sbt"
    cp "$tmp/sb.tar.gz" "$tmp/sbt/$key.tar.gz"
    if serve tar2 -b "$ID" --bindle-path "$tmp/sbt" --module-cache "$tmp/tc"; then
        check "standalone: a directory holding SHA.tar.gz" "handler other" "$(get /other | head -n 1)"
        stop tar2
    fi

    # Every parcel is checked before anything runs.
    cp -r "$sb" "$tmp/sb-bad"
    cp "$tmp/two.wasm" "$tmp/sb-bad/$key/parcels/$(sha "$tmp/app.wasm").dat"
    fails "standalone: a module parcel whose bytes changed" 1 \
        "bindle $ID: $tmp/sb-bad/$key/parcels/$(sha "$tmp/app.wasm").dat is not parcel $(sha "$tmp/app.wasm") (app.wasm): its SHA-256 is $(sha "$tmp/two.wasm")" \
        -b "$ID" --bindle-path "$tmp/sb-bad"
    cp "$tmp/app.wasm" "$tmp/sb-bad/$key/parcels/$(sha "$tmp/app.wasm").dat"
    printf 'asset A\n' >"$tmp/sb-bad/$key/parcels/$(sha "$tmp/a.txt").dat"
    fails "standalone: an asset whose bytes changed" 1 "bindle $ID: $tmp/sb-bad/$key/parcels/$(sha "$tmp/a.txt").dat is not parcel $(sha "$tmp/a.txt") (static/a.txt): its SHA-256 is " \
        -b "$ID" --bindle-path "$tmp/sb-bad"
    rm "$tmp/sb-bad/$key/parcels/$(sha "$tmp/a.txt").dat"
    fails "standalone: a missing parcel" 1 \
        "bindle $ID: the standalone bindle $ID lacks parcel $(sha "$tmp/a.txt") (static/a.txt)" \
        -b "$ID" --bindle-path "$tmp/sb-bad"
    fails "standalone: a bindle the directory does not have" 1 \
        "bindle example.com/dist/2.0.0: $sb holds neither $(strsha example.com/dist/2.0.0)/ nor $(strsha example.com/dist/2.0.0).tar.gz, the standalone forms of example.com/dist/2.0.0" \
        -b example.com/dist/2.0.0 --bindle-path "$sb"
    mkdir -p "$tmp/sb-other"
    cp -r "$sb/$key" "$tmp/sb-other/$(strsha example.com/other/1.0.0)"
    fails "standalone: the invoice of another bindle" 1 \
        "bindle example.com/other/1.0.0: $tmp/sb-other/$(strsha example.com/other/1.0.0)/invoice.toml: the invoice is $ID, whose directory would be $key, not $(strsha example.com/other/1.0.0)" \
        -b example.com/other/1.0.0 --bindle-path "$tmp/sb-other"
    sed 's/^version = "1.0.0"/version = "1.0.1"/; s/^bindleVersion = "1.0.0"/bindleVersion = "1.0.0"\nyanked = true/' \
        "$tmp/app.tmpl" >"$tmp/yanked.tmpl"
    bindle "$tmp/sb-yanked" "$tmp/yanked.tmpl" >/dev/null
    fails "standalone: a yanked bindle" 1 "bindle example.com/dist/1.0.1 is yanked: it is not served" \
        -b example.com/dist/1.0.1 --bindle-path "$tmp/sb-yanked"
    sed 's/^route = .*//' "$tmp/app.tmpl" >"$tmp/noroute.tmpl"
    bindle "$tmp/sb-noroute" "$tmp/noroute.tmpl" >/dev/null
    fails "standalone: no handler parcel" 1 \
        "bindle $ID: the invoice has no handler parcel: none with mediaType application/wasm, in the global group, with feature.wagi.route" \
        -b "$ID" --bindle-path "$tmp/sb-noroute"
    sed 's/^authors = .*/author = "typo"/' "$tmp/app.tmpl" >"$tmp/badinv.tmpl"
    bindle "$tmp/sb-badinv" "$tmp/badinv.tmpl" >/dev/null
    fails "standalone: an invoice Bindle would refuse" 1 "bindle $ID: $tmp/sb-badinv/$key/invoice.toml: " \
        -b "$ID" --bindle-path "$tmp/sb-badinv"
    check_has "standalone: an invoice Bindle would refuse: the field" "author" "$(cat "$tmp/fail.err")"
    bindle "$tmp/sb-clash" "$tmp/clash.tmpl" >/dev/null
    fails "standalone: two different assets with one name" 1 \
        "bindle example.com/clash/1.0.0: handler 'app.wasm' (route /) needs two different assets named 'same.txt'" \
        -b example.com/clash/1.0.0 --bindle-path "$tmp/sb-clash" --module-cache "$tmp/bc"

    # Signatures: WAGI verified none; with --keyring Corral refuses what the strategy does not
    # accept, before anything runs.
    sign "$sb/$key/invoice.toml" "$tmp/alice.keys"
    if serve sig1 -b "$ID" --bindle-path "$sb" --keyring "$tmp/alice.ring" --module-cache "$tmp/bc"; then
        check "standalone: signed by a key of the keyring: serves" "handler main" "$(get /app/x | head -n 1)"
        stop sig1
    fi
    check_has "standalone: the check is logged" \
        "corral: bindle $ID: signatures verified (GreedyVerification, keyring $tmp/alice.ring)" \
        "$(cat "$tmp/sig1.err")"
    fails "standalone: a keyring that does not know the creator" 1 \
        "bindle $ID: refused by verification strategy GreedyVerification: signature 1 (by \"Alice <alice@example.com>\", creator, key" \
        -b "$ID" --bindle-path "$sb" --keyring "$tmp/bob.ring"
    check_has "standalone: ... and says the key is unknown" "the key is not in the keyring" "$(cat "$tmp/fail.err")"
    check_has "standalone: ... and names the keyring" "(--keyring $tmp/bob.ring)" "$(cat "$tmp/fail.err")"
    fails "standalone: an empty keyring" 1 "the key is not in the keyring" \
        -b "$ID" --bindle-path "$sb" --keyring "$tmp/empty.ring"
    fails "standalone: unsigned, with a keyring" 1 \
        "No signatures found on invoice. At least one signature is required" \
        -b example.com/clash/1.0.0 --bindle-path "$tmp/sb-clash" --keyring "$tmp/alice.ring"
    if serve sig2 -b "$ID" --bindle-path "$sb" --keyring "$tmp/alice.ring" --strategy CreativeIntegrity; then
        stop sig2
    fi
    check_has "standalone: --strategy" "signatures verified (CreativeIntegrity, keyring" "$(cat "$tmp/sig2.err")"
    fails "standalone: an unknown strategy" 1 "--strategy 'Trusting': Unknown verification strategy" \
        -b "$ID" --bindle-path "$sb" --keyring "$tmp/alice.ring" --strategy Trusting
    # A signature covers the parcels' digests: an invoice changed after signing is refused.
    sed -i "s/$(sha "$tmp/b.txt")/$(sha "$tmp/n.txt")/" "$sb/$key/invoice.toml"
    cp "$tmp/n.txt" "$sb/$key/parcels/$(sha "$tmp/n.txt").dat"
    fails "standalone: a signed invoice changed afterwards" 1 "signature 1 (by \"Alice <alice@example.com>\", creator, key $("$corral" keys list -f "$tmp/alice.keys" | sed -n 's/^key = "\(.*\)"$/\1/p')) cannot be verified" \
        -b "$ID" --bindle-path "$sb" --keyring "$tmp/alice.ring"
fi

# ==== 3. Bindle servers (--bindle-server) and bindle: modules ================================

# store NAME [ARGS...]: starts `corral store serve` with its data in $tmp/NAME, trusting the
# creators Alice and Bob, signing as host with $tmp/host.keys; sets store_url and store_pid.
store() {
    local name=$1 port=
    shift
    mkdir -p "$tmp/$name"
    XDG_CONFIG_HOME=$tmp/$name/cfg "$corral" store serve -i 127.0.0.1:0 -d "$tmp/$name/data" \
        --keyring "$tmp/creators.ring" --signing-keys "$tmp/host.keys" "$@" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
    store_pid=$!
    pids+=("$store_pid")
    for _ in $(seq $((200 * slow))); do
        port=$(sed -n 's|^Ready: serving Bindle on http://127\.0\.0\.1:\([0-9]*\)/v1/.*|\1|p' "$tmp/$name.out" | head -n 1)
        [ -n "$port" ] && break
        kill -0 "$store_pid" 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$port" ] || die "corral store serve ($name) did not start: $(tail -n 3 "$tmp/$name.err")"
    store_url=http://127.0.0.1:$port/v1
}

# stop_store NAME: SIGTERM to $store_pid; exit 0, no sanitizer report.
stop_store() {
    local status=0
    kill -TERM "$store_pid" 2>/dev/null
    wait "$store_pid" 2>/dev/null || status=$?
    check "$1: the store exits 0" 0 "$status"
    check "$1: no sanitizer report in the store" "" "$(sanitizer "$tmp/$1.err" && head -n 20 "$tmp/$1.err")"
}

# bpush ARGS...: corral push of a bindle (the Bindle client), quiet unless it fails.
bpush() { "$corral" push "$@" >"$tmp/bpush.out" 2>&1 || die "corral push $*: $(cat "$tmp/bpush.out")"; }

# A host key for the stores, and keyrings: creators (the stores'), Alice and the host (a
# client that trusts the creator and the server), Bob and the host (one that does not know
# the creator).
keys create "Store host" --roles host -f "$tmp/host.keys" --skip-keyring
cat "$tmp/alice.ring" >"$tmp/creators.ring"
"$corral" keys list -f "$tmp/bob.keys" | sed '1,/^$/d' >>"$tmp/creators.ring"
host_key=$("$corral" keys list -f "$tmp/host.keys" | sed -n 's/^key = "\(.*\)"$/\1/p')
cp "$tmp/alice.ring" "$tmp/alice+host.ring"
keys add "Store host" host "$host_key" --keyring "$tmp/alice+host.ring"
cp "$tmp/bob.ring" "$tmp/bob+host.ring"
keys add "Store host" host "$host_key" --keyring "$tmp/bob+host.ring"

if on server; then
    store srv --unauthenticated
    S=$store_url
    # The application of section 2, signed by Alice, pushed as a standalone bindle.
    bindle "$tmp/push" "$tmp/app.tmpl" >/dev/null
    sign "$tmp/push/$key/invoice.toml" "$tmp/alice.keys"
    bpush --standalone "$tmp/push/$key" -s "$S"
    if serve srv1 -b "$ID" --bindle-server "$S" --module-cache "$tmp/sc"; then
        check "server: a handler runs" "handler main|tag app|argv x /app/x" "$(get /app/x | sed -n '1,3p' | paste -sd'|')"
        check "server: feature.wagi.entrypoint" "handler other" "$(get /other | head -n 1)"
        check "server: assets, transitively" "/deep/d.txt 11|/static/a.txt 8" \
            "$(get '/app/x?ls' | sed -n '4,$p' | sort | paste -sd'|')"
        check "server: another handler's assets" "/b.txt 8" "$(get '/other?ls' | sed -n '4,$p' | paste -sd'|')"
        check "server: a wasm parcel of a named group is not a route" "HTTP 404" "$(get /grouped)"
        stop srv1
    fi
    check_has "server: the fetch is logged" \
        "corral: bindle $ID: fetched from $S (6 parcels: 0 from the module cache, " "$(cat "$tmp/srv1.err")"
    check_has "server: the invoice in the cache (Bindle's layout), as the server sent it" 'by = "Store host"' \
        "$(cat "$tmp/sc/invoices/$key/invoice.toml" 2>&1)"
    check "server: a module parcel in the cache" "$(sha "$tmp/app.wasm")" \
        "$(sha "$tmp/sc/parcels/$(sha "$tmp/app.wasm")/parcel.dat" 2>&1)"
    check "server: a parcel that is neither a handler nor an asset is not fetched" "absent" \
        "$([ -e "$tmp/sc/parcels/$(sha "$tmp/n.txt")" ] || echo absent)"
    check "server: no temporary file left in the cache" "" "$(find "$tmp/sc" -name '.*tmp*' -o -name '.*part*')"
    if serve srv2 -b "$ID" --bindle-url "$S" --module-cache "$tmp/sc"; then
        check "server: --bindle-url (WAGI's name)" "handler main" "$(get /app/x | head -n 1)"
        stop srv2
    fi
    check_has "server: the second start takes the parcels from the cache" \
        "(6 parcels: 6 from the module cache, 0 bytes downloaded)" "$(cat "$tmp/srv2.err")"
    if BINDLE_URL=$S serve srv3 -b "$ID" --module-cache "$tmp/sc"; then
        check "server: BINDLE_URL" "handler main" "$(get /app/x | head -n 1)"
        stop srv3
    fi
    # A damaged cache file is fetched again, never run.
    cp "$tmp/two.wasm" "$tmp/sc/parcels/$(sha "$tmp/app.wasm")/parcel.dat"
    if serve srv4 -b "$ID" --bindle-server "$S" --module-cache "$tmp/sc"; then
        check "server: a damaged cached parcel is fetched again" "tag app" "$(get /app/x | sed -n 2p)"
        stop srv4
    fi
    check_has "server: ... and logged as downloaded" "(6 parcels: 5 from the module cache, " "$(cat "$tmp/srv4.err")"

    # Signatures: the store host-signs what it accepts, so GreedyVerification needs the host
    # key too (corral keys fetch); CreativeIntegrity looks at creators only.
    if serve sig3 -b "$ID" --bindle-server "$S" --keyring "$tmp/alice+host.ring"; then
        check "server: signed by a known creator and host: serves" "handler main" "$(get /app/x | head -n 1)"
        stop sig3
    fi
    check_has "server: the check is logged" "signatures verified (GreedyVerification, keyring $tmp/alice+host.ring)" \
        "$(cat "$tmp/sig3.err")"
    fails "server: GreedyVerification without the host key" 1 \
        "signature 2 (by \"Store host\", host, key $host_key): the key is not in the keyring" \
        -b "$ID" --bindle-server "$S" --keyring "$tmp/alice.ring"
    if serve sig4 -b "$ID" --bindle-server "$S" --keyring "$tmp/alice.ring" --strategy CreativeIntegrity; then
        check "server: CreativeIntegrity with the creator's key alone" "handler main" "$(get /app/x | head -n 1)"
        stop sig4
    fi
    fails "server: a keyring that does not know the creator" 1 \
        "bindle $ID: refused by verification strategy GreedyVerification: signature 1 (by \"Alice <alice@example.com>\", creator, key" \
        -b "$ID" --bindle-server "$S" --keyring "$tmp/bob+host.ring" --module-cache "$tmp/sc"
    check_has "server: ... says the key is unknown and names the keyring" \
        "the key is not in the keyring, and strategy GreedyVerification requires every signature it verifies to be made with a known key" \
        "$(cat "$tmp/fail.err")"

    # Errors.
    fails "server: a bindle the server does not have" 1 "bindle example.com/none/1.0.0: " \
        -b example.com/none/1.0.0 --bindle-server "$S"
    check_has "server: ... says not found" "404" "$(cat "$tmp/fail.err")"
    fails "server: nothing listens there" 1 "bindle $ID: " -b "$ID" --bindle-server http://127.0.0.1:1/v1
    fails "server: not a URL" 1 "bindle $ID: " -b "$ID" --bindle-server ftp://example.com/v1
    # A yanked bindle is refused, even when the cache has it.
    sed 's/^version = "1.0.0"/version = "1.0.2"/' "$tmp/app.tmpl" >"$tmp/yank.tmpl"
    bindle "$tmp/pushy" "$tmp/yank.tmpl" >/dev/null
    ykey=$(strsha example.com/dist/1.0.2)
    sign "$tmp/pushy/$ykey/invoice.toml" "$tmp/alice.keys"
    bpush --standalone "$tmp/pushy/$ykey" -s "$S"
    serve yank1 -b example.com/dist/1.0.2 --bindle-server "$S" --module-cache "$tmp/sc" && stop yank1
    curl -s -X DELETE "$S/_i/example.com/dist/1.0.2" >/dev/null
    fails "server: a yanked bindle" 1 "bindle example.com/dist/1.0.2 is yanked: it is not served" \
        -b example.com/dist/1.0.2 --bindle-server "$S" --module-cache "$tmp/sc"

    # bindle: references in modules.toml (WAGI's deprecated form): the first wasm parcel of
    # the global group, from the module's bindle_server or --bindle-server.
    printf '[[module]]\nroute = "/m"\nmodule = "bindle:%s"\nbindle_server = "%s"\n' "$ID" "$S" >"$tmp/bref.toml"
    if serve bref1 -c "$tmp/bref.toml" --module-cache "$tmp/sc"; then
        check "server: module = \"bindle:ID\" with bindle_server" "handler main|tag app" "$(get /m | sed -n '1,2p' | paste -sd'|')"
        stop bref1
    fi
    module "$tmp/bref2.toml" /m "bindle:$ID"
    if serve bref2 -c "$tmp/bref2.toml" --bindle-server "$S" --keyring "$tmp/alice+host.ring"; then
        check "server: module = \"bindle:ID\" with --bindle-server and a keyring" "tag app" "$(get /m | sed -n 2p)"
        stop bref2
    fi
    fails "server: bindle: without a server" 1 \
        "bref2.toml:1: module 'bindle:$ID': No Bindle server specified for module bindle:$ID" -c "$tmp/bref2.toml"
    fails "server: bindle: with a keyring that does not know the creator" 1 \
        "bref2.toml:1: module 'bindle:$ID': bindle $ID: refused by verification strategy GreedyVerification" \
        -c "$tmp/bref2.toml" --bindle-server "$S" --keyring "$tmp/bob+host.ring"
    module "$tmp/bref3.toml" /m "bindle:example.com/dist"
    fails "server: bindle: without a version" 1 "bref3.toml:1: module 'bindle:example.com/dist': 'example.com/dist' is not a bindle id" \
        -c "$tmp/bref3.toml" --bindle-server "$S"
    stop_store srv

    # A server that needs credentials for every request it answers 401 to: wrong ones refused,
    # right ones (flags or BINDLE_HTTP_*) accepted.
    htpasswd -Bbn alice s3cret >"$tmp/htpasswd" 2>/dev/null || die "htpasswd -B failed"
    store auth --htpasswd-file "$tmp/htpasswd"
    bpush --standalone "$tmp/push/$key" -s "$store_url" --http-user alice --http-password s3cret
    fails "server: wrong credentials" 1 "bindle $ID: " -b "$ID" --bindle-server "$store_url" \
        --bindle-http-user alice --bindle-http-password wrong
    check_has "server: wrong credentials: 401" "answered 401 Unauthorized" "$(cat "$tmp/fail.err")"
    check_has "server: wrong credentials: the gateway's flags named" "--bindle-http-user/--bindle-http-password" \
        "$(cat "$tmp/fail.err")"
    if serve auth1 -b "$ID" --bindle-server "$store_url" --bindle-http-user alice --bindle-http-password s3cret; then
        check "server: --bindle-http-user/--bindle-http-password" "handler main" "$(get /app/x | head -n 1)"
        stop auth1
    fi
    if BINDLE_HTTP_USER=alice BINDLE_HTTP_PASSWORD=s3cret serve auth2 -b "$ID" --bindle-server "$store_url"; then
        check "server: BINDLE_HTTP_USER/BINDLE_HTTP_PASSWORD" "handler main" "$(get /app/x | head -n 1)"
        stop auth2
    fi
    stop_store auth

    # The server gone: the cached invoice (checked again) and parcels serve.
    if serve gone3 -b "$ID" --bindle-server "$S" --module-cache "$tmp/sc" --keyring "$tmp/alice+host.ring"; then
        check "server: the cache serves with the server gone" "handler main" "$(get /app/x | head -n 1)"
        stop gone3
    fi
    check_has "server: ... and says so" "the server did not answer, so the invoice is the cached one" "$(cat "$tmp/gone3.err")"
    fails "server: the server gone, the cache cold" 1 "bindle $ID: " -b "$ID" --bindle-server "$S" \
        --module-cache "$tmp/cold"
    fails "server: the server gone, the cached invoice checked with another keyring" 1 \
        "refused by verification strategy GreedyVerification: signature 1 (by \"Alice <alice@example.com>\"" \
        -b "$ID" --bindle-server "$S" --module-cache "$tmp/sc" --keyring "$tmp/bob+host.ring"
fi

# ==== 4. WAGI's start-up rules =============================================================

if on errors; then
    mkdir -p "$tmp/empty-dir"
    module "$tmp/local.toml" /a "$tmp/app.wasm"
    fails "errors: neither -c nor -b" 2 "serve: You must specify module config file or bindle ID"
    fails "errors: -c and -b" 2 "serve: You cannot specify both module config file and bindle ID" \
        -c "$tmp/local.toml" -b "$ID"
    fails "errors: -b alone" 2 "serve: A bindle ID requires either a server URL or standalone directory" -b "$ID"
    fails "errors: --bindle-path and --bindle-server" 2 \
        "serve: You cannot specify both a bindle server URL and a standalone directory (--bindle-server and --bindle-path)" \
        -b "$ID" --bindle-path "$tmp/empty-dir" --bindle-server http://127.0.0.1:1/v1
    fails "errors: --bindle-path and --bindle-url" 2 \
        "You cannot specify both a bindle server URL and a standalone directory (--bindle-url and --bindle-path)" \
        -b "$ID" --bindle-path "$tmp/empty-dir" --bindle-url http://127.0.0.1:1/v1
    BINDLE_URL=http://127.0.0.1:1/v1 fails "errors: --bindle-path and BINDLE_URL" 2 \
        "You cannot specify both a bindle server URL and a standalone directory (BINDLE_URL and --bindle-path)" \
        -b "$ID" --bindle-path "$tmp/empty-dir"
    if BINDLE_URL=http://127.0.0.1:1/v1 serve envc -c "$tmp/local.toml"; then
        check "errors: BINDLE_URL does not matter to -c" "handler main" "$(get /a | head -n 1)"
        stop envc
    fi
    fails "errors: --bindle-path without -b" 2 "serve: --bindle-path needs --bindle NAME/VERSION" \
        -c "$tmp/local.toml" --bindle-path "$tmp/empty-dir"
    fails "errors: a user without a password" 2 "serve: --bindle-http-user needs --bindle-http-password" \
        -b "$ID" --bindle-server http://127.0.0.1:1/v1 --bindle-http-user alice
    fails "errors: a password without a user" 2 "serve: --bindle-http-password needs --bindle-http-user" \
        -b "$ID" --bindle-server http://127.0.0.1:1/v1 --bindle-http-password x
    BINDLE_HTTP_USER=alice fails "errors: BINDLE_HTTP_USER without a password" 2 \
        "serve: --bindle-http-user needs --bindle-http-password" -b "$ID" --bindle-server http://127.0.0.1:1/v1
    fails "errors: not a bindle id" 1 "serve: --bindle 'example.com/dist' is not a bindle id (NAME/VERSION): invalid SemVer version" \
        -b example.com/dist --bindle-path "$tmp/empty-dir"
    fails "errors: no such directory" 1 "serve: Bindle directory $tmp/none does not exist or is not a directory" \
        -b "$ID" --bindle-path "$tmp/none"
    fails "errors: --bindle needs a value" 2 "serve: --bindle needs a value" --bindle
    fails "errors: a strategy that does not parse" 1 "serve: --strategy 'MultipleAttestation': " \
        -c "$tmp/local.toml" --strategy MultipleAttestation
    if serve kr -c "$tmp/local.toml" --keyring "$tmp/alice.ring"; then
        stop kr
    fi
    check_has "errors: a keyring with nothing to check: a warning" \
        "corral: warning: --keyring $tmp/alice.ring: no module of $tmp/local.toml is fetched, so no signature is checked" \
        "$(cat "$tmp/kr.err")"
    if serve st -c "$tmp/local.toml" --strategy CreativeIntegrity; then
        stop st
    fi
    check_has "errors: a strategy without a keyring: a warning" \
        "corral: warning: --strategy CreativeIntegrity without --keyring: no signature is checked" \
        "$(cat "$tmp/st.err")"
    printf 'not toml [\n' >"$tmp/bad.ring"
    fails "errors: a keyring that does not parse" 1 "serve: --keyring $tmp/bad.ring" \
        -b "$ID" --bindle-path "$tmp/empty-dir" --keyring "$tmp/bad.ring"
    help=$("$corral" help serve 2>&1)
    for flag in "-b, --bindle ID" "--bindle-path DIR" "--bindle-server URL" "--bindle-http-user USER" \
        "-k, --bindle-insecure" "--module-cache DIR" "--keyring FILE" "--strategy STRATEGY" "oci:NAME:TAG"; do
        check_has "errors: corral help serve: $flag" "$flag" "$help"
    done
fi

# ==== 5. acceptance 3 ==========================================================================
# A C app (examples/serve/hello.c) pushed to the store, signed by its creator with a key made
# by `corral keys create`, and to a registry; served by `corral serve --bindle --bindle-server`
# and by an oci: module, answering over HTTP; with a keyring that does not know the creator,
# the gateway refuses to start and says why.

if on accept; then
    A=$tmp/accept
    mkdir -p "$A"
    XDG_CONFIG_HOME=$A/cfg "$corral" keys create "Carol <carol@example.com>" --roles creator >/dev/null 2>&1 ||
        die "corral keys create failed"
    carol_keys=$A/cfg/corral/secret_keys.toml carol_ring=$A/cfg/corral/keyring.toml
    # The store trusts Carol as a creator (it verifies what is pushed to it).
    "$corral" keys list -f "$carol_keys" | sed '1,/^$/d' >>"$tmp/creators.ring"
    store acc --unauthenticated
    cat >"$A/invoice.toml" <<EOF
bindleVersion = "1.0.0"

[bindle]
name = "example.com/hello"
version = "1.0.0"
description = "examples/serve/hello.c"

[[parcel]]
[parcel.label]
sha256 = "$(sha "$tmp/hello.wasm")"
mediaType = "application/wasm"
name = "hello.wasm"
size = $(wc -c <"$tmp/hello.wasm")
[parcel.label.feature.wagi]
route = "/hello"
EOF
    "$corral" push example.com/hello/1.0.0 "$A/invoice.toml" "$tmp/hello.wasm" --sign "$carol_keys" \
        -s "$store_url" >"$A/push.out" 2>&1
    check "accept: corral push to the store" 0 "$?"
    registry acc
    "$corral" push --sign "$carol_keys" "oci://127.0.0.1:$port_acc/examples/hello:v1" "$tmp/hello.wasm" \
        >"$A/oci.out" 2>&1
    check "accept: corral push to the registry" 0 "$?"
    # The keyrings: Carol and the store's host keys (corral keys fetch), and one without Carol.
    cp "$carol_ring" "$A/good.ring"
    "$corral" keys fetch -s "$store_url" --keyring "$A/good.ring" >/dev/null 2>&1
    check "accept: corral keys fetch" 0 "$?"
    "$corral" keys fetch -s "$store_url" --keyring "$A/bad.ring" >/dev/null 2>&1
    sed '1,/^$/d' "$tmp/bob.ring" >>"$A/bad.ring"
    if serve acc1 --bindle example.com/hello/1.0.0 --bindle-server "$store_url" --keyring "$A/good.ring"; then
        curl -s -D "$A/head" -o "$A/body" "http://127.0.0.1:$PORT/hello"
        check "accept: --bindle --bindle-server answers over HTTP" "HTTP/1.1 200 OK" "$(head -n 1 "$A/head" | tr -d '\r')"
        check "accept: ... with the app's own answer" "Hello from Corral!|Method: GET|Path: /hello" \
            "$(paste -sd'|' "$A/body")"
        stop acc1
    fi
    module "$A/modules.toml" /hello "oci://127.0.0.1:$port_acc/examples/hello:v1"
    if serve acc2 -c "$A/modules.toml" --keyring "$A/good.ring"; then
        curl -s -D "$A/head" -o "$A/body" "http://127.0.0.1:$PORT/hello"
        check "accept: an oci: module answers over HTTP" "HTTP/1.1 200 OK" "$(head -n 1 "$A/head" | tr -d '\r')"
        check "accept: ... with the app's own answer" "Hello from Corral!|Method: GET|Path: /hello" \
            "$(paste -sd'|' "$A/body")"
        stop acc2
    fi
    fails "accept: --bindle with a keyring that does not know the creator" 1 \
        "corral: serve: bindle example.com/hello/1.0.0: refused by verification strategy GreedyVerification: signature 1 (by \"Carol <carol@example.com>\", creator, key" \
        --bindle example.com/hello/1.0.0 --bindle-server "$store_url" --keyring "$A/bad.ring"
    check_has "accept: ... says why" "the key is not in the keyring" "$(cat "$tmp/fail.err")"
    fails "accept: an oci: module with a keyring that does not know the creator" 1 \
        "corral: serve: $A/modules.toml:1: module 'oci://127.0.0.1:$port_acc/examples/hello:v1': " \
        -c "$A/modules.toml" --keyring "$A/bad.ring"
    check_has "accept: ... says why" "has 1 signature, none by a key of the keyring with the creator or approver role (--keyring $A/bad.ring)" \
        "$(cat "$tmp/fail.err")"
    stop_store acc
fi

echo "dist: $passed passed, $failed failed"
[ "$failed" = 0 ]

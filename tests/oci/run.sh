#!/usr/bin/env bash
# run.sh: black-box tests of `corral push` and `corral pull` against real registry software:
# Debian's docker-registry (the CNCF distribution registry) started here on free loopback
# ports, one open and one behind htpasswd (bcrypt) Basic auth, plus tests/oci/token_proxy.py
# in front of the open one for Docker's token authentication and redirected blob downloads.
# What Corral pushes is read back by independent tools: skopeo (inspect --raw, list-tags,
# copy), tests/oci/regtool.py (Python's urllib, tarfile, gzip), openssl (the Ed25519
# signature) and, as root, a real containerd started here with its own state directory
# (ctr images pull / import / mount of the --image form).
#
# usage: tests/oci/run.sh [CORRAL]   (default: the checkout's build/corral)
# Environment: OCI_VERBOSE=1 prints every check.
#
# Covers: references (good and bad, plain HTTP for loopback only); push and pull round trips
# of the wasm artifact, of --image (gzip and not) and of a 6 MiB module, byte for byte;
# manifests and configs as skopeo sees them; tags and digests (pull by tag, by digest,
# re-push of the same file, tags moved); wasm-to-oci's form (WAGI's oci: references, the
# first wasm layer), Docker images built by Python's tarfile (GNU and pax long names,
# whiteouts, runwasi's "path#func" entrypoints), indexes; a tampered blob, manifest or
# signature artifact in the registry's storage refused; signatures made with --sign and
# checked with --keyring (good, unknown key, wrong role, missing, forged, two signers), and
# by openssl; Basic auth from a docker config.json (auth and username/password forms, wrong
# password, none, credential helpers named); token auth with anonymous pulls and no
# Authorization sent to a redirect's other host; containerd.
#
# Needs docker-registry, skopeo, python3, openssl, htpasswd (apache2-utils), wat2wasm, curl;
# containerd and ctr for the containerd checks (skipped, and said so, when not root). Prints
# one line per failing check, then "oci: N passed, M failed"; exits 1 when a check failed, 2
# when it could not start.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
corral=${1:-$root/build/corral}
case $corral in */*) corral=$(cd "$(dirname "$corral")" && pwd)/$(basename "$corral") ;; esac
verbose=${OCI_VERBOSE:-0}
export LC_ALL=C

die() {
    echo "oci: $*" >&2
    exit 2
}

[ -x "$corral" ] || die "$corral is not an executable; run make first"
for tool in docker-registry skopeo python3 openssl htpasswd wat2wasm curl; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
done

tmp=$(mktemp -d)
pids=()
ctr_pid=
cleanup() {
    exec 7>&- 2>/dev/null
    if [ -n "$ctr_pid" ]; then
        for m in $(awk -v t="$tmp" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r); do
            umount "$m" 2>/dev/null
        done
        kill "$ctr_pid" 2>/dev/null
        wait "$ctr_pid" 2>/dev/null
    fi
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# Nothing of the caller's: no docker config, no proxy.
export HOME=$tmp/home DOCKER_CONFIG=
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY
mkdir -p "$HOME"

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
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed -n '2,12s/^/    /p'
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
        printf '%s\n' "$3" | head -n 8 | sed 's/^/    /'
    fi
    return 0
}

# c ARGS...: corral's stdout and stderr together, then "exit N" when the status is not 0. A
# sanitizer report is also kept in $tmp/sanitizer.log, checked at the end, since some
# outputs are only searched or thrown away.
c() {
    local got status=0
    got=$(timeout 120 "$corral" "$@" 2>&1) || status=$?
    printf '%s' "$got"
    [ "$status" = 0 ] || printf '\nexit %s' "$status"
    if [[ "$got" == *Sanitizer* || "$got" == *"runtime error:"* ]]; then
        printf 'corral %s\n%s\n' "$*" "$got" >>"$tmp/sanitizer.log"
    fi
}

# same NAME A B: files A and B hold the same bytes.
same() {
    check "$1" same "$(cmp -s "$2" "$3" && echo same || echo "differ ($(wc -c <"$2") vs $(wc -c <"$3" 2>/dev/null) bytes)")"
}

sha() {
    printf 'sha256:%s' "$(sha256sum "$1" | cut -d' ' -f1)"
}

# json FILE_OR_- EXPR: a Python expression over the JSON document d.
json() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1]) if sys.argv[1] != "-" else sys.stdin); print(eval(sys.argv[2]))' "$@"
}

# ---- fixtures ----

# wasm NAME BYTES: a module with a custom section of BYTES random bytes (unique content, so
# no two fixtures share a blob in the registry's storage).
wasm() {
    python3 - "$tmp/$1" "$2" <<'EOF'
import os, sys
def leb(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
body = b"\x03big" + os.urandom(int(sys.argv[2]))
open(sys.argv[1], "wb").write(b"\0asm\1\0\0\0" + b"\0" + leb(len(body)) + body)
EOF
}
wat2wasm "$root/examples/fib.wat" -o "$tmp/fib.wasm" || die "wat2wasm failed"
touch -d @1700000000 "$tmp/fib.wasm" # configs record it: every push of fib.wasm is the same
wasm other.wasm 100
wasm big.wasm $((6 << 20))
wasm tamper.wasm 2000
wasm tamper2.wasm 2000
wasm signed.wasm 300
wasm signed2.wasm 300
wasm signed3.wasm 300
wasm ctr.wasm 5000
printf '(module)\n' >"$tmp/text.wat"

# ---- registries ----

# registry NAME [AUTH_YAML]: starts docker-registry with storage in $tmp/NAME on a free port
# (port 0: the log says which) and sets port_NAME.
registry() {
    local name=$1 auth=${2:-}
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
$auth
EOF
    docker-registry serve "$tmp/$name.yml" >"$tmp/$name.log" 2>&1 &
    pids+=($!)
    local port=
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
}

registry open
htpasswd -Bbn alice s3cret >"$tmp/htpasswd" 2>/dev/null || die "htpasswd -B failed"
registry locked "auth:
  htpasswd:
    realm: corral-test
    path: $tmp/htpasswd"
R=127.0.0.1:$port_open
L=127.0.0.1:$port_locked
storage=$tmp/open/docker/registry/v2

# The token front (Bearer tokens, blob downloads redirected to its second port).
mkfifo "$tmp/proxy.in"
python3 "$here/token_proxy.py" "$port_open" alice s3cret "$tmp/proxy.events" \
    <"$tmp/proxy.in" >"$tmp/proxy.ports" 2>"$tmp/proxy.err" &
pids+=($!)
exec 7>"$tmp/proxy.in"
for _ in $(seq 100); do
    [ -s "$tmp/proxy.ports" ] && break
    sleep 0.05
done
read -r TF TC <"$tmp/proxy.ports" || die "token_proxy.py did not start: $(cat "$tmp/proxy.err")"
T=127.0.0.1:$TF

# ---- references ----

check "ref: tag defaults to latest" "oci://$R/corral/fib:latest@$(c push oci://$R/corral/fib "$tmp/fib.wasm" | sed 's/.*@//')" \
    "$(c pull oci://$R/corral/fib -o "$tmp/latest.wasm")"
same "ref: latest round trip" "$tmp/fib.wasm" "$tmp/latest.wasm"
check "ref: upper case repository" \
    "corral: push: oci://$R/Corral/fib:v1: 'Corral' is not a valid repository name component (lower-case letters and digits, with '.', '_', '__' or '-' between them)
exit 2" "$(c push oci://$R/Corral/fib:v1 "$tmp/fib.wasm")"
check "ref: bad tag" \
    "corral: pull: oci://$R/corral/fib:v!1: the tag 'v!1' has a character other than letters, digits, '_', '.' and '-'
exit 2" "$(c pull oci://$R/corral/fib:v!1 -o "$tmp/x.wasm")"
check "ref: tag starting with a dot" \
    "corral: pull: oci://$R/a:.x: the tag '.x' starts with '.' (it must start with a letter, a digit or '_')
exit 2" "$(c pull oci://$R/a:.x -o "$tmp/x.wasm")"
check "ref: no repository" \
    "corral: pull: oci://$R: an oci:// reference needs a registry and a repository: oci://HOST[:PORT]/NAME[:TAG]
exit 2" "$(c pull oci://$R -o "$tmp/x.wasm")"
check "ref: empty repository" \
    "corral: pull: oci://$R/: the repository name is empty
exit 2" "$(c pull oci://$R/ -o "$tmp/x.wasm")"
check "ref: double separator" \
    "corral: pull: oci://$R/a//b: '' is not a valid repository name component (lower-case letters and digits, with '.', '_', '__' or '-' between them)
exit 2" "$(c pull oci://$R/a//b -o "$tmp/x.wasm")"
check "ref: sha512" \
    "corral: pull: oci://$R/a@sha512:00: the digest algorithm 'sha512' is not supported (only sha256)
exit 2" "$(c pull oci://$R/a@sha512:00 -o "$tmp/x.wasm")"
check "ref: short digest" \
    "corral: pull: oci://$R/a@sha256:abc: the sha256 digest must be 64 lower-case hex digits
exit 2" "$(c pull oci://$R/a@sha256:abc -o "$tmp/x.wasm")"
check "ref: bad port" \
    "corral: pull: oci://127.0.0.1:99999/a: the registry port in '127.0.0.1:99999' is not a number from 1 to 65535
exit 2" "$(c pull oci://127.0.0.1:99999/a -o "$tmp/x.wasm")"
check "ref: not an OCI reference" \
    "corral: pull: 'docker://$R/a' is not a reference corral pull knows: oci://HOST[:PORT]/NAME[:TAG] or [bindle:]NAME/VERSION
exit 2" "$(c pull docker://$R/a -o "$tmp/x.wasm")"
check "ref: push to a digest" \
    "corral: push: push needs a tag, not a digest (@sha256:$(printf '%064d' 0))
exit 2" "$(c push "oci://$R/a@sha256:$(printf '%064d' 0)" "$tmp/fib.wasm")"
# Which scheme and host: the first request's URL is in the message when it cannot be sent.
# Registries that are not loopback go through a proxy, which here is a closed port: nothing
# leaves the machine.
offline=(env https_proxy=http://127.0.0.1:1 http_proxy=http://127.0.0.1:1)
check_has "ref: HTTPS unless loopback" "GET https://corral-test.invalid/v2/a/manifests/latest: " \
    "$("${offline[@]}" "$corral" pull oci://corral-test.invalid/a -o "$tmp/x.wasm" 2>&1)"
check_has "ref: --insecure-http" "GET http://corral-test.invalid/v2/a/manifests/latest: " \
    "$("${offline[@]}" "$corral" pull --insecure-http oci://corral-test.invalid/a -o "$tmp/x.wasm" 2>&1)"
check_has "ref: WAGI's oci:NAME:TAG is Docker Hub" \
    "GET https://registry-1.docker.io/v2/library/hello/manifests/v1: " \
    "$("${offline[@]}" "$corral" pull oci:hello:v1 -o "$tmp/x.wasm" 2>&1)"
check_has "ref: localhost is loopback" "http://localhost:1/v2/a/manifests/latest" \
    "$(c pull oci://localhost:1/a -o "$tmp/x.wasm")"

# ---- usage ----

check "usage: push needs two arguments" \
    "corral: push: a reference and a module file are needed; usage: corral push REF FILE.wasm [options]
exit 2" "$(c push oci://$R/a:v1)"
check "usage: pull needs -o" "corral: pull: -o FILE is required (- for standard output)
exit 2" "$(c pull oci://$R/a:v1)"
check "usage: --platform without --image" "corral: push: --platform only applies to --image
exit 2" "$(c push oci://$R/a:v1 "$tmp/fib.wasm" --platform linux/amd64)"
check "usage: bad platform" "corral: push: the platform 'linux' is not OS/ARCH (e.g. wasi/wasm, linux/amd64)
exit 2" "$(c push oci://$R/a:v1 "$tmp/fib.wasm" --image --platform linux)"
check "usage: unknown option" "corral: pull: unknown option '--nope'; see 'corral pull --help'
exit 2" "$(c pull oci://$R/a:v1 -o x --nope)"
check_has "usage: help push" "usage: corral push oci://HOST[:PORT]/NAME[:TAG] FILE.wasm" "$(c help push)"
check_has "usage: help pull" "usage: corral pull oci://HOST[:PORT]/NAME[:TAG][@sha256:HEX] -o FILE" \
    "$(c pull --help)"
check "push: not a module" "corral: push: $tmp/text.wat: not a WebAssembly binary (no \\0asm header)
exit 1" "$(c push oci://$R/a:v1 "$tmp/text.wat")"
check "push: missing file" "corral: push: $tmp/none.wasm: No such file or directory
exit 1" "$(c push oci://$R/a:v1 "$tmp/none.wasm")"

# ---- the wasm artifact ----

out=$(c push oci://$R/corral/fib:v1 "$tmp/fib.wasm")
digest=${out##*@}
check "artifact: push prints the reference and digest" "oci://$R/corral/fib:v1@$digest" "$out"
skopeo inspect --raw --tls-verify=false docker://$R/corral/fib:v1 >"$tmp/m.json" 2>"$tmp/skopeo.err"
check "artifact: the digest is the manifest's (skopeo)" "$digest" "$(sha "$tmp/m.json")"
check "artifact: manifest (skopeo inspect --raw)" \
    "application/vnd.oci.image.manifest.v1+json application/vnd.wasm.config.v0+json 1 application/wasm $(sha "$tmp/fib.wasm") $(wc -c <"$tmp/fib.wasm") fib.wasm" \
    "$(json "$tmp/m.json" '" ".join(map(str, [d["mediaType"], d["config"]["mediaType"], len(d["layers"]), d["layers"][0]["mediaType"], d["layers"][0]["digest"], d["layers"][0]["size"], d["layers"][0]["annotations"]["org.opencontainers.image.title"]]))')"
skopeo inspect --config --raw --tls-verify=false docker://$R/corral/fib:v1 >"$tmp/c.json" 2>>"$tmp/skopeo.err"
check "artifact: config (skopeo inspect --config)" "wasm wasip1 ['$(sha "$tmp/fib.wasm")'] True" \
    "$(json "$tmp/c.json" '" ".join(map(str, [d["architecture"], d["os"], d["layerDigests"], d["created"].endswith("Z")]))')"
check "artifact: pull prints the reference and digest" "oci://$R/corral/fib:v1@$digest" \
    "$(c pull oci://$R/corral/fib:v1 -o "$tmp/p1.wasm")"
same "artifact: pull gives the same bytes" "$tmp/fib.wasm" "$tmp/p1.wasm"
check "artifact: pull by digest" "oci://$R/corral/fib@$digest" \
    "$(c pull oci://$R/corral/fib@$digest -o "$tmp/p2.wasm")"
same "artifact: pull by digest, same bytes" "$tmp/fib.wasm" "$tmp/p2.wasm"
check "artifact: tag and digest: the digest rules" "oci://$R/corral/fib:nosuchtag@$digest" \
    "$(c pull oci://$R/corral/fib:nosuchtag@$digest -o "$tmp/p3.wasm")"
check "artifact: pull -o - writes the module to stdout" "$(sha "$tmp/fib.wasm")" \
    "sha256:$("$corral" pull oci://$R/corral/fib:v1 -o - | sha256sum | cut -d' ' -f1)"
check "artifact: WAGI's oci:HOST/NAME:TAG" "oci://$R/corral/fib:v1@$digest" \
    "$(c pull oci:$R/corral/fib:v1 -o "$tmp/p4.wasm")"
check "artifact: output file mode follows the umask" "644" \
    "$(umask 022; "$corral" pull oci://$R/corral/fib:v1 -o "$tmp/mode.wasm" >/dev/null; stat -c %a "$tmp/mode.wasm")"

# Tags: the same file again gives the same manifest (created is the file's mtime), its blobs
# are not uploaded twice; another module under v2 moves nothing else.
d1=$(c push oci://$R/corral/tags:v1 "$tmp/fib.wasm")
again=$(c push -v oci://$R/corral/tags:same "$tmp/fib.wasm")
check "tags: same file, same digest" "${d1##*@}" "$(printf '%s\n' "$again" | tail -n 1 | sed 's/.*@//')"
check "tags: known blobs are not uploaded again" "2" \
    "$(printf '%s\n' "$again" | grep -c 'is already there')"
check "tags: SOURCE_DATE_EPOCH sets created" "2001-09-09T01:46:40Z" \
    "$(SOURCE_DATE_EPOCH=1000000000 "$corral" push oci://$R/corral/tags:epoch "$tmp/fib.wasm" >/dev/null &&
        skopeo inspect --config --raw --tls-verify=false docker://$R/corral/tags:epoch | json - 'd["created"]')"
d2=$(c push oci://$R/corral/tags:v2 "$tmp/other.wasm")
check "tags: list (skopeo list-tags)" "epoch same v1 v2" \
    "$(skopeo list-tags --tls-verify=false docker://$R/corral/tags | json - '" ".join(sorted(d["Tags"]))')"
c pull oci://$R/corral/tags:v1 -o "$tmp/t1.wasm" >/dev/null
c pull oci://$R/corral/tags:v2 -o "$tmp/t2.wasm" >/dev/null
same "tags: v1 is still v1" "$tmp/fib.wasm" "$tmp/t1.wasm"
same "tags: v2 is the other module" "$tmp/other.wasm" "$tmp/t2.wasm"
c push oci://$R/corral/tags:v1 "$tmp/other.wasm" >/dev/null
c pull oci://$R/corral/tags:v1 -o "$tmp/t1.wasm" >/dev/null
same "tags: a tag moves when pushed again" "$tmp/other.wasm" "$tmp/t1.wasm"
check "tags: the old digest still pulls" "oci://$R/corral/tags@${d1##*@}" \
    "$(c pull oci://$R/corral/tags@${d1##*@} -o "$tmp/t3.wasm")"
check_has "tags: unknown tag" "corral: pull: manifest nope: $R answered 404 MANIFEST_UNKNOWN: manifest unknown" \
    "$(c pull oci://$R/corral/tags:nope -o "$tmp/t4.wasm")"
check "tags: nothing written on failure" "absent" "$([ -e "$tmp/t4.wasm" ] && echo present || echo absent)"
check "tags: no temporary files left" "" "$(ls "$tmp" | grep '\.part-')"

# A 6 MiB module, streamed both ways.
c push oci://$R/corral/big:v1 "$tmp/big.wasm" >/dev/null
c pull oci://$R/corral/big:v1 -o "$tmp/big.out" >/dev/null
same "big: 6 MiB artifact round trip" "$tmp/big.wasm" "$tmp/big.out"
check_has "big: --max-size refuses it before the download" \
    "more than the 1048576 allowed" "$(c pull oci://$R/corral/big:v1 -o "$tmp/big2.out" --max-size 1M)"

# ---- the image form ----

out=$(c push oci://$R/corral/img:v1 "$tmp/fib.wasm" --image)
check "image: push" "oci://$R/corral/img:v1@" "${out%@*}@"
skopeo inspect --raw --tls-verify=false docker://$R/corral/img:v1 >"$tmp/im.json" 2>>"$tmp/skopeo.err"
check "image: manifest (skopeo)" \
    "application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.config.v1+json ['application/vnd.oci.image.layer.v1.tar+gzip']" \
    "$(json "$tmp/im.json" '" ".join(map(str, [d["mediaType"], d["config"]["mediaType"], [l["mediaType"] for l in d["layers"]]]))')"
check "image: config (skopeo inspect)" "wasi wasm ['/app.wasm']" \
    "$(skopeo inspect --config --raw --tls-verify=false docker://$R/corral/img:v1 | json - '" ".join(map(str, [d["os"], d["architecture"], d["config"]["Entrypoint"]]))')"
rm -rf "$tmp/imgdir"
skopeo copy --src-tls-verify=false docker://$R/corral/img:v1 dir:"$tmp/imgdir" >/dev/null 2>>"$tmp/skopeo.err"
layer=$tmp/imgdir/$(json "$tmp/im.json" 'd["layers"][0]["digest"][7:]')
check "image: the layer as GNU tar lists it" "-rwxr-xr-x 0/0 $(wc -c <"$tmp/fib.wasm") 1970-01-01 00:00 app.wasm" \
    "$(tar tvzf "$layer" | tr -s ' ')"
check "image: diff_id is the tar's digest" \
    "$(skopeo inspect --config --raw --tls-verify=false docker://$R/corral/img:v1 | json - 'd["rootfs"]["diff_ids"][0]')" \
    "sha256:$(zcat "$layer" | sha256sum | cut -d' ' -f1)"
tar xzf "$layer" -C "$tmp" app.wasm
same "image: the layer holds the module" "$tmp/fib.wasm" "$tmp/app.wasm"
c pull oci://$R/corral/img:v1 -o "$tmp/i1.wasm" >/dev/null
same "image: pull gives the module" "$tmp/fib.wasm" "$tmp/i1.wasm"
c push oci://$R/corral/img:plain "$tmp/big.wasm" --image --no-gzip --platform linux/amd64 >/dev/null
check "image: --no-gzip --platform linux/amd64 (skopeo)" \
    "application/vnd.oci.image.layer.v1.tar linux amd64" \
    "$(skopeo inspect --raw --tls-verify=false docker://$R/corral/img:plain | json - 'd["layers"][0]["mediaType"]') $(skopeo inspect --config --raw --tls-verify=false docker://$R/corral/img:plain | json - 'd["os"] + " " + d["architecture"]')"
c pull oci://$R/corral/img:plain -o "$tmp/i2.wasm" >/dev/null
same "image: 6 MiB uncompressed image round trip" "$tmp/big.wasm" "$tmp/i2.wasm"
c push oci://$R/corral/img:gz "$tmp/big.wasm" --image >/dev/null
c pull oci://$R/corral/img:gz -o "$tmp/i3.wasm" >/dev/null
same "image: 6 MiB gzip image round trip" "$tmp/big.wasm" "$tmp/i3.wasm"

# ---- what others push ----

B=http://$R
w2o=$(python3 "$here/regtool.py" w2o "$B" w2o/app v1 "$tmp/fib.wasm" "$tmp/other.wasm")
check "wasm-to-oci: pull (WAGI's oci: form)" "oci://$R/w2o/app:v1@$w2o" \
    "$(c pull oci:$R/w2o/app:v1 -o "$tmp/w.wasm")"
same "wasm-to-oci: the first wasm layer" "$tmp/fib.wasm" "$tmp/w.wasm"
printf '\0asm\1\0\0\0' >"$tmp/new.wasm"
printf '\0asm\1\0\0\0\0\3\2xy' >"$tmp/old.wasm"
long=$(printf 'deep/%.0s' $(seq 29))m.wasm
for fmt in gnu pax; do
    python3 "$here/regtool.py" image "$B" img/$fmt top "$tmp/old.wasm" "$tmp/new.wasm" "/app/mod.wasm#_start" $fmt >/dev/null
    c pull oci://$R/img/$fmt:top -o "$tmp/d.wasm" >/dev/null
    same "docker image ($fmt): the upper layer's file wins" "$tmp/new.wasm" "$tmp/d.wasm"
    python3 "$here/regtool.py" image "$B" img/$fmt long "$tmp/old.wasm" "$tmp/new.wasm" "./$long" $fmt >/dev/null
    c pull oci://$R/img/$fmt:long -o "$tmp/d.wasm" >/dev/null
    same "docker image ($fmt): a 150-character path" "$tmp/old.wasm" "$tmp/d.wasm"
    python3 "$here/regtool.py" image "$B" img/$fmt gone "$tmp/old.wasm" "$tmp/new.wasm" /app/gone.wasm $fmt >/dev/null
    check "docker image ($fmt): a whiteout deletes it" "corral: pull: the image has no /app/gone.wasm (a layer deletes it)
exit 1" "$(c pull oci://$R/img/$fmt:gone -o "$tmp/d.wasm")"
    python3 "$here/regtool.py" image "$B" img/$fmt dir "$tmp/old.wasm" "$tmp/new.wasm" /app $fmt >/dev/null
    check "docker image ($fmt): a directory is refused" "corral: pull: /app is a directory in the layer, not a file
exit 1" "$(c pull oci://$R/img/$fmt:dir -o "$tmp/d.wasm")"
done
python3 "$here/regtool.py" index "$B" corral/fib idx v1 >/dev/null
c pull oci://$R/corral/fib:idx -o "$tmp/x.wasm" >/dev/null
same "index: the wasm platform's manifest" "$tmp/fib.wasm" "$tmp/x.wasm"
check "index: an image without /app.wasm" \
    "corral: pull: the image has no /app.wasm (its entrypoint, in none of its layers)
exit 1" "$(c pull oci://$R/corral/fib:linux-only -o "$tmp/x.wasm")"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"text/plain","digest":"%s","size":%d},"layers":[]}' \
    "$(sha "$tmp/fib.wasm")" "$(wc -c <"$tmp/fib.wasm")" >"$tmp/odd.json"
curl -s -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary @"$tmp/odd.json" "$B/v2/corral/fib/manifests/odd"
check "index: a manifest without a module" \
    "corral: pull: the manifest holds no WebAssembly module: its config is text/plain and its layers are none (Corral reads layers of type application/wasm or application/vnd.wasm.content.layer.v1+wasm, and images)
exit 1" "$(c pull oci://$R/corral/fib:odd -o "$tmp/x.wasm")"

# ---- tampering with the registry's storage ----

# flip FILE: changes one byte in the middle, keeping the size.
flip() {
    python3 -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); i = len(b) // 2
b[i] = ord("x") if b[i] != ord("x") else ord("y"); open(p, "wb").write(bytes(b))' "$1"
}
# edit FILE OLD NEW: replaces text of the same length (a manifest stays valid JSON, which the
# registry checks when it serves one).
edit() {
    python3 -c 'import sys
p, old, new = sys.argv[1:]; b = open(p, "rb").read(); assert old.encode() in b
open(p, "wb").write(b.replace(old.encode(), new.encode()))' "$@"
}
blob_file() {
    local hex=${1#sha256:}
    printf '%s/blobs/sha256/%s/%s/data' "$storage" "${hex:0:2}" "$hex"
}
c push oci://$R/tamper/a:v1 "$tmp/tamper.wasm" >/dev/null
flip "$(blob_file "$(sha "$tmp/tamper.wasm")")"
check "tamper: a changed blob is refused" \
    "corral: pull: blob $(sha "$tmp/tamper.wasm"): the registry sent content whose digest is $(sha "$(blob_file "$(sha "$tmp/tamper.wasm")")"): its storage is corrupt or was tampered with
exit 1" "$(c pull oci://$R/tamper/a:v1 -o "$tmp/tampered.wasm")"
check "tamper: nothing written" "absent" "$([ -e "$tmp/tampered.wasm" ] && echo present || echo absent)"
c push oci://$R/tamper/b:v1 "$tmp/tamper2.wasm" --image >/dev/null
ilayer=$(skopeo inspect --raw --tls-verify=false docker://$R/tamper/b:v1 | json - 'd["layers"][0]["digest"]')
flip "$(blob_file "$ilayer")"
check_has "tamper: a changed image layer is refused" \
    "corral: pull: blob $ilayer: the registry sent content whose digest is" \
    "$(c pull oci://$R/tamper/b:v1 -o "$tmp/tampered.wasm")"
mdigest=$(c push oci://$R/tamper/c:v1 "$tmp/tamper2.wasm")
mdigest=${mdigest##*@}
edit "$(blob_file "$mdigest")" tamper2.wasm tamper3.wasm
check_has "tamper: a changed manifest is refused (by tag)" \
    "corral: pull: manifest v1: the registry sent a document whose digest is" \
    "$(c pull oci://$R/tamper/c:v1 -o "$tmp/tampered.wasm")"
check_has "tamper: a changed manifest is refused (by digest)" \
    ", not $mdigest: its storage is corrupt or was tampered with" \
    "$(c pull oci://$R/tamper/c@$mdigest -o "$tmp/tampered.wasm")"

# ---- signatures ----

# keypair NAME: an Ed25519 key made by openssl, as a Bindle secret key file NAME.secret.toml
# and keyring NAME.keyring.toml (role creator; ROLE overrides).
keypair() {
    local k=$tmp/$1
    openssl genpkey -algorithm ed25519 -out "$k.pem" 2>/dev/null || die "openssl genpkey failed"
    openssl pkey -in "$k.pem" -outform DER 2>/dev/null | tail -c 32 >"$k.seed"
    openssl pkey -in "$k.pem" -pubout -outform DER 2>/dev/null | tail -c 32 >"$k.pub"
    openssl pkey -in "$k.pem" -pubout -out "$k.pub.pem" 2>/dev/null
    printf 'version = "1.0"\n\n[[key]]\nlabel = "Signer %s <%s@example.com>"\nroles = ["creator"]\nkeypair = "%s"\n' \
        "$1" "$1" "$(cat "$k.seed" "$k.pub" | base64 -w0)" >"$k.secret.toml"
    printf 'version = "1.0"\n\n[[key]]\nlabel = "Signer %s <%s@example.com>"\nroles = ["%s"]\nkey = "%s"\n' \
        "$1" "$1" "${ROLE:-creator}" "$(base64 -w0 <"$k.pub")" >"$k.keyring.toml"
}
keypair k1
keypair k2
ROLE=host keypair k3
{ cat "$tmp/k1.keyring.toml"; echo; sed 1d "$tmp/k2.keyring.toml"; } >"$tmp/both.keyring.toml"
printf 'version = "1.0"\nkey = []\n' >"$tmp/empty.keyring.toml"

out=$(c push oci://$R/sig/app:v1 "$tmp/signed.wasm" --sign "$tmp/k1.secret.toml")
sdigest=${out##*@}
check "sign: push prints the reference" "oci://$R/sig/app:v1@$sdigest" "$out"
check "sign: the signature tag (skopeo list-tags)" "sha256-${sdigest#sha256:}.corral.sig v1" \
    "$(skopeo list-tags --tls-verify=false docker://$R/sig/app | json - '" ".join(sorted(d["Tags"]))')"
skopeo inspect --raw --tls-verify=false "docker://$R/sig/app:sha256-${sdigest#sha256:}.corral.sig" >"$tmp/sig.json"
check "sign: the signature artifact (skopeo inspect --raw)" \
    "application/vnd.corral.signature.v1 application/vnd.oci.empty.v1+json 1 Signer k1 <k1@example.com> $sdigest" \
    "$(json "$tmp/sig.json" '" ".join(map(str, [d["artifactType"], d["config"]["mediaType"], len(d["layers"]), d["layers"][0]["annotations"]["dev.corral.signature.label"], d["subject"]["digest"]]))')"
python3 "$here/regtool.py" show-sig "$B" sig/app "$sdigest" "$tmp/s1"
check "sign: the payload" "corral-oci-signature/v1
$sdigest" "$(cat "$tmp/s1.payload")"
check "sign: openssl verifies the signature" "Signature Verified Successfully" \
    "$(openssl pkeyutl -verify -pubin -inkey "$tmp/k1.pub.pem" -rawin -in "$tmp/s1.payload" -sigfile "$tmp/s1.sig" 2>&1)"
check "sign: the key in the artifact is k1's" same "$(cmp -s "$tmp/s1.key" "$tmp/k1.pub" && echo same)"
check "verify: good signature" "oci://$R/sig/app:v1@$sdigest" \
    "$(c pull oci://$R/sig/app:v1 -o "$tmp/s.wasm" --keyring "$tmp/k1.keyring.toml")"
same "verify: the module" "$tmp/signed.wasm" "$tmp/s.wasm"
check "verify: unknown key" \
    "corral: pull: $sdigest has 1 signature, none by a key of the keyring with the creator or approver role
exit 1" "$(c pull oci://$R/sig/app:v1 -o "$tmp/s2.wasm" --keyring "$tmp/k2.keyring.toml")"
check "verify: nothing written" "absent" "$([ -e "$tmp/s2.wasm" ] && echo present || echo absent)"
check "verify: empty keyring" \
    "corral: pull: $sdigest has 1 signature, none by a key of the keyring with the creator or approver role
exit 1" "$(c pull oci://$R/sig/app:v1 -o "$tmp/s2.wasm" --keyring "$tmp/empty.keyring.toml")"
# k3 is in its keyring with the host role only: a host key vouches for a Bindle server, not
# for a manifest.
c push oci://$R/sig/host:v1 "$tmp/signed.wasm" --sign "$tmp/k3.secret.toml" >/dev/null
check_has "verify: a host key is not enough" "none by a key of the keyring with the creator or approver role" \
    "$(c pull oci://$R/sig/host:v1 -o "$tmp/s2.wasm" --keyring "$tmp/k3.keyring.toml")"
udigest=$(c push oci://$R/sig/app:unsigned "$tmp/other.wasm")
udigest=${udigest##*@}
check "verify: unsigned" \
    "corral: pull: $udigest is not signed: the registry has no signature tag sha256-${udigest#sha256:}.corral.sig (push with --sign)
exit 1" "$(c pull oci://$R/sig/app:unsigned -o "$tmp/s2.wasm" --keyring "$tmp/k1.keyring.toml")"
check "verify: without --keyring nothing is checked" "oci://$R/sig/app:unsigned@$udigest" \
    "$(c pull oci://$R/sig/app:unsigned -o "$tmp/s2.wasm")"
# A second signer: both signatures stay.
c push oci://$R/sig/app:v1 "$tmp/signed.wasm" --sign "$tmp/k2.secret.toml" >/dev/null
check "sign: a second signer is added" "Signer k1 <k1@example.com>, Signer k2 <k2@example.com>" \
    "$(skopeo inspect --raw --tls-verify=false "docker://$R/sig/app:sha256-${sdigest#sha256:}.corral.sig" | json - '", ".join(sorted(l["annotations"]["dev.corral.signature.label"] for l in d["layers"]))')"
check "verify: k2's signature" "oci://$R/sig/app:v1@$sdigest" \
    "$(c pull oci://$R/sig/app:v1 -o "$tmp/s.wasm" --keyring "$tmp/k2.keyring.toml")"
check "verify: k1's still" "oci://$R/sig/app:v1@$sdigest" \
    "$(c pull oci://$R/sig/app:v1 -o "$tmp/s.wasm" --keyring "$tmp/both.keyring.toml")"
c push oci://$R/sig/app:v1 "$tmp/signed.wasm" --sign "$tmp/k2.secret.toml" >/dev/null
check "sign: signing again replaces the signer's own signature" "2" \
    "$(skopeo inspect --raw --tls-verify=false "docker://$R/sig/app:sha256-${sdigest#sha256:}.corral.sig" | json - 'len(d["layers"])')"
# Forged: k1's key, signatures that are not k1's.
out=$(c push oci://$R/sig/forged:v1 "$tmp/signed2.wasm" --sign "$tmp/k1.secret.toml")
fdigest=${out##*@}
python3 "$here/regtool.py" forge-sig "$B" sig/forged "$fdigest" >/dev/null
check "verify: a forged signature" \
    "corral: pull: the signature of $fdigest by 'Signer k1 <k1@example.com>' does not verify: the signature or what it signs was changed
exit 1" "$(c pull oci://$R/sig/forged:v1 -o "$tmp/s3.wasm" --keyring "$tmp/k1.keyring.toml")"
# The signature artifact changed in the registry's storage.
out=$(c push oci://$R/sig/tamper:v1 "$tmp/signed3.wasm" --sign "$tmp/k2.secret.toml")
tdigest=${out##*@}
sigm=$(skopeo inspect --raw --tls-verify=false "docker://$R/sig/tamper:sha256-${tdigest#sha256:}.corral.sig" | sha256sum | cut -d' ' -f1)
edit "$(blob_file "sha256:$sigm")" "Signer k2" "Signer k9"
check_has "verify: a changed signature artifact is refused" \
    "corral: pull: manifest sha256-${tdigest#sha256:}.corral.sig: the registry sent a document whose digest is" \
    "$(c pull oci://$R/sig/tamper:v1 -o "$tmp/s3.wasm" --keyring "$tmp/k2.keyring.toml")"
# Key files.
check "keys: missing secret file" "corral: push: --sign: $tmp/none.toml: No such file or directory
exit 1" "$(c push oci://$R/sig/app:v9 "$tmp/signed.wasm" --sign "$tmp/none.toml")"
check "keys: a keyring is no secret key file" \
    "corral: push: --sign: $tmp/k1.keyring.toml:3:1: [[key]] is missing field 'keypair'
exit 1" "$(c push oci://$R/sig/app:v9 "$tmp/signed.wasm" --sign "$tmp/k1.keyring.toml")"
check "keys: --sign-label" "corral: push: --sign: $tmp/k1.secret.toml: no key labelled 'nobody'
exit 1" "$(c push oci://$R/sig/app:v9 "$tmp/signed.wasm" --sign "$tmp/k1.secret.toml" --sign-label nobody)"
sed "s|^keypair = .*|keypair = \"$(cat "$tmp/k1.seed" "$tmp/k2.pub" | base64 -w0)\"|" "$tmp/k1.secret.toml" \
    >"$tmp/bad.secret.toml"
check "keys: a keypair whose halves do not match" \
    "corral: push: --sign: $tmp/bad.secret.toml: key is corrupt for \"Signer k1 <k1@example.com>\": its keypair is not the base64 of a 32-byte seed and the public key it gives
exit 1" "$(c push oci://$R/sig/app:v9 "$tmp/signed.wasm" --sign "$tmp/bad.secret.toml")"
printf 'version = "1.0"\n' >"$tmp/v2.keyring.toml"
check "keys: a keyring without key" \
    "corral: pull: --keyring: $tmp/v2.keyring.toml:1:1: missing field 'key' (no [[key]] table; an empty file has key = [])
exit 1" "$(c pull oci://$R/sig/app:v1 -o "$tmp/s.wasm" --keyring "$tmp/v2.keyring.toml")"

# ---- Basic auth (htpasswd, bcrypt) from a docker config ----

dc=$tmp/dockerconf
mkdir -p "$dc"
check_has "basic: no docker config" \
    "corral: push: $L requires a user name and password, and there is no docker config (~/.docker/config.json)" \
    "$(c push oci://$L/auth/app:v1 "$tmp/fib.wasm")"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$L" "$(printf alice:s3cret | base64)" >"$dc/config.json"
check "basic: push with auths.HOST.auth" "oci://$L/auth/app:v1@$digest" \
    "$(DOCKER_CONFIG=$dc c push oci://$L/auth/app:v1 "$tmp/fib.wasm")"
check "basic: pull" "oci://$L/auth/app:v1@$digest" \
    "$(DOCKER_CONFIG=$dc c pull oci://$L/auth/app:v1 -o "$tmp/a.wasm")"
same "basic: round trip" "$tmp/fib.wasm" "$tmp/a.wasm"
mkdir -p "$HOME/.docker"
printf '{"auths":{"http://%s/v2/":{"username":"alice","password":"s3cret"}}}\n' "$L" >"$HOME/.docker/config.json"
check "basic: ~/.docker/config.json, username and password, a key with scheme and path" \
    "oci://$L/auth/app:v1@$digest" "$(c pull oci://$L/auth/app:v1 -o "$tmp/a.wasm")"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$L" "$(printf alice:wrong | base64)" >"$dc/config.json"
check_has "basic: a wrong password" \
    "$L answered 401 UNAUTHORIZED: authentication required; the docker config's credentials were refused" \
    "$(DOCKER_CONFIG=$dc c pull oci://$L/auth/app:v1 -o "$tmp/a.wasm")"
printf '{"auths":{"other:5000":{"auth":"eDp5"}},"credsStore":"secretservice"}\n' >"$dc/config.json"
check_has "basic: a credential helper is named" \
    "$dc/config.json sends it to the credential helper docker-credential-secretservice, which Corral does not run" \
    "$(DOCKER_CONFIG=$dc c pull oci://$L/auth/app:v1 -o "$tmp/a.wasm")"
printf '{"auths":{"%s":{"auth":"not base64!"}}}\n' "$L" >"$dc/config.json"
check "basic: a malformed auth" "corral: pull: $dc/config.json: auths.\"$L\".auth is not base64 of USER:PASSWORD
exit 1" "$(DOCKER_CONFIG=$dc c pull oci://$L/auth/app:v1 -o "$tmp/a.wasm")"
printf '{"auths": {' >"$dc/config.json"
check_has "basic: a config that is not JSON" "corral: pull: $dc/config.json:1: " \
    "$(DOCKER_CONFIG=$dc c pull oci://$L/auth/app:v1 -o "$tmp/a.wasm")"
rm -f "$HOME/.docker/config.json"

# ---- token auth (token_proxy.py), redirected blobs ----

: >"$tmp/proxy.events"
out=$(c pull -v oci://$T/corral/fib:v1 -o "$tmp/tk.wasm")
check "token: anonymous pull" "oci://$T/corral/fib:v1@$digest" "$(printf '%s\n' "$out" | tail -n 1)"
check_has "token: the blob came through the redirect" \
    "corral: GET http://$T/v2/corral/fib/blobs/$(sha "$tmp/fib.wasm"): 200 (redirected to http://127.0.0.1:$TC/v2/corral/fib/blobs/$(sha "$tmp/fib.wasm"))" \
    "$out"
same "token: round trip through the redirect" "$tmp/fib.wasm" "$tmp/tk.wasm"
check "token: the token asked for" "token repository:corral/fib:pull service=corral-test user=anonymous" \
    "$(cat "$tmp/proxy.events")"
check_has "token: push without credentials" \
    "corral: push: getting a token: $T answered 401 UNAUTHORIZED: push needs a user; no credentials for it in the docker config" \
    "$(c push oci://$T/tok/app:v1 "$tmp/fib.wasm")"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$T" "$(printf alice:s3cret | base64)" >"$dc/config.json"
: >"$tmp/proxy.events"
check "token: push with credentials" "oci://$T/tok/app:v1@$digest" \
    "$(DOCKER_CONFIG=$dc c push oci://$T/tok/app:v1 "$tmp/fib.wasm")"
check "token: one token for the push, scope pull,push" \
    "token repository:tok/app:pull,push repository:tok/app:pull service=corral-test user=alice" \
    "$(cat "$tmp/proxy.events")"
: >"$tmp/proxy.events"
check "token: pull with credentials" "oci://$T/tok/app:v1@$digest" \
    "$(DOCKER_CONFIG=$dc c pull oci://$T/tok/app:v1 -o "$tmp/tk.wasm")"
check "token: no Authorization followed the redirect" "token repository:tok/app:pull service=corral-test user=alice" \
    "$(cat "$tmp/proxy.events")"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$T" "$(printf alice:nope | base64)" >"$dc/config.json"
check_has "token: wrong password" "getting a token: $T answered 401 UNAUTHORIZED: bad password" \
    "$(DOCKER_CONFIG=$dc c pull oci://$T/tok/app:v1 -o "$tmp/tk.wasm")"

# ---- containerd ----

if [ "$(id -u)" != 0 ] || ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
    echo "oci: containerd checks skipped (they need root, containerd and ctr)"
else
    cs=$tmp/ctr
    mkdir -p "$cs/mnt"
    cat >"$cs/config.toml" <<EOF
version = 2
root = "$cs/root"
state = "$cs/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$cs/containerd.sock"
[ttrpc]
  address = "$cs/containerd.sock.ttrpc"
[debug]
  address = "$cs/debug.sock"
EOF
    containerd --config "$cs/config.toml" >"$cs/log" 2>&1 &
    ctr_pid=$!
    ctrc() { timeout 60 ctr -a "$cs/containerd.sock" "$@"; }
    for _ in $(seq 100); do
        ctrc version >/dev/null 2>&1 && break
        sleep 0.1
    done
    ctrc version >/dev/null 2>&1 || die "containerd did not start: $(tail -n 3 "$cs/log")"
    c push oci://$R/ctr/app:v1 "$tmp/ctr.wasm" --image >/dev/null
    check_has "containerd: ctr images pull --plain-http" "unpacking wasi/wasm sha256:" \
        "$(ctrc images pull --plain-http --platform wasi/wasm "$R/ctr/app:v1" 2>&1)"
    check_has "containerd: ctr images ls" "$R/ctr/app:v1" "$(ctrc images ls -q)"
    ctrc images mount --platform wasi/wasm "$R/ctr/app:v1" "$cs/mnt" >/dev/null 2>&1
    same "containerd: the unpacked rootfs has /app.wasm" "$tmp/ctr.wasm" "$cs/mnt/app.wasm"
    ctrc images unmount --rm "$cs/mnt" >/dev/null 2>&1
    c push oci://$R/ctr/app:plain "$tmp/ctr.wasm" --image --no-gzip >/dev/null
    check_has "containerd: an uncompressed layer unpacks" "unpacking wasi/wasm sha256:" \
        "$(ctrc images pull --plain-http --platform wasi/wasm "$R/ctr/app:plain" 2>&1)"
    # The artifact form is not an image to containerd 1.6 (CLUSTER.md, B5): --image exists
    # for this.
    c push oci://$R/ctr/app:artifact "$tmp/ctr.wasm" >/dev/null
    check_has "containerd: the artifact form does not unpack in 1.6" "mismatched image rootfs and manifest layers" \
        "$(ctrc images pull --plain-http "$R/ctr/app:artifact" 2>&1)"
    skopeo copy --src-tls-verify=false "docker://$R/ctr/app:v1" "oci-archive:$cs/img.tar:corral/app:imported" >/dev/null 2>>"$tmp/skopeo.err"
    check_has "containerd: ctr images import (skopeo's oci-archive)" "unpacking corral/app:imported" \
        "$(ctrc images import --platform wasi/wasm "$cs/img.tar" 2>&1)"
    ctrc images mount --platform wasi/wasm corral/app:imported "$cs/mnt" >/dev/null 2>&1
    same "containerd: the imported image has /app.wasm" "$tmp/ctr.wasm" "$cs/mnt/app.wasm"
    ctrc images unmount --rm "$cs/mnt" >/dev/null 2>&1
fi

check "skopeo: no errors" "" "$(cat "$tmp/skopeo.err")"
check "no sanitizer report" "" "$(head -n 20 "$tmp/sanitizer.log" 2>/dev/null)"
echo "oci: $passed passed, $failed failed"
[ "$failed" = 0 ]

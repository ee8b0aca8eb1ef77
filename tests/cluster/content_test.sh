#!/usr/bin/env bash
# content_test.sh: the shim's content-store reader (src/shim/ctd_content.c, driven by
# build/tests/content_read) against a real containerd 1.6 and a docker-registry, both
# started here with their state in a scratch directory. containerd 1.6 pulls the wasm OCI
# artifact `corral push` writes into its content store but cannot unpack it (CLUSTER.md,
# B5); the reader must get the module out of the store over containerd's gRPC API anyway.
#
# usage: tests/cluster/content_test.sh [CORRAL [CONTENT_READ]]
#        (defaults: the checkout's build/corral and build/tests/content_read)
# Environment: CONTENT_VERBOSE=1 (or CLUSTER_VERBOSE=1) prints every check, not only the
# failing ones. containerd, the registry, the checks and the cleanup are lib.sh's.
#
# Covers: the artifact read back byte for byte (small, and 3 MiB in several Content.Read
# messages), wasm-to-oci's layer type, an OCI index (the wasip1/wasm entry chosen), the
# --image form (a tar layer: "no wasm layer"), a component layer and a component or a
# non-wasm binary under application/wasm refused, a blob altered in containerd's store
# (digest mismatch), an unknown image and a wrong namespace (NotFound, 5), no socket, a
# socket nobody listens on and containerd's ttrpc socket (no answer: given up on after 10 s;
# both Unavailable, 14, as gRPC has it), a file that is not a socket, the unix:// form, a bad namespace name, missing arguments.
#
# Needs root, containerd and ctr (1.6), docker-registry, wat2wasm, python3, curl. Prints one
# line per failing check (every check with CONTENT_VERBOSE=1), then "content: N passed, M
# failed"; exits 1 when a check failed, 2 when it could not start; without root or
# containerd it says it skipped and exits 0.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
corral=${1:-$root/build/corral}
reader=${2:-$root/build/tests/content_read}
name=content
export LC_ALL=C

if [ "$(id -u)" != 0 ] || ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
    echo "content: skipped (needs root, containerd and ctr)"
    exit 0
fi

tmp=$(mktemp -d)
# shellcheck source=lib.sh
. "$here/lib.sh"
trap cluster_cleanup EXIT
verbose=${CONTENT_VERBOSE:-$verbose}
[ -x "$corral" ] || cluster_die "$corral is not an executable; run make first"
[ -x "$reader" ] || cluster_die "$reader is not an executable; run make $reader"
for tool in docker-registry wat2wasm python3 curl; do
    command -v "$tool" >/dev/null || cluster_die "$tool not found"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY

# ---- checks (check and check_has are lib.sh's) ----

# same NAME A B: files A and B hold the same bytes.
same() {
    check "$1" same "$(cmp -s "$2" "$3" && echo same || echo "differ ($(wc -c <"$2") vs $(wc -c <"$3" 2>/dev/null) bytes)")"
}

sha() {
    printf 'sha256:%s' "$(sha256sum "$1" | cut -d' ' -f1)"
}

# rd ARGS...: the reader's output, then "exit N" when its status is not 0 or 1 (1 is an
# error it printed; anything else, a crash, is shown). A sanitizer report (an ASan build of
# the reader) is also kept in $tmp/sanitizer.log, checked at the end.
rd() {
    local got status=0
    got=$(timeout 60 "$reader" "$@" 2>&1) || status=$?
    printf '%s' "$got"
    case $status in 0 | 1) ;; *) printf '\nexit %s' "$status" ;; esac
    if [[ "$got" == *Sanitizer* || "$got" == *"runtime error:"* ]]; then
        printf 'content_read %s\n%s\n' "$*" "$got" >>"$tmp/sanitizer.log"
    fi
}

# ---- fixtures ----

printf '(module (func (export "_start")))\n' >"$tmp/hello.wat"
wat2wasm "$tmp/hello.wat" -o "$tmp/hello.wasm" || cluster_die "wat2wasm failed"
# wasm NAME BYTES: a module with a custom section of BYTES random bytes (unique content).
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
wasm big.wasm $((3 << 20))
wasm w2o.wasm 200
wasm idx.wasm 300
wasm img.wasm 400
wasm tamper.wasm 500
printf '\0asm\x0d\0\x01\0' >"$tmp/component.wasm"
printf 'not a module at all\n' >"$tmp/text.bin"

# ---- containerd and the registry ----

cs=$tmp/ctr
start_containerd "$cs"
sock=$ctr_sock
registry "$tmp/reg"
R=127.0.0.1:$reg_port

# push REF FILE [ARGS]: corral push, quietly; dies when it fails.
push() {
    "$corral" push "oci://$1" "$2" "${@:3}" >/dev/null 2>"$tmp/push.err" ||
        cluster_die "corral push $1 failed: $(cat "$tmp/push.err")"
}

# regpush KIND REPO TAG FILE: a manifest Corral never writes, by Python's urllib with
# tests/oci/regtool.py's helpers: KIND component (the bytecodealliance component layer type)
# or wasm (FILE as an application/wasm layer, whatever it holds).
regpush() {
    python3 - "http://$R" "$@" <<EOF || cluster_die "pushing $2:$3 with Python failed"
import sys
sys.path.insert(0, "$root/tests/oci")
import regtool
base, kind, repo, tag, path = sys.argv[1:6]
data = open(path, "rb").read()
mt = {"component": "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm",
      "wasm": "application/wasm"}[kind]
config = b'{"architecture":"wasm","os":"wasip1"}'
doc = {"schemaVersion": 2, "mediaType": regtool.MANIFEST,
       "config": regtool.desc("application/vnd.wasm.config.v0+json", config,
                              regtool.put_blob(base, repo, config)),
       "layers": [regtool.desc(mt, data, regtool.put_blob(base, repo, data))]}
regtool.put_manifest(base, repo, tag, regtool.MANIFEST, doc)
EOF
}

# pull REF [ARGS]: ctr images pull --plain-http; its output (the unpack of a wasm artifact
# fails in containerd 1.6, but the content and the image record stay).
pull() {
    ctrc images pull --plain-http "$@" 2>&1
}

# ---- the wasm OCI artifact ----

push "$R/wasm/hello:v1" "$tmp/hello.wasm"
check_has "containerd 1.6: the artifact's pull fails to unpack" \
    "mismatched image rootfs and manifest layers" "$(pull "$R/wasm/hello:v1")"
check_has "containerd 1.6: the image record stays" "$R/wasm/hello:v1" "$(ctrc images ls -q)"
check_has "containerd 1.6: the layer stays in the content store" \
    "$(sha "$tmp/hello.wasm")" "$(ctrc content ls -q)"
check "artifact: read back" "" "$(rd "$sock" default "$R/wasm/hello:v1" "$tmp/out.wasm")"
same "artifact: the pushed bytes" "$tmp/hello.wasm" "$tmp/out.wasm"
check "artifact: size and digest" "$(wc -c <"$tmp/hello.wasm") $(sha "$tmp/hello.wasm")" \
    "$(rd "$sock" default "$R/wasm/hello:v1")"
check "artifact: the unix:// form of the address" \
    "$(wc -c <"$tmp/hello.wasm") $(sha "$tmp/hello.wasm")" \
    "$(rd "unix://$sock" default "$R/wasm/hello:v1")"

push "$R/wasm/big:v1" "$tmp/big.wasm"
pull "$R/wasm/big:v1" >/dev/null
check "3 MiB artifact (several Content.Read messages): read back" "" \
    "$(rd "$sock" default "$R/wasm/big:v1" "$tmp/out.wasm")"
same "3 MiB artifact: the pushed bytes" "$tmp/big.wasm" "$tmp/out.wasm"

# ---- other forms ----

python3 "$root/tests/oci/regtool.py" w2o "http://$R" wasm/w2o v1 "$tmp/w2o.wasm" "$tmp/hello.wasm" \
    >/dev/null || cluster_die "regtool w2o failed"
pull "$R/wasm/w2o:v1" >/dev/null
check "wasm-to-oci form: its first wasm layer" "$(wc -c <"$tmp/w2o.wasm") $(sha "$tmp/w2o.wasm")" \
    "$(rd "$sock" default "$R/wasm/w2o:v1")"

wdigest=$("$corral" push "oci://$R/wasm/idx:wasm" "$tmp/idx.wasm" 2>&1) || cluster_die "push: $wdigest"
wdigest=${wdigest##*@}
python3 "$root/tests/oci/regtool.py" index "http://$R" wasm/idx v1 wasm >/dev/null ||
    cluster_die "regtool index failed"
pull "$R/wasm/idx:v1" >/dev/null # linux/amd64 only: the wasm manifest is not fetched
check "index pulled for linux/amd64 only: its wasm manifest not in the store" \
    "error 5: image $R/wasm/idx:v1: manifest $wdigest is not in containerd's content store (containerd has only the manifests of the platforms the image was pulled for: pull it with --platform wasip1/wasm)" \
    "$(rd "$sock" default "$R/wasm/idx:v1")"
pull --platform wasip1/wasm "$R/wasm/idx:v1" >/dev/null
check "index: the image record names the index" "application/vnd.oci.image.index.v1+json" \
    "$(ctrc images ls | awk -v r="$R/wasm/idx:v1" '$1 == r { print $2 }')"
check "index: the wasip1/wasm manifest chosen" "$(wc -c <"$tmp/idx.wasm") $(sha "$tmp/idx.wasm")" \
    "$(rd "$sock" default "$R/wasm/idx:v1")"

push "$R/wasm/img:v1" "$tmp/img.wasm" --image
check_has "--image: containerd unpacks it" "unpacking wasi/wasm sha256:" \
    "$(pull --platform wasi/wasm "$R/wasm/img:v1")"
mdigest=$(ctrc images ls | awk -v r="$R/wasm/img:v1" '$1 == r { print $3 }')
check "--image: no wasm layer" \
    "error 9: image $R/wasm/img:v1: no wasm layer (application/wasm or application/vnd.wasm.content.layer.v1+wasm) in manifest $mdigest; its layers: application/vnd.oci.image.layer.v1.tar+gzip" \
    "$(rd "$sock" default "$R/wasm/img:v1")"

regpush component wasm/comp v1 "$tmp/component.wasm"
pull "$R/wasm/comp:v1" >/dev/null
check_has "component layer: refused" \
    "holds a WebAssembly component (application/vnd.bytecodealliance.wasm.component.layer.v0+wasm), not a core module; Corral runs core modules" \
    "$(rd "$sock" default "$R/wasm/comp:v1")"
regpush wasm wasm/comp2 v1 "$tmp/component.wasm"
pull "$R/wasm/comp2:v1" >/dev/null
check "a component under application/wasm: refused" \
    "error 9: image $R/wasm/comp2:v1: layer $(sha "$tmp/component.wasm") (application/wasm) is a WebAssembly component, not a core module; Corral runs core modules" \
    "$(rd "$sock" default "$R/wasm/comp2:v1")"
regpush wasm wasm/text v1 "$tmp/text.bin"
pull "$R/wasm/text:v1" >/dev/null
check "text under application/wasm: refused" \
    "error 9: image $R/wasm/text:v1: layer $(sha "$tmp/text.bin") (application/wasm) is not a WebAssembly binary (no \\0asm header)" \
    "$(rd "$sock" default "$R/wasm/text:v1")"

# A blob altered in containerd's own files (same size): its digest no longer matches.
push "$R/wasm/tamper:v1" "$tmp/tamper.wasm"
pull "$R/wasm/tamper:v1" >/dev/null
blob=$cs/root/io.containerd.content.v1.content/blobs/sha256/$(sha256sum "$tmp/tamper.wasm" | cut -d' ' -f1)
[ -f "$blob" ] || cluster_die "no blob $blob in containerd's store"
printf 'X' | dd of="$blob" bs=1 seek=100 conv=notrunc 2>/dev/null
check_has "a blob altered in the content store: refused" \
    "error 13: image $R/wasm/tamper:v1: layer $(sha "$tmp/tamper.wasm"): the content store's bytes have digest sha256:" \
    "$(rd "$sock" default "$R/wasm/tamper:v1")"

# ---- what is not there ----

check "unknown image: NotFound" "error 5: image $R/wasm/nope:v1: not found in namespace default" \
    "$(rd "$sock" default "$R/wasm/nope:v1")"
check "wrong namespace: NotFound" "error 5: image $R/wasm/hello:v1: not found in namespace other" \
    "$(rd "$sock" other "$R/wasm/hello:v1")"
check "no socket" \
    "error 9: image $R/wasm/hello:v1: containerd's socket $tmp/none.sock: No such file or directory" \
    "$(rd "$tmp/none.sock" default "$R/wasm/hello:v1")"
check "not a socket" "error 9: image $R/wasm/hello:v1: containerd's socket $cs/config.toml is not a socket" \
    "$(rd "$cs/config.toml" default "$R/wasm/hello:v1")"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tmp/dead.sock"
check_has "a socket nobody listens on" \
    "error 14: image $R/wasm/hello:v1: getting its record from containerd (Images.Get): cannot connect to containerd at $tmp/dead.sock" \
    "$(rd "$tmp/dead.sock" default "$R/wasm/hello:v1")"
check "a bad namespace name" \
    "error 3: image $R/wasm/hello:v1: namespace 'a b' is not a containerd namespace name" \
    "$(rd "$sock" "a b" "$R/wasm/hello:v1")"
started=$SECONDS
check "containerd's ttrpc socket: no answer" \
    "error 14: image $R/wasm/hello:v1: getting its record from containerd (Images.Get): no answer from $sock.ttrpc within 10 s (containerd's gRPC socket, not its ttrpc one, is needed)" \
    "$(rd "$sock.ttrpc" default "$R/wasm/hello:v1")"
check "containerd's ttrpc socket: given up on within 12 s" yes \
    "$([ $((SECONDS - started)) -le 12 ] && echo yes || echo "no: $((SECONDS - started)) s")"
check "no namespace" "error 3: image $R/wasm/hello:v1: needs a containerd address, a namespace and a name" \
    "$(rd "$sock" "" "$R/wasm/hello:v1")"

check "no sanitizer report" "" "$(head -n 20 "$tmp/sanitizer.log" 2>/dev/null)"

summary

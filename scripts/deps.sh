#!/usr/bin/env bash
# deps.sh: makes sure the tools and headers Corral builds, tests and benchmarks with are here,
# installing missing Debian packages with apt-get. Nothing is fetched from anywhere else.
# A no-op without network access when everything is present; safe to run any number of times.
#
#   scripts/deps.sh           install what is missing
#   scripts/deps.sh --check   only report; exit 1 if something is missing
set -euo pipefail
cd "$(dirname "$0")/.."

# The single list of requirements: Debian package, then the check that says it is present.
# A check is a command name (found with command -v) or an absolute path (must exist; it may
# be a glob, for paths with a version in them).
# Commands are checked rather than package names where another package may provide the same
# command (node, for one, is often installed from outside Debian).
REQUIREMENTS=(
    "build-essential  gcc"
    "build-essential  make"
    "libjansson-dev   /usr/include/jansson.h"
    "wabt             wast2json"
    "wabt             wat2wasm"
    "clang            clang"
    "lld              wasm-ld"
    "wasi-libc        /usr/lib/wasm32-wasi/libc.a"
    "nodejs           node"
    "hyperfine        hyperfine"
    "time             /usr/bin/time" # GNU time, for make bench's peak memory (not the shell's)
    # The WASI tests' guests: compiler-rt builtins for C, Debian's Rust with its wasm32-wasi
    # std (checked by path: a rustup rustc may come first in PATH), and npm, which installs
    # the AssemblyScript compiler into tests/wasi/as (tests/wasi/run.sh runs npm ci there).
    "libclang-rt-14-dev-wasm32 /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a"
    # libFuzzer and clang's sanitizer runtimes, for the fuzz targets' build that
    # tests/fuzz/README.md shows (make readme-test runs it).
    "libclang-rt-14-dev /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a"
    "rustc            /usr/bin/rustc"
    "libstd-rust-dev-wasm32 /usr/lib/rustlib/wasm32-wasi/lib"
    "npm              npm"
    # tests/cxx_eh's C++ guest (clang++ -fwasm-exceptions): libc++ and libc++abi for wasm32-wasi,
    # matching clang 14. Both are built without exceptions; the test links its own EH runtime.
    # (Its exnref build's clang 22 comes from npm: tests/cxx_eh/run.sh runs npm ci for it.)
    "libc++-14-dev-wasm32 /usr/lib/llvm-14/lib/wasm32-wasi/libc++.a"
    # corral serve: the HTTP server library, SHA-256 for log directory names, and for its
    # tests and benchmarks curl, wrk and nginx (the reference static-file server).
    "libmicrohttpd-dev /usr/include/microhttpd.h"
    "libsodium-dev    /usr/include/sodium.h"
    # The compiled tier's artifact checksum, XXH3-128 (src/compile/artifact.c): the header
    # only, compiled in (XXH_INLINE_ALL); libxxhash.so is not linked.
    "libxxhash-dev    /usr/include/xxhash.h"
    "curl             curl"
    "wrk              wrk"
    "nginx-light      /usr/sbin/nginx"
    # Key-value host interface (src/host/kv_*): its SQLite and Redis backends, and the
    # redis-server that test_kv starts for itself.
    "libsqlite3-dev   /usr/include/sqlite3.h"
    "libhiredis-dev   /usr/include/hiredis/hiredis.h"
    "redis-server     redis-server"
    # Outbound HTTP for guests (src/host/http_*): libcurl, and python3 for the local servers
    # test_http starts (tests/host/http_server.py).
    "libcurl4-openssl-dev /usr/include/*/curl/curl.h"
    "python3          python3"
    # The package store (corral store serve) and its signing (src/store/sign.c, libsodium):
    # the tests sign and check invoices and keys with Ed25519 through Debian's python3-nacl,
    # libsodium's Python binding (tests/store, tests/keys), and make htpasswd users with
    # apache2-utils' htpasswd -B; TLS
    # certificates for the tests with openssl. bcrypt itself is libcrypt's crypt_r (libcrypt1,
    # always there; the headers are libcrypt-dev).
    "python3-nacl     /usr/lib/python3/dist-packages/nacl/signing.py"
    "apache2-utils    htpasswd"
    "openssl          openssl"
    "libcrypt-dev     /usr/include/crypt.h"
    # corral push/pull (src/oci): zlib's header for image layers (the library is loaded at run
    # time), and for tests/oci the registry, skopeo, containerd (with runc) to read back what
    # Corral pushes, htpasswd for the registry's bcrypt users and openssl for signatures.
    "zlib1g-dev       /usr/include/zlib.h"
    "docker-registry  docker-registry"
    "skopeo           skopeo"
    "containerd       containerd"
    "containerd       ctr"
    "runc             runc"
    # The containerd shim's tests and benchmark (tests/cluster, bench/cluster.sh): a static
    # busybox for runc's side of the comparison (and the CRI test's runc pod).
    "busybox-static   /bin/busybox"
    # Kubernetes' CRI without a kubelet (tests/cluster/cri_test.sh): containerd's CRI plugin
    # driven over gRPC from Debian's python3 with messages protoc generates from
    # tests/cluster/cri/cri_min.proto; CNI plugins for the pods' bridge network.
    "python3-grpcio   /usr/lib/python3/dist-packages/grpc/__init__.py"
    "python3-protobuf /usr/lib/python3/dist-packages/google/protobuf/__init__.py"
    "protobuf-compiler protoc"
    "containernetworking-plugins /usr/lib/cni/bridge"
    # tests/cluster/k8s_yaml_test.sh checks docs/kubernetes/*.yaml field by field against the
    # Kubernetes API models of python3-kubernetes (kubectl itself is not a Debian package
    # here: Debian's kubernetes-client is 1.20; the test uses the kubectl on PATH).
    "python3-kubernetes /usr/lib/python3/dist-packages/kubernetes/client/__init__.py"
    # tests/workflow/run.sh reads the YAML corral deploy writes.
    "python3-yaml     /usr/lib/python3/dist-packages/yaml/__init__.py"
    # make cross / test-cross ARCH=aarch64|s390x (the s390x leg runs in make test): Debian's
    # cross compilers with their C libraries, and qemu-user's emulators, run directly
    # (qemu-ARCH -L /usr/ARCH-linux-gnu: no binfmt). No `dpkg --add-architecture`: the
    # libraries Corral links for ARCH are unpacked from Debian's packages into the build
    # (scripts/cross-sysroot.sh, apt-get download with its own state).
    "gcc-aarch64-linux-gnu  aarch64-linux-gnu-gcc"
    "libc6-dev-arm64-cross  /usr/aarch64-linux-gnu/include/stdio.h"
    "gcc-s390x-linux-gnu    s390x-linux-gnu-gcc"
    "libc6-dev-s390x-cross  /usr/s390x-linux-gnu/include/stdio.h"
    "qemu-user              qemu-aarch64"
    "qemu-user              qemu-s390x"
)

check_only=0
case "${1:-}" in
    --check) check_only=1 ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

present() {
    case "$1" in
        /*) compgen -G "$1" >/dev/null ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

missing_pkgs=()
missing_what=()
for req in "${REQUIREMENTS[@]}"; do
    read -r pkg what <<<"$req"
    if ! present "$what"; then
        missing_what+=("$what")
        case " ${missing_pkgs[*]-} " in
            *" $pkg "*) ;;
            *) missing_pkgs+=("$pkg") ;;
        esac
    fi
done

if [ "${#missing_pkgs[@]}" -eq 0 ]; then
    exit 0
fi

echo "deps: missing ${missing_what[*]}" >&2
echo "deps: Debian packages needed: ${missing_pkgs[*]}" >&2
if [ "$check_only" -eq 1 ]; then
    exit 1
fi

fail() {
    echo "deps: ERROR: $*" >&2
    echo "deps: install them by hand: apt-get install -y --no-install-recommends ${missing_pkgs[*]}" >&2
    exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found (Corral's setup expects Debian 12)"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and sudo is not available"
    SUDO=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
APT=("${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300)
echo "deps: apt-get update" >&2
"${APT[@]}" update -qq || fail "apt-get update failed"
echo "deps: apt-get install ${missing_pkgs[*]}" >&2
"${APT[@]}" install -y -qq --no-install-recommends "${missing_pkgs[@]}" >&2 \
    || fail "apt-get install failed"

# Installing is not the same as working: check again.
still=()
for req in "${REQUIREMENTS[@]}"; do
    read -r pkg what <<<"$req"
    present "$what" || still+=("$what")
done
[ "${#still[@]}" -eq 0 ] || fail "still missing after install: ${still[*]}"
echo "deps: ok" >&2

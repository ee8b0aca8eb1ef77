#!/usr/bin/env bash
# cross-sysroot.sh: the libraries and headers a cross build of Corral links against, for one
# foreign architecture, unpacked from Debian's own packages into a folder of the build.
#
#   scripts/cross-sysroot.sh ARCH DIR     ARCH: aarch64 or s390x; DIR: e.g. build/cross-s390x/sysroot
#
# The cross compilers (gcc-aarch64-linux-gnu, gcc-s390x-linux-gnu) bring the C library only.
# Corral links libjansson and libsodium, its unit tests SQLite and hiredis, and it needs the
# headers of the libraries it loads with dlopen (libcurl, libmicrohttpd, zlib; xxhash is a
# header). Rather than `dpkg --add-architecture`, which would change the machine's package
# setup for good (every later apt-get update fetches that architecture's lists, and on
# Debian 12 most s390x -dev packages cannot be installed beside their amd64 ones), apt-get
# reads the architecture's package lists into DIR/.apt (its own state, not the system's),
# downloads the packages below with `apt-get download` and dpkg-deb unpacks them into DIR.
# Nothing is installed on the machine. Runs again only when the list below changes.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 ARCH DIR" >&2
    exit 2
fi
case $1 in
aarch64) debarch=arm64 ;;
s390x) debarch=s390x ;;
*)
    echo "cross-sysroot.sh: unknown ARCH '$1' (want aarch64 or s390x)" >&2
    exit 2
    ;;
esac
dir=$2

# Libraries with their -dev packages (headers and the .so link); the run-time libraries that
# the dlopen'ed ones need (libcurl's many dependencies) are left out: under qemu the suites
# that use outbound HTTP, the gateway and registries are not run (Makefile, test-cross).
PACKAGES=(
    libjansson4 libjansson-dev
    libsodium23 libsodium-dev
    libsqlite3-0 libsqlite3-dev
    libhiredis0.14 libhiredis-dev
    zlib1g zlib1g-dev
    libmicrohttpd12 libmicrohttpd-dev
    libcurl4-openssl-dev
    libxxhash-dev
)

stamp="$dir/.packages"
want="$debarch ${PACKAGES[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

command -v apt-get >/dev/null 2>&1 || {
    echo "cross-sysroot.sh: apt-get not found (the cross build expects Debian 12)" >&2
    exit 1
}

rm -rf "$dir"
mkdir -p "$dir/.apt/lists/partial" "$dir/.apt/cache/archives/partial" "$dir/.apt/debs"
abs=$(cd "$dir" && pwd)
APT=(apt-get -qq -o "APT::Architecture=$debarch" -o "APT::Architectures::=$debarch"
    -o "Dir::State::Lists=$abs/.apt/lists" -o "Dir::Cache=$abs/.apt/cache"
    -o "Dir::State::status=/dev/null" -o Debug::NoLocking=1
    -o APT::Sandbox::User=root)
echo "cross-sysroot: apt-get update ($debarch lists, into $dir/.apt)" >&2
"${APT[@]}" update || {
    echo "cross-sysroot.sh: apt-get update for $debarch failed" >&2
    exit 1
}
echo "cross-sysroot: apt-get download ${PACKAGES[*]}" >&2
(cd "$abs/.apt/debs" && "${APT[@]}" download "${PACKAGES[@]}") || {
    echo "cross-sysroot.sh: apt-get download for $debarch failed" >&2
    exit 1
}
for deb in "$abs"/.apt/debs/*.deb; do
    dpkg-deb -x "$deb" "$dir"
done
# -dev packages link their .so to an absolute path of the target machine: make them relative
find "$dir/usr/lib" -type l | while read -r link; do
    target=$(readlink "$link")
    case $target in
    /*) ln -sf "$abs$target" "$link" ;;
    esac
done
rm -rf "$dir/.apt/lists" "$dir/.apt/cache"
echo "$want" >"$stamp"
echo "cross-sysroot: $dir ready" >&2

#!/usr/bin/env bash
# run.sh: the Bindle client (corral push/pull/search/info/yank, keys fetch) end to end against
# real `corral store serve` servers (bindle_test.py says what is checked). Keys and signatures
# are python3-nacl's (tests/store/bindle.py), so the first python3 that can import nacl is
# used; htpasswd (apache2-utils) makes the users of the auth server.
#
# usage: tests/bindle/run.sh [CORRAL]   (default: build/corral of this checkout)
# Environment: BINDLE_ONLY=push,cache runs only those sections; BINDLE_KEEP=1 keeps the
# temporary directory.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
corral=${1:-$repo/build/corral}
[ -x "$corral" ] || { echo "bindle: $corral is not an executable; run make first" >&2; exit 2; }
py=
for cand in /usr/bin/python3 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import nacl.signing, tomllib' 2>/dev/null; then
        py=$cand
        break
    fi
done
[ -n "$py" ] || { echo "bindle: no python3 with nacl (Debian package python3-nacl: scripts/deps.sh)" >&2; exit 2; }
command -v htpasswd >/dev/null || { echo "bindle: htpasswd not found (apache2-utils: scripts/deps.sh)" >&2; exit 2; }
exec "$py" "$here/bindle_test.py" "$corral"

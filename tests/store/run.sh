#!/usr/bin/env bash
# run.sh: black-box tests of `corral store serve` (store_test.py says what is checked). The
# tests sign invoices with Ed25519 through python3-nacl, which Debian's python3 has
# (scripts/deps.sh installs python3-nacl); another python3 first in PATH may lack it, so the
# first python3 that can import nacl is used. htpasswd (apache2-utils) makes the users.
#
# usage: tests/store/run.sh [CORRAL]   (default: build/corral of this checkout)
# Environment: STORE_ONLY=routes,crash runs only those sections; STORE_KEEP=1 keeps the
# temporary directory.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
corral=${1:-$repo/build/corral}
[ -x "$corral" ] || { echo "store: $corral is not an executable; run make first" >&2; exit 2; }
py=
for cand in /usr/bin/python3 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import nacl.signing, tomllib' 2>/dev/null; then
        py=$cand
        break
    fi
done
[ -n "$py" ] || { echo "store: no python3 with nacl (Debian package python3-nacl: scripts/deps.sh)" >&2; exit 2; }
command -v htpasswd >/dev/null || { echo "store: htpasswd not found (apache2-utils: scripts/deps.sh)" >&2; exit 2; }
exec "$py" "$here/store_test.py" "$corral"

#!/usr/bin/env bash
# run.sh: `corral keys` end to end, and its interoperability with python3-nacl: keys, key
# files, invoices and signatures made by one side are read and checked by the other
# (nacl_tool.py is the other side). Every case runs with its own XDG_CONFIG_HOME and HOME in
# a scratch directory, so no real key file is ever read or written.
#
# usage: tests/keys/run.sh [CORRAL]   (default: $CORRAL, else the checkout's build/corral)
# Environment: KEYS_VERBOSE=1 prints every case and the output of failures.
# Needs Debian's python3 with python3-nacl (/usr/bin/python3: a python3 earlier in PATH, from
# pyenv say, may not have it). Prints one line per failing case, then exactly
# "keys: N passed, M failed"; exits 1 when a case failed, 2 when it cannot run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
corral=${1:-${CORRAL:-$here/../../build/corral}}
case $corral in
*/*) corral=$(cd "$(dirname "$corral")" && pwd)/$(basename "$corral") ;;
*) corral=$(command -v "$corral" || echo "$corral") ;;
esac
verbose=${KEYS_VERBOSE:-0}
py=/usr/bin/python3
tool=$here/nacl_tool.py
export LC_ALL=C

die() {
    echo "keys: $*" >&2
    exit 2
}
[ -x "$corral" ] || die "$corral is not an executable; run make first"
"$py" -c 'import nacl.signing, tomllib' 2>/dev/null ||
    die "$py cannot import nacl (python3-nacl) and tomllib; scripts/deps.sh installs them"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export XDG_CONFIG_HOME=$tmp/config HOME=$tmp/home
unset CORRAL_KEYRING
cfg=$XDG_CONFIG_HOME/corral

passed=0 failed=0
case_name='' reasons=()

# run NAME STATUS ARGS...: runs corral ARGS with stdout and stderr captured in out, err.
run() {
    case_name=$1
    local want=$2
    shift 2
    local got=0
    "$corral" "$@" >out 2>err || got=$?
    [ "$got" = "$want" ] || reasons+=("exit status $got, want $want")
}

# run_cmd NAME STATUS COMMAND...: the same for any command.
run_cmd() {
    case_name=$1
    local want=$2
    shift 2
    local got=0
    "$@" >out 2>err || got=$?
    [ "$got" = "$want" ] || reasons+=("exit status $got, want $want")
}

# py NAME STATUS ARGS...: the same for nacl_tool.py.
py() {
    case_name=$1
    local want=$2
    shift 2
    local got=0
    "$py" "$tool" "$@" >out 2>err || got=$?
    [ "$got" = "$want" ] || reasons+=("nacl_tool exit status $got, want $want")
}

# has FILE TEXT: FILE (out, err or any) contains the line part TEXT; lacks: it does not.
has() {
    grep -qF -- "$2" "$1" || reasons+=("$1 lacks: $2")
}
lacks() {
    ! grep -qF -- "$2" "$1" || reasons+=("$1 has: $2")
}

# check WHAT COMMAND...: a condition as a shell command.
check() {
    local what=$1
    shift
    "$@" || reasons+=("$what")
}

mode_is() {
    [ "$(stat -c %a "$1")" = "$2" ]
}

end() {
    # Under ASan and UBSan an error may exit 1, the status a failing case wants: look too.
    if grep -qE 'Sanitizer|runtime error:' err 2>/dev/null; then
        reasons+=("sanitizer report on stderr")
    fi
    if [ ${#reasons[@]} -eq 0 ]; then
        passed=$((passed + 1))
        [ "$verbose" = 1 ] && echo "ok   $case_name"
    else
        failed=$((failed + 1))
        echo "FAIL $case_name: ${reasons[*]}"
        if [ "$verbose" = 1 ]; then
            sed 's/^/  out: /' out 2>/dev/null || true
            sed 's/^/  err: /' err 2>/dev/null || true
        fi
    fi
    reasons=()
}

# ---- the golden vectors of the unit tests are python3-nacl's ----

py golden 0 golden
# Adjacent C string literals joined, so that a vector split over lines is found whole.
"$py" -c 'import re,sys; print(re.sub(r"\"\s*\n\s*\"", "", sys.stdin.read()))' \
    <"$here/../unit/test_sign.c" >sign_c
"$py" -c 'import re,sys; print(re.sub(r"\"\s*\n\s*\"", "", sys.stdin.read()))' \
    <"$here/../unit/test_keyring.c" >>sign_c
while read -r v; do has sign_c "$v"; done <out
end

# ---- create, list, add with the default files ----

umask 022
run create-default 0 keys create 'Alice <alice@example.com>'
has out "Writing keys to $cfg/secret_keys.toml"
has out "File $cfg/secret_keys.toml does not exist. Creating it."
has out "Public key: "
has out "Added the public key to the keyring $cfg/keyring.toml"
check "secret key file mode 600" mode_is "$cfg/secret_keys.toml" 600
check "keyring mode 600" mode_is "$cfg/keyring.toml" 600
check "config directory mode 700" mode_is "$cfg" 700
alice_pk=$(sed -n 's/^Public key: //p' out)
end

py create-default-nacl-checks 0 check-keyring "$cfg/keyring.toml" "$cfg/secret_keys.toml"
end

run create-second 0 keys create 'Bob <bob@example.com>' --roles approver,H
lacks out "does not exist"
end
py create-second-nacl-checks 0 check-keyring "$cfg/keyring.toml" "$cfg/secret_keys.toml"
check "roles approver, host" grep -q 'roles = \["approver", "host"\]' "$cfg/secret_keys.toml"
end

run create-skip-keyring 0 keys create 'Carol' -f "$tmp/carol.toml" --skip-keyring
lacks out "keyring"
check "keyring has two keys" [ "$(grep -c '^\[\[key\]\]' "$cfg/keyring.toml")" = 2 ]
check "carol's file mode 600" mode_is "$tmp/carol.toml" 600
end

umask 000
run create-umask-000 0 keys create 'Dan' -f "$tmp/dan.toml" --skip-keyring
check "mode 600 whatever the umask" mode_is "$tmp/dan.toml" 600
end
umask 022

run create-bad-role 2 keys create 'Eve' --roles creator,boss -f "$tmp/eve.toml"
has err "Invalid SignatureRole, should be one of: Creator, Proxy, Host, Approver"
check "no file made" [ ! -e "$tmp/eve.toml" ]
end

mkdir -p "$tmp/adir"
run create-into-directory 1 keys create 'Eve' -f "$tmp/adir"
has err "not a regular file"
end

run list 0 keys list
has out 'version = "1.0"'
has out 'label = "Alice <alice@example.com>"'
has out 'label = "Bob <bob@example.com>"'
has out "key = \"$alice_pk\""
has out 'labelSignature = '
cp out listed.toml
end
py list-nacl-checks 0 check-keyring listed.toml "$cfg/secret_keys.toml"
end

run list-print-alias-match 0 keys print -m Bob
has out 'label = "Bob <bob@example.com>"'
lacks out 'Alice'
end

run list-match-none 0 keys list -m nobody
has out 'key = []'
end

run list-no-file 1 keys list -f "$tmp/none.toml"
has err "no such file"
end

run list-trusted 0 keys list --trusted
has out 'label = "Alice <alice@example.com>"'
lacks err warning
end

# A key made by python3-nacl, trusted with `keys add`.
read -r py_pk py_kp < <("$py" "$tool" keypair 0707070707070707070707070707070707070707070707070707070707070707)
run add-nacl-key 0 keys add 'Py <py@example.com>' c,a "$py_pk"
has out "Wrote key to keyring file at $cfg/keyring.toml"
check "entry written without labelSignature" grep -q "key = \"$py_pk\"" "$cfg/keyring.toml"
end
py add-nacl-checks 0 check-keyring "$cfg/keyring.toml"
end

run add-again-notes 0 keys add 'Py again' creator "$py_pk"
has err 'already has this key, as "Py <py@example.com>"'
end

run add-not-base64 1 keys add X creator 'not base64!'
has err 'key is corrupt for `not base64!`'
end
run add-short 1 keys add X creator AAAA
has err 'key is corrupt'
end
run add-not-a-point 1 keys add X creator AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
has err 'key is corrupt'
end
run add-keypair-not-key 1 keys add X creator "$py_kp"
has err 'key is corrupt'
end
run add-bad-roles 2 keys add X 'creator,' "$py_pk"
has err 'Invalid SignatureRole'
end
run add-missing-arg 2 keys add X creator
has err 'missing argument'
end

# ---- signing and verifying across the two implementations ----

# Corral signs, python3-nacl verifies.
py make-invoice 0 invoice inv.toml example.com/hello 1.0.0 'parcel one' 'parcel two'
end
run sign-default-out 0 keys sign-invoice inv.toml
sha=$(printf '%s' example.com/hello/1.0.0 | sha256sum | cut -c1-64)
has out "Signed inv.toml with role as 'creator', label as 'Alice <alice@example.com>' and wrote to ./invoice-$sha.toml"
check "invoice-SHA.toml written" [ -f "invoice-$sha.toml" ]
end
py nacl-verifies-corral 0 verify "invoice-$sha.toml"
has out "1 signature(s) verified"
end
run corral-verifies-corral 0 keys verify-invoice "invoice-$sha.toml"
has out "invoice-$sha.toml: verified: 1 signature, strategy GreedyVerification"
end

run sign-again-duplicate 1 keys sign-invoice "invoice-$sha.toml" -m Alice -o x.toml
has err 'cannot sign the data again with a key that has already signed the data'
check "nothing written" [ ! -e x.toml ]
end

run sign-approver 0 keys sign-invoice "invoice-$sha.toml" -r A -o signed2.toml
has out "label as 'Bob <bob@example.com>'"
end
py nacl-verifies-two 0 verify signed2.toml
has out "2 signature(s) verified"
end
run verify-ma-creator-approver 0 keys verify-invoice signed2.toml \
    --strategy 'multipleattestation[Creator, Approver]'
has out 'strategy MultipleAttestation[Creator, Approver]'
end
run verify-ma-creator-proxy 1 keys verify-invoice signed2.toml \
    --strategy 'MultipleAttestation[Creator, Proxy]'
has err 'No signature found for role proxy'
end
run verify-bad-strategy 2 keys verify-invoice signed2.toml --strategy 'MultipleAttestation[Creator'
has err "Missing closing ']' on roles"
end

# python3-nacl signs, Corral verifies: an unknown key, then a trusted one.
cp inv.toml pyinv.toml
py nacl-secrets 0 secrets pysecrets.toml 'Py <py@example.com>' creator \
    0707070707070707070707070707070707070707070707070707070707070707
end
py nacl-signs 0 sign pyinv.toml pysecrets.toml creator
end
run corral-verifies-nacl 0 keys verify-invoice pyinv.toml
has out 'verified: 1 signature'
end
run corral-nacl-unknown-key 1 keys verify-invoice pyinv.toml --keyring "$tmp/empty.toml"
has err "does not exist: the keyring is empty"
has err "signature 1 (by \"Py <py@example.com>\", creator, key $py_pk): the key is not in the keyring"
end
run corral-nacl-authoritative-no-known 1 keys verify-invoice pyinv.toml \
    --keyring "$tmp/empty.toml" --strategy AuthoritativeIntegrity
has err 'none of the signatures are made with a known key'
end
sed 's/^name = "example.com\/hello"/name = "example.com\/hellp"/' pyinv.toml >tampered.toml
run corral-tampered 1 keys verify-invoice tampered.toml
has err 'cannot be verified'
end

# Both sign the same invoice with the same key: Ed25519 is deterministic, so the signatures
# must be the same bytes.
cp inv.toml same.toml
run corral-signs-with-nacl-secrets 0 keys sign-invoice same.toml -f pysecrets.toml -o same-corral.toml
end
py nacl-signs-same 0 sign same.toml pysecrets.toml creator
end
check "identical signatures" [ "$(grep '^signature' same.toml)" = "$(grep '^signature' same-corral.toml)" ]
check "identical keys" [ "$(grep '^key' same.toml)" = "$(grep '^key' same-corral.toml)" ]
end

# A host key over a creator's signature (what the server does to accepted invoices), then
# the greedy default needs every key known.
py host-secrets 0 secrets host.toml 'Host <h@example.com>' host \
    0808080808080808080808080808080808080808080808080808080808080808
end
run host-signs 0 keys sign-invoice pyinv.toml -f host.toml -r host -o hosted.toml
has out "role as 'host'"
end
py nacl-verifies-host 0 verify hosted.toml
has out "2 signature(s) verified"
end
run greedy-unknown-host 1 keys verify-invoice hosted.toml
has err 'signature 2 (by "Host <h@example.com>", host'
end
run creative-ignores-host 0 keys verify-invoice hosted.toml --strategy creativeintegrity
end
run exhaustive-unknown-host 1 keys verify-invoice hosted.toml --strategy ExhaustiveVerification
has err 'key is not in the keyring'
end

# ---- key selection, files and formats ----

run sign-no-role-key 1 keys sign-invoice inv.toml -r proxy -o none.toml
has err "No satisfactory key found: $cfg/secret_keys.toml has no proxy key"
end
run sign-label-exact-miss 1 keys sign-invoice inv.toml -l 'alice <alice@example.com>' -o none.toml
has err "labelled 'alice <alice@example.com>'"
end
run sign-label-exact 0 keys sign-invoice inv.toml -l 'Alice <alice@example.com>' -o -
has out '[[signature]]'
has out 'by = "Alice <alice@example.com>"'
has err "wrote to -"
end
run sign-l-and-m 2 keys sign-invoice inv.toml -l a -m b
end
run sign-bad-role 2 keys sign-invoice inv.toml -r boss
has err 'Invalid SignatureRole'
end
printf 'bindleVersion = "1.0.0"\nsignature = []\n[bindle]\nname = "n"\nversion = "1.0.0"\n' >inline.toml
run sign-inline-signatures 1 keys sign-invoice inline.toml -o inline-out.toml
has err 'cannot append a [[signature]] table'
check "nothing written" [ ! -e inline-out.toml ]
end
printf 'bindleVersion = "1.0.0"\n' >notinv.toml
run sign-not-invoice 1 keys sign-invoice notinv.toml -o x.toml
has err 'no [bindle] table'
end

# Bindle's own file names and layouts, given with -f and --keyring.
mkdir -p "$tmp/bindle"
cp "$cfg/secret_keys.toml" "$tmp/bindle/secret_keys.toml"
printf 'version = "1.0"\nowner = "someone"\n\n[[key]]\nlabel = "Py <py@example.com>"\nroles = ["creator"]\nkey = "%s"\nnote = "from a colleague"\n' "$py_pk" >"$tmp/bindle/keyring.toml"
run bindle-files-unknown-keys 0 keys verify-invoice pyinv.toml --keyring "$tmp/bindle/keyring.toml"
has err "2 unknown keys ignored (unknown key 'owner' at line 2), as Bindle ignores them"
end
CORRAL_KEYRING=$tmp/bindle/keyring.toml run keyring-env 0 keys verify-invoice pyinv.toml
end
printf 'version = "1.0"\n[[key]]\nlabel = "x"\nroles = ["Creator"]\nkey = "k"\n' >badroles.toml
run keyring-serde-roles 1 keys list --trusted --keyring badroles.toml
has err 'badroles.toml:4:10: roles: each must be one of'
end
printf 'version = "1.0"\n[[key]]\nlabel = "x"\nroles = ["creator"]\nkey = "AAAA"\nlabelSignature = "AAAA"\n[[key]]\nlabel = "y"\nroles = []\nkey = "%s"\nlabelSignature = "%s"\n' \
    "$py_pk" "$(sed -n 's/^labelSignature = "\(.*\)"/\1/p' listed.toml | head -1)" >oddring.toml
run list-trusted-warnings 0 keys list --trusted --keyring oddring.toml
has err 'key 1 ("x") is not a valid Ed25519 public key'
has err 'key 2 ("y"): its labelSignature is not this label signed by this key'
end
printf 'version = "1.0"\n[[key]]\nlabel = "x"\nkeypair = "AAAA"\nroles = ["creator"]\n' >badsecret.toml
run list-malformed-secret 0 keys list -f badsecret.toml
has err 'Warning: Malformed key: key is corrupt for "x"'
has out 'key = []'
end
run sign-malformed-secret 1 keys sign-invoice inv.toml -f badsecret.toml -o x.toml
has err 'key is corrupt for "x"'
end

# Without XDG_CONFIG_HOME: ~/.config/corral.
run_cmd home-config 0 env -u XDG_CONFIG_HOME "$corral" keys create 'Home key' --skip-keyring
has out "Writing keys to $HOME/.config/corral/secret_keys.toml"
check "file in ~/.config/corral" [ -f "$HOME/.config/corral/secret_keys.toml" ]
end

# ---- help and usage ----

run help-keys 0 help keys
has out 'usage: corral keys create LABEL'
has out '~/.config/bindle/secret_keys.toml'
end
run keys-help 0 keys create --help
has out 'corral keys sign-invoice INVOICE'
end
run help-lists-keys 0 --help
has out 'keys       Create and trust signing keys'
end
run keys-no-subcommand 2 keys
has err 'usage: corral keys'
end
run keys-unknown-subcommand 2 keys frobnicate
has err "unknown subcommand 'frobnicate'"
end
run keys-unknown-option 2 keys add --roles x a b c
has err "keys add: unknown option '--roles'"
end
run keys-extra-arg 2 keys list extra
has err "unexpected argument 'extra'"
end
run keys-option-needs-value 2 keys list -f
has err '-f needs a value'
end
run keys-equals-form 0 keys list --secrets-file="$cfg/secret_keys.toml" --label-matching=Alice
has out 'Alice'
end

echo "keys: $passed passed, $failed failed"
[ "$failed" = 0 ]

#!/bin/sh
# gen_man.sh CORRAL OUTDIR: man pages from the help texts, the one source: corral.1 from
# `corral --help`, corral-COMMAND.1 from `corral help COMMAND` for every command of the
# command table (`corral help --commands`), corral-manifest.5 from `corral help manifest`.
# Read one with `man -l OUTDIR/corral-up.1` (or put OUTDIR's parent on MANPATH).
set -eu
corral=$1
out=$2
mkdir -p "$out"
version=$("$corral" --version | sed 's/^corral //')
# page NAME SECTION SUMMARY: the help text on stdin as a man page, verbatim (no fill).
page() {
    upper=$(printf '%s' "$1" | tr 'a-z' 'A-Z')
    {
        printf '.TH %s %s "" "corral %s" "Corral"\n' "$upper" "$2" "$version"
        printf '.SH NAME\n%s \\- %s\n.SH DESCRIPTION\n.nf\n' "$1" "$3"
        sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"
        printf '.fi\n'
    } >"$out/$1.$2.tmp"
    mv "$out/$1.$2.tmp" "$out/$1.$2"
}
"$corral" --help | page corral 1 "a WebAssembly runtime, gateway and app workflow"
for cmd in $("$corral" help --commands); do
    [ "$cmd" = help ] && continue
    summary=$("$corral" --help | sed -n "s/^  $cmd  *//p" | head -n 1)
    "$corral" help "$cmd" | page "corral-$cmd" 1 "${summary:-corral $cmd}"
done
"$corral" help manifest | page corral-manifest 5 "corral.toml, the app manifest"

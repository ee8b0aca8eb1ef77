# corral-completion.bash: bash completion for corral. Source it (. scripts/corral-completion.bash)
# or install it as /usr/share/bash-completion/completions/corral. The commands and each
# command's options come from the corral being completed (corral help --commands, which prints
# the command table, and corral help COMMAND), templates from corral templates: nothing here
# is a second list to keep in step with the binary.

# The corral to ask: the one being typed when it names an executable, else corral on PATH.
_corral_bin() {
    local c=${COMP_WORDS[0]}
    [[ $c == */* && -x $c ]] && echo "$c" || echo corral
}

_corral() {
    local cur=${COMP_WORDS[COMP_CWORD]} bin words
    bin=$(_corral_bin)
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        words=$("$bin" help --commands 2>/dev/null)
        mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
        return
    fi
    local cmd=${COMP_WORDS[1]}
    if [ "$cmd" = help ] && [ "$COMP_CWORD" -eq 2 ]; then
        words="$("$bin" help --commands 2>/dev/null) manifest"
        mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
        return
    fi
    if [ "$cmd" = new ] && [ "$COMP_CWORD" -eq 2 ] && [[ $cur != -* ]]; then
        words=$("$bin" templates 2>/dev/null | sed -n 's/^  \([a-z0-9-]*\) .*/\1/p')
        mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
        return
    fi
    if [[ $cur == -* ]]; then
        words=$("$bin" help "$cmd" 2>/dev/null |
            grep -oE -- '(^|[] ,[|])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[] ,[|]//' | sort -u)
        mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -o filenames -F _corral corral

namespace Tabula.Cli.Completion;

/// <summary>
/// Shell completion scripts. Each asks tabula itself what fits, the way dotnet-suggest does: it runs
/// <c>tabula [suggest:POS] "LINE"</c> with the words typed so far (LINE) and where the cursor is (POS, in characters),
/// and offers the lines printed: verbs, flags, flag values and the store's image names. So the scripts never go stale
/// as verbs and flags change. Where tabula offers nothing (a path argument), the shell completes file names.
/// </summary>
internal static class CompletionScripts
{
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "fish"];

    public static string? For(string shell) => shell switch
    {
        "bash" => Bash,
        "zsh" => Zsh,
        "fish" => Fish,
        _ => null,
    };

    // The line is rebuilt from the words up to the cursor's word, so POS is its length: COMP_LINE and COMP_POINT would
    // also count the words after the cursor, and quoting the shell already removed.
    private const string Bash = """
        # bash completion for tabula: source it, or save it as /etc/bash_completion.d/tabula
        _tabula_complete() {
            local line="${COMP_WORDS[*]:0:COMP_CWORD+1}"
            local IFS=$'\n'
            local suggestions
            suggestions="$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null)" || return 0
            COMPREPLY=($(compgen -W "$suggestions" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _tabula_complete tabula

        """;

    private const string Zsh = """
        #compdef tabula
        # zsh completion for tabula: source it, or save it as _tabula in a folder of $fpath
        _tabula() {
            local line="${(j: :)words[1,CURRENT]}"
            local -a suggestions
            suggestions=("${(@f)$("${words[1]}" "[suggest:${#line}]" "$line" 2>/dev/null)}")
            suggestions=(${suggestions:#})
            if (( ${#suggestions} )); then
                compadd -- "${suggestions[@]}"
            else
                _files
            fi
        }
        if (( $+functions[compdef] )); then
            compdef _tabula tabula
        fi

        """;

    private const string Fish = """
        # fish completion for tabula: source it, or save it as ~/.config/fish/completions/tabula.fish
        function __tabula_complete
            set -l words (commandline -opc)
            set -l line (string join ' ' -- $words)" "(commandline -ct)
            set -l suggestions ($words[1] "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null)
            if test (count $suggestions) -gt 0
                printf '%s\n' $suggestions
            else
                __fish_complete_path (commandline -ct)
            end
        end
        complete -c tabula -f -a '(__tabula_complete)'

        """;
}

namespace Tabula.Dockerfile.Expansion;

/// <summary>
/// Dockerfile word expansion, equal to BuildKit's <c>shell.Lex</c>: quotes, the escape token,
/// <c>$VAR</c>, <c>${VAR}</c> and the <c>:- - :+ + :? ? # ## % %% / //</c> forms. Immutable: each
/// call keeps its own state, so one lexer can serve many threads.
/// </summary>
internal sealed record ShellLexer(char EscapeToken = '\\')
{
    /// <summary>Keep quote characters in the output (used to see whether a heredoc name was quoted).</summary>
    public bool RawQuotes { get; init; }

    /// <summary>Keep escape characters in the output.</summary>
    public bool RawEscapes { get; init; }

    /// <summary>Leave references to unset variables as written instead of expanding them to nothing.</summary>
    public bool SkipUnsetEnv { get; init; }

    /// <summary>Treat quotes as ordinary characters (used for heredoc bodies).</summary>
    public bool SkipProcessQuotes { get; init; }

    /// <summary>Expands <paramref name="word"/> as one word: no field splitting.</summary>
    public string ProcessWord(string word, IVariableLookup variables) => Process(word, variables).Result;

    /// <summary>Expands <paramref name="word"/> and splits the result into fields after expansion.</summary>
    public IReadOnlyList<string> ProcessWords(string word, IVariableLookup variables) => Process(word, variables).Words;

    /// <summary>Expands and reports both forms and the variables that were (not) found.</summary>
    public WordExpansion Process(string word, IVariableLookup variables) =>
        new ShellWordProcessor(this, word, variables).Run();
}

namespace Tabula.Dockerfile.Expansion;

/// <summary>
/// Expands instruction words against one environment (a stage's current ENV and ARGs) with
/// the Dockerfile's escape token, and remembers which variables were referenced but unset
/// so the build can warn about them as BuildKit does.
/// </summary>
internal sealed class ShellWordExpander(IVariableLookup variables, char escapeToken = '\\')
{
    private readonly ShellLexer lexer = new(escapeToken);

    // Heredoc bodies are expanded as BuildKit does: quotes are plain text and the escape
    // token is always a backslash, whatever the Dockerfile's escape directive says.
    private readonly ShellLexer heredocLexer = new('\\') { SkipProcessQuotes = true };

    private readonly HashSet<string> unmatched = new(StringComparer.Ordinal);

    public IVariableLookup Variables => variables;

    /// <summary>Names referenced by the words expanded so far that had no value.</summary>
    public IReadOnlyCollection<string> UnmatchedVariables => unmatched;

    /// <summary>One word in, one word out (ENV values, paths, USER…).</summary>
    public string ProcessWord(string word) => Remember(lexer.Process(word, variables)).Result;

    /// <summary>One word in, with the names it found and did not find (build checks look at both).</summary>
    public WordExpansion Expand(string word) => Remember(lexer.Process(word, variables));

    /// <summary>One word in, fields out (EXPOSE).</summary>
    public IReadOnlyList<string> ProcessWords(string word) => Remember(lexer.Process(word, variables)).Words;

    /// <summary>The body of an unquoted heredoc.</summary>
    public string ProcessHeredocBody(string content) => Remember(heredocLexer.Process(content, variables)).Result;

    private WordExpansion Remember(WordExpansion expansion)
    {
        unmatched.UnionWith(expansion.Unmatched);
        return expansion;
    }
}

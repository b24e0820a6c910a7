namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// One instruction as the parser sees it, before any typing: the keyword as written, the
/// logical line it came from (continuations joined, comments removed), the leading
/// <c>--flags</c>, the arguments split the way that keyword splits them, and any heredocs.
/// </summary>
/// <param name="Keyword">The instruction word as written (<c>RUN</c>, <c>run</c>…).</param>
/// <param name="Original">The logical line, continuations joined, heredoc bodies not included.</param>
/// <param name="Flags">Leading <c>--name=value</c> words, quotes removed.</param>
/// <param name="Arguments">The arguments; for ENV and LABEL triples of key, value and separator (<c>=</c> or empty for the legacy form).</param>
/// <param name="SubCommand">The trigger of an ONBUILD.</param>
/// <param name="IsJson">The arguments came from a JSON array (exec form).</param>
/// <param name="Heredocs">Here-documents that follow the line.</param>
/// <param name="Range">The lines the instruction spans, heredoc bodies included.</param>
internal sealed record SyntaxNode(
    string Keyword,
    string Original,
    IReadOnlyList<string> Flags,
    IReadOnlyList<string> Arguments,
    SyntaxNode? SubCommand,
    bool IsJson,
    IReadOnlyList<Heredoc> Heredocs,
    SourceRange Range)
{
    /// <summary>
    /// The comment lines right above the instruction (<c>#</c> and surrounding blanks removed; an empty <c>#</c>
    /// line starts the run afresh, directives are left out): BuildKit reads <c># check=</c> and descriptions there.
    /// </summary>
    public IReadOnlyList<string> Comments { get; init; } = [];
}

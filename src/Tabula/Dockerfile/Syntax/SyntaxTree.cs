namespace Tabula.Dockerfile.Syntax;

/// <summary>The whole Dockerfile after step one: its instructions in order and its directives.</summary>
internal sealed record SyntaxTree(
    string FileName,
    IReadOnlyList<SyntaxNode> Nodes,
    ParserDirectives Directives,
    char EscapeToken,
    IReadOnlyList<SyntaxWarning> Warnings)
{
    /// <summary>First line of the first instruction and last line of the last one.</summary>
    public SourceRange Range => new(Nodes[0].Range.StartLine, Nodes[^1].Range.EndLine);
}

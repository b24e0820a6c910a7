namespace Tabula.Dockerfile.Syntax;

/// <summary>The arguments of one instruction as its keyword's argument rule split them.</summary>
internal sealed record ParsedArguments(IReadOnlyList<string> Values, bool IsJson = false, SyntaxNode? SubCommand = null)
{
    public static readonly ParsedArguments None = new([]);
}

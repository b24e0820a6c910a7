using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Instructions;

/// <summary>One syntax node on its way to a typed instruction.</summary>
internal sealed record ParseRequest(SyntaxNode Node, InstructionSource Source, IReadOnlyList<string> Arguments, InstructionFlags Flags)
{
    public static ParseRequest From(SyntaxNode node, SourceLocation location) => new(
        node,
        new InstructionSource(node.Keyword.ToUpperInvariant(), node.Original.Trim(), location),
        ArgumentsOf(node),
        new InstructionFlags(node.Flags));

    public string Keyword => Source.Keyword;

    public void RequireExactlyOne()
    {
        if (Arguments.Count != 1)
            throw new InstructionError($"{Keyword} requires exactly one argument");
    }

    public void RequireAtLeastOne()
    {
        if (Arguments.Count == 0)
            throw new InstructionError($"{Keyword} requires at least one argument");
    }

    /// <summary>An ONBUILD's arguments are its trigger's keyword followed by the trigger's arguments.</summary>
    private static IReadOnlyList<string> ArgumentsOf(SyntaxNode node) =>
        node.SubCommand is { } trigger ? [.. node.Arguments, trigger.Keyword, .. ArgumentsOf(trigger)] : node.Arguments;
}

namespace Tabula.Dockerfile.Syntax;

/// <summary>Turns one logical line into a <see cref="SyntaxNode"/> (lines and heredocs are added by the parser).</summary>
internal static class NodeBuilder
{
    public static SyntaxNode FromLine(string line, char escapeToken)
    {
        var (keyword, flags, rest) = CommandSplitter.Split(line, escapeToken);
        var arguments = ArgumentRules.Parse(keyword, rest, escapeToken);
        return new SyntaxNode(keyword, line, flags, arguments.Values, arguments.SubCommand, arguments.IsJson, [], default);
    }

    /// <summary>Only shell-form RUN, COPY and ADD (also as an ONBUILD trigger) read heredocs.</summary>
    public static bool CanContainHeredoc(SyntaxNode node)
    {
        var target = node.Keyword.Equals("onbuild", StringComparison.OrdinalIgnoreCase) && node.SubCommand is { } trigger
            ? trigger
            : node;
        return target.Keyword.ToLowerInvariant() is "run" or "copy" or "add" && !target.IsJson;
    }
}

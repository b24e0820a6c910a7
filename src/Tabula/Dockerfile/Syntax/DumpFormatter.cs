using System.Text;

namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// Renders a syntax tree in BuildKit's <c>Node.Dump()</c> format, one
/// <c>(keyword ["flags"…] "arg"…)</c> line per instruction. Heredoc bodies are not shown.
/// </summary>
internal static class DumpFormatter
{
    /// <summary>Every instruction's line, each ending in a newline (BuildKit's <c>Dump() + "\n"</c>).</summary>
    public static string Format(SyntaxTree tree)
    {
        var builder = new StringBuilder();
        foreach (var node in tree.Nodes)
            builder.Append('(').Append(Format(node)).Append(")\n");
        return builder.ToString();
    }

    /// <summary>One instruction without its outer parentheses: <c>run "echo hi"</c>.</summary>
    public static string Format(SyntaxNode node)
    {
        var builder = new StringBuilder(node.Keyword.ToLowerInvariant());
        if (node.Flags.Count > 0)
            builder.Append(' ').Append(GoQuote.QuoteList(node.Flags));
        foreach (var argument in node.Arguments)
            builder.Append(' ').Append(GoQuote.Quote(argument));
        if (node.SubCommand is { } trigger)
            builder.Append(" (").Append(Format(trigger)).Append(')');
        return builder.ToString();
    }
}

using System.Text.RegularExpressions;
using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// Finds the <c>[n]&lt;&lt;[-]WORD</c> heredoc openers of a line. The body is read by the parser;
/// this decides the name, the file descriptor, whether <c>-</c> strips tabs, and whether the
/// body is expanded (it is not when any part of WORD was quoted).
/// </summary>
internal static partial class HeredocDetector
{
    // Words are found with quotes and escapes kept, so "<<EOF" in quotes is no opener.
    private static readonly ShellLexer LineLexer = new('\\') { RawQuotes = true, RawEscapes = true, SkipUnsetEnv = true };
    private static readonly ShellLexer NameLexer = new('\\') { SkipUnsetEnv = true };
    private static readonly ShellLexer QuotedNameLexer = NameLexer with { RawQuotes = true };

    /// <summary>The heredoc openers on <paramref name="line"/>, with empty bodies.</summary>
    public static IReadOnlyList<Heredoc> FromLine(string line)
    {
        IReadOnlyList<string> words;
        try
        {
            words = LineLexer.ProcessWords(line, VariableMap.Empty);
        }
        catch (ShellExpansionException)
        {
            return [];
        }
        var heredocs = new List<Heredoc>();
        foreach (var word in words)
        {
            if (Parse(word) is { } heredoc)
                heredocs.Add(heredoc);
        }
        return heredocs;
    }

    /// <summary>The heredoc that <paramref name="word"/> opens, or null when it opens none.</summary>
    public static Heredoc? Parse(string word)
    {
        var match = Opener().Match(word);
        if (!match.Success)
            return null;
        var rest = match.Groups[3].Value;
        if (rest.Length == 0)
            return null;

        IReadOnlyList<string> names, quotedNames;
        try
        {
            names = NameLexer.ProcessWords(rest, VariableMap.Empty);
            if (names.Count != 1)
                return null;
            quotedNames = QuotedNameLexer.ProcessWords(rest, VariableMap.Empty);
        }
        catch (ShellExpansionException e)
        {
            throw new InstructionError(e.Message);
        }
        if (quotedNames.Count != names.Count)
            throw new InstructionError($"internal lexing of heredoc produced inconsistent results: {rest}");

        var name = names[0];
        var expand = CountQuotes(name) == CountQuotes(quotedNames[0]);
        _ = int.TryParse(match.Groups[1].Value, out var fileDescriptor);
        return new Heredoc(name, fileDescriptor, expand, match.Groups[2].Value == "-", "");
    }

    private static int CountQuotes(string text) => text.Count(c => c is '\'' or '"');

    [GeneratedRegex(@"^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\z")]
    private static partial Regex Opener();
}

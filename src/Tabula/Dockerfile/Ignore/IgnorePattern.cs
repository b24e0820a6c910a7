using System.Text;
using System.Text.RegularExpressions;

namespace Tabula.Dockerfile.Ignore;

/// <summary>
/// One cleaned ignore pattern, compiled the way moby's <c>patternmatcher</c> compiles it:
/// <c>*</c> and <c>?</c> never cross a <c>/</c>, <c>**</c> crosses any number of them, and
/// literal patterns, <c>dir/**</c> and <c>**/name</c> are matched without a regex.
/// </summary>
internal sealed class IgnorePattern
{
    private readonly MatchKind kind;
    private readonly Regex? regex;

    private IgnorePattern(string text, bool isExclusion)
    {
        Text = text;
        IsExclusion = isExclusion;
        (kind, regex) = Compile(text);
    }

    /// <summary>The cleaned pattern without its leading <c>!</c>.</summary>
    public string Text { get; }

    /// <summary>True for <c>!pattern</c>: a match re-includes the path.</summary>
    public bool IsExclusion { get; }

    /// <exception cref="FormatException">The pattern is malformed (e.g. an unclosed <c>[</c>) or is a lone <c>!</c>.</exception>
    public static IgnorePattern? Create(string pattern)
    {
        pattern = pattern.Trim();
        if (pattern.Length == 0)
            return null;
        pattern = GoPath.Clean(pattern);
        var isExclusion = pattern[0] == '!';
        if (isExclusion)
        {
            if (pattern.Length == 1)
                throw new FormatException("illegal exclusion pattern: \"!\"");
            pattern = pattern[1..];
        }
        GlobSyntax.Validate(pattern);
        return new IgnorePattern(pattern, isExclusion);
    }

    public bool Matches(string path) => kind switch
    {
        MatchKind.Exact => path == Text,
        MatchKind.Prefix => path.StartsWith(Text[..^2], StringComparison.Ordinal),
        MatchKind.Suffix => path.EndsWith(Text[2..], StringComparison.Ordinal)
            || (Text.Length > 2 && Text[2] == '/' && path == Text[3..]),
        _ => regex!.IsMatch(path),
    };

    public override string ToString() => IsExclusion ? "!" + Text : Text;

    private static (MatchKind, Regex?) Compile(string pattern)
    {
        var expression = new StringBuilder("^");
        var kind = MatchKind.Exact;
        var i = 0;
        for (var position = 0; position < pattern.Length; i++)
        {
            var ch = pattern[position++];
            if (ch == '*')
            {
                if (position < pattern.Length && pattern[position] == '*')
                {
                    position++;
                    if (position < pattern.Length && pattern[position] == '/')
                        position++; // "**/" is "**"
                    if (position == pattern.Length)
                    {
                        // a trailing "**" accepts everything below, as in .gitignore
                        if (kind == MatchKind.Exact)
                            kind = MatchKind.Prefix;
                        else
                        {
                            expression.Append(".*");
                            kind = MatchKind.Regex;
                        }
                    }
                    else
                    {
                        expression.Append("(.*/)?");
                        kind = MatchKind.Regex;
                    }
                    if (i == 0)
                        kind = MatchKind.Suffix;
                }
                else
                {
                    expression.Append("[^/]*");
                    kind = MatchKind.Regex;
                }
            }
            else if (ch == '?')
            {
                expression.Append("[^/]");
                kind = MatchKind.Regex;
            }
            else if (ch is '.' or '+' or '(' or ')' or '|' or '{' or '}' or '$')
            {
                expression.Append('\\').Append(ch);
            }
            else if (ch == '\\')
            {
                if (position < pattern.Length)
                {
                    expression.Append('\\').Append(pattern[position++]);
                    kind = MatchKind.Regex;
                }
                else
                {
                    expression.Append('\\');
                }
            }
            else if (ch is '[' or ']')
            {
                expression.Append(ch);
                kind = MatchKind.Regex;
            }
            else
            {
                expression.Append(ch);
            }
        }
        if (kind != MatchKind.Regex)
            return (kind, null);
        // Go's $ is the end of the text; .NET's would also match before a final newline.
        return (kind, new Regex(expression.Append(@"\z").ToString(), RegexOptions.CultureInvariant));
    }

    private enum MatchKind { Exact, Prefix, Suffix, Regex }
}

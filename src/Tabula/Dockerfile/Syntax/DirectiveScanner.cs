using System.Text.RegularExpressions;

namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// Recognises parser directives (<c># syntax=</c>, <c># escape=</c>, <c># check=</c>) with
/// BuildKit's rules: they count only in the unbroken run of directive lines at the very top;
/// the first line that is anything else (blank, plain comment, unknown key, instruction) ends
/// the run, and a directive may appear only once.
/// </summary>
internal sealed partial class DirectiveScanner
{
    private readonly Dictionary<string, string> found = new(StringComparer.Ordinal);
    private bool done;

    public ParserDirectives Directives =>
        new(found.GetValueOrDefault("syntax"), found.GetValueOrDefault("escape"), found.GetValueOrDefault("check"));

    /// <summary>Returns the directive on this line, or null; throws <see cref="InstructionError"/> on a repeat.</summary>
    public (string Name, string Value)? ScanLine(string line)
    {
        if (done)
            return null;
        if (!line.StartsWith('#'))
        {
            done = true;
            return null;
        }
        var match = DirectiveLine().Match(line[1..].TrimStart());
        var name = match.Success ? match.Groups[1].Value.ToLowerInvariant() : "";
        if (name is not ("syntax" or "escape" or "check"))
        {
            done = true;
            return null;
        }
        if (found.ContainsKey(name))
            throw new InstructionError($"only one {name} parser directive can be used");
        var value = match.Groups[2].Value;
        found[name] = value;
        return (name, value);
    }

    /// <summary>A <c>key=value</c> directive in a comment's text (after the <c>#</c>), key lower-cased; or null.</summary>
    internal static (string Name, string Value)? Match(string text)
    {
        var match = DirectiveLine().Match(text.TrimStart());
        return match.Success ? (match.Groups[1].Value.ToLowerInvariant(), match.Groups[2].Value) : null;
    }

    // Go's \s is ASCII white space and its $ is the end of the text; spelled out for .NET.
    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\z")]
    private static partial Regex DirectiveLine();
}

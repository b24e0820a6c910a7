using System.Text;
using System.Text.RegularExpressions;

namespace Tabula.Dockerfile.Syntax;

/// <summary>Cuts a logical line into its keyword, its leading <c>--flags</c> and the rest.</summary>
internal static partial class CommandSplitter
{
    public static (string Keyword, List<string> Flags, string Arguments) Split(string line, char escapeToken)
    {
        var parts = Blanks().Split(line.Trim(), 2);
        if (parts.Length < 2)
            return (parts[0], [], "");
        var (flags, rest) = ExtractFlags(parts[1], escapeToken);
        return (parts[0], flags, rest.Trim());
    }

    /// <summary>
    /// Takes words while they start with <c>--</c>; quotes inside a flag are removed and the
    /// escape token escapes the next character. A bare <c>--</c> ends the flags and is dropped.
    /// </summary>
    private static (List<string> Flags, string Remainder) ExtractFlags(string line, char escapeToken)
    {
        var flags = new List<string>();
        var word = new StringBuilder();
        var phase = Phase.InSpaces;
        var quote = '\0';
        var blankOk = false;
        var ch = '\0';

        for (var pos = 0; pos <= line.Length; pos++)
        {
            if (pos != line.Length)
                ch = line[pos];

            if (phase == Phase.InSpaces)
            {
                if (pos == line.Length)
                    break;
                if (char.IsWhiteSpace(ch))
                    continue;
                if (ch != '-' || pos + 1 == line.Length || line[pos + 1] != '-')
                    return (flags, line[pos..]);
                phase = Phase.InWord;
            }
            if (pos == line.Length)
            {
                var last = word.ToString();
                if (last != "--" && (blankOk || last.Length > 0))
                    flags.Add(last);
                break;
            }
            if (phase == Phase.InWord)
            {
                if (char.IsWhiteSpace(ch))
                {
                    var finished = word.ToString();
                    phase = Phase.InSpaces;
                    if (finished == "--")
                        return (flags, line[pos..]);
                    if (blankOk || finished.Length > 0)
                        flags.Add(finished);
                    word.Clear();
                    blankOk = false;
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    phase = Phase.InQuote;
                    continue;
                }
                if (ch == escapeToken)
                {
                    if (pos + 1 == line.Length)
                        continue;
                    ch = line[++pos];
                }
                word.Append(ch);
                continue;
            }
            // in a quote
            if (ch == quote)
            {
                phase = Phase.InWord;
                continue;
            }
            if (ch == escapeToken)
            {
                if (pos + 1 == line.Length)
                {
                    phase = Phase.InWord;
                    continue;
                }
                ch = line[++pos];
            }
            word.Append(ch);
        }
        return (flags, "");
    }

    private enum Phase { InSpaces, InWord, InQuote }

    [GeneratedRegex(@"[\t\v\f\r ]+")]
    internal static partial Regex Blanks();
}

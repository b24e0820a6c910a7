using System.Text;
using System.Text.RegularExpressions;

namespace Tabula.Dockerfile.Expansion;

/// <summary>
/// The shell wildcard patterns of <c>${VAR#pat}</c>, <c>${VAR%pat}</c> and <c>${VAR/pat/repl}</c>:
/// <c>*</c> any run, <c>?</c> one character, <c>\</c> escapes <c>* ? \</c> (and <c>} /</c>, which
/// only need escaping inside <c>${}</c>). No bracket expressions, as in BuildKit.
/// </summary>
internal static class ShellPattern
{
    public static Regex ToRegex(string pattern, bool greedy, bool anchored)
    {
        var scanner = new RuneScanner(pattern);
        var regex = new StringBuilder(pattern.Length + 4);
        if (anchored)
            regex.Append('^');
        var star = greedy ? ".*" : ".*?";

        for (var token = scanner.Next(); token != RuneScanner.EndOfText; token = scanner.Next())
        {
            switch (token)
            {
                case '*':
                    regex.Append(star);
                    continue;
                case '?':
                    regex.Append('.');
                    continue;
                case '\\':
                    if (scanner.Peek() is '}' or '/')
                        continue;
                    regex.Append('\\');
                    token = scanner.Next();
                    if (token is not ('*' or '?' or '\\'))
                        throw new ShellExpansionException(
                            $"invalid pattern ({pattern}) in substitution: invalid escape '\\{RuneText.ToText(token)}'");
                    break;
                case '[' or ']' or '{' or '}' or '.' or '+' or '(' or ')' or '|' or '^' or '$':
                    regex.Append('\\');
                    break;
            }
            RuneText.Append(regex, token);
        }
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant);
    }

    public static string TrimPrefix(string pattern, string value, bool greedy)
    {
        var match = ToRegex(pattern, greedy, anchored: true).Match(value);
        return match.Success ? value[(match.Index + match.Length)..] : value;
    }

    /// <summary>
    /// A regex cannot find the shortest match that ends at the right, so both the value and
    /// the pattern are reversed and the prefix is trimmed instead.
    /// </summary>
    public static string TrimSuffix(string pattern, string value, bool greedy) =>
        RuneText.Reverse(TrimPrefix(ReversePattern(pattern), RuneText.Reverse(value), greedy));

    /// <summary>Reverses a pattern but keeps each escape before the character it escapes.</summary>
    public static string ReversePattern(string pattern)
    {
        var runes = pattern.EnumerateRunes().ToArray();
        var reversed = new Rune[runes.Length];
        var last = runes.Length - 1;
        for (var i = 0; i <= last;)
        {
            var outIndex = last - i;
            if (runes[i].Value == '\\' && i != last)
            {
                reversed[outIndex - 1] = runes[i];
                reversed[outIndex] = runes[i + 1];
                i += 2;
            }
            else
            {
                reversed[outIndex] = runes[i];
                i++;
            }
        }
        return string.Concat(reversed.Select(r => r.ToString()));
    }

    /// <summary>
    /// <c>${VAR//pat/repl}</c> goes through Go's <c>Regexp.ReplaceAllString</c>, which reads
    /// <c>$</c> in the replacement as a template: <c>$$</c> is a dollar, <c>$0</c> the match and
    /// any other group name is empty (the pattern has no groups).
    /// </summary>
    public static string ReplaceAll(Regex regex, string value, string replacement) =>
        regex.Replace(value, match => ExpandTemplate(replacement, match.Value));

    private static string ExpandTemplate(string template, string wholeMatch)
    {
        var output = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var dollar = template.IndexOf('$', i);
            if (dollar < 0)
                break;
            output.Append(template, i, dollar - i);
            i = dollar + 1;
            if (i < template.Length && template[i] == '$')
            {
                output.Append('$');
                i++;
                continue;
            }
            if (!TryReadGroupName(template, i, out var name, out var next))
            {
                output.Append('$');
                continue;
            }
            i = next;
            if (name.All(char.IsAsciiDigit) && name.TrimStart('0').Length == 0)
                output.Append(wholeMatch);
        }
        output.Append(template, i, template.Length - i);
        return output.ToString();
    }

    private static bool TryReadGroupName(string template, int start, out string name, out int next)
    {
        var braced = start < template.Length && template[start] == '{';
        var i = braced ? start + 1 : start;
        var nameStart = i;
        while (i < template.Length && (char.IsLetterOrDigit(template[i]) || template[i] == '_'))
            i++;
        name = template[nameStart..i];
        next = i;
        if (name.Length == 0)
            return false;
        if (braced)
        {
            if (i >= template.Length || template[i] != '}')
                return false;
            next = i + 1;
        }
        return true;
    }
}

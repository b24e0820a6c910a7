namespace Tabula.Build;

/// <summary>
/// Go's <c>filepath.Match</c> for one path component (<c>*</c>, <c>?</c>, <c>[a-z]</c>, <c>[^x]</c>, <c>\</c> escapes),
/// which is what COPY and ADD sources use: a <c>*</c> never crosses a <c>/</c>.
/// </summary>
internal static class GlobPattern
{
    public static bool HasMeta(string pattern) => pattern.AsSpan().IndexOfAny("*?[\\") >= 0;

    /// <summary>
    /// A path's components against a pattern's, each matched by <see cref="Match"/>, where a component <c>**</c> matches
    /// any number of components (none too) — as the include patterns BuildKit copies a <c>--parents</c> source with.
    /// </summary>
    public static bool MatchPath(ReadOnlySpan<string> pattern, ReadOnlySpan<string> names)
    {
        while (!pattern.IsEmpty)
        {
            if (pattern[0] == "**")
            {
                for (int skip = 0; skip <= names.Length; skip++)
                    if (MatchPath(pattern[1..], names[skip..])) return true;
                return false;
            }
            if (names.IsEmpty || !Match(pattern[0], names[0])) return false;
            pattern = pattern[1..];
            names = names[1..];
        }
        return names.IsEmpty;
    }

    public static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        while (true)
        {
            if (pattern.IsEmpty) return name.IsEmpty;
            switch (pattern[0])
            {
                case '*':
                    pattern = pattern[1..];
                    for (int i = 0; i <= name.Length; i++)
                        if (Match(pattern, name[i..])) return true;
                    return false;
                case '?':
                    if (name.IsEmpty) return false;
                    pattern = pattern[1..];
                    name = name[1..];
                    continue;
                case '[':
                {
                    if (name.IsEmpty) return false;
                    int end = ClassEnd(pattern);
                    if (end < 0) throw new FormatException("syntax error in pattern");
                    if (!ClassMatches(pattern[1..end], name[0])) return false;
                    pattern = pattern[(end + 1)..];
                    name = name[1..];
                    continue;
                }
                case '\\':
                    if (pattern.Length < 2) throw new FormatException("syntax error in pattern");
                    if (name.IsEmpty || name[0] != pattern[1]) return false;
                    pattern = pattern[2..];
                    name = name[1..];
                    continue;
                default:
                    if (name.IsEmpty || name[0] != pattern[0]) return false;
                    pattern = pattern[1..];
                    name = name[1..];
                    continue;
            }
        }
    }

    private static int ClassEnd(ReadOnlySpan<char> pattern)
    {
        int i = 1;
        if (i < pattern.Length && pattern[i] == '^') i++;
        if (i < pattern.Length && pattern[i] == ']') i++;
        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\') { i++; continue; }
            if (pattern[i] == ']') return i;
        }
        return -1;
    }

    private static bool ClassMatches(ReadOnlySpan<char> set, char c)
    {
        bool negate = set.Length > 0 && set[0] == '^';
        if (negate) set = set[1..];
        bool matched = false;
        for (int i = 0; i < set.Length; i++)
        {
            char low = set[i];
            if (low == '\\' && i + 1 < set.Length) low = set[++i];
            char high = low;
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                high = set[i + 2];
                if (high == '\\' && i + 3 < set.Length) { high = set[i + 3]; i++; }
                i += 2;
            }
            if (c >= low && c <= high) matched = true;
        }
        return matched != negate;
    }
}

namespace Tabula.Dockerfile.Ignore;

/// <summary>
/// The syntax check Go's <c>filepath.Match</c> applies, which moby uses to reject bad
/// patterns up front: character classes must be closed, non-empty and have ordered ranges,
/// and an escape needs a character after it.
/// </summary>
internal static class GlobSyntax
{
    public static void Validate(string pattern)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    if (++i >= pattern.Length)
                        throw Bad(pattern);
                    break;
                case '[':
                    i = ValidateClass(pattern, i + 1);
                    break;
            }
        }
    }

    /// <summary>Checks the class starting after its <c>[</c> and returns the index of its <c>]</c>.</summary>
    private static int ValidateClass(string pattern, int i)
    {
        if (i < pattern.Length && pattern[i] == '^')
            i++;
        var ranges = 0;
        while (true)
        {
            if (i < pattern.Length && pattern[i] == ']' && ranges > 0)
                return i;
            var low = ReadClassChar(pattern, ref i);
            if (i < pattern.Length && pattern[i] == '-')
            {
                i++;
                var high = ReadClassChar(pattern, ref i);
                if (high < low)
                    throw Bad(pattern);
            }
            ranges++;
        }
    }

    private static char ReadClassChar(string pattern, ref int i)
    {
        if (i >= pattern.Length || pattern[i] is '-' or ']')
            throw Bad(pattern);
        if (pattern[i] == '\\')
        {
            i++;
            if (i >= pattern.Length)
                throw Bad(pattern);
        }
        return pattern[i++];
    }

    private static FormatException Bad(string pattern) => new($"syntax error in pattern: {pattern}");
}

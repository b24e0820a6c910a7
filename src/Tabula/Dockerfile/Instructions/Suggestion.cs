namespace Tabula.Dockerfile.Instructions;

/// <summary>"Did you mean …?" hints for misspelt instructions and flags (edit distance below 3, as BuildKit).</summary>
internal static class Suggestion
{
    public static string WithHint(string message, string value, IEnumerable<string> options, bool caseSensitive)
    {
        var match = Find(value, options, caseSensitive);
        return match is null ? message : $"{message} (did you mean {match}?)";
    }

    internal static string? Find(string value, IEnumerable<string> options, bool caseSensitive)
    {
        var wanted = caseSensitive ? value : value.ToLowerInvariant();
        string? best = null;
        var bestDistance = 3;
        foreach (var option in options)
        {
            var candidate = caseSensitive ? option : option.ToLowerInvariant();
            if (candidate == wanted)
                return null;
            var distance = Distance(wanted, candidate);
            if (distance < bestDistance)
            {
                best = caseSensitive ? candidate : MatchCase(candidate, value);
                bestDistance = distance;
            }
        }
        return best;
    }

    private static string MatchCase(string option, string original) =>
        original == original.ToLowerInvariant() ? option.ToLowerInvariant()
        : original == original.ToUpperInvariant() ? option.ToUpperInvariant()
        : option;

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

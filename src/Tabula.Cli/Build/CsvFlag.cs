namespace Tabula.Cli.Build;

/// <summary>buildx's comma-separated <c>KEY=VALUE</c> flag values (<c>-o</c>, <c>--cache-to</c>, <c>--cache-from</c>).</summary>
internal static class CsvFlag
{
    /// <summary>Fields split at commas outside double quotes, the quotes removed (Go's encoding/csv, as buildx).</summary>
    public static List<string> Fields(string text, string flag)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in text)
        {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        if (quoted) throw new UsageException($"invalid {flag} '{text}': a double quote is not closed");
        fields.Add(current.ToString());
        return fields.Where(f => f.Length > 0).ToList();
    }

    /// <summary>The fields as KEY=VALUE pairs, keys in lower case (the last of a key wins).</summary>
    public static Dictionary<string, string> Pairs(string text, string flag)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in Fields(text, flag))
        {
            var pair = field.Split('=', 2);
            if (pair.Length != 2) throw new UsageException($"invalid {flag} '{text}': '{field}' is not KEY=VALUE");
            pairs[pair[0].Trim().ToLowerInvariant()] = pair[1];
        }
        return pairs;
    }
}

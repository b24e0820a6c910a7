using System.Text;

namespace Tabula.Build.Mounts;

/// <summary>
/// The fields of one <c>--mount</c> value: comma-separated, a field in double quotes may hold commas (quotes doubled
/// inside), as Go's CSV reader that BuildKit uses reads them. Each field is <c>key=value</c> or a bare key.
/// </summary>
internal static class MountFields
{
    public static IReadOnlyList<(string Key, string? Value, string Field)> Split(string text)
    {
        var fields = new List<(string, string?, string)>();
        foreach (var field in Csv(text))
        {
            int eq = field.IndexOf('=', StringComparison.Ordinal);
            fields.Add(eq < 0 ? (field.ToLowerInvariant(), null, field) : (field[..eq].ToLowerInvariant(), field[(eq + 1)..], field));
        }
        return fields;
    }

    private static List<string> Csv(string text)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c != '"') current.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') current.Append(text[++i]);
                else quoted = false;
            }
            else if (c == '"' && current.Length == 0) quoted = true;
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        if (quoted) throw new FormatException($"failed to parse csv mounts: unterminated quote in {text}");
        fields.Add(current.ToString());
        return fields;
    }
}

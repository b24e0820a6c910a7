namespace Tabula.Cli;

/// <summary>
/// The rules of a dive <c>.dive-ci</c> file, as text (parsed like the flags they stand for). Only its shape is read,
/// a <c>rules:</c> map of scalars, so no YAML library is needed:
/// <code>
/// rules:
///   lowestEfficiency: 0.95
///   highestWastedBytes: 20MB
///   highestUserWastedPercent: 0.20
/// </code>
/// </summary>
public sealed record DiveCiConfig(string? LowestEfficiency, string? HighestWastedBytes, string? HighestUserWastedPercent)
{
    public static DiveCiConfig Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        bool inRules = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = StripComment(raw).TrimEnd();
            if (line.Trim().Length == 0) continue;
            bool indented = char.IsWhiteSpace(line[0]);
            if (!indented)
            {
                inRules = line == "rules:";
                continue;
            }
            if (!inRules) continue;
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) throw new UsageException($"{source}: '{line.Trim()}' is not 'key: value' under rules:");
            values[line[..colon].Trim()] = line[(colon + 1)..].Trim().Trim('"', '\'');
        }
        var unknown = values.Keys.Except(["lowestEfficiency", "highestWastedBytes", "highestUserWastedPercent"]).FirstOrDefault();
        if (unknown is not null) throw new UsageException($"{source}: unknown rule '{unknown}' (dive's are lowestEfficiency, highestWastedBytes, highestUserWastedPercent)");
        return new(values.GetValueOrDefault("lowestEfficiency"), values.GetValueOrDefault("highestWastedBytes"), values.GetValueOrDefault("highestUserWastedPercent"));
    }

    private static string StripComment(string line)
    {
        int hash = line.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? line : line[..hash];
    }
}

using Tabula.Oci;

namespace Tabula.Cli.Build;

/// <summary><c>--platform a,b,…</c> (repeatable, as buildx reads it): every value parsed and normalised, all faults in one line.</summary>
internal static class PlatformList
{
    public static IReadOnlyList<Platform> Parse(IReadOnlyList<string> values)
    {
        var platforms = new List<Platform>();
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        var faults = new List<string>();
        foreach (var text in values.SelectMany(v => v.Split(',')).Select(t => t.Trim()))
        {
            if (text.Length == 0)
            {
                faults.Add("an empty platform");
                continue;
            }
            if (!Platform.TryParse(text, out var platform, out var fault))
            {
                faults.Add($"'{text}': {fault}");
                continue;
            }
            if (given.TryGetValue(platform.ToString(), out var first))
                faults.Add($"'{text}' is {platform} again (as '{first}')");
            else
            {
                given[platform.ToString()] = text;
                platforms.Add(platform);
            }
        }
        if (faults.Count > 0)
            throw new UsageException($"--platform {string.Join(',', values)}: {string.Join("; ", faults)}; give each platform once as OS/ARCH[/VARIANT], e.g. linux/amd64,linux/arm64");
        return platforms;
    }
}

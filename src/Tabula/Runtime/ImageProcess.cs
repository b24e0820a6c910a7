using Tabula.Oci;

namespace Tabula.Runtime;

/// <summary>What <c>docker run</c> makes of an image's config and the command line's overrides.</summary>
internal static class ImageProcess
{
    /// <summary>
    /// The process arguments: the entrypoint (the image's, or the one given, which also drops the image's CMD),
    /// then the command given, else the image's CMD.
    /// </summary>
    public static IReadOnlyList<string> Args(ContainerConfig? config, string? entrypoint, IReadOnlyList<string> command)
    {
        IReadOnlyList<string> entry = entrypoint is not null ? (entrypoint.Length == 0 ? [] : [entrypoint]) : config?.Entrypoint ?? [];
        IReadOnlyList<string> cmd = command.Count > 0 ? command : entrypoint is not null ? [] : config?.Cmd ?? [];
        return [.. entry, .. cmd];
    }

    /// <summary>The image's environment with <c>KEY=VALUE</c> overrides applied (a later KEY replaces an earlier one).</summary>
    public static IReadOnlyList<string> Env(ContainerConfig? config, IEnumerable<string> overrides)
    {
        var result = new List<string>(config?.Env ?? []);
        foreach (var entry in overrides)
        {
            int eq = entry.IndexOf('=');
            string key = eq < 0 ? entry : entry[..eq];
            result.RemoveAll(e => e == key || e.StartsWith(key + "=", StringComparison.Ordinal));
            result.Add(entry);
        }
        return result;
    }
}

namespace Tabula.Build;

/// <summary>
/// WORKDIR resolution as BuildKit's NormalizeWorkdir does it: an absolute path is kept as written (so
/// <c>WORKDIR /tmp/</c> stays <c>/tmp/</c> in the config and history), a relative one is joined to the current
/// directory and cleaned, an empty one is the current directory.
/// </summary>
internal static class WorkdirPath
{
    public static string Resolve(string? current, string path)
    {
        var parent = string.IsNullOrEmpty(current) ? "/" : current.StartsWith('/') ? current : "/" + current;
        if (path.Length == 0) return parent;
        return path.StartsWith('/') ? path : Clean(parent + "/" + path);
    }

    /// <summary>Go's path.Clean of an absolute path: no empty, <c>.</c> or <c>..</c> components, no trailing slash.</summary>
    private static string Clean(string combined)
    {
        var parts = new List<string>();
        foreach (var part in combined.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }
}

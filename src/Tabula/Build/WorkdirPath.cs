namespace Tabula.Build;

/// <summary>WORKDIR resolution: relative paths extend the current directory; the result is clean and absolute.</summary>
internal static class WorkdirPath
{
    public static string Resolve(string? current, string path)
    {
        var combined = path.StartsWith('/') ? path : (string.IsNullOrEmpty(current) ? "/" : current).TrimEnd('/') + "/" + path;
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

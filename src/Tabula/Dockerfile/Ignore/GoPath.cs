namespace Tabula.Dockerfile.Ignore;

/// <summary>Go's <c>path.Clean</c> for slash-separated paths: ignore files are cleaned exactly this way.</summary>
internal static class GoPath
{
    public static string Clean(string path)
    {
        if (path.Length == 0)
            return ".";
        var rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            switch (part)
            {
                case "" or ".":
                    continue;
                case "..":
                    if (parts.Count > 0 && parts[^1] != "..")
                        parts.RemoveAt(parts.Count - 1);
                    else if (!rooted)
                        parts.Add(part); // a rooted path cannot climb above /
                    continue;
                default:
                    parts.Add(part);
                    continue;
            }
        }
        var cleaned = string.Join('/', parts);
        return rooted ? "/" + cleaned : cleaned.Length == 0 ? "." : cleaned;
    }

    /// <summary>Go's <c>path.Dir</c> of a cleaned relative path: everything before the last slash, or <c>.</c>.</summary>
    public static string Dir(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "." : Clean(path[..(slash + 1)]);
    }
}

namespace Tabula.Dockerfile.Ignore;

/// <summary>
/// Reads a <c>.dockerignore</c> as docker does (moby <c>ignorefile.ReadAll</c>): a byte-order
/// mark is dropped, lines starting with <c>#</c> are comments, blanks are trimmed, each pattern
/// is path-cleaned and a leading <c>/</c> is removed (a leading <c>!</c> is kept in front).
/// </summary>
internal static class DockerignoreFile
{
    public static IReadOnlyList<string> Parse(string text)
    {
        if (text.StartsWith('\uFEFF'))
            text = text[1..];
        var patterns = new List<string>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            if (line.StartsWith('#'))
                continue;
            var pattern = line.Trim();
            if (pattern.Length == 0)
                continue;
            var invert = pattern[0] == '!';
            if (invert)
                pattern = pattern[1..].Trim();
            if (pattern.Length > 0)
            {
                pattern = GoPath.Clean(pattern);
                if (pattern.Length > 1 && pattern[0] == '/')
                    pattern = pattern[1..];
            }
            patterns.Add(invert ? "!" + pattern : pattern);
        }
        return patterns;
    }
}

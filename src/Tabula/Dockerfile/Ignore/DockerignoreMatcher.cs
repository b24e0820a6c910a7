namespace Tabula.Dockerfile.Ignore;

/// <summary>
/// Decides which context paths a <c>.dockerignore</c> leaves out, with docker's precedence:
/// patterns are read in order and the last one that matches a path or any of its parent
/// directories wins, so <c>!pattern</c> can re-include something inside an ignored directory.
/// </summary>
internal sealed class DockerignoreMatcher
{
    private const string GlobCharacters = "*[]?^\\";

    private readonly IgnorePattern[] patterns;
    private readonly bool exclusionsArePlainPaths;

    /// <exception cref="FormatException">A pattern is malformed.</exception>
    public DockerignoreMatcher(IEnumerable<string> patterns)
    {
        this.patterns = patterns.Select(IgnorePattern.Create).OfType<IgnorePattern>().ToArray();
        HasExclusions = this.patterns.Any(p => p.IsExclusion);
        exclusionsArePlainPaths = this.patterns
            .Where(p => p.IsExclusion)
            .All(p => WithoutTrailingGlob(p.Text).IndexOfAny(GlobCharacters.ToCharArray()) < 0);
    }

    /// <summary>A matcher that ignores nothing.</summary>
    public static DockerignoreMatcher None { get; } = new([]);

    /// <summary>Reads the text of a <c>.dockerignore</c> file.</summary>
    public static DockerignoreMatcher Parse(string dockerignoreText) => new(DockerignoreFile.Parse(dockerignoreText));

    public IReadOnlyList<IgnorePattern> Patterns => patterns;

    /// <summary>True when some pattern starts with <c>!</c>.</summary>
    public bool HasExclusions { get; }

    /// <summary>
    /// Whether the file or directory at <paramref name="path"/> (relative to the context root,
    /// slash-separated) is left out of the build context. The root itself never is.
    /// </summary>
    public bool IsIgnored(string path)
    {
        path = Normalize(path);
        if (path == ".")
            return false;
        var parent = GoPath.Dir(path);
        var parentParts = parent == "." ? [] : parent.Split('/');

        var ignored = false;
        foreach (var pattern in patterns)
        {
            // An include pattern cannot change an already ignored path, nor an exclusion a kept one.
            if (pattern.IsExclusion != ignored)
                continue;
            var match = pattern.Matches(path);
            for (var depth = 1; !match && depth <= parentParts.Length; depth++)
                match = pattern.Matches(string.Join('/', parentParts, 0, depth));
            if (match)
                ignored = !pattern.IsExclusion;
        }
        return ignored;
    }

    /// <summary>
    /// Whether a walk may skip <paramref name="directory"/> without looking inside: it is
    /// ignored and no <c>!</c> pattern could re-include anything below it (BuildKit's rule;
    /// when an exclusion has wildcards, the directory is always walked).
    /// </summary>
    public bool CanSkipDirectory(string directory)
    {
        directory = Normalize(directory);
        if (!IsIgnored(directory))
            return false;
        if (!HasExclusions)
            return true;
        if (!exclusionsArePlainPaths)
            return false;
        var prefix = directory + "/";
        return !patterns.Any(p => p.IsExclusion && (WithoutTrailingGlob(p.Text) + "/").StartsWith(prefix, StringComparison.Ordinal));
    }

    private static string Normalize(string path)
    {
        var cleaned = GoPath.Clean(path.Replace('\\', '/'));
        return cleaned.StartsWith('/') ? GoPath.Clean(cleaned[1..]) : cleaned;
    }

    private static string WithoutTrailingGlob(string pattern)
    {
        if (pattern.EndsWith("/**", StringComparison.Ordinal))
            pattern = pattern[..^3];
        if (pattern.EndsWith("/*", StringComparison.Ordinal))
            pattern = pattern[..^2];
        return pattern;
    }
}

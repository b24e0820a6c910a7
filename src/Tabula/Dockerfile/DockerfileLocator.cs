namespace Tabula.Dockerfile;

/// <summary>
/// Which file of a context is the build's Dockerfile when no <c>-f</c> names one: <c>Dockerfile</c>, else a
/// lowercase <c>dockerfile</c> (as BuildKit falls back), else <c>Containerfile</c> (podman's and buildah's name).
/// <c>Dockerfile</c> comes first so a context made for docker builds as docker builds it; buildah would prefer
/// <c>Containerfile</c> when both exist.
/// </summary>
internal static class DockerfileLocator
{
    public const string DefaultName = "Dockerfile";

    /// <summary>The names tried, in order.</summary>
    public static IReadOnlyList<string> Candidates { get; } = [DefaultName, "dockerfile", "Containerfile"];

    /// <summary>
    /// The Dockerfile of a build: <paramref name="explicitPath"/> as given when there is one (it always wins, even
    /// when missing), else the first candidate present in the context, else <c>CONTEXT/Dockerfile</c> so the error
    /// names the file docker users expect.
    /// </summary>
    public static string Find(string contextDirectory, string? explicitPath)
    {
        if (explicitPath is not null) return explicitPath;
        foreach (var name in Candidates)
        {
            var path = Path.Combine(contextDirectory, name);
            // An exact name check: on a case-insensitive file system "dockerfile" would also find "Dockerfile".
            if (File.Exists(path) && Directory.EnumerateFiles(contextDirectory, name).Any(p => Path.GetFileName(p) == name))
                return path;
        }
        return Path.Combine(contextDirectory, DefaultName);
    }
}

namespace Tabula.Dockerfile.Ignore;

/// <summary>
/// Which ignore file a build uses, as BuildKit picks it: <c>&lt;Dockerfile&gt;.dockerignore</c>
/// next to the Dockerfile (e.g. <c>app.Dockerfile.dockerignore</c>) wins over the context's
/// <c>.dockerignore</c>.
/// </summary>
public static class DockerignoreLocator
{
    public const string DefaultFileName = ".dockerignore";

    /// <summary>The path of the ignore file to use, or null when there is none.</summary>
    public static string? Find(string contextDirectory, string dockerfilePath)
    {
        var specific = dockerfilePath + DefaultFileName;
        if (File.Exists(specific))
            return specific;
        var shared = Path.Combine(contextDirectory, DefaultFileName);
        return File.Exists(shared) ? shared : null;
    }

    /// <summary>The matcher for a build; <see cref="DockerignoreMatcher.None"/> when there is no ignore file.</summary>
    /// <exception cref="FormatException">The ignore file holds a malformed pattern.</exception>
    public static DockerignoreMatcher Load(string contextDirectory, string dockerfilePath) =>
        Find(contextDirectory, dockerfilePath) is { } path
            ? DockerignoreMatcher.Parse(File.ReadAllText(path))
            : DockerignoreMatcher.None;
}

namespace Tabula.Dockerfile.Ignore;

/// <summary>
/// Which ignore file a build uses, as BuildKit picks it: <c>&lt;Dockerfile&gt;.dockerignore</c>
/// next to the Dockerfile (e.g. <c>app.Dockerfile.dockerignore</c>) wins over the context's
/// <c>.dockerignore</c>.
/// </summary>
internal static class DockerignoreLocator
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
    /// <exception cref="FormatException">The ignore file holds a malformed pattern (the message names file:line).</exception>
    public static DockerignoreMatcher Load(string contextDirectory, string dockerfilePath)
    {
        if (Find(contextDirectory, dockerfilePath) is not { } path) return DockerignoreMatcher.None;
        var text = File.ReadAllText(path);
        try
        {
            return DockerignoreMatcher.Parse(text);
        }
        catch (FormatException e)
        {
            var lines = text.Split('\n');
            var line = Array.FindIndex(lines, IsMalformed) + 1;
            throw new FormatException(line > 0 ? $"{path}:{line}: {e.Message}" : $"{path}: {e.Message}", e);
        }
    }

    private static bool IsMalformed(string line)
    {
        try
        {
            _ = DockerignoreMatcher.Parse(line);
            return false;
        }
        catch (FormatException)
        {
            return true;
        }
    }
}

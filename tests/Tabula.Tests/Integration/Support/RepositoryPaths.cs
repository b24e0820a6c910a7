namespace Tabula.Tests.Integration.Support;

/// <summary>Where the repository and the shared folder beside it are, found from the test binary.</summary>
public static class RepositoryPaths
{
    public const string SharedVariable = "TABULA_SHARED";

    /// <summary>The directory holding <c>Tabula.slnx</c>, searched upwards from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// Design and conformance data kept beside the repository, never inside it: <c>$TABULA_SHARED</c>
    /// when set, else the nearest <c>shared/</c> (holding DESIGN.md) above the repository. CI has it at
    /// <c>../shared</c>; a git worktree sits deeper than the clone, so the search goes further up.
    /// </summary>
    public static string Shared { get; } = FindShared();

    public static string Example(string name) => Path.Combine(Root, "examples", name);

    private static string FindRoot() =>
        Ancestors(AppContext.BaseDirectory).FirstOrDefault(directory => File.Exists(Path.Combine(directory, "Tabula.slnx")))
        ?? throw new InvalidOperationException($"no Tabula.slnx above {AppContext.BaseDirectory}");

    private static string FindShared()
    {
        var configured = Environment.GetEnvironmentVariable(SharedVariable);
        if (!string.IsNullOrEmpty(configured))
            return Path.GetFullPath(configured);
        return Ancestors(Path.GetDirectoryName(Root)!)
                   .Select(directory => Path.Combine(directory, "shared"))
                   .FirstOrDefault(shared => File.Exists(Path.Combine(shared, "DESIGN.md")))
               ?? Path.GetFullPath(Path.Combine(Root, "..", "shared"));
    }

    private static IEnumerable<string> Ancestors(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            yield return directory.FullName;
    }
}

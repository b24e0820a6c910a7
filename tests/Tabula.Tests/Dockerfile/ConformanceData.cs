using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Dockerfile;

/// <summary>
/// The shared conformance corpus: <c>conformance/</c> in the shared folder that
/// <see cref="RepositoryPaths.Shared"/> finds (so <c>TABULA_SHARED</c> is honoured here as everywhere).
/// Tests skip when it is absent, unless <c>TABULA_REQUIRE_INTEGRATION=1</c> asks for it to be there.
/// </summary>
public static class ConformanceData
{
    /// <summary>Stands for "no cases" in theory data when the corpus is absent.</summary>
    public const string Missing = "(corpus missing)";

    /// <summary>The corpus folder, or null when the shared folder has none.</summary>
    public static string? RootDirectory
    {
        get
        {
            var candidate = Path.Combine(RepositoryPaths.Shared, "conformance");
            return Directory.Exists(candidate) ? candidate : null;
        }
    }

    /// <summary>The path of <paramref name="relativePath"/> in the corpus; skips (or fails in CI) when the corpus is absent.</summary>
    public static string Require(string relativePath) =>
        Requirements.SharedData(Path.Combine("conformance", relativePath));

    /// <summary>
    /// Names of the case folders in <paramref name="suite"/> that <paramref name="include"/> accepts
    /// (all when it is null), or <see cref="Missing"/> alone when the corpus is absent.
    /// </summary>
    public static TheoryData<string> CaseNames(string suite, Func<string, bool>? include = null)
    {
        var data = new TheoryData<string>();
        var directory = RootDirectory is { } root ? Path.Combine(root, suite) : null;
        if (directory is null || !Directory.Exists(directory))
        {
            data.Add(Missing);
            return data;
        }
        foreach (var caseDirectory in Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            if (include is null || include(caseDirectory))
                data.Add(Path.GetFileName(caseDirectory));
        }
        return data;
    }
}

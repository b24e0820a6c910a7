namespace Tabula.Tests.Dockerfile;

/// <summary>
/// Finds the shared conformance corpus (a <c>shared/conformance</c> folder beside the
/// repository) by walking up from the test assembly. Tests skip when it is absent, unless
/// <c>TABULA_REQUIRE_INTEGRATION=1</c> asks for it to be there.
/// </summary>
public static class ConformanceData
{
    /// <summary>Stands for "no cases" in theory data when the corpus is absent.</summary>
    public const string Missing = "(corpus missing)";

    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The corpus folder, or null when there is none above the test assembly.</summary>
    public static string? RootDirectory => Root.Value;

    /// <summary>The path of <paramref name="relativePath"/> in the corpus; skips (or fails in CI) when the corpus is absent.</summary>
    public static string Require(string relativePath)
    {
        if (RootDirectory is { } root)
            return Path.Combine(root, relativePath);
        const string reason = "the shared conformance corpus (../shared/conformance) was not found above the test assembly";
        if (Environment.GetEnvironmentVariable("TABULA_REQUIRE_INTEGRATION") == "1")
            Assert.Fail(reason);
        Assert.Skip(reason);
        return "";
    }

    /// <summary>Names of the case folders in <paramref name="suite"/>, or <see cref="Missing"/> alone when the corpus is absent.</summary>
    public static TheoryData<string> CaseNames(string suite, params string[] excluded)
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
            var name = Path.GetFileName(caseDirectory);
            if (!excluded.Contains(name))
                data.Add(name);
        }
        return data;
    }

    private static string? FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "conformance");
            if (Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }
}

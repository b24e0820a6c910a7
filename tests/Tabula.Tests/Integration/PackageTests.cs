using System.Formats.Tar;
using System.Text.Json;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// The two packages as users get them: the tool installed with <c>dotnet tool install</c> and run, and the library
/// samples built against the library package (from a folder feed, not the repository's projects) and run.
/// </summary>
public sealed class PackageTests(PackageFeed packages) : IClassFixture<PackageFeed>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_tool_installs_from_its_package_and_reports_the_version()
    {
        using var temp = new TempDir("tool");
        var tools = temp.Combine("tools");

        await packages.RunDotnetAsync(["tool", "install", "Tabula.Cli", "--tool-path", tools, "--configfile", packages.NuGetConfig], Token);
        var version = await ProcessRunner.RunCheckedAsync(Path.Combine(tools, "tabula"), ["--version"], Token);

        Assert.StartsWith(packages.Version, version.StandardOutput.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_library_package_carries_its_readme_licence_docs_and_platform_targets()
    {
        using var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(packages.Feed, $"Tabula.{packages.Version}.nupkg"));
        var names = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        using var nuspec = new StreamReader(package.GetEntry("Tabula.nuspec")!.Open());
        var metadata = nuspec.ReadToEnd();

        Assert.Contains("lib/net10.0/Tabula.Core.dll", names);
        Assert.Contains("lib/net10.0/Tabula.Core.xml", names);
        Assert.Contains("buildTransitive/Tabula.targets", names);
        Assert.Contains("PACKAGE.md", names);
        Assert.Contains("LICENSE", names);
        Assert.Contains("<license type=\"expression\">MIT</license>", metadata);
        Assert.Contains("<readme>PACKAGE.md</readme>", metadata);
        Assert.DoesNotContain("Package Description", metadata);
    }

    [Fact]
    public async Task The_library_sample_builds_without_warnings_against_the_package_and_saves_a_loadable_archive()
    {
        using var temp = new TempDir("sample");
        var project = CopySample(temp, "BuildAndSave");

        var build = await packages.RunDotnetAsync(["build", project], Token);
        Assert.Contains(" 0 Warning(s)", build.StandardOutput);

        var archive = temp.Combine("hello.tar");
        var run = await ProcessRunner.RunCheckedAsync(Path.Combine(project, "bin", "Debug", "net10.0", "BuildAndSave"), [archive], Token,
            new ProcessOptions { Environment = new Dictionary<string, string?> { ["TABULA_ROOT"] = temp.Combine("store") } });

        Assert.Contains("built sha256:", run.StandardOutput);
        Assert.Contains("listed hello-library:latest", run.StandardOutput);
        Assert.Equal(["hello-library:latest"], await RepoTagsAsync(archive));
    }

    [Fact]
    public async Task Without_the_package_s_platform_marking_a_consumer_gets_CA1416_at_each_call()
    {
        // The other side of the sample's clean build: the marking is what keeps it clean.
        using var temp = new TempDir("sample");
        var project = CopySample(temp, "BuildAndSave");

        var build = await packages.RunDotnetUncheckedAsync(["build", project, "-p:TabulaMarkLinuxOnly=false"], Token);

        Assert.False(build.Succeeded);
        Assert.Contains("CA1416", build.StandardOutput);
    }

    /// <summary>
    /// The sample and what it imports (the samples' Directory.Build.props, Version.props) copied to the same places
    /// under <paramref name="temp"/>, so that its build shares nothing with the repository's, beside the feed's
    /// nuget.config (the nearest one wins); returns the project folder.
    /// </summary>
    private string CopySample(TempDir temp, string name)
    {
        var source = Path.Combine(RepositoryPaths.Example("library"), name);
        var target = temp.CreateDirectory("examples", "library", name);
        foreach (var file in new[] { "Program.cs", $"{name}.csproj" })
            File.Copy(Path.Combine(source, file), Path.Combine(target, file));
        File.Copy(Path.Combine(RepositoryPaths.Example("library"), "Directory.Build.props"), temp.Combine("examples", "library", "Directory.Build.props"));
        File.Copy(Path.Combine(RepositoryPaths.Root, "Version.props"), temp.Combine("Version.props"));
        File.Copy(packages.NuGetConfig, temp.Combine("nuget.config"));
        return target;
    }

    private static async Task<IReadOnlyList<string>> RepoTagsAsync(string archive)
    {
        await using var file = File.OpenRead(archive);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(cancellationToken: Token) is { } entry)
        {
            if (entry.Name != "manifest.json") continue;
            using var manifest = await JsonDocument.ParseAsync(entry.DataStream!, cancellationToken: Token);
            return [.. manifest.RootElement.EnumerateArray().SelectMany(i => i.GetProperty("RepoTags").EnumerateArray()).Select(t => t.GetString()!)];
        }
        throw new InvalidDataException($"{archive} has no manifest.json");
    }
}

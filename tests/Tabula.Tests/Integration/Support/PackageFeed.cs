namespace Tabula.Tests.Integration.Support;

/// <summary>
/// The library and tool packages, packed once (from the build the tests run on) into a folder feed, with a NuGet
/// configuration that restores from that feed and the machine's package cache only: offline, and without putting
/// the packages under test into the machine's cache, where a later pack of the same version would not replace them.
/// </summary>
public sealed class PackageFeed : IAsyncLifetime
{
    private readonly TempDir _temp = new("packages");

    public string Feed => _temp.Combine("feed");

    /// <summary>A nuget.config naming only the feed and the machine's package cache.</summary>
    public string NuGetConfig => _temp.Combine("nuget.config");

    /// <summary>Where restores put packages (instead of the machine's cache).</summary>
    public string PackagesFolder => _temp.Combine("packages");

    public string Version { get; private set; } = "";

    /// <summary>The variables every <c>dotnet</c> run here gets.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["NUGET_PACKAGES"] = PackagesFolder,
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        // Set by the `dotnet test` around us; a child build must find its own.
        ["MSBuildExtensionsPath"] = null,
        ["MSBuildSDKsPath"] = null,
        ["MSBUILD_EXE_PATH"] = null,
    };

    public static string Dotnet => System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public async ValueTask InitializeAsync()
    {
        var token = TestContext.Current.CancellationToken;
        // The configuration this test assembly was built in (bin/CONFIG/TFM/): its projects' outputs are already there.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        foreach (var project in new[] { "src/Tabula/Tabula.csproj", "src/Tabula.Cli/Tabula.Cli.csproj" })
            await RunDotnetAsync(["pack", Path.Combine(RepositoryPaths.Root, project), "-c", configuration, "--no-build", "-o", Feed], token);
        var tool = Directory.GetFiles(Feed, "Tabula.Cli.*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(tool)["Tabula.Cli.".Length..];

        // The machine's cache as this process's environment names it (not the folder the runs here restore into).
        var cache = (await ProcessRunner.RunCheckedAsync(Dotnet, ["nuget", "locals", "global-packages", "--list"], token)).StandardOutput.Trim();
        cache = cache[(cache.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        await File.WriteAllTextAsync(NuGetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="tabula-feed" value="{Feed}" />
                <add key="machine-cache" value="{cache}" />
              </packageSources>
            </configuration>
            """, token);
    }

    /// <summary>Runs <c>dotnet ARGS</c>; unless it succeeds, fails with both outputs (the SDK reports errors on stdout).</summary>
    public async Task<ProcessResult> RunDotnetAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var result = await RunDotnetUncheckedAsync(arguments, cancellationToken, workingDirectory);
        Assert.True(result.Succeeded, $"`{result.CommandLine}` exited with {result.ExitCode}:\n{result.StandardOutput}\n{result.StandardError}");
        return result;
    }

    public Task<ProcessResult> RunDotnetUncheckedAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, string? workingDirectory = null) =>
        ProcessRunner.RunAsync(Dotnet, arguments, cancellationToken,
            new ProcessOptions { Environment = Environment, WorkingDirectory = workingDirectory, Timeout = TimeSpan.FromMinutes(10) });

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}

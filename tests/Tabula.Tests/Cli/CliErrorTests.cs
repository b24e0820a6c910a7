using Tabula.Cli;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Cli;

/// <summary>The command line's contract: exit codes 0/1/2 and one line per error, without a stack trace.</summary>
public class CliErrorTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(TempDir store, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", store.Path, .. args], output, error, _ => null, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task UnknownOptionIsAUsageError()
    {
        using var store = new TempDir();
        var (code, _, err) = await RunAsync(store, "images", "--bogus");
        Assert.Equal(CliApp.Usage, code);
        Assert.Contains("--bogus", err);
    }

    [Fact]
    public async Task MissingImageIsOneLineAndExitCodeOne()
    {
        using var store = new TempDir();
        var (code, _, err) = await RunAsync(store, "inspect", "nothing-here");
        Assert.Equal(CliApp.Failure, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("nothing-here", line);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task RemovingAnImageWithSeveralNamesByIdIsAUserErrorWithItsOwnType()
    {
        using var store = new TempDir();
        Assert.Equal(CliApp.Ok, (await RunAsync(store, "build", "-q", "-t", "one:1", "-t", "two:2", RepositoryPaths.Example("hello"))).Code);
        var id = (await RunAsync(store, "images", "-q")).Out.Trim();

        var (code, _, err) = await RunAsync(store, "rmi", id);

        Assert.Equal(CliApp.Failure, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"Error: image {id} is referenced in multiple repositories (one:1, two:2); remove them by name, or use --force", line);
    }

    [Fact]
    public async Task MalformedDockerfileNamesFileAndLine()
    {
        using var store = new TempDir();
        using var context = new TempDir();
        await File.WriteAllTextAsync(context.Combine("Dockerfile"), "FROM scratch\nCMD [\"/bin/sh\"\nNOTANINSTRUCTION x\n", TestContext.Current.CancellationToken);
        var (code, _, err) = await RunAsync(store, "build", context.Path);
        Assert.Equal(CliApp.Failure, code);
        Assert.Matches(@"Dockerfile:3", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task MissingContextFileIsNamed()
    {
        using var store = new TempDir();
        using var context = new TempDir();
        await File.WriteAllTextAsync(context.Combine("Dockerfile"), "FROM scratch\nCOPY missing.txt /\n", TestContext.Current.CancellationToken);
        var (code, _, err) = await RunAsync(store, "build", "-t", "x", context.Path);
        Assert.Equal(CliApp.Failure, code);
        Assert.Contains("missing.txt", err);
        Assert.Contains("Dockerfile:2", err);
        var (_, listing, _) = await RunAsync(store, "images", "-q");
        Assert.Equal("", listing);
    }

    [Fact]
    public async Task DebugShowsTheDetails()
    {
        using var store = new TempDir();
        var (_, _, err) = await RunAsync(store, "--debug", "inspect", "nothing-here");
        Assert.Contains("   at ", err);
    }
}

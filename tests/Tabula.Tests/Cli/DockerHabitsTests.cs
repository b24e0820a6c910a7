using Tabula.Cli;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Cli;

/// <summary>What docker users type: management commands, version/help, a mistyped verb and docker-only run flags.</summary>
public class DockerHabitsTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(TempDir store, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", store.Path, .. args], output, error, _ => null, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData(new[] { "image", "ls" }, new[] { "images" })]
    [InlineData(new[] { "image", "rm", "x" }, new[] { "rmi", "x" })]
    [InlineData(new[] { "--debug", "image", "inspect", "x" }, new[] { "--debug", "inspect", "x" })]
    [InlineData(new[] { "container", "run", "img", "ls", "-l" }, new[] { "run", "img", "ls", "-l" })]
    [InlineData(new[] { "system", "df" }, new[] { "df" })]
    [InlineData(new[] { "buildx", "build", "-t", "a", "." }, new[] { "build", "-t", "a", "." })]
    [InlineData(new[] { "version" }, new[] { "--version" })]
    [InlineData(new[] { "help" }, new[] { "--help" })]
    [InlineData(new[] { "help", "build" }, new[] { "build", "--help" })]
    [InlineData(new[] { "--timeout", "5s", "image", "pull", "x" }, new[] { "--timeout", "5s", "pull", "x" })]
    [InlineData(new[] { "images", "image" }, new[] { "images", "image" })]
    public void DockerSpellingsBecomeTabulasVerbs(string[] typed, string[] expected)
        => Assert.Equal(expected, DockerHabits.Rewrite(typed));

    [Fact]
    public async Task ImageLsListsAndVersionPrintsTheVersion()
    {
        using var store = new TempDir();
        var (code, output, _) = await RunAsync(store, "image", "ls");
        Assert.Equal(CliApp.Ok, code);
        Assert.StartsWith("REPOSITORY", output);
        var version = new StringWriter();
        code = await CliApp.RunAsync(["version"], version, new StringWriter(), _ => null, TestContext.Current.CancellationToken);
        output = version.ToString();
        Assert.Equal(CliApp.Ok, code);
        Assert.Matches("^[0-9]+\\.[0-9]+", output.Trim());
    }

    [Theory]
    [InlineData("biuld", "Error: unknown command 'biuld' (did you mean 'build'?)")]
    [InlineData("imgaes", "Error: unknown command 'imgaes' (did you mean 'images'?)")]
    [InlineData("frobnicate", "Error: unknown command 'frobnicate'")]
    public async Task AnUnknownVerbIsAUsageErrorWithASuggestion(string verb, string expected)
    {
        using var store = new TempDir();
        var (code, _, err) = await RunAsync(store, verb, ".");
        Assert.Equal(CliApp.Usage, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([expected, "See 'tabula --help'."], lines);
    }

    [Theory]
    [InlineData("-it", "'tabula run' has no -t/--tty")]
    [InlineData("-t", "'tabula run' has no -t/--tty")]
    [InlineData("-d", "'tabula run' has no -d/--detach")]
    [InlineData("--detach", "'tabula run' has no -d/--detach")]
    [InlineData("-p=8080:80", "'tabula run' has no -p/--publish")]
    [InlineData("--name=web", "'tabula run' has no --name")]
    public async Task DockerRunFlagsTabulaLacksAreRefusedByName(string flag, string expected)
    {
        using var store = new TempDir();
        var (code, _, err) = await RunAsync(store, "run", flag, "busybox", "sh");
        Assert.Equal(CliApp.Usage, code);
        Assert.StartsWith("Error: " + expected, err.Split('\n')[0]);
    }

    [Fact]
    public async Task FlagsOfTheContainersCommandAreItsOwn()
    {
        // "-t" after the image belongs to the command (ls -t), so it is no docker flag to refuse.
        Assert.Null(DockerHabits.UnsupportedRunFlag(["run", "-e", "A=1", "busybox", "ls", "-t"]));
        Assert.Null(DockerHabits.UnsupportedRunFlag(["run", "-i", "busybox"]));
        using var store = new TempDir();
        var (code, _, err) = await RunAsync(store, "run", "-i", "nothing:here", "ls", "-t");
        Assert.Equal(CliApp.Failure, code);
        Assert.Contains("image 'nothing:here' not found", err);
    }

    [Fact]
    public async Task UsageErrorsSayErrorAsRuntimeErrorsDo()
    {
        using var store = new TempDir();
        var (code, _, err) = await RunAsync(store, "images", "--bogus");
        Assert.Equal(CliApp.Usage, code);
        Assert.StartsWith("Error: unknown flag: --bogus", err);
    }

    [Fact]
    public async Task APermissionDeniedStoreSaysSoInOneLine()
    {
        using var temp = new TempDir();
        var user = await UnprivilegedTabula.CreateAsync(temp.CreateDirectory("user"), TestContext.Current.CancellationToken);
        await UnprivilegedTabula.GiveAsync(temp.Path, TestContext.Current.CancellationToken); // so the user reaches its program
        // A normal user may not make a folder in "/": the store cannot be created there.
        var result = await user.RunAsync($"/tabula-store-{Guid.NewGuid():N}", ["images"], TestContext.Current.CancellationToken);
        Assert.Equal(CliApp.Failure, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Error: permission denied: /tabula-store-", line);
        Assert.EndsWith("run as a user who may write there, or choose another store with --root", line);
    }
}

using Tabula.Cli;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Cli;

/// <summary><c>tabula build --check</c> and the warnings after a build, printed as <c>docker buildx build</c> prints them.</summary>
public sealed class BuildCheckCliTests
{
    private const string BadName = "# a stage\nFROM scratch AS BadName\nCOPY Dockerfile /\n";

    private static async Task<(int Code, string Out, string Err)> RunAsync(TempDir store, TempDir context, string dockerfile, params string[] args)
    {
        await File.WriteAllTextAsync(Path.Combine(context.Path, "Dockerfile"), dockerfile, TestContext.Current.CancellationToken);
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", store.Path, "build", .. args, context.Path], output, error, _ => null, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task CheckPrintsEachWarningWithItsSourceExitsOneAndBuildsNothing()
    {
        using var store = new TempDir();
        using var context = new TempDir();
        var (code, output, _) = await RunAsync(store, context, BadName, "--check", "-t", "checked:latest");
        Assert.Equal(CliApp.Failure, code);
        Assert.Equal(
            """
            Check complete, 1 warning has been found!

            WARNING: StageNameCasing - https://docs.docker.com/go/dockerfile/rule/stage-name-casing/
            Stage name 'BadName' should be lowercase
            Dockerfile:2
            --------------------
               1 |     # a stage
               2 | >>> FROM scratch AS BadName
               3 |     COPY Dockerfile /
               4 |     
            --------------------

            """.ReplaceLineEndings("\n"), output.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(Path.Combine(store.Path, "index.json")) && File.ReadAllText(Path.Combine(store.Path, "index.json")).Contains("checked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckOfACleanDockerfileExitsZero()
    {
        using var store = new TempDir();
        using var context = new TempDir();
        var (code, output, _) = await RunAsync(store, context, "FROM scratch\nCOPY Dockerfile /\n", "--check");
        Assert.Equal((CliApp.Ok, "Check complete, no warnings found.\n"), (code, output.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task CheckReportsTheErrorABuildWouldStopAtAfterTheWarningsAboveIt()
    {
        using var store = new TempDir();
        using var context = new TempDir();
        var (code, output, error) = await RunAsync(store, context, "FROM scratch\nMAINTAINER me@example.org\nBADCMD\n", "--check");
        Assert.Equal(CliApp.Failure, code);
        Assert.Contains("WARNING: MaintainerDeprecated", output, StringComparison.Ordinal);
        Assert.StartsWith("Error: Dockerfile:3: unknown instruction: BADCMD", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildPrintsWarningsAsItGoesAndASummaryAfter()
    {
        using var store = new TempDir();
        using var context = new TempDir();
        var (code, output, _) = await RunAsync(store, context, BadName, "-t", "warned:latest");
        Assert.Equal(CliApp.Ok, code);
        Assert.Contains("WARN: StageNameCasing: Stage name 'BadName' should be lowercase (line 2)\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith("Successfully tagged warned:latest\n\n 1 warning found:\n - StageNameCasing: Stage name 'BadName' should be lowercase (line 2)\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorTrueFailsTheBuildBeforeItsFirstStep()
    {
        using var store = new TempDir();
        using var context = new TempDir();
        var (code, output, error) = await RunAsync(store, context, "# check=error=true\n" + BadName, "-t", "failed:latest");
        Assert.Equal(CliApp.Failure, code);
        Assert.DoesNotContain("Step 1/", output, StringComparison.Ordinal);
        Assert.StartsWith("Error: Dockerfile:3: lint violation found for rules: StageNameCasing", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBuildArgOverridesTheDirective()
    {
        using var store = new TempDir();
        using var context = new TempDir();
        var (code, output, _) = await RunAsync(store, context, "# check=error=true\n" + BadName, "--build-arg", "BUILDKIT_DOCKERFILE_CHECK=skip=StageNameCasing", "-t", "ok:latest");
        Assert.Equal(CliApp.Ok, code);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);
        Assert.DoesNotContain("BUILDKIT_DOCKERFILE_CHECK", output, StringComparison.Ordinal); // not an unused build arg
    }

    [Fact]
    public async Task AnUnreadableDirectiveIsAnError()
    {
        using var store = new TempDir();
        using var context = new TempDir();
        var (code, _, error) = await RunAsync(store, context, "# check=error=maybe\nFROM scratch\n", "--check");
        Assert.Equal(CliApp.Failure, code);
        Assert.StartsWith("Error: failed to parse check options of the # check= directive: failed to parse check option \"error=maybe\"", error, StringComparison.Ordinal);
    }
}

namespace Tabula.Tests.Integration;

/// <summary>An ONBUILD RUN trigger of a base image runs through runc right after FROM in the child's build.</summary>
public sealed class RunOnbuildTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_trigger_runs_before_the_stage_instructions()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var baseContext = fixture.Context("base", $"FROM {RunFixture.BaseImage}\nONBUILD RUN echo triggered > /t\n");
        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", "onbuild-base:1", baseContext);
        Assert.True(code == 0, error + output);

        var child = fixture.Context("child", "FROM onbuild-base:1\nRUN cat /t > /seen\n");
        (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", "onbuild-child:1", child);
        Assert.True(code == 0, error + output);

        var (runCode, seen, runError) = await fixture.TabulaAsync(Ct, "run", "--rm", "onbuild-child:1", "cat", "/seen");
        Assert.True(runCode == 0, runError);
        Assert.Equal("triggered\n", seen);
        var (_, inspect, _) = await fixture.TabulaAsync(Ct, "inspect", "onbuild-child:1");
        Assert.DoesNotContain("echo triggered", inspect.Split("\"History\"")[0]);
    }
}

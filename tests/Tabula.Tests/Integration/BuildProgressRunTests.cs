using System.Text.Json;

namespace Tabula.Tests.Integration;

/// <summary><c>--progress=rawjson</c> with what only RUN gives: output lines of the step, and a failure.</summary>
public sealed class BuildProgressRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<JsonElement> Events(string output)
        => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [Fact]
    public async Task RawJsonCarriesRunOutputLinesAndTheFailure()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nRUN echo first && echo second\n");

        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "--progress=rawjson", "--no-cache", context);

        Assert.True(code == 0, error + output);
        var events = Events(output);
        var logs = events.Where(e => e.GetProperty("type").GetString() == "step.log").ToList();
        Assert.Equal(["first", "second"], logs.Select(e => e.GetProperty("line").GetString()));
        Assert.All(logs, e => Assert.Equal(2, e.GetProperty("step").GetInt32()));
        Assert.Equal("build.finished", events[^1].GetProperty("type").GetString());

        var failing = fixture.Context("failing", $"FROM {RunFixture.BaseImage}\nRUN echo before-failing && false\n");
        var (failedCode, failedOutput, failedError) = await fixture.TabulaAsync(Ct, "build", "--progress=rawjson", failing);

        Assert.Equal(1, failedCode);
        var failed = Events(failedOutput);
        Assert.Contains(failed, e => e.GetProperty("type").GetString() == "step.log" && e.GetProperty("line").GetString() == "before-failing");
        Assert.Equal("build.failed", failed[^1].GetProperty("type").GetString());
        Assert.StartsWith("Error: ", failedError);
    }
}

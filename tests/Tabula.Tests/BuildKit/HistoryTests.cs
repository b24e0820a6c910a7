using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_history_test.go.</summary>
public class HistoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TestExportedHistoryFlattenArgs()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "flatten-args:1", "FROM busybox\nARG foo=bar\nARG bar=123\nARG foo=bar2\nRUN ls /etc/\n");
        var history = image.Config.History!;
        int firstNonBase = history.ToList().FindIndex(h => h.CreatedBy == "ARG foo=bar");
        Assert.True(firstNonBase > 0);
        Assert.Equal(firstNonBase + 4, history.Count);
        Assert.Contains("ARG bar=123", history[firstNonBase + 1].CreatedBy);
        Assert.Contains("ARG foo=bar2", history[firstNonBase + 2].CreatedBy);
        var runLine = history[firstNonBase + 3].CreatedBy!;
        Assert.Contains("ls /etc/", runLine);
        Assert.DoesNotContain("ARG foo=bar", runLine);
        Assert.Contains("RUN |2 foo=bar2 bar=123 ", runLine);
    }
}

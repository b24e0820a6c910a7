using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_history_test.go.</summary>
public class HistoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// History is scoped to the stage; a RUN that changes nothing (<c>RUN ["ls"]</c>) still commits a layer, empty, as
    /// BuildKit does (docker's legacy builder records none): the base's layers and three more.
    /// </summary>
    [Fact]
    public async Task TestExportedHistory()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var baseImage = await BusyboxBuild.LoadAsync(fixture, RunFixture.BaseImage);
        var context = fixture.Context("ctx", BusyboxBuild.WithBase("""
            FROM busybox AS base
            ENV foo=bar
            COPY foo /foo2
            FROM busybox
            LABEL lbl=val
            COPY --from=base foo2 foo3
            WORKDIR /
            RUN echo bar > foo4
            RUN ["ls"]
            EXPOSE 2375 5000 1234/udp
            """), ("foo", "contents0"));
        var (code, _, error) = await fixture.TabulaAsync(Ct, "build", "-t", "history:1", context);
        Assert.True(code == 0, error);
        var config = (await BusyboxBuild.LoadAsync(fixture, "history:1")).Config;

        Assert.Equal("layers", config.RootFs.Type);
        Assert.Equal(baseImage.Config.RootFs.DiffIds.Count + 3, config.RootFs.DiffIds.Count);
        Assert.Equal("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", config.RootFs.DiffIds[^1].ToString()); // an empty tar
        int offset = baseImage.Config.History!.Count;
        var history = config.History!;
        Assert.Equal(offset + 6, history.Count);
        var expected = new (string CreatedBy, bool EmptyLayer)[]
        {
            ("lbl=val", true), ("COPY foo2 foo3", false), ("WORKDIR /", true), ("echo bar > foo4", false), ("RUN ls", false), ("EXPOSE [1234/udp 2375/tcp 5000/tcp]", true),
        };
        for (int i = 0; i < expected.Length; i++)
        {
            var entry = history[offset + i];
            Assert.Contains(expected[i].CreatedBy, entry.CreatedBy);
            Assert.True(expected[i].EmptyLayer == (entry.EmptyLayer ?? false), $"{entry.CreatedBy}: empty_layer {entry.EmptyLayer}");
            Assert.NotNull(entry.Created);
        }
    }

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

using Tabula.Dockerfile;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_multistage_test.go, test by test (rows in tests/buildkit-parity.md).</summary>
public sealed class MultistageTests
{
    [Fact]
    public async Task TestMultiStageImplicitFrom()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAsync();
        var image = await h.BuildImageAsync("FROM scratch\nCOPY --from=busybox /etc/passwd test\n");
        Assert.Contains("root", await BuildKitHarness.FileTextAsync(image, "test"));

        // A stage named like an image masks the image.
        image = await h.BuildImageAsync("""
            FROM busybox AS golang
            RUN mkdir -p /usr/bin && echo -n foo > /usr/bin/go
            FROM scratch
            COPY --from=golang /usr/bin/go go
            """);
        Assert.Contains("foo", await BuildKitHarness.FileTextAsync(image, "go"));
    }

    [Fact]
    public async Task TestMultiStageCaseInsensitive()
    {
        using var h = new BuildHarness();
        h.File("foo", "foo-contents", "600");
        await h.BuildAsync(h.Options("""
            FROM scratch AS STAge0
            COPY foo bar
            FROM scratch AS staGE1
            COPY --from=staGE0 bar baz
            FROM scratch
            COPY --from=stage1 baz bax
            """) with { Target = "Stage1" });
        Assert.Contains("foo-contents", await BuildKitHarness.FileTextAsync(await h.LoadAsync("test:latest"), "baz"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/d2")]
    public async Task TestOutOfOrderStage(string source)
    {
        using var h = new BuildHarness();
        await h.AddBusyboxAndAlpineAsync();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync($"""
            FROM busybox AS target
            COPY --from=build {source} /out
            FROM alpine AS build
            COPY /Dockerfile /d2
            FROM target
            """));
        Assert.Contains("cannot copy from stage \"build\"", error.Message);
        Assert.Contains("needs to be defined before current stage", error.Message);
    }

    [Fact]
    public async Task TestEmptyStages()
    {
        using var h = new BuildHarness();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("ARG foo=bar"));
        Assert.Contains("dockerfile contains no stages to build", error.Message);
    }
}

using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_onbuild_test.go, test by test (rows in tests/buildkit-parity.md). BuildKit
/// pushes the intermediate images to a registry and builds FROM them; here they go to the store, which FROM reads.
/// </summary>
public sealed class OnbuildTests
{
    [Fact]
    public async Task TestOnBuildCleared()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAsync();
        await h.BuildAsync("FROM busybox\nONBUILD RUN mkdir -p /out && echo -n 11 >> /out/foo\n", "testonbuild:base");
        await h.BuildAsync("FROM testonbuild:base\n", "testonbuild:child");
        var image = await h.BuildImageAsync("FROM testonbuild:child AS base\nFROM scratch\nCOPY --from=base /out /\n");

        Assert.Equal("11", await BuildKitHarness.FileTextAsync(image, "foo"));
    }

    [Fact]
    public async Task TestOnBuildWithChildStage()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAsync();
        await h.BuildAsync("FROM busybox\nONBUILD RUN mkdir -p /out && echo -n yes >> /out/didrun\n", "testonbuildstage:base");
        var image = await h.BuildImageAsync("""
            FROM testonbuildstage:base AS base
            RUN [ -f /out/didrun ] && touch /step1
            RUN rm /out/didrun
            RUN [ ! -f /out/didrun ] && touch /step2
            FROM base AS child
            RUN [ ! -f /out/didrun ] && touch /step3
            FROM scratch
            COPY --from=child /step* /
            """);

        Assert.Equal("", await BuildKitHarness.FileTextAsync(image, "step1"));
        Assert.Equal("", await BuildKitHarness.FileTextAsync(image, "step2"));
        Assert.Equal("", await BuildKitHarness.FileTextAsync(image, "step3"));
    }

    [Fact]
    public async Task TestOnBuildInheritedStageRun()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAsync();
        var image = await h.BuildImageAsync("""
            FROM busybox AS base
            ONBUILD RUN mkdir -p /out && echo -n 11 >> /out/foo
            FROM base AS mid
            RUN cp /out/foo /out/bar
            FROM scratch
            COPY --from=mid /out/bar /
            """);

        Assert.Equal("11", await BuildKitHarness.FileTextAsync(image, "bar"));
    }

    [Fact]
    public async Task TestOnBuildInheritedStageWithFrom()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAndAlpineAsync();
        var image = await h.BuildImageAsync("""
            FROM alpine AS src
            RUN mkdir -p /in && echo -n 12 > /in/file
            FROM busybox AS base
            ONBUILD COPY --from=src /in/file /out/foo
            FROM base AS mid
            RUN cp /out/foo /out/bar
            FROM scratch
            COPY --from=mid /out/bar /
            """);

        Assert.Equal("12", await BuildKitHarness.FileTextAsync(image, "bar"));
    }

    [Fact]
    public async Task TestOnBuildNewDeps()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAndAlpineAsync();
        await h.BuildAsync("FROM busybox\nONBUILD COPY --from=alpine /etc/alpine-release /out/alpine-release2\n", "testonbuilddeps:base");
        var image = await h.BuildImageAsync("""
            FROM testonbuilddeps:base AS base
            RUN cat /out/alpine-release2 > /out/alpine-release3
            FROM scratch
            COPY --from=base /out /
            """);
        Assert.True((await BuildKitHarness.FileTextAsync(image, "alpine-release3"))?.Length > 5);

        // Nested: an ONBUILD that mounts a stage the consuming Dockerfile defines.
        await h.BuildAsync(
            "FROM alpine\nONBUILD RUN --mount=type=bind,target=/in,from=inputstage mkdir /out && cat /in/foo > /out/bar && cat /in/out/alpine-release2 > /out/bar2\n",
            "testonbuilddeps:base2");
        image = await h.BuildImageAsync("""
            FROM testonbuilddeps:base AS inputstage
            RUN cat /out/alpine-release2 > /out/alpine-release4
            RUN echo -n foo > /foo
            FROM testonbuilddeps:base2 AS base
            RUN echo -n bar3 > /out/bar3
            FROM scratch
            COPY --from=base /out /
            """);
        Assert.Equal("foo", await BuildKitHarness.FileTextAsync(image, "bar"));
        Assert.True((await BuildKitHarness.FileTextAsync(image, "bar2"))?.Length > 5);
        Assert.Equal("bar3", await BuildKitHarness.FileTextAsync(image, "bar3"));
    }

    [Fact]
    public async Task TestOnBuildWithCacheMount()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAsync();
        await h.BuildAsync(
            "FROM busybox\nONBUILD RUN --mount=type=cache,target=/cache echo -n 42 >> /cache/foo && echo -n 11 >> /bar\n",
            "testonbuild:base");
        await h.BuildAsync("""
            FROM testonbuild:base
            RUN --mount=type=cache,target=/cache [ "$(cat /cache/foo)" = "42" ] && [ "$(cat /bar)" = "11" ]
            """);
    }

    /// <summary>The base is a named context from an OCI layout; its ONBUILD trigger copies from a stage of the consuming Dockerfile.</summary>
    [Fact]
    public async Task TestOnBuildNamedContext()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        using var temp = new Tabula.Tests.Integration.Support.TempDir("onbuild-named");
        await h.AddBusyboxAndAlpineAsync();
        await h.BuildAsync("FROM busybox:latest\nONBUILD COPY --from=otherstage /testfile /out/foo\n", "onbuild-named:base");
        var (layout, digest) = await NamedContextTests.OciLayoutAsync(h, temp, "onbuild-named:base");
        var tag = "onbuild-named:result";
        await h.BuildAsync(h.Options("""
            FROM alpine AS otherstage
            RUN echo -n "hello" > /testfile
            FROM base AS inputstage
            FROM scratch
            COPY --from=inputstage /out/foo /bar
            """, tag) with { NamedContexts = NamedContextTests.Contexts(("base", $"oci-layout://{layout}@{digest}")) });
        Assert.Equal("hello", await BuildKitHarness.FileTextAsync(await h.LoadAsync(tag), "bar"));
    }
}

using Tabula.Oci;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_platform_test.go, test by test (rows in tests/buildkit-parity.md).</summary>
public sealed class PlatformTests
{
    [Fact]
    public async Task TestPlatformArgsImplicit()
    {
        using var h = new BuildHarness();
        h.File("foo", "d0", "600");
        h.File("foo2", "d1", "600");
        var image = await h.BuildImageAsync("""
            FROM scratch AS build-linux
            COPY foo bar
            FROM build-${TARGETOS}
            COPY foo2 bar2
            """);

        Assert.Equal("d0", await BuildKitHarness.FileTextAsync(image, "bar"));
        Assert.Equal("d1", await BuildKitHarness.FileTextAsync(image, "bar2"));
    }

    [Fact]
    public async Task TestPlatformArgsExplicit()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAsync();
        await h.BuildAsync(h.Options("""
            FROM --platform=$BUILDPLATFORM busybox AS build
            ARG TARGETPLATFORM
            ARG TARGETOS
            RUN mkdir /out && echo -n $TARGETPLATFORM > /out/platform && echo -n $TARGETOS > /out/os
            FROM scratch
            COPY --from=build out .
            """) with
        {
            Platform = Platform.Parse("darwin/ppc64le"),
            BuildArgs = new Dictionary<string, string> { ["TARGETOS"] = "freebsd" },
        });
        var image = await h.LoadAsync("test:latest");

        Assert.Equal("darwin/ppc64le", await BuildKitHarness.FileTextAsync(image, "platform"));
        Assert.Equal("freebsd", await BuildKitHarness.FileTextAsync(image, "os"));
    }

    /// <summary>BuildKit pushes the windows base to a registry; the store serves FROM here just the same.</summary>
    [Fact]
    public async Task TestMaintainBaseOSVersion()
    {
        using var h = new BuildHarness();
        var windows = new Platform { Os = "windows", Architecture = "amd64", OsVersion = "10.0.20348.1006" };
        await h.BuildAsync(h.Options("""
            FROM scratch
            ARG TARGETPLATFORM
            COPY <<EOF /platform
            ${TARGETPLATFORM}
            EOF
            """, "testplatformwithosversion-1:latest") with { Platform = windows });
        Assert.Equal(windows.OsVersion, (await h.LoadAsync("testplatformwithosversion-1:latest")).Config.OsVersion);

        await h.BuildAsync(h.Options("""
            FROM testplatformwithosversion-1:latest
            COPY <<EOF /other
            hello
            EOF
            """, "testplatformwithosversion-2:latest") with { Platform = Platform.Parse("windows/amd64") });

        Assert.Equal(windows.OsVersion, (await h.LoadAsync("testplatformwithosversion-2:latest")).Config.OsVersion);
    }
}

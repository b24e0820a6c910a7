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

    /// <summary>
    /// Two Windows OS versions of one architecture in one index (BuildKit pushes it; here the store keeps it), each
    /// platform's folder named by its full form, and a FROM of that index taking the OS version asked for. Nothing RUNs.
    /// </summary>
    [Fact]
    public async Task TestPlatformWithOSVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new Integration.Support.TempDir("platform-osversion");
        const string p1 = "windows(1.2.3)/bar";
        const string p2 = "windows(1.1.0)/bar";
        const string target = "localhost:5000/buildkit/testplatformwithosversion:latest";
        var context = temp.CreateDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $$"""

            FROM {{target}} AS reg

            FROM scratch AS base
            ARG TARGETOSVERSION
            COPY <<EOF /osversion
            ${TARGETOSVERSION}
            EOF
            ARG TARGETPLATFORM
            COPY <<EOF /targetplatform
            ${TARGETPLATFORM}
            EOF

            """, ct);
        var cli = new Integration.Support.TabulaCli(temp.Combine("store"));

        // The base target as a multi-platform image, into the store and into a local output.
        await cli.RunCheckedAsync(["build", "-q", "--platform", $"{p1},{p2}", "--target", "base", "-t", target, context], ct);
        var destDir = temp.Combine("local");
        await cli.RunCheckedAsync(["build", "-q", "--platform", $"{p1},{p2}", "--target", "base", "-o", $"type=local,dest={destDir}", context], ct);

        var store = Tabula.Transports.ImageStore.Open(cli.StoreRoot);
        var stored = await store.Resolver.ResolveAsync(target, ct);
        var index = OciJson.DeserializeIndex(await store.Content.ReadAllBytesAsync(stored.Manifest.Digest, ct));
        Assert.Equal(2, index.Manifests.Count);
        Assert.Equal("1.2.3", (await store.Layout.LoadImageAsync(index.Manifests[0], null, ct)).Config.OsVersion);
        Assert.Equal("1.1.0", (await store.Layout.LoadImageAsync(index.Manifests[1], null, ct)).Config.OsVersion);

        Assert.Equal("1.2.3\n", await File.ReadAllTextAsync(Path.Combine(destDir, p1.Replace("/", "_", StringComparison.Ordinal), "osversion"), ct));
        Assert.Equal(p1 + "\n", await File.ReadAllTextAsync(Path.Combine(destDir, p1.Replace("/", "_", StringComparison.Ordinal), "targetplatform"), ct));
        Assert.Equal("1.1.0\n", await File.ReadAllTextAsync(Path.Combine(destDir, p2.Replace("/", "_", StringComparison.Ordinal), "osversion"), ct));
        Assert.Equal(p2 + "\n", await File.ReadAllTextAsync(Path.Combine(destDir, p2.Replace("/", "_", StringComparison.Ordinal), "targetplatform"), ct));

        // The "reg" target takes the image of the OS version asked for from the index.
        foreach (var (platform, version) in new[] { (p1, "1.2.3"), (p2, "1.1.0") })
        {
            var regDir = temp.Combine("reg-" + version);
            await cli.RunCheckedAsync(["build", "-q", "--platform", platform, "--target", "reg", "-o", $"type=local,dest={regDir}", context], ct);
            Assert.Equal(version + "\n", await File.ReadAllTextAsync(Path.Combine(regDir, "osversion"), ct));
        }
    }
}

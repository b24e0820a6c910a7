using System.Text.Json;
using Tabula.Build;
using Tabula.Oci;
using Tabula.Tests.Build;
using Tabula.Tests.BuildKit;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>--platform linux/amd64,linux/arm64</c> for real: the arm64 RUN goes through binfmt_misc + QEMU, the base of each
/// platform is a static busybox of that architecture (the machine's, and Debian's busybox-static:arm64), and the index
/// goes to the real registry, read back by skopeo and pulled by docker.
/// </summary>
public class MultiPlatformBuildTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// A cross-compiling stage on the build platform (run once, its result shared by both platforms) and a final stage
    /// whose RUN runs on the target platform and writes what it saw.
    /// </summary>
    private const string Dockerfile = """
        FROM --platform=$BUILDPLATFORM scratch AS tools
        ARG BUILDARCH
        COPY busybox-$BUILDARCH /bin/busybox
        RUN ["/bin/busybox", "sh", "-c", "/bin/busybox uname -m > /built-on"]

        FROM scratch
        ARG TARGETARCH
        COPY busybox-$TARGETARCH /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]
        ARG TARGETPLATFORM TARGETOS TARGETVARIANT BUILDPLATFORM BUILDOS BUILDARCH BUILDVARIANT
        RUN uname -m > /arch && echo "$TARGETPLATFORM|$TARGETOS|$TARGETARCH|$TARGETVARIANT|$BUILDPLATFORM|$BUILDOS|$BUILDARCH|$BUILDVARIANT" > /args
        COPY --from=tools /built-on /built-on
        """;

    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");
    private static readonly Platform Arm64 = Platform.Parse("linux/arm64");

    /// <summary>A context with both busyboxes (<c>busybox-amd64</c>, <c>busybox-arm64</c>); the machine must be amd64 (the fixture has no other native busybox).</summary>
    internal static void WriteContext(string directory, string dockerfile = Dockerfile)
    {
        BuildKitHarness.RequireRun();
        var arm64 = Requirements.Arm64Busybox();
        if (Platform.Host.Architecture != "amd64") Assert.Skip("the fixture's native busybox is amd64; this machine is " + Platform.Host);
        Directory.CreateDirectory(directory);
        File.Copy(BusyboxRootfs.BusyboxPath, Path.Combine(directory, "busybox-amd64"));
        File.Copy(arm64, Path.Combine(directory, "busybox-arm64"));
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), dockerfile);
    }

    [Fact]
    public async Task Each_platform_runs_its_own_architecture_and_the_index_names_both()
    {
        using var h = new BuildHarness();
        WriteContext(h.ContextDirectory);
        var result = await h.BuildAsync(h.Options(Dockerfile) with { DockerfileText = null, Platform = null, Platforms = [Amd64, Arm64] });

        Assert.Equal(MediaTypes.OciIndex, result.Manifest.MediaType);
        var index = OciJson.DeserializeIndex(await h.Store.Content.ReadAllBytesAsync(result.Manifest.Digest, Token));
        Assert.Equal(["linux/amd64", "linux/arm64"], index.Manifests.Select(m => m.Platform!.ToString()));
        Assert.All(index.Manifests, m => Assert.Equal(MediaTypes.OciManifest, m.MediaType));
        Assert.Equal(result.Manifest.Digest, (await h.Store.Resolver.ResolveAsync("test:latest", Token)).Manifest.Digest);

        var amd64 = await h.Store.Layout.LoadImageAsync(result.Manifest, Amd64, Token);
        var arm64 = await h.Store.Layout.LoadImageAsync(result.Manifest, Arm64, Token);
        Assert.Equal(("amd64", (string?)null), (amd64.Config.Architecture, amd64.Config.Variant));
        Assert.Equal(("arm64", (string?)null), (arm64.Config.Architecture, arm64.Config.Variant));
        Assert.Equal("x86_64\n", await BuildKitHarness.FileTextAsync(amd64, "arch"));
        Assert.Equal("aarch64\n", await BuildKitHarness.FileTextAsync(arm64, "arch"));
        Assert.Equal("linux/amd64|linux|amd64||linux/amd64|linux|amd64|\n", await BuildKitHarness.FileTextAsync(amd64, "args"));
        Assert.Equal("linux/arm64|linux|arm64||linux/amd64|linux|amd64|\n", await BuildKitHarness.FileTextAsync(arm64, "args"));
        // The build-platform stage ran natively, once: the other platform (whichever came second) took its RUN from the step cache.
        Assert.Equal("x86_64\n", await BuildKitHarness.FileTextAsync(amd64, "built-on"));
        Assert.Equal("x86_64\n", await BuildKitHarness.FileTextAsync(arm64, "built-on"));
        var toolRuns = h.Events.OfType<StepStarted>().Where(s => s.Text.StartsWith("RUN", StringComparison.Ordinal) && s.Text.Contains("built-on", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, toolRuns.Count);
        Assert.Single(toolRuns, r => h.Events.OfType<StepCacheHit>().Any(c => c.Stage == r.Stage && c.Step == r.Step));
    }

    [Fact]
    public async Task The_pushed_index_lists_both_manifests_for_skopeo_and_docker_pulls_the_arm64_one()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var docker = await Docker.ConnectAsync(Token);
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir("multiplat");
        var context = temp.Combine("context");
        WriteContext(context);
        using var cli = new RegistryCliSession();
        var remote = $"{registry.Host}/multi/busybox:{Guid.NewGuid():N}";

        var build = await cli.RunCheckedAsync("build", "--progress", "plain", "--platform", "linux/amd64,linux/arm64", "-t", remote, "--push", context);
        Assert.Contains("[linux/arm64 stage-1] ", build);
        var raw = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", "--tls-verify=false", $"docker://{remote}"], Token);
        using (var json = JsonDocument.Parse(raw.StandardOutput))
        {
            var manifests = json.RootElement.GetProperty("manifests").EnumerateArray().ToList();
            Assert.Equal(2, manifests.Count);
            Assert.Equal(["amd64", "arm64"], manifests.Select(m => m.GetProperty("platform").GetProperty("architecture").GetString()));
        }

        docker.Own(remote);
        await ProcessRunner.RunCheckedAsync(Requirements.Tool("docker"), ["pull", "--platform", "linux/arm64", remote], Token);
        Assert.Equal("arm64", await docker.InspectAsync(remote, "{{.Architecture}}", Token));
        var run = await ProcessRunner.RunAsync(Requirements.Tool("docker"), ["run", "--rm", "--network", "none", "--platform", "linux/arm64", remote, "cat", "/arch"], Token);
        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal("aarch64\n", run.StandardOutput);

        // One platform of it as a base: a single-platform arm64 build pulls the arm64 manifest and runs arm64.
        var next = temp.Combine("next");
        Directory.CreateDirectory(next);
        File.WriteAllText(Path.Combine(next, "Dockerfile"), $"FROM {remote}\nRUN uname -m > /again\n");
        using var fresh = new RegistryCliSession();
        await fresh.RunCheckedAsync("build", "-q", "--platform", "linux/arm64", "-t", "on-arm64", next);
        var image = await fresh.RunCheckedAsync("inspect", "-f", "{{.Os}}/{{.Architecture}} {{.Variant}}", "on-arm64");
        Assert.Equal("linux/arm64", image.Split(' ')[0]);
        await fresh.RunCheckedAsync("save", "-o", temp.Combine("on-arm64.tar"), "on-arm64");
        var names = await docker.LoadAsync(temp.Combine("on-arm64.tar"), Token);
        foreach (var name in names) docker.Own(name);
        var again = await ProcessRunner.RunAsync(Requirements.Tool("docker"), ["run", "--rm", "--network", "none", "--platform", "linux/arm64", "on-arm64", "cat", "/again"], Token);
        Assert.True(again.Succeeded, again.StandardError);
        Assert.Equal("aarch64\n", again.StandardOutput);
    }

    [Fact]
    public async Task A_foreign_platform_without_an_emulator_fails_the_RUN_in_one_line()
    {
        // qemu-user-static registers most architectures, so the refusal is checked with one no emulator exists for.
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        h.File("x", "x");
        var error = await Assert.ThrowsAsync<Tabula.Dockerfile.DockerfileException>(() => h.BuildAsync(
            h.Options("FROM scratch\nCOPY x /x\nRUN [\"/x\"]\n") with { Platform = new Platform { Os = "linux", Architecture = "wasm" } }));
        Assert.Contains("RUN: linux/wasm programs cannot run", error.Message);
        Assert.Contains("Dockerfile:3", error.Message);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("linux/amd64,linux")]
    [InlineData("linux/amd64,linux/arm64,linux/x86_64")]
    public async Task Bad_platforms_are_refused_in_one_line_before_anything_is_built(string platforms)
    {
        using var temp = new TempDir("badplat");
        File.WriteAllText(temp.Combine("Dockerfile"), "FROM scratch\n");
        using var cli = new RegistryCliSession();
        var (code, output, error) = await cli.RunAsync("build", "--platform", platforms, temp.Path);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith($"Error: --platform {platforms}: ", line);
    }
}

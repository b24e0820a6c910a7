using System.Text;
using System.Text.Json;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// Image indexes end to end against the real registry and skopeo: a manifest list assembled from single-platform
/// images and pushed, <c>copy --all</c> and <c>copy --platform a,b</c> between registries and OCI layouts, and a nested
/// index that pull, inspect, save, run, push and copy follow.
/// </summary>
public class IndexTransportTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Host => Platform.Host.Architecture;

    /// <summary>A second architecture to build for: FROM scratch with ADD needs no emulation.</summary>
    private static string Other => Host == "arm64" ? "amd64" : "arm64";

    /// <summary>Builds the busybox fixture for this machine's platform, for <see cref="Other"/> and for linux/arm/v7.</summary>
    private static async Task BuildThreeAsync(RegistryCliSession cli, TempDir temp)
    {
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        await cli.RunCheckedAsync("build", "-q", "--oci-mediatypes", "-t", "app:host", context);
        await cli.RunCheckedAsync("build", "-q", "--oci-mediatypes", "--platform", $"linux/{Other}", "-t", "app:other", context);
        await cli.RunCheckedAsync("build", "-q", "--oci-mediatypes", "--platform", "linux/arm/v7", "-t", "app:armv7", context);
        Assert.Equal(Other, Architecture(await cli.RunCheckedAsync("inspect", "app:other")));
    }

    private static string Architecture(string inspectJson)
    {
        using var doc = JsonDocument.Parse(inspectJson);
        return doc.RootElement[0].GetProperty("Architecture").GetString()!;
    }

    private static async Task<string> SkopeoRawAsync(string skopeo, string location)
        => (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", .. location.StartsWith("docker://", StringComparison.Ordinal) ? ["--tls-verify=false"] : Array.Empty<string>(), location], Token)).StandardOutput.TrimEnd('\n');

    /// <summary>The platforms an index lists, as os/arch[/variant], in order.</summary>
    private static List<string> Platforms(string rawIndex)
        => OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(rawIndex)).Manifests.Select(m => m.Platform?.ToString() ?? "none").ToList();

    /// <summary>
    /// A Docker manifest list (a two-platform build with Docker media types) copied whole into an OCI layout becomes an
    /// OCI index over OCI manifests, as skopeo converts it; with --preserve-digests it stays the source's bytes.
    /// </summary>
    [Fact]
    public async Task ADockerManifestListCopiedIntoAnOciLayoutGetsOciMediaTypes()
    {
        var skopeo = Requirements.Tool("skopeo");
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        await cli.RunCheckedAsync("build", "-q", "--oci-mediatypes=false", "--platform", $"linux/{Host},linux/{Other}", "-t", "app:docker", context);
        var source = OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(await cli.RunCheckedAsync("inspect", "--raw", "app:docker")));
        Assert.Equal(MediaTypes.DockerManifestList, source.MediaType);

        await cli.RunCheckedAsync("copy", "-q", "--all", "store:app:docker", $"oci:{temp.Combine("oci")}:app");
        var converted = OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(await SkopeoRawAsync(skopeo, $"oci:{temp.Combine("oci")}:app")));
        Assert.Equal(MediaTypes.OciIndex, converted.MediaType);
        Assert.All(converted.Manifests, m => Assert.Equal(MediaTypes.OciManifest, m.MediaType));
        Assert.Equal(source.Manifests.Select(m => m.Platform?.ToString()), converted.Manifests.Select(m => m.Platform?.ToString()));

        await cli.RunCheckedAsync("copy", "-q", "--all", "--preserve-digests", "store:app:docker", $"oci:{temp.Combine("kept")}:app");
        // skopeo 1.9 finds only OCI types in a layout: the layout's own index.json names the list kept as it was.
        var layout = OciJson.DeserializeIndex(await File.ReadAllBytesAsync(temp.Combine("kept/index.json"), Token));
        var entry = Assert.Single(layout.Manifests);
        Assert.Equal(MediaTypes.DockerManifestList, entry.MediaType);
        Assert.Equal(Digest.Compute(Encoding.UTF8.GetBytes((await cli.RunCheckedAsync("inspect", "--raw", "app:docker")).TrimEnd('\n'))), entry.Digest);
    }

    [Fact]
    public async Task AManifestListOfSingleImagesIsPushedAndCopiedWholeOrAsASubset()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        await BuildThreeAsync(cli, temp);

        var created = (await cli.RunCheckedAsync("manifest", "create", "app:multi", "app:host", "app:other")).Trim();
        var added = (await cli.RunCheckedAsync("manifest", "add", "app:multi", "app:armv7")).Trim();
        Assert.NotEqual(created, added);
        var local = OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(await cli.RunCheckedAsync("manifest", "inspect", "app:multi")));
        Assert.Equal([$"linux/{Host}", $"linux/{Other}", "linux/arm/v7"], local.Manifests.Select(m => Platform.Normalize(m.Platform!).ToString().Replace("/v8", "", StringComparison.Ordinal)).ToList());
        // The list is an image of the store: listed once, under its name.
        Assert.Contains("multi", await cli.RunCheckedAsync("images", "app"));

        var remote = $"{registry.Host}/multi/app:1";
        await cli.RunCheckedAsync("manifest", "push", "app:multi", remote);
        var raw = await SkopeoRawAsync(skopeo, $"docker://{remote}");
        Assert.Equal(added, Digest.Compute(Encoding.UTF8.GetBytes(raw)).ToString());
        Assert.Equal(3, Platforms(raw).Count);
        var otherConfig = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--override-arch", Other, $"docker://{remote}"], Token);
        Assert.Equal(Other, JsonDocument.Parse(otherConfig.StandardOutput).RootElement.GetProperty("Architecture").GetString());

        // Whole: the very same index, byte for byte.
        await cli.RunCheckedAsync("copy", "-q", "--all", $"docker://{remote}", $"docker://{registry.Host}/copied/app:all");
        Assert.Equal(raw, await SkopeoRawAsync(skopeo, $"docker://{registry.Host}/copied/app:all"));
        var layout = temp.Combine("layout");
        await cli.RunCheckedAsync("copy", "-q", "--all", $"docker://{remote}", $"oci:{layout}:all");
        Assert.Equal(raw, await SkopeoRawAsync(skopeo, $"oci:{layout}:all"));
        var archive = temp.Combine("all.tar");
        await cli.RunCheckedAsync("copy", "-q", "--all", $"docker://{remote}", $"oci-archive:{archive}:all");
        Assert.Equal(raw, await SkopeoRawAsync(skopeo, $"oci-archive:{archive}:all"));
        var armFromArchive = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--override-arch", "arm", "--override-variant", "v7", $"oci-archive:{archive}:all"], Token);
        Assert.Equal("arm", JsonDocument.Parse(armFromArchive.StandardOutput).RootElement.GetProperty("Architecture").GetString());
        Assert.DoesNotContain(Directory.GetFileSystemEntries(temp.Path), e => e.Contains("all.tar.", StringComparison.Ordinal));

        // A subset: a new index (new digest) of the chosen platforms' unchanged manifests.
        var subset = $"linux/{Other},linux/{Host}";
        var said = await cli.RunCheckedAsync("copy", "--platform", subset, $"docker://{remote}", $"docker://{registry.Host}/copied/app:two");
        var two = await SkopeoRawAsync(skopeo, $"docker://{registry.Host}/copied/app:two");
        Assert.Contains(Digest.Compute(Encoding.UTF8.GetBytes(two)).ToString(), said);
        Assert.NotEqual(raw, two);
        var original = OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(raw)).Manifests;
        var kept = OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(two)).Manifests;
        Assert.Equal([original[1].Digest, original[0].Digest], kept.Select(m => m.Digest).ToList());
        await cli.RunCheckedAsync("copy", "-q", "--platform", subset, $"docker://{remote}", $"oci:{layout}:two");
        Assert.Equal(two, await SkopeoRawAsync(skopeo, $"oci:{layout}:two"));
        var fromLayout = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--override-arch", Other, $"oci:{layout}:two"], Token);
        Assert.Equal(Other, JsonDocument.Parse(fromLayout.StandardOutput).RootElement.GetProperty("Architecture").GetString());

        // A platform the index lacks is one line naming what it has.
        var (code, _, error) = await cli.RunAsync("copy", "--platform", "linux/s390x,linux/amd64", $"docker://{remote}", $"oci:{layout}:none");
        Assert.Equal(1, code);
        Assert.StartsWith("Error: ", error);
        Assert.Contains("linux/arm/v7", error);

        // Entries can be annotated, re-platformed and removed; rm drops the list but not its images.
        var hostDigest = local.Manifests[0].Digest.ToString();
        await cli.RunCheckedAsync("manifest", "annotate", "app:multi", hostDigest, "--annotation", "org.example.role=native", "--variant", "v2");
        var annotated = OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(await cli.RunCheckedAsync("manifest", "inspect", "app:multi")));
        Assert.Equal("native", annotated.Manifests[0].Annotation("org.example.role"));
        Assert.Equal("v2", annotated.Manifests[0].Platform!.Variant);
        await cli.RunCheckedAsync("manifest", "remove", "app:multi", hostDigest);
        var removed = OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(await cli.RunCheckedAsync("manifest", "inspect", "app:multi")));
        Assert.Equal(2, removed.Manifests.Count);
        Assert.DoesNotContain(removed.Manifests, m => m.Digest.ToString() == hostDigest);
        await cli.RunCheckedAsync("manifest", "rm", "app:multi");
        Assert.Equal(1, (await cli.RunAsync("manifest", "inspect", "app:multi")).Code);
        await cli.RunCheckedAsync("inspect", "app:host");
        Assert.Equal(1, (await cli.RunAsync("manifest", "inspect", "app:host")).Code);
    }

    [Fact]
    public async Task AManifestListTakesRemoteImagesAndWholeIndexes()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        await BuildThreeAsync(cli, temp);
        await cli.RunCheckedAsync("push", "-q", "app:other", $"{registry.Host}/remote/app:other");
        await cli.RunCheckedAsync("manifest", "create", "pair:1", "app:host", "app:armv7");
        await cli.RunCheckedAsync("push", "-q", "pair:1", $"{registry.Host}/remote/pair:1");

        using var fresh = new RegistryCliSession();
        await fresh.RunCheckedAsync("manifest", "create", "all:1", $"docker://{registry.Host}/remote/app:other");
        await fresh.RunCheckedAsync("manifest", "add", "--all", "all:1", $"docker://{registry.Host}/remote/pair:1");
        var list = OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(await fresh.RunCheckedAsync("manifest", "inspect", "all:1")));
        Assert.Equal(3, list.Manifests.Count);
        await fresh.RunCheckedAsync("manifest", "push", "all:1", $"docker://{registry.Host}/other/all:1");
        Assert.Equal(3, Platforms(await SkopeoRawAsync(skopeo, $"docker://{registry.Host}/other/all:1")).Count);
        Assert.Equal(Other, Architecture(await fresh.RunCheckedAsync("inspect", "--platform", $"linux/{Other}", "all:1")));
    }

    [Fact]
    public async Task ANestedIndexIsFollowedByPullInspectSaveRunPushAndCopy()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        await BuildThreeAsync(cli, temp);
        const string repository = "nested/app";
        await cli.RunCheckedAsync("push", "-q", "app:host", $"{registry.Host}/{repository}:host");
        await cli.RunCheckedAsync("push", "-q", "app:other", $"{registry.Host}/{repository}:other");
        using var client = new RegistryClient(registry.Host);
        var host = await client.GetManifestAsync(repository, "host", Token);
        var other = await client.GetManifestAsync(repository, "other", Token);
        // This machine's image only inside the nested index.
        var inner = OciJson.Serialize(ImageIndexEdits.Create([host.Descriptor with { Platform = new Platform { Os = "linux", Architecture = Host } }]));
        var innerDigest = await client.PutManifestAsync(repository, Digest.Compute(inner).ToString(), inner, MediaTypes.OciIndex, Token);
        var outer = OciJson.Serialize(ImageIndexEdits.Create([
            other.Descriptor with { Platform = new Platform { Os = "linux", Architecture = Other } },
            new Descriptor { MediaType = MediaTypes.OciIndex, Digest = innerDigest, Size = inner.Length },
        ]));
        await client.PutManifestAsync(repository, "nested", outer, MediaTypes.OciIndex, Token);
        var remote = $"{registry.Host}/{repository}:nested";

        using var pulled = new RegistryCliSession();
        await pulled.RunCheckedAsync("pull", "-q", "--all-platforms", remote);
        Assert.Equal(Encoding.UTF8.GetString(outer), await pulled.RunCheckedAsync("inspect", "--raw", remote));
        Assert.Equal(Host, Architecture(await pulled.RunCheckedAsync("inspect", remote)));
        Assert.Equal(Other, Architecture(await pulled.RunCheckedAsync("inspect", "--platform", $"linux/{Other}", remote)));

        var archive = temp.Combine("other.tar");
        await pulled.RunCheckedAsync("save", "--platform", $"linux/{Other}", "-o", archive, remote);
        using (var loaded = new RegistryCliSession())
        {
            await loaded.RunCheckedAsync("load", "-i", archive);
            Assert.Equal(Other, Architecture(await loaded.RunCheckedAsync("inspect", remote)));
        }

        // Pushed from the store and copied between registries: the nested index goes along, children first.
        await pulled.RunCheckedAsync("push", "-q", remote, $"{registry.Host}/pushed/app:nested");
        Assert.Equal(Encoding.UTF8.GetString(outer), await SkopeoRawAsync(skopeo, $"docker://{registry.Host}/pushed/app:nested"));
        Assert.Equal(Encoding.UTF8.GetString(inner), await SkopeoRawAsync(skopeo, $"docker://{registry.Host}/pushed/app@{innerDigest}"));
        await cli.RunCheckedAsync("copy", "-q", "--all", $"docker://{remote}", $"docker://{registry.Host}/copied/app:nested");
        Assert.Equal(Encoding.UTF8.GetString(inner), await SkopeoRawAsync(skopeo, $"docker://{registry.Host}/copied/app@{innerDigest}"));
        var layout = temp.Combine("layout");
        await cli.RunCheckedAsync("copy", "-q", "--platform", $"linux/{Host},linux/{Other}", $"docker://{remote}", $"oci:{layout}:flat");
        var flat = OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(await SkopeoRawAsync(skopeo, $"oci:{layout}:flat"))).Manifests;
        Assert.Equal([host.Digest, other.Digest], flat.Select(m => m.Digest).ToList());

        // run takes this machine's image, found in the nested index.
        Requirements.Root();
        Requirements.Tool("runc");
        var (code, output, error) = await pulled.RunAsync("run", "--rm", "--network", "none", remote, "uname", "-m");
        Assert.True(code == 0, error);
        Assert.Equal(Platform.Host.Architecture == "amd64" ? "x86_64" : "aarch64", output.Trim());
    }
}

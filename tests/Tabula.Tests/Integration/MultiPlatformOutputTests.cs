using System.Text.Json;
using Tabula.Oci;
using Tabula.Tests.BuildKit;
using Tabula.Tests.Integration.Support;
using Tabula.Transports;

namespace Tabula.Tests.Integration;

/// <summary>
/// A multi-platform build's archives in the tools that read them: the docker-type archive in <c>docker load</c>
/// (docker 20.10 reads only its manifest.json: this machine's image), the oci archive loaded back by <c>tabula load</c>
/// as the whole index, and an oci-archive holding an index as a <c>copy --all</c> / <c>copy --platform a,b</c> source,
/// read back by skopeo. Nothing RUNs, so no platform needs to run here.
/// </summary>
public sealed class MultiPlatformOutputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Dockerfile = """
        FROM scratch
        ARG TARGETARCH
        COPY arch-$TARGETARCH /whoami
        """;

    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");
    private static readonly Platform Arm64 = Platform.Parse("linux/arm64");

    private static string Context(TempDir temp)
    {
        var context = temp.CreateDirectory("context");
        File.WriteAllText(Path.Combine(context, "Dockerfile"), Dockerfile);
        File.WriteAllText(Path.Combine(context, "arch-amd64"), "i am amd64");
        File.WriteAllText(Path.Combine(context, "arch-arm64"), "i am arm64");
        return context;
    }

    private static async Task<string> BuildArchiveAsync(TempDir temp, TabulaCli cli, string type, string name)
    {
        var archive = temp.Combine($"{type}.tar");
        await cli.RunCheckedAsync(["build", "-q", "--platform", "linux/amd64,linux/arm64", "-t", name, "-o", $"type={type},dest={archive}", Context(temp)], Ct);
        return archive;
    }

    [Fact]
    public async Task Docker_output_holds_the_index_and_docker_load_takes_this_machines_image()
    {
        await using var docker = await Docker.ConnectAsync(Ct);
        if (Platform.Host.Architecture != "amd64") Assert.Skip("the test expects docker to load the amd64 image; this machine is " + Platform.Host);
        using var temp = new TempDir("mp-docker-out");
        var name = docker.NewTag("multi-platform-output");
        var archive = await BuildArchiveAsync(temp, new TabulaCli(temp.Combine("store")), "docker", name);

        var m = await ExportTests.ReadAllEntriesAsync(archive);
        var top = Assert.Single(OciJson.DeserializeIndex(m["index.json"]).Manifests);
        Assert.Equal(MediaTypes.OciIndex, top.MediaType);
        Assert.Equal(ImageReference.Parse(name).ToString(), top.Annotation(AnnotationKeys.ContainerdImageName));
        var list = OciJson.DeserializeIndex(m[OciLayoutPlan(top.Digest)]);
        Assert.Equal(["linux/amd64", "linux/arm64"], list.Manifests.Select(e => e.Platform?.ToString()));
        using var manifestJson = JsonDocument.Parse(m["manifest.json"]);
        var item = Assert.Single(manifestJson.RootElement.EnumerateArray());
        Assert.Equal(name, Assert.Single(item.GetProperty("RepoTags").EnumerateArray()).GetString());

        // docker 20.10 reads manifest.json only: it loads the one image listed there, this machine's, under the name.
        Assert.Equal([name], await docker.LoadAsync(archive, Ct));
        Assert.Equal("amd64", await docker.InspectAsync(name, "{{.Architecture}}", Ct));
        var run = await docker.OutputAsync(["create", name, "x"], Ct);
        await docker.OutputAsync(["cp", run.Trim() + ":/whoami", temp.Combine("whoami")], Ct);
        await docker.OutputAsync(["rm", run.Trim()], Ct);
        Assert.Equal("i am amd64", await File.ReadAllTextAsync(temp.Combine("whoami"), Ct));

        // tabula reads the layout part: the index, whole, under the name.
        var loader = new TabulaCli(temp.Combine("load-store"));
        await loader.RunCheckedAsync(["load", "-i", archive], Ct);
        Assert.Equal(top.Digest, (await ImageStore.Open(loader.StoreRoot).Resolver.ResolveAsync(name, Ct)).Manifest.Digest);
    }

    /// <summary>
    /// oci-image-tool validates the layout by its tag; skopeo reads each platform's image from the archive. (umoci 0.4
    /// takes no index of several platforms from any layout: "tag is ambiguous".)
    /// </summary>
    [Fact]
    public async Task Oci_output_validates_and_skopeo_reads_each_platform()
    {
        var validator = Requirements.Tool("oci-image-tool");
        var skopeo = Requirements.Tool("skopeo");
        using var temp = new TempDir("mp-oci-tools");
        var archive = await BuildArchiveAsync(temp, new TabulaCli(temp.Combine("store")), "oci", "example.com/team/app:1");
        var unpacked = temp.CreateDirectory("unpacked");
        await ProcessRunner.RunCheckedAsync(Requirements.Tool("tar"), ["-C", unpacked, "-xf", archive], Ct);
        var validation = await ProcessRunner.RunCheckedAsync(validator, ["validate", "--type", "image", "--ref", "name=1", unpacked], Ct);
        Assert.Contains("Validation succeeded", validation.StandardOutput);
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var config = (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--override-arch", arch, "--config", $"oci-archive:{archive}:1"], Ct)).StandardOutput;
            Assert.Equal(arch, JsonDocument.Parse(config).RootElement.GetProperty("architecture").GetString());
        }
    }

    [Fact]
    public async Task Load_of_a_multi_platform_oci_archive_stores_the_index_whole()
    {
        using var temp = new TempDir("mp-load");
        var archive = await BuildArchiveAsync(temp, new TabulaCli(temp.Combine("build-store")), "oci", "example.com/team/app:1");
        var top = Assert.Single(OciJson.DeserializeIndex((await ExportTests.ReadAllEntriesAsync(archive))["index.json"]).Manifests);

        var cli = new TabulaCli(temp.Combine("store"));
        var loaded = await cli.RunCheckedAsync(["load", "-i", archive], Ct);
        Assert.Contains("Loaded image: example.com/team/app:1", loaded.StandardOutput);
        var store = ImageStore.Open(cli.StoreRoot);
        var stored = await store.Resolver.ResolveAsync("example.com/team/app:1", Ct);
        Assert.Equal(top.Digest, stored.Manifest.Digest);
        foreach (var (platform, text) in new[] { (Amd64, "i am amd64"), (Arm64, "i am arm64") })
        {
            var image = await store.LoadAsync(stored, platform, Ct);
            Assert.Equal(platform.Architecture, image.Config.Architecture);
            Assert.Equal(text, await BuildKitHarness.FileTextAsync(image, "whoami"));
        }

        // One platform asked for: that image alone, as before.
        var single = new TabulaCli(temp.Combine("single-store"));
        await single.RunCheckedAsync(["load", "--platform", "linux/arm64", "-i", archive], Ct);
        var (descriptor, _) = await single.ReadManifestAsync("example.com/team/app:1", Ct);
        Assert.Equal(MediaTypes.OciManifest, descriptor.MediaType);
    }

    [Fact]
    public async Task Load_of_a_docker_archive_with_several_images_stores_each()
    {
        using var temp = new TempDir("mp-load-docker");
        var cli = new TabulaCli(temp.Combine("build-store"));
        var context = Context(temp);
        await cli.BuildAsync(context, "app:amd64", Ct, "--platform", "linux/amd64");
        await cli.BuildAsync(context, "app:arm64", Ct, "--platform", "linux/arm64");
        var archive = temp.Combine("two.tar");
        await cli.RunCheckedAsync(["save", "-o", archive, "app:amd64", "app:arm64"], Ct);

        var loader = new TabulaCli(temp.Combine("store"));
        await loader.RunCheckedAsync(["load", "-i", archive], Ct);
        var store = ImageStore.Open(loader.StoreRoot);
        foreach (var (name, arch) in new[] { ("app:amd64", "amd64"), ("app:arm64", "arm64") })
        {
            var image = await store.LoadAsync(await store.Resolver.ResolveAsync(name, Ct), null, Ct);
            Assert.Equal(arch, image.Config.Architecture);
            Assert.Equal($"i am {arch}", await BuildKitHarness.FileTextAsync(image, "whoami"));
        }
    }

    [Fact]
    public async Task Copy_all_and_a_subset_read_the_index_of_an_oci_archive()
    {
        var skopeo = Requirements.Tool("skopeo");
        using var temp = new TempDir("mp-copy-archive");
        var cli = new TabulaCli(temp.Combine("store"));
        var archive = await BuildArchiveAsync(temp, cli, "oci", "example.com/team/app:1");
        var top = Assert.Single(OciJson.DeserializeIndex((await ExportTests.ReadAllEntriesAsync(archive))["index.json"]).Manifests);

        var whole = temp.Combine("whole");
        await cli.RunCheckedAsync(["copy", "--all", "oci-archive:" + archive, $"oci:{whole}:all"], Ct);
        var raw = (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", $"oci:{whole}:all"], Ct)).StandardOutput;
        Assert.Equal(top.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.TrimEnd('\n'))));
        Assert.Equal(2, OciJson.DeserializeIndex(System.Text.Encoding.UTF8.GetBytes(raw)).Manifests.Count);

        var subset = temp.Combine("subset");
        await cli.RunCheckedAsync(["copy", "--platform", "linux/arm64", "oci-archive:" + archive + ":1", $"oci:{subset}:arm"], Ct);
        await cli.RunCheckedAsync(["copy", "--platform", "linux/arm64,linux/amd64", "oci-archive:" + archive, $"oci:{subset}:both"], Ct);
        var both = OciJson.DeserializeIndex(System.Text.Encoding.UTF8.GetBytes(
            (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", $"oci:{subset}:both"], Ct)).StandardOutput));
        Assert.Equal(["linux/arm64", "linux/amd64"], both.Manifests.Select(e => e.Platform?.ToString()));
        var arm = (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--config", $"oci:{subset}:arm"], Ct)).StandardOutput;
        Assert.Equal("arm64", JsonDocument.Parse(arm).RootElement.GetProperty("architecture").GetString());
    }

    private static string OciLayoutPlan(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Encoded}";
}

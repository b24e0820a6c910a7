using System.Text.Json;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_image_test.go.</summary>
public class ImageTests
{
    /// <summary>BuildKit pushes a FROM-scratch image and builds on it by name; here the store holds it.</summary>
    [Fact]
    public async Task TestPullScratch()
    {
        using var h = new BuildHarness();
        await h.BuildAsync("FROM scratch\nLABEL foo=bar\n", "docker.io/moby/testpullscratch:latest");
        h.File("foo", "foo0");
        var image = await h.BuildImageAsync("FROM docker.io/moby/testpullscratch:latest\nLABEL bar=baz\nCOPY foo .\n");
        Assert.Equal("layers", image.Config.RootFs.Type);
        Assert.Single(image.Config.RootFs.DiffIds);
        Assert.Equal("bar", image.Config.Config!.Labels!["foo"]);
        Assert.Equal("baz", image.Config.Config.Labels["bar"]);
        Assert.Equal("foo0", LayerContents.Single(await LayerContents.ReadAllAsync(image), "foo").Text);
    }

    [Fact]
    public async Task TestDockerfileScratchConfig()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nENV foo=bar\n");
        var config = image.Config;
        Assert.NotEqual("", config.Os);
        Assert.NotEqual("", config.Architecture);
        Assert.NotEqual("", config.Config!.WorkingDir);
        Assert.Equal("layers", config.RootFs.Type);
        Assert.Empty(config.RootFs.DiffIds);
        var entry = Assert.Single(config.History!);
        Assert.Contains("ENV foo=bar", entry.CreatedBy);
        Assert.True(entry.EmptyLayer);
        Assert.Contains("foo=bar", config.Config.Env!);
        Assert.Contains(config.Config.Env!, e => e.StartsWith("PATH=", StringComparison.Ordinal));
    }

    /// <summary>
    /// BuildKit's OCI exporter given two names: its archive's <c>ref.name</c> is the bare tag, as our oci-archive's is
    /// (<c>save --format oci-archive</c> of both names). The store (an OCI layout of many images) holds the whole
    /// name there instead, so that two images tagged alike stay two names to umoci and skopeo.
    /// </summary>
    [Fact]
    public async Task TestOCILayoutMultiname()
    {
        using var h = new BuildHarness();
        await h.BuildAsync(h.Options("FROM scratch\nCOPY <<EOF /foo\nhello\nEOF\n") with
        {
            Tags = [Tabula.Oci.ImageReference.ParseNamed("org/repo:tag1"), Tabula.Oci.ImageReference.ParseNamed("org/repo:tag2")],
        });
        using var index = JsonDocument.Parse(h.IndexBytes());
        var manifests = index.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(2, manifests.Count);
        Assert.Equal(manifests[0].GetProperty("digest").GetString(), manifests[1].GetProperty("digest").GetString());
        Assert.Equal(manifests[0].GetProperty("mediaType").GetString(), manifests[1].GetProperty("mediaType").GetString());
        Assert.Equal(manifests[0].GetProperty("size").GetInt64(), manifests[1].GetProperty("size").GetInt64());
        Assert.Equal([("docker.io/org/repo:tag1", "org/repo:tag1"), ("docker.io/org/repo:tag2", "org/repo:tag2")], NamesOf(index));

        using var dir = new Tabula.Tests.Integration.Support.TempDir();
        var archive = dir.Combine("oci.tar");
        var stored = await h.Store.Resolver.ResolveAsync("org/repo:tag1", TestContext.Current.CancellationToken);
        await Tabula.Archives.ArchiveSaver.SaveAsync(h.Store.Content, [stored with { Names = [Tabula.Oci.ImageReference.ParseNamed("org/repo:tag1"), Tabula.Oci.ImageReference.ParseNamed("org/repo:tag2")] }],
            Tabula.Archives.ArchiveFormat.Oci, archive, TestContext.Current.CancellationToken);
        using var archived = JsonDocument.Parse(Tabula.Tests.Archives.ArchiveFixture.ReadTar(archive)["index.json"].Content);
        Assert.Equal([("docker.io/org/repo:tag1", "tag1"), ("docker.io/org/repo:tag2", "tag2")], NamesOf(archived));
    }

    private static IEnumerable<(string?, string?)> NamesOf(JsonDocument index)
        => index.RootElement.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("annotations"))
            .Select(a => (a.GetProperty("io.containerd.image.name").GetString(), a.GetProperty("org.opencontainers.image.ref.name").GetString()))
            .Order();

    /// <summary>Platforms whose images have no layer at all still make an index of both in the oci output.</summary>
    [Fact]
    public async Task TestMultiNilRefsOCIExporter()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new Integration.Support.TempDir("multi-nil-refs");
        var context = temp.CreateDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch", ct);
        var output = temp.Combine("out.tar");
        await new Integration.Support.TabulaCli(temp.Combine("store"))
            .RunCheckedAsync(["build", "-q", "--platform", "linux/arm64,linux/amd64", "-o", $"type=oci,dest={output}", context], ct);

        var m = await ExportTests.ReadAllEntriesAsync(output);
        var index = Tabula.Oci.OciJson.DeserializeIndex(m["index.json"]);
        var entry = Assert.Single(index.Manifests);
        var list = Tabula.Oci.OciJson.DeserializeIndex(m[$"blobs/sha256/{entry.Digest.Encoded}"]);
        Assert.Equal(2, list.Manifests.Count);
    }
}

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

    /// <summary>BuildKit's OCI exporter given two names; here the store (an OCI layout) after a build with two tags.</summary>
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
        var names = manifests.Select(m => m.GetProperty("annotations"))
            .Select(a => (a.GetProperty("io.containerd.image.name").GetString(), a.GetProperty("org.opencontainers.image.ref.name").GetString()))
            .Order();
        Assert.Equal([("docker.io/org/repo:tag1", "tag1"), ("docker.io/org/repo:tag2", "tag2")], names);
    }
}

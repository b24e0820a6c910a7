using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Tabula.Archives;
using Tabula.Content;
using Tabula.Oci;

namespace Tabula.Tests.Archives;

public sealed class DockerArchiveWriterTests : IDisposable
{
    private readonly ArchiveFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private async Task<string> SaveAsync(ArchiveFormat format, string file, params (Descriptor Manifest, string[] Names)[] images)
    {
        var path = _fixture.PathFor(file);
        var requests = images.Select(i => new StoredImage(i.Manifest, default, i.Names.Select(ImageReference.Parse).ToList())).ToList();
        await ArchiveSaver.SaveAsync(_fixture.Store, requests, format, path, TestContext.Current.CancellationToken);
        return path;
    }

    [Fact]
    public async Task LegacySaveWritesTheEntriesDockerWrites()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var path = await SaveAsync(ArchiveFormat.Docker, "legacy.tar", (manifest, ["busybox:latest"]));

        var entries = ArchiveFixture.ReadTar(path);
        var image = await new OciLayout(_fixture.Store).LoadImageAsync(manifest, null, TestContext.Current.CancellationToken);
        var configName = image.ConfigDigest.Encoded + ".json";
        var manifestJson = JsonDocument.Parse(entries["manifest.json"].Content).RootElement;
        var item = Assert.Single(manifestJson.EnumerateArray().ToList());
        Assert.Equal(configName, item.GetProperty("Config").GetString());
        Assert.Equal(["busybox:latest"], item.GetProperty("RepoTags").EnumerateArray().Select(e => e.GetString()));
        var layers = item.GetProperty("Layers").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, layers.Count);
        var ids = layers.Select(l => l.Split('/')[0]).ToList();

        var expected = new List<string>();
        foreach (var id in ids) expected.AddRange([id + "/", $"{id}/VERSION", $"{id}/json", $"{id}/layer.tar"]);
        expected.AddRange([configName, "manifest.json", "repositories"]);
        Assert.Equal(expected.Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));

        Assert.Equal(image.RawConfig.ToArray(), entries[configName].Content);
        Assert.Equal("1.0", Encoding.UTF8.GetString(entries[$"{ids[0]}/VERSION"].Content));
        for (int i = 0; i < 2; i++)
        {
            var tar = entries[$"{ids[i]}/layer.tar"].Content;
            Assert.Equal(image.Config.RootFs.DiffIds[i], Digest.Compute(tar)); // uncompressed
        }
        Assert.Equal($"{{\"busybox\":{{\"latest\":\"{ids[1]}\"}}}}\n", Encoding.UTF8.GetString(entries["repositories"].Content));
        Assert.EndsWith("]\n", Encoding.UTF8.GetString(entries["manifest.json"].Content));

        var lower = JsonDocument.Parse(entries[$"{ids[0]}/json"].Content).RootElement;
        Assert.Equal(ids[0], lower.GetProperty("id").GetString());
        Assert.False(lower.TryGetProperty("parent", out _));
        Assert.Equal("1970-01-01T00:00:00Z", lower.GetProperty("created").GetString());
        Assert.Equal("linux", lower.GetProperty("os").GetString());
        var top = JsonDocument.Parse(entries[$"{ids[1]}/json"].Content).RootElement;
        Assert.Equal(ids[0], top.GetProperty("parent").GetString());
        Assert.Equal("2024-01-26T23:44:47Z", top.GetProperty("created").GetString());
        Assert.Equal("/bin/sh", top.GetProperty("config").GetProperty("Cmd")[0].GetString());
        Assert.Equal("amd64", top.GetProperty("architecture").GetString());
    }

    [Fact]
    public async Task LegacyEntriesAreOwnedByRootAtTheEpochWithoutNames()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var path = await SaveAsync(ArchiveFormat.Docker, "legacy.tar", (manifest, ["busybox:latest"]));
        var names = ArchiveFixture.TarNames(path);
        Assert.Equal(names.OrderBy(n => n.TrimEnd('/').Split('/'), Comparer<string[]>.Create((a, b) =>
        {
            for (int i = 0; i < Math.Min(a.Length, b.Length); i++) { int c = string.CompareOrdinal(a[i], b[i]); if (c != 0) return c; }
            return a.Length.CompareTo(b.Length);
        })), names);
        using var file = File.OpenRead(path);
        using var reader = new TarReader(file);
        while (reader.GetNextEntry() is { } entry)
        {
            Assert.Equal(DateTimeOffset.UnixEpoch, entry.ModificationTime);
            Assert.Equal(0, entry.Uid);
            Assert.Equal(0, entry.Gid);
            Assert.Equal(TarEntryFormat.Ustar, entry.Format);
            Assert.Equal("", ((PosixTarEntry)entry).UserName);
        }
    }

    [Fact]
    public async Task SavingTwiceGivesTheSameBytes()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        foreach (var format in new[] { ArchiveFormat.Docker, ArchiveFormat.DockerOci, ArchiveFormat.Oci })
        {
            var first = await SaveAsync(format, $"a-{format}.tar", (manifest, ["busybox:latest"]));
            var second = await SaveAsync(format, $"b-{format}.tar", (manifest, ["busybox:latest"]));
            Assert.Equal(await File.ReadAllBytesAsync(first, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(second, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task CombinedLayoutHasAnOciLayoutWithDockerFilesBeside()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var path = await SaveAsync(ArchiveFormat.DockerOci, "combined.tar", (manifest, ["busybox:latest"]));
        var entries = ArchiveFixture.ReadTar(path);
        var image = await new OciLayout(_fixture.Store).LoadImageAsync(manifest, null, TestContext.Current.CancellationToken);

        Assert.Contains("oci-layout", entries.Keys);
        var index = OciJson.DeserializeIndex(entries["index.json"].Content);
        var entry = Assert.Single(index.Manifests);
        Assert.Equal(manifest.Digest, entry.Digest);
        Assert.Equal("docker.io/library/busybox:latest", entry.Annotation(AnnotationKeys.ContainerdImageName));
        Assert.Equal("latest", entry.Annotation(AnnotationKeys.RefName));
        foreach (var layer in image.Layers)
            Assert.Equal(layer.Digest, Digest.Compute(entries[$"blobs/sha256/{layer.Digest.Encoded}"].Content)); // still compressed
        var item = JsonDocument.Parse(entries["manifest.json"].Content).RootElement[0];
        Assert.Equal($"blobs/sha256/{image.ConfigDigest.Encoded}", item.GetProperty("Config").GetString());
        Assert.Equal(image.Layers.Select(l => $"blobs/sha256/{l.Digest.Encoded}"), item.GetProperty("Layers").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("repositories", entries.Keys);
    }

    [Fact]
    public async Task OciArchiveIsAPlainLayout()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var path = await SaveAsync(ArchiveFormat.Oci, "oci.tar", (manifest, ["busybox:latest"]));
        var entries = ArchiveFixture.ReadTar(path);
        Assert.DoesNotContain("manifest.json", entries.Keys);
        Assert.Contains("oci-layout", entries.Keys);
        var entry = Assert.Single(OciJson.DeserializeIndex(entries["index.json"].Content).Manifests);
        Assert.Equal("latest", entry.Annotation(AnnotationKeys.RefName));
        // The fixture's Docker manifest gets OCI media types; the config (the image ID) is the same blob.
        var written = entries[$"blobs/sha256/{entry.Digest.Encoded}"].Content;
        Assert.Equal(entry.Digest, Digest.Compute(written));
        Assert.Equal(MediaTypes.OciManifest, entry.MediaType);
        var original = await new OciLayout(_fixture.Store).LoadImageAsync(manifest, null, TestContext.Current.CancellationToken);
        Assert.Equal(original.ConfigDigest, OciJson.DeserializeManifest(written).Config.Digest);
        Assert.DoesNotContain($"blobs/sha256/{manifest.Digest.Encoded}", entries.Keys);
    }

    [Fact]
    public async Task OciArchiveWithPreservedDigestsKeepsTheStoredManifest()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var path = _fixture.PathFor("kept.tar");
        await ArchiveSaver.SaveAsync(_fixture.Store, [new StoredImage(manifest, default, [ImageReference.Parse("busybox:latest")])], ArchiveFormat.Oci, path, TestContext.Current.CancellationToken, preserveDigests: true);
        var entries = ArchiveFixture.ReadTar(path);
        var entry = Assert.Single(OciJson.DeserializeIndex(entries["index.json"].Content).Manifests);
        Assert.Equal(manifest.Digest, entry.Digest);
        Assert.Equal(MediaTypes.DockerManifest, entry.MediaType);
        Assert.Equal(manifest.Digest, Digest.Compute(entries[$"blobs/sha256/{manifest.Digest.Encoded}"].Content));
    }

    [Fact]
    public async Task SharedLayersAreWrittenOnceAndTagsOfBothImagesListed()
    {
        var shared = new Dictionary<string, string> { ["bin/sh"] = "#!shell" };
        var a = await _fixture.AddImageAsync(["app:1", "app:latest"], "a", shared, new() { ["a"] = "a" });
        var b = await _fixture.AddImageAsync(["other:2"], "b", shared, new() { ["b"] = "b" });
        var path = await SaveAsync(ArchiveFormat.Docker, "two.tar", (a, ["app:1", "app:latest"]), (b, ["other:2"]));
        var entries = ArchiveFixture.ReadTar(path);
        var items = JsonDocument.Parse(entries["manifest.json"].Content).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal(["app:1", "app:latest"], items[0].GetProperty("RepoTags").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(items[0].GetProperty("Layers")[0].GetString(), items[1].GetProperty("Layers")[0].GetString());
        Assert.Equal(3, entries.Keys.Count(k => k.EndsWith("/layer.tar", StringComparison.Ordinal)));
        var repositories = JsonDocument.Parse(entries["repositories"].Content).RootElement;
        Assert.Equal(["app", "other"], repositories.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task FailedSaveLeavesNoFileUnderTheTargetName()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var image = await new OciLayout(_fixture.Store).LoadImageAsync(manifest, null, TestContext.Current.CancellationToken);
        // Damage a layer blob in the store: the save must fail while streaming it.
        var blob = _fixture.Store.BlobPath(image.Layers[1].Digest);
        File.SetUnixFileMode(blob, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = await File.ReadAllBytesAsync(blob, TestContext.Current.CancellationToken);
        bytes[^5] ^= 0xff;
        await File.WriteAllBytesAsync(blob, bytes, TestContext.Current.CancellationToken);

        var target = _fixture.PathFor("out.tar");
        await Assert.ThrowsAnyAsync<IOException>(() => SaveAsync(ArchiveFormat.Docker, "out.tar", (manifest, ["busybox:latest"])));
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_fixture.Root, "*.tmp"));
    }
}

using System.Text;
using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Tests.Archives;

public sealed class ArchiveLoaderTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ArchiveFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private async Task<string> SaveAsync(ArchiveFormat format, string file, params (Descriptor Manifest, string[] Names)[] images)
    {
        var path = _fixture.PathFor(file);
        var requests = images.Select(i => new StoredImage(i.Manifest, default, i.Names.Select(ImageReference.Parse).ToList())).ToList();
        await ArchiveSaver.SaveAsync(_fixture.Store, requests, format, path, Ct);
        return path;
    }

    private async Task<(IReadOnlyList<LoadedImage> Loaded, ContentStore Store, ReferenceStore References)> LoadFreshAsync(string archive, bool compress = false)
    {
        var (store, references) = _fixture.NewStore("loaded-" + Guid.NewGuid().ToString("N"));
        var loaded = await ArchiveLoader.LoadAsync(archive, store, references, new ArchiveLoadOptions(CompressLayers: compress), null, Ct);
        return (loaded, store, references);
    }

    [Fact]
    public async Task LegacyArchiveRoundTripsWithTheSameImageId()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var original = await new OciLayout(_fixture.Store).LoadImageAsync(manifest, null, Ct);
        var path = await SaveAsync(ArchiveFormat.Docker, "legacy.tar", (manifest, ["busybox:latest"]));

        var (loaded, store, references) = await LoadFreshAsync(path);

        var image = Assert.Single(loaded);
        Assert.Equal(original.ConfigDigest, image.ImageId);
        Assert.Equal(["Loaded image: busybox:latest"], image.Messages);
        var entry = Assert.Single(await references.ListAsync(Ct));
        Assert.Equal("docker.io/library/busybox:latest", entry.Annotation(AnnotationKeys.ContainerdImageName));
        var stored = await new OciLayout(store).LoadImageAsync(entry, null, Ct);
        Assert.Equal(original.Config.RootFs.DiffIds, stored.Layers.Select(l => l.DiffId));
        // Kept as docker keeps them: the layer.tar itself, whose digest is the diff ID, its sizes counted as it came in.
        var stats = new LayerStatsCache(store);
        foreach (var layer in stored.Layers)
        {
            Assert.Equal(MediaTypes.DockerLayer, layer.MediaType);
            Assert.Equal(layer.DiffId, layer.Digest);
            await using (var tar = await layer.OpenUncompressedAsync(Ct))
                Assert.Equal(layer.DiffId, await Digest.ComputeAsync(tar, Ct));
            var counted = stats.TryGet(layer.Digest);
            Assert.NotNull(counted);
            await using var again = await layer.OpenUncompressedAsync(Ct);
            Assert.Equal(await LayerStatsCounter.CountAsync(again, Ct), counted);
            Assert.Equal(layer.Size, counted.Value.TarSize);
        }
    }

    [Fact]
    public async Task LegacyLoadCompressesOnRequestTheSameWayEveryTime()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var original = await new OciLayout(_fixture.Store).LoadImageAsync(manifest, null, Ct);
        var path = await SaveAsync(ArchiveFormat.Docker, "legacy.tar", (manifest, ["busybox:latest"]));
        var first = await LoadFreshAsync(path, compress: true);
        var second = await LoadFreshAsync(path, compress: true);
        Assert.Equal(first.Loaded[0].Manifest.Digest, second.Loaded[0].Manifest.Digest);

        var stored = await new OciLayout(first.Store).LoadImageAsync(first.Loaded[0].Manifest, null, Ct);
        Assert.Equal(original.ConfigDigest, stored.ConfigDigest);
        Assert.All(stored.Layers, l => Assert.Equal(MediaTypes.DockerLayerGzip, l.MediaType));
        foreach (var layer in stored.Layers)
        {
            await using var tar = await layer.OpenUncompressedAsync(Ct);
            Assert.Equal(layer.DiffId, await Digest.ComputeAsync(tar, Ct));
            Assert.Equal((layer.Digest, layer.Size), new CompressedLayerCache(first.Store).TryGet(layer.DiffId, LayerCompression.Gzip));
        }
    }

    [Theory]
    [InlineData(ArchiveFormat.DockerOci)]
    [InlineData(ArchiveFormat.Oci)]
    public async Task LayoutArchivesRoundTripWithUnchangedBlobs(ArchiveFormat format)
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var original = await new OciLayout(_fixture.Store).LoadImageAsync(manifest, null, Ct);
        var path = await SaveAsync(format, "layout.tar", (manifest, ["busybox:latest"]));

        using (var reader = await ArchiveReader.OpenAsync(path, null, Ct)) Assert.Equal(format, reader.Format);
        var (loaded, store, _) = await LoadFreshAsync(path);

        var image = Assert.Single(loaded);
        // An oci-archive holds the image with OCI media types (a new manifest over the same config and blobs).
        Assert.Equal(format == ArchiveFormat.Oci ? OciConversion.ToOci(original).ManifestDigest : manifest.Digest, image.Manifest.Digest);
        Assert.Equal(original.ConfigDigest, image.ImageId);
        Assert.Equal([ImageReference.Parse("busybox:latest")], image.Names);
        foreach (var layer in original.Layers)
            Assert.Equal(await File.ReadAllBytesAsync(_fixture.Store.BlobPath(layer.Digest), Ct), await File.ReadAllBytesAsync(store.BlobPath(layer.Digest), Ct));
    }

    [Fact]
    public async Task GzipCompressedArchiveLoads()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var path = await SaveAsync(ArchiveFormat.Docker, "legacy.tar", (manifest, ["busybox:latest"]));
        var gz = _fixture.PathFor("legacy.tar.gz");
        await File.WriteAllBytesAsync(gz, ArchiveFixture.Gzip(await File.ReadAllBytesAsync(path, Ct)), Ct);

        var (loaded, _, _) = await LoadFreshAsync(gz);
        var expected = await new OciLayout(_fixture.Store).LoadImageAsync(manifest, null, Ct);
        Assert.Equal(expected.ConfigDigest, Assert.Single(loaded).ImageId);
    }

    [Fact]
    public async Task ArchiveOnANonSeekableStreamLoads()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var original = await new OciLayout(_fixture.Store).LoadImageAsync(manifest, null, Ct);
        var path = await SaveAsync(ArchiveFormat.Oci, "oci.tar", (manifest, ["busybox:latest"]));
        var (store, references) = _fixture.NewStore("from-stream");
        await using var pipe = new ForwardOnlyStream(File.OpenRead(path));
        var loaded = await ArchiveLoader.LoadAsync(pipe, "stdin", store, references, new ArchiveLoadOptions(), null, Ct);
        Assert.Equal(OciConversion.ToOci(original).ManifestDigest, Assert.Single(loaded).Manifest.Digest);
        Assert.Empty(Directory.GetFiles(store.IngestPath));
    }

    [Fact]
    public async Task SeveralImagesAndTagsLoadTogether()
    {
        var shared = new Dictionary<string, string> { ["bin/sh"] = "#!shell" };
        var a = await _fixture.AddImageAsync(["app:1", "app:latest"], "a", shared, new() { ["a"] = "a" });
        var b = await _fixture.AddImageAsync(["registry.example:5000/team/other:2"], "b", shared, new() { ["b"] = "b" });
        foreach (var format in new[] { ArchiveFormat.Docker, ArchiveFormat.DockerOci, ArchiveFormat.Oci })
        {
            var path = await SaveAsync(format, $"two-{format}.tar", (a, ["app:1", "app:latest"]), (b, ["registry.example:5000/team/other:2"]));
            var (loaded, _, references) = await LoadFreshAsync(path);
            Assert.Equal(2, loaded.Count);
            Assert.Equal(["Loaded image: app:1", "Loaded image: app:latest", "Loaded image: registry.example:5000/team/other:2"], loaded.SelectMany(l => l.Messages));
            var names = (await references.ListAsync(Ct)).Select(e => e.Annotation(AnnotationKeys.ContainerdImageName)).Order().ToList();
            Assert.Equal(["docker.io/library/app:1", "docker.io/library/app:latest", "registry.example:5000/team/other:2"], names);
        }
    }

    [Fact]
    public async Task UnnamedImageLoadsAsDangling()
    {
        var manifest = await _fixture.AddImageAsync([], "x", new Dictionary<string, string> { ["x"] = "x" });
        var path = await SaveAsync(ArchiveFormat.Docker, "unnamed.tar", (manifest, []));
        var manifestJson = ArchiveFixture.ReadTar(path)["manifest.json"].Content;
        Assert.Contains("\"RepoTags\":null", Encoding.UTF8.GetString(manifestJson));
        Assert.DoesNotContain("repositories", ArchiveFixture.TarNames(path));

        var (loaded, _, references) = await LoadFreshAsync(path);
        var image = Assert.Single(loaded);
        Assert.Equal([$"Loaded image ID: {image.ImageId}"], image.Messages);
        Assert.Null(ReferenceStore.NameOf(Assert.Single(await references.ListAsync(Ct))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LoadingAgainReusesStoredLayers(bool compress)
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var path = await SaveAsync(ArchiveFormat.Docker, "legacy.tar", (manifest, ["busybox:latest"]));
        var (store, references) = _fixture.NewStore("twice");
        var options = new ArchiveLoadOptions(CompressLayers: compress);
        await ArchiveLoader.LoadAsync(path, store, references, options, null, Ct);
        var progress = new List<BlobProgress>();
        await ArchiveLoader.LoadAsync(path, store, references, options, new SyncProgress(progress), Ct);
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.True(p.Skipped));
    }

    [Fact]
    public async Task DotSlashNamesAndAnyEntryOrderAreRead()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var path = await SaveAsync(ArchiveFormat.Docker, "legacy.tar", (manifest, ["busybox:latest"]));
        var entries = ArchiveFixture.ReadTar(path).Where(e => e.Value.Type == System.Formats.Tar.TarEntryType.RegularFile);
        var rewritten = _fixture.PathFor("dotslash.tar");
        ArchiveFixture.WriteTar(rewritten, entries.Reverse().Select(e => ("./" + e.Key, e.Value.Content)));

        var (loaded, _, _) = await LoadFreshAsync(rewritten);
        Assert.Equal(["Loaded image: busybox:latest"], Assert.Single(loaded).Messages);
    }

    private sealed class SyncProgress(List<BlobProgress> into) : IProgress<BlobProgress>
    {
        public void Report(BlobProgress value) => into.Add(value);
    }
}

/// <summary>A stream that cannot seek, like a pipe.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}

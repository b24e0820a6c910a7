using System.Text;
using System.Text.Json.Nodes;
using Tabula.Archives;
using Tabula.Content;
using Tabula.Oci;

namespace Tabula.Tests.Archives;

/// <summary>Broken archives fail with an error that says what is wrong, and the store's names stay exactly as they were.</summary>
public sealed class ArchiveCorruptionTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ArchiveFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private async Task<string> SaveAsync(ArchiveFormat format, string file)
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var path = _fixture.PathFor(file);
        await ArchiveSaver.SaveAsync(_fixture.Store, [new StoredImage(manifest, default, [ImageReference.Parse("busybox:latest")])], format, path, Ct);
        return path;
    }

    /// <summary>Loads into a store that already names an image, and checks its index.json is byte-identical afterwards.</summary>
    private async Task<TException> AssertLoadFailsAsync<TException>(string archive) where TException : Exception
    {
        var (store, references) = _fixture.NewStore("target");
        var existing = await _fixture.AddSimpleImageAsync("existing:1", "existing");
        await references.TagAsync(ImageReference.Parse("existing:1"), existing, Ct);
        await new OciLayout(store).WriteImageAsync(await new OciLayout(_fixture.Store).LoadImageAsync(existing, null, Ct), null, Ct);
        var indexPath = Path.Combine(store.Root, "index.json");
        var before = await File.ReadAllBytesAsync(indexPath, Ct);

        var error = await Assert.ThrowsAnyAsync<TException>(() => ArchiveLoader.LoadAsync(archive, store, references, null, Ct));

        Assert.Equal(before, await File.ReadAllBytesAsync(indexPath, Ct));
        Assert.Empty(Directory.GetFiles(store.IngestPath));
        return error;
    }

    private static void Rewrite(string path, Func<Dictionary<string, byte[]>, IEnumerable<(string, byte[])>> change)
    {
        var entries = ArchiveFixture.ReadTar(path)
            .Where(e => e.Value.Type == System.Formats.Tar.TarEntryType.RegularFile)
            .ToDictionary(e => e.Key, e => e.Value.Content);
        ArchiveFixture.WriteTar(path, change(entries));
    }

    private static string LayerOf(Dictionary<string, byte[]> entries, int index)
    {
        var manifest = JsonNode.Parse(entries["manifest.json"])!;
        return manifest[0]!["Layers"]![index]!.GetValue<string>();
    }

    [Theory]
    [InlineData(ArchiveFormat.Docker)]
    [InlineData(ArchiveFormat.DockerOci)]
    [InlineData(ArchiveFormat.Oci)]
    public async Task CorruptLayerByteIsADigestMismatch(ArchiveFormat format)
    {
        var path = await SaveAsync(format, "corrupt.tar");
        Rewrite(path, entries =>
        {
            var name = format == ArchiveFormat.Oci
                ? entries.Keys.Where(k => k.StartsWith("blobs/", StringComparison.Ordinal)).OrderByDescending(k => entries[k].Length).First()
                : LayerOf(entries, 1);
            var bytes = entries[name];
            bytes[bytes.Length / 2] ^= 0x20;
            return entries.Select(e => (e.Key, e.Value));
        });
        var error = await AssertLoadFailsAsync<DigestMismatchException>(path);
        Assert.Contains("nothing was stored", error.Message);
    }

    [Fact]
    public async Task TruncatedArchiveSaysSo()
    {
        var path = await SaveAsync(ArchiveFormat.Docker, "truncated.tar");
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)], Ct);
        var error = await AssertLoadFailsAsync<ArchiveFormatException>(path);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public async Task TruncatedGzipArchiveSaysSo()
    {
        var path = await SaveAsync(ArchiveFormat.Docker, "truncated.tar");
        var gz = ArchiveFixture.Gzip(await File.ReadAllBytesAsync(path, Ct));
        await File.WriteAllBytesAsync(path, gz[..(gz.Length * 2 / 3)], Ct);
        var error = await AssertLoadFailsAsync<ArchiveFormatException>(path);
        // The gzip stream ends in the middle of the tar: the error names the file and says it is cut short.
        Assert.StartsWith(path + " is not a tar archive or is damaged: the tar is truncated", error.Message);
    }

    [Fact]
    public async Task MissingLayerFileIsNamed()
    {
        var path = await SaveAsync(ArchiveFormat.Docker, "missing.tar");
        string missing = "";
        Rewrite(path, entries =>
        {
            missing = LayerOf(entries, 0);
            return entries.Where(e => e.Key != missing).Select(e => (e.Key, e.Value));
        });
        var error = await AssertLoadFailsAsync<ArchiveEntryNotFoundException>(path);
        Assert.Equal(missing, error.Entry);
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public async Task WrongDiffIdIsADigestMismatch()
    {
        var path = await SaveAsync(ArchiveFormat.Docker, "diffid.tar");
        Rewrite(path, entries =>
        {
            // A config naming another diff ID, stored under its own (correct) digest.
            var manifest = JsonNode.Parse(entries["manifest.json"])!;
            var configName = manifest[0]!["Config"]!.GetValue<string>();
            var config = JsonNode.Parse(entries[configName])!;
            config["rootfs"]!["diff_ids"]![0] = Digest.Compute("something else"u8).ToString();
            var rawConfig = Encoding.UTF8.GetBytes(config.ToJsonString());
            var newName = Digest.Compute(rawConfig).Encoded + ".json";
            manifest[0]!["Config"] = newName;
            return entries.Where(e => e.Key is not "manifest.json" && e.Key != configName).Select(e => (e.Key, e.Value))
                .Append((newName, rawConfig)).Append(("manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString())));
        });
        await AssertLoadFailsAsync<DigestMismatchException>(path);
    }

    [Fact]
    public async Task ConfigNotMatchingItsFileNameIsADigestMismatch()
    {
        var path = await SaveAsync(ArchiveFormat.Docker, "config.tar");
        Rewrite(path, entries =>
        {
            var configName = JsonNode.Parse(entries["manifest.json"])![0]!["Config"]!.GetValue<string>();
            entries[configName] = [.. entries[configName], (byte)' '];
            return entries.Select(e => (e.Key, e.Value));
        });
        await AssertLoadFailsAsync<DigestMismatchException>(path);
    }

    [Fact]
    public async Task PathTraversalInManifestIsRefused()
    {
        var path = await SaveAsync(ArchiveFormat.Docker, "traversal.tar");
        Rewrite(path, entries =>
        {
            var manifest = JsonNode.Parse(entries["manifest.json"])!;
            manifest[0]!["Layers"]![0] = "../../etc/passwd";
            entries["manifest.json"] = Encoding.UTF8.GetBytes(manifest.ToJsonString());
            return entries.Select(e => (e.Key, e.Value));
        });
        var error = await AssertLoadFailsAsync<ArchiveFormatException>(path);
        Assert.Contains("..", error.Message);
    }

    [Fact]
    public async Task NotAnImageArchiveSaysWhatIsMissing()
    {
        var path = _fixture.PathFor("plain.tar");
        ArchiveFixture.WriteTar(path, [("hello.txt", "hi"u8.ToArray())]);
        var error = await AssertLoadFailsAsync<ArchiveFormatException>(path);
        Assert.Contains("manifest.json", error.Message);
    }

    [Fact]
    public async Task GarbageIsNotATar()
    {
        var path = _fixture.PathFor("garbage.tar");
        await File.WriteAllBytesAsync(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray(), Ct);
        await AssertLoadFailsAsync<ArchiveFormatException>(path);
    }
}

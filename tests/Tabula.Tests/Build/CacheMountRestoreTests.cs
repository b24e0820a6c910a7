using System.Formats.Tar;
using System.IO.Compression;
using Tabula.Build;
using Tabula.Build.SharedCache;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Build;

/// <summary>
/// A cache mount's tar from a shared cache is someone else's bytes: restoring it never writes outside the cache's
/// directory, whatever names and symlinks it holds, and a blob that does not match its digest restores nothing.
/// </summary>
public class CacheMountRestoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Events : IProgress<BuildEvent>
    {
        public List<BuildEvent> Seen { get; } = [];

        public void Report(BuildEvent value)
        {
            lock (Seen) Seen.Add(value);
        }
    }

    /// <summary>A local cache directory whose key map carries one cache mount, <c>dl</c>, with <paramref name="tar"/> as its content.</summary>
    private static void WriteCache(string directory, byte[] tar, bool corrupt = false)
    {
        var gzip = new MemoryStream();
        using (var compressor = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true)) compressor.Write(tar);
        var blob = gzip.ToArray();
        var descriptor = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Compute(blob), Size = blob.Length };
        if (corrupt) blob[^5] ^= 0xFF;
        var config = new CacheConfig
        {
            Steps = [],
            Mounts = [new CacheMountArchive { Id = "dl", Name = "dl", Blob = descriptor, DiffId = Digest.Compute(tar) }],
        }.Serialize();
        var layout = new CacheLayoutDirectory(directory);
        layout.Create();
        File.WriteAllBytes(Path.Combine(directory, "blobs", "sha256", descriptor.Digest.Encoded), blob);
        layout.Put(config);
        var manifest = OciJson.Serialize(new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            ArtifactType = CacheConfig.ArtifactType,
            Config = new Descriptor { MediaType = CacheConfig.MediaType, Digest = Digest.Compute(config), Size = config.Length },
            Layers = [descriptor],
        });
        layout.Put(manifest);
        layout.Tag(new Descriptor { MediaType = MediaTypes.OciManifest, Digest = Digest.Compute(manifest), Size = manifest.Length }, LocalCacheLocation.DefaultTag);
    }

    private static byte[] Tar(Action<TarWriter> write)
    {
        var bytes = new MemoryStream();
        using (var writer = new TarWriter(bytes, TarEntryFormat.Pax, leaveOpen: true)) write(writer);
        return bytes.ToArray();
    }

    private static void AddFile(TarWriter writer, string name, string text)
        => writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });

    private static async Task<(bool Restored, Events Events)> RestoreAsync(TempDir temp, string target)
    {
        var events = new Events();
        using var shared = new SharedBuildCache(ContentStore.Open(temp.Combine("store")), events);
        await shared.ImportAsync([new LocalCacheLocation(temp.Combine("cache"))], new RegistryOptions(), Ct);
        Assert.NotNull(shared.ImportedMount("dl"));
        return (await shared.RestoreMountAsync("dl", target, Ct), events);
    }

    [Fact]
    public async Task Names_and_symlinks_that_point_away_land_inside_the_cache_directory()
    {
        using var temp = new TempDir();
        var tar = Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "root") { LinkName = "/" });
            AddFile(w, "root/through-absolute", "a");
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "up") { LinkName = "../../../.." });
            AddFile(w, "up/through-relative", "b");
            AddFile(w, "../dotdot", "c");
            AddFile(w, "/absolute", "d");
            AddFile(w, "sub/kept", "e");
        });
        WriteCache(temp.Combine("cache"), tar);
        var target = temp.Combine("mounts", "dl");
        Directory.CreateDirectory(temp.Combine("mounts"));

        var (restored, events) = await RestoreAsync(temp, target);

        Assert.True(restored, string.Join('\n', events.Seen));
        // Everything is inside the cache: the symlinks resolved as a chroot at its directory sees them.
        Assert.Equal(["absolute", "dotdot", "root", "sub", "through-absolute", "through-relative", "up"],
            Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("e", File.ReadAllText(Path.Combine(target, "sub", "kept")));
        Assert.Equal(["dl"], Directory.EnumerateFileSystemEntries(temp.Combine("mounts")).Select(Path.GetFileName));
        Assert.Equal(["cache", "mounts", "store"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists("/through-absolute"));
        Assert.Contains(events.Seen, e => e is CacheProgress { Text: var t } && t.StartsWith("restored cache mount dl:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_blob_that_does_not_match_its_digest_restores_nothing_and_warns()
    {
        using var temp = new TempDir();
        WriteCache(temp.Combine("cache"), Tar(w => AddFile(w, "one", "1")), corrupt: true);
        var target = temp.Combine("dl");

        var (restored, events) = await RestoreAsync(temp, target);

        Assert.False(restored);
        Assert.False(Directory.Exists(target));
        Assert.Contains(events.Seen, e => e is CacheWarning { Message: var m } && m.Contains("restoring cache mount dl from", StringComparison.Ordinal) && m.Contains("starting it empty", StringComparison.Ordinal));
    }
}

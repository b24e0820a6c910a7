using System.Formats.Tar;
using System.Text;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Runtime.Snapshots;
using Tabula.Tests.Integration.Support;
using Tabula.Tests.Layers;

namespace Tabula.Tests.Runtime;

/// <summary>
/// Layers unpacked as overlay snapshots: a layer's snapshot, read back as an upper directory, is the layer again
/// (whiteouts, opaque directories, hard links, symlinks, xattrs); the merged view reads them as overlayfs would;
/// an unpack is committed whole or not at all, and what a dead process left is reaped. Root: snapshots hold owners
/// and <c>trusted.overlay.*</c> xattrs.
/// </summary>
public sealed class SnapshotStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly LayerEntry[] Bottom =
    [
        TarTestData.Dir("etc"), TarTestData.File("etc/keep", 5), TarTestData.File("etc/gone", 5), TarTestData.Dir("usr"), TarTestData.Dir("usr/lib"),
        TarTestData.File("usr/lib/old", 7), TarTestData.Symlink("lib", "usr/lib"),
    ];

    /// <summary>An inode's xattrs are on each of its names, so the hard link carries the file's.</summary>
    private static readonly LayerEntry[] Top =
    [
        TarTestData.Dir("etc"), TarTestData.File("etc/.wh.gone"), TarTestData.File("etc/new", 9) with { Xattrs = LayerXattrs.From([new("user.note", "hi"u8.ToArray())]) },
        TarTestData.Hardlink("etc/new-link", "etc/new") with { Xattrs = LayerXattrs.From([new("user.note", "hi"u8.ToArray())]) },
        TarTestData.Dir("usr"), TarTestData.Dir("usr/lib"), TarTestData.File("usr/lib/.wh..wh..opq"),
        TarTestData.File("usr/lib/fresh", 3), TarTestData.Symlink("etc/to-keep", "keep"),
    ];

    [Fact]
    public async Task A_snapshot_read_back_as_an_upper_directory_is_its_layer_again()
    {
        Requirements.Root();
        using var temp = new TempDir("snapshots");
        var store = new SnapshotStore(temp.Combine("snapshots"));
        var layers = new[] { await BytesLayer.CreateAsync(Bottom), await BytesLayer.CreateAsync(Top) };

        var directories = await store.PrepareAsync(layers, Ct);

        Assert.Equal(ChainIds.Of([layers[0].DiffId, layers[1].DiffId]).Select(c => store.Find(c)), directories);
        for (int i = 0; i < layers.Length; i++)
        {
            var written = new MemoryStream();
            await UpperLayer.WriteAsync(directories[i], null, written, null, rootless: false, Ct);
            var expected = (await ListAsync(new MemoryStream(layers[i].Bytes))).Order(StringComparer.Ordinal);
            Assert.Equal(expected, (await ListAsync(new MemoryStream(written.ToArray()))).Order(StringComparer.Ordinal));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Active.Directory));
    }

    [Fact]
    public async Task The_merged_view_applies_whiteouts_opaque_directories_and_symlinks_inside_the_root()
    {
        Requirements.Root();
        using var temp = new TempDir("snapshots");
        var store = new SnapshotStore(temp.Combine("snapshots"));
        var view = new SnapshotView(await store.PrepareAsync([await BytesLayer.CreateAsync(Bottom), await BytesLayer.CreateAsync(Top)], Ct));

        Assert.NotNull(view.Find("etc/keep"));
        Assert.Null(view.Find("etc/gone"));
        Assert.Null(view.Find("usr/lib/old")); // hidden by the opaque directory
        Assert.Null(view.Find("lib/old"));
        Assert.NotNull(view.Find("lib/fresh")); // through the symlink
        Assert.NotNull(view.Find("/../../lib/fresh")); // never above the root
        using var keep = view.OpenFile("etc/to-keep");
        Assert.NotNull(keep);
        Assert.Equal(TarTestData.ContentFor(Bottom[1]), ReadAll(keep));
    }

    [Fact]
    public async Task A_second_prepare_unpacks_nothing_and_a_dead_owners_folder_is_reaped()
    {
        Requirements.Root();
        using var temp = new TempDir("snapshots");
        var store = new SnapshotStore(temp.Combine("snapshots"));
        var layers = new[] { await BytesLayer.CreateAsync(Bottom) };
        var first = await store.PrepareAsync(layers, Ct);
        var made = Directory.GetCreationTimeUtc(first[0]);
        layers[0].Opened = 0;

        var second = await store.PrepareAsync(layers, Ct);

        Assert.Equal(first, second);
        Assert.Equal(0, layers[0].Opened);
        Assert.Equal(made, Directory.GetCreationTimeUtc(second[0]));

        // A folder whose owner died (no one holds its lock) goes; a live one stays.
        var dead = Directory.CreateDirectory(Path.Combine(store.Active.Directory, "run-dead")).FullName;
        File.WriteAllText(Path.Combine(dead, "owner.lock"), "");
        using var live = store.Active.Create("run");
        Assert.Equal(1, store.Active.ReapDead());
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(live.Path));
    }

    private static byte[] ReadAll(Stream stream)
    {
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Each entry as a line: type, mode, owner, time, link target, xattrs and content; hard links by target.</summary>
    private static async Task<List<string>> ListAsync(Stream tar)
    {
        var lines = new List<string>();
        await using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: true, Ct) is { } entry)
        {
            string content = entry.DataStream is { } data ? Encoding.UTF8.GetString(ReadAll(data)) : "";
            string xattrs = entry is PaxTarEntry pax ? string.Join(",", pax.ExtendedAttributes.Where(a => a.Key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal)).Select(a => a.Key + "=" + a.Value)) : "";
            bool marker = Path.GetFileName(entry.Name.TrimEnd('/')).StartsWith(".wh.", StringComparison.Ordinal);
            lines.Add(marker ? entry.Name : $"{entry.Name.TrimEnd('/')} {entry.EntryType} {(int)entry.Mode} {entry.Uid}/{entry.Gid} {entry.ModificationTime.ToUnixTimeSeconds()} {entry.LinkName} [{xattrs}] {content}");
        }
        return lines;
    }

    /// <summary>An uncompressed layer held in memory, counting how often it is opened.</summary>
    private sealed class BytesLayer(byte[] bytes) : ILayer
    {
        public byte[] Bytes { get; } = bytes;
        public int Opened { get; set; }
        public Digest Digest => DiffId;
        public Digest DiffId { get; } = Digest.Compute(bytes);
        public long Size => Bytes.Length;
        public string MediaType => MediaTypes.OciLayer;

        public static async Task<BytesLayer> CreateAsync(IEnumerable<LayerEntry> entries) => new(await TarTestData.WriteTarAsync(entries, Ct));

        public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => OpenUncompressedAsync(cancellationToken);

        public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
        {
            Opened++;
            return Task.FromResult<Stream>(new MemoryStream(Bytes, writable: false));
        }
    }
}

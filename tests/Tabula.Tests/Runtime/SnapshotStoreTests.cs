using System.Formats.Tar;
using System.Text;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Runtime;
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

    /// <summary>Layers that lean on every rule of applying a layer: paths through lower symlinks, overwrites within a layer, deletions, hard links.</summary>
    private static readonly LayerEntry[][] Stack =
    [
        [
            TarTestData.Dir("etc"), TarTestData.File("etc/passwd", 20), TarTestData.Dir("usr"), TarTestData.Dir("usr/lib", 0b111_101_000),
            TarTestData.File("usr/lib/a", 11), TarTestData.File("usr/lib/b", 12), TarTestData.Symlink("lib", "usr/lib"),
            TarTestData.Symlink("abs", "/usr"), TarTestData.Dir("d"), TarTestData.File("d/x", 3), TarTestData.File("f", 4),
            TarTestData.Dir("keep"), TarTestData.File("keep/k", 5), TarTestData.Dir("gone"), TarTestData.File("gone/g", 6),
        ],
        [
            TarTestData.File("lib/c", 7),                                       // through the lower symlink: usr/lib/c
            TarTestData.File("abs/lib/d", 8),                                   // through an absolute one
            TarTestData.File(".wh.d"), TarTestData.File("d/y", 9),              // deleted, then made again (implied): opaque
            TarTestData.Dir("f") with { Mode = 0b111_000_000 }, TarTestData.File("f/z", 2), // a directory over a lower file
            TarTestData.Dir("keep", 0b111_111_101) with { ModTime = TarTestData.Time.AddDays(1) }, // over a directory: metadata only
            TarTestData.File("etc/new", 10), TarTestData.Symlink("etc/new", "passwd"), // the later entry wins
            TarTestData.Dir("etc/t"), TarTestData.File("etc/t/inner", 1), TarTestData.File("etc/t", 13), // a file over the layer's own directory
            TarTestData.Hardlink("hl", "usr/lib/a"), TarTestData.Hardlink("hl2", "lib/a"), // to a lower file: one copy, linked
            TarTestData.File("same1", 14), TarTestData.Hardlink("same2", "same1"),
            TarTestData.File("usr/lib/.wh.b"), TarTestData.File(".wh.nothing"), TarTestData.File("missing/.wh.x"),
            TarTestData.File("implied/deep/file", 15),                          // parents nobody named
            TarTestData.File(".wh.gone"), TarTestData.Dir("gone", 0b111_000_000), // deleted, then made again: opaque
        ],
        [
            TarTestData.Dir("keep"), TarTestData.File("keep/new", 16), TarTestData.File("keep/.wh..wh..opq"), // this layer's entries stay
            TarTestData.File(".wh.lib"), TarTestData.Dir("lib"), TarTestData.File("lib/own", 17), // the symlink replaced by a directory
            TarTestData.Dir("etc", 0b111_000_000) with { ModTime = TarTestData.Time.AddDays(2) },
            TarTestData.File("usr/lib/a", 18),                                  // the hard links below keep their copy
            TarTestData.File("d/.wh.y"),
        ],
    ];

    [Fact]
    public async Task The_merged_snapshots_show_what_unpacking_the_layers_writes()
    {
        Requirements.Root();
        using var temp = new TempDir("snapshots");
        var layers = new List<BytesLayer>();
        foreach (var entries in Stack) layers.Add(await BytesLayer.CreateAsync(entries));
        var store = new SnapshotStore(temp.Combine("snapshots"));
        var view = new SnapshotView(await store.PrepareAsync(layers, Ct));
        string unpacked = temp.Combine("rootfs");
        await RootfsUnpacker.UnpackAsync(layers, unpacked, Ct);

        var expected = new List<string>();
        Describe(unpacked, "", expected);
        var merged = new List<string>();
        DescribeMerged(view, "", merged);

        Assert.Contains(expected, line => line.StartsWith("usr/lib/c RegularFile", StringComparison.Ordinal)); // the oracle saw the layers
        Assert.Equal(expected, merged);
    }

    /// <summary>Each entry of a real directory tree as a line (see <see cref="Line"/>), names sorted.</summary>
    private static void Describe(string root, string directory, List<string> lines)
    {
        foreach (var name in Directory.EnumerateFileSystemEntries(Path.Combine(root, directory)).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            string path = directory.Length == 0 ? name! : directory + "/" + name;
            string host = Path.Combine(root, path);
            var status = Posix.Lstat(host)!;
            lines.Add(Line(path, host, status));
            if (status.IsDirectory) Describe(root, path, lines);
        }
    }

    /// <summary>The same for the merged view of snapshots, as overlayfs would show it.</summary>
    private static void DescribeMerged(SnapshotView view, string directory, List<string> lines)
    {
        foreach (var name in view.VisibleChildren(directory).Order(StringComparer.Ordinal))
        {
            string path = directory.Length == 0 ? name : directory + "/" + name;
            var (host, status) = view.FindPhysicalEntry(path)!.Value;
            lines.Add(Line(path, host, status));
            if (status.IsDirectory) DescribeMerged(view, path, lines);
        }
    }

    private static string Line(string path, string host, FileStatus status)
    {
        string type = status.IsDirectory ? "Directory" : status.IsSymlink ? "Symlink" : status.Type == Posix.TypeRegular ? "RegularFile" : "Other";
        string content = status.Type == Posix.TypeRegular ? Encoding.UTF8.GetString(File.ReadAllBytes(host)) : status.IsSymlink ? new FileInfo(host).LinkTarget! : "";
        string xattrs = status.IsSymlink ? "" : string.Join(",", Posix.GetXattrs(host).Where(x => !OverlaySnapshotWriter.IsOverlayXattr(x.Key)).Select(x => x.Key));
        return $"{path} {type} {Convert.ToString(status.Permissions, 8)} {status.Uid}/{status.Gid} {(status.IsSymlink ? 0 : status.MTimeSeconds)} [{xattrs}] {content}";
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

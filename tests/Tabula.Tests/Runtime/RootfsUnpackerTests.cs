using System.Formats.Tar;
using System.Text;
using Tabula.Layers;
using Tabula.Runtime;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Runtime;

/// <summary>Unpacking layers to disk: in order, whiteouts applied, metadata kept, and never a write outside the root.</summary>
public class RootfsUnpackerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset Time = new(2023, 11, 14, 22, 13, 20, TimeSpan.Zero);

    private sealed record Raw(string Name, TarEntryType Type, string Link = "", string Text = "", int Mode = 0b110_100_100, int Uid = 0);

    private static Func<CancellationToken, Task<Stream>> Layer(params Raw[] entries)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var raw in entries)
            {
                var entry = new PaxTarEntry(raw.Type, raw.Name) { ModificationTime = Time, Mode = (UnixFileMode)raw.Mode, Uid = raw.Uid, Gid = raw.Uid };
                if (raw.Type is TarEntryType.SymbolicLink or TarEntryType.HardLink) entry.LinkName = raw.Link;
                if (raw.Type == TarEntryType.RegularFile) entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(raw.Text));
                writer.WriteEntry(entry);
            }
        }
        var bytes = output.ToArray();
        return _ => Task.FromResult<Stream>(new MemoryStream(bytes));
    }

    private static Raw Dir(string name, int mode = 0b111_101_101) => new(name, TarEntryType.Directory, Mode: mode);
    private static Raw File(string name, string text = "", int mode = 0b110_100_100, int uid = 0) => new(name, TarEntryType.RegularFile, Text: text, Mode: mode, Uid: uid);
    private static Raw Symlink(string name, string target) => new(name, TarEntryType.SymbolicLink, target, Mode: 0b111_111_111);

    [Fact]
    public async Task Planted_symlinks_and_dot_dot_names_stay_inside_the_root()
    {
        using var temp = new TempDir("unpack");
        string outside = temp.CreateDirectory("outside");
        string root = temp.Combine("root");
        var layer = Layer(
            Symlink("evil", "/"),
            File("evil/etc/x", "through an absolute symlink"),
            Symlink("up", "../../outside"),
            File("up/y", "through a relative symlink"),
            File("../../outside/z", "dot-dot name"),
            File("/abs", "absolute name"),
            Dir("sub"),
            File("sub/../../../w", "dot-dot inside a path"));

        await RootfsUnpacker.UnpackAsync([layer], root, Ct);

        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Equal("through an absolute symlink", await System.IO.File.ReadAllTextAsync(Path.Combine(root, "etc/x"), Ct));
        Assert.Equal("through a relative symlink", await System.IO.File.ReadAllTextAsync(Path.Combine(root, "outside/y"), Ct));
        Assert.Equal("dot-dot name", await System.IO.File.ReadAllTextAsync(Path.Combine(root, "outside/z"), Ct));
        Assert.Equal("absolute name", await System.IO.File.ReadAllTextAsync(Path.Combine(root, "abs"), Ct));
        Assert.Equal("dot-dot inside a path", await System.IO.File.ReadAllTextAsync(Path.Combine(root, "w"), Ct));
        Assert.Equal("/", new FileInfo(Path.Combine(root, "evil")).LinkTarget);
    }

    [Fact]
    public async Task A_symlink_planted_in_a_later_layer_is_not_followed_by_earlier_content()
    {
        using var temp = new TempDir("unpack");
        string outside = temp.CreateDirectory("outside");
        string root = temp.Combine("root");
        var first = Layer(Dir("etc"), File("etc/passwd", "root"));
        var second = Layer(File(".wh.etc"), Symlink("etc", outside));

        var (tree, _) = await RootfsUnpacker.UnpackAsync([first, second], root, Ct);

        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Equal(outside, new FileInfo(Path.Combine(root, "etc")).LinkTarget);
        Assert.Null(tree.Get("etc/passwd"));
    }

    [Fact]
    public async Task Layers_apply_in_order_with_whiteouts_and_opaque_directories()
    {
        using var temp = new TempDir("unpack");
        string root = temp.Combine("root");
        var first = Layer(Dir("a"), File("a/old", "1"), File("a/keep", "2"), Dir("b"), File("b/gone", "3"), File("c", "first"));
        var second = Layer(Dir("a"), File("a/.wh.old"), Dir("b"), File("b/.wh..wh..opq"), File("b/new", "4"), File("c", "second"));

        await RootfsUnpacker.UnpackAsync([first, second], root, Ct);

        Assert.False(Path.Exists(Path.Combine(root, "a/old")));
        Assert.True(System.IO.File.Exists(Path.Combine(root, "a/keep")));
        Assert.Equal(["new"], Directory.EnumerateFileSystemEntries(Path.Combine(root, "b")).Select(Path.GetFileName));
        Assert.Equal("second", await System.IO.File.ReadAllTextAsync(Path.Combine(root, "c"), Ct));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories), p => Path.GetFileName(p).StartsWith(".wh.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Modes_times_hardlinks_and_owners_are_set()
    {
        using var temp = new TempDir("unpack");
        string root = temp.Combine("root");
        var layer = Layer(Dir("bin", 0b111_101_000), File("bin/tool", "#!/bin/sh\n", 0b100_111_101_101, uid: 1000),
            new Raw("bin/tool2", TarEntryType.HardLink, "bin/tool"), Symlink("bin/sh", "tool"), File("empty"));

        await RootfsUnpacker.UnpackAsync([layer], root, Ct);

        var tool = Path.Combine(root, "bin/tool");
        Assert.Equal(Time, System.IO.File.GetLastWriteTimeUtc(tool));
        Assert.Equal(Time, Directory.GetLastWriteTimeUtc(Path.Combine(root, "bin")));
        Assert.Equal((UnixFileMode)0b111_101_000, System.IO.File.GetUnixFileMode(Path.Combine(root, "bin")));
        var status = Posix.Lstat(tool)!;
        var linked = Posix.Lstat(Path.Combine(root, "bin/tool2"))!;
        Assert.Equal(status.Inode, linked.Inode);
        Assert.Equal(2u, status.Links);
        Assert.Equal("tool", new FileInfo(Path.Combine(root, "bin/sh")).LinkTarget);
        // As root the recorded owner is set and setuid survives the chown; as a normal user nothing is chowned
        // (every path is the caller's) and the mode, setuid included, is kept as recorded.
        Assert.Equal(Environment.IsPrivilegedProcess ? 1000 : Posix.EffectiveUid(), status.Uid);
        Assert.Equal(0b100_111_101_101, status.Permissions);
    }

    [Fact]
    public async Task Xattrs_are_set_and_device_nodes_are_made_as_root()
    {
        using var temp = new TempDir("unpack");
        string root = temp.Combine("root");
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            var file = new PaxTarEntry(TarEntryType.RegularFile, "tagged", new Dictionary<string, string> { ["SCHILY.xattr.user.tabula"] = "yes" })
            {
                ModificationTime = Time, Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream("x"u8.ToArray()),
            };
            writer.WriteEntry(file);
            writer.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "null") { ModificationTime = Time, Mode = (UnixFileMode)0b110_110_110, DeviceMajor = 1, DeviceMinor = 3 });
        }
        var bytes = output.ToArray();

        var (_, result) = await RootfsUnpacker.UnpackAsync([_ => Task.FromResult<Stream>(new MemoryStream(bytes))], root, Ct);

        var xattrs = Posix.GetXattrs(Path.Combine(root, "tagged"));
        Assert.Contains(xattrs, x => x.Key == "user.tabula" && Encoding.UTF8.GetString(x.Value) == "yes");
        var device = Posix.Lstat(Path.Combine(root, "null"));
        if (Environment.IsPrivilegedProcess)
        {
            Assert.Equal(Posix.TypeCharacter, device!.Type);
            Assert.Equal((1, 3), (device.RdevMajor, device.RdevMinor));
        }
        else
        {
            Assert.Null(device);
            Assert.Equal(1, result.SkippedDevices);
        }
    }

    private static Raw Link(string name, string target) => new(name, TarEntryType.HardLink, target);

    /// <summary>
    /// Layers that replace and delete across each other: the disk must show exactly the merged tree (every path, type,
    /// mode, owner, time, link target, content and which paths share an inode), and what each case should leave.
    /// </summary>
    [Fact]
    public async Task A_stack_of_layers_unpacks_to_exactly_the_merged_tree()
    {
        using var temp = new TempDir("unpack");
        string outside = temp.CreateDirectory("outside");
        string root = temp.Combine("root");
        var first = Layer(
            Dir("etc"), File("etc/passwd", "root"), Dir("usr"), Dir("usr/lib"), File("usr/lib/a", "a"), Symlink("lib", "/usr/lib"),
            Dir("d1"), File("d1/x", "x"), File("f1", "file"), Dir("keep"), File("keep/old", "old"), File("keep/h1", "linked"),
            Link("keep/h2", "keep/h1"), Dir("opq"), File("opq/gone1"), Dir("opq/gone2"), File("opq/gone2/deep"), File("hl", "hl"), Link("hl2", "hl"));
        var second = Layer(
            File("lib/b", "b through the symlink parent"),
            File("d1", "a file over a directory"),
            Dir("f1", 0b111_000_000), File("f1/inside", "a directory over a file"),
            File("keep/.wh.old"),
            Dir("opq"), File("opq/.wh..wh..opq"), File("opq/new", "new"),
            File("hl", "replaced"),
            Link("etc/passwd2", "etc/passwd"),
            Dir("etc", 0b111_000_000),
            Symlink("esc", "../outside"));
        var third = Layer(
            File("esc/p", "through a planted symlink"),
            File(".wh.lib"), Dir("lib"), File("lib/c", "c"),
            Link("f1/inside2", "f1/inside"),
            File("keep/.wh.h1"));

        var (tree, _) = await RootfsUnpacker.UnpackAsync([first, second, third], root, Ct);

        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Equal(await DescribeTreeAsync(tree), Describe(root));
        string Read(string path) => System.IO.File.ReadAllText(Path.Combine(root, path));
        Assert.Equal("b through the symlink parent", Read("usr/lib/b"));
        Assert.Equal("a file over a directory", Read("d1"));
        Assert.Equal("a directory over a file", Read("f1/inside"));
        Assert.Equal((UnixFileMode)0b111_000_000, System.IO.File.GetUnixFileMode(Path.Combine(root, "f1")));
        Assert.Equal((UnixFileMode)0b111_000_000, System.IO.File.GetUnixFileMode(Path.Combine(root, "etc")));
        Assert.Equal(["h2"], Directory.EnumerateFileSystemEntries(Path.Combine(root, "keep")).Select(Path.GetFileName));
        Assert.Equal("linked", Read("keep/h2"));
        Assert.Equal(["new"], Directory.EnumerateFileSystemEntries(Path.Combine(root, "opq")).Select(Path.GetFileName));
        Assert.Equal(("replaced", "hl"), (Read("hl"), Read("hl2")));
        Assert.Equal(Posix.Lstat(Path.Combine(root, "etc/passwd"))!.Inode, Posix.Lstat(Path.Combine(root, "etc/passwd2"))!.Inode);
        Assert.Equal(Posix.Lstat(Path.Combine(root, "f1/inside"))!.Inode, Posix.Lstat(Path.Combine(root, "f1/inside2"))!.Inode);
        Assert.Equal("through a planted symlink", Read("outside/p"));
        Assert.Equal(["c"], Directory.EnumerateFileSystemEntries(Path.Combine(root, "lib")).Select(Path.GetFileName));
        Assert.Equal(["a", "b"], Directory.EnumerateFileSystemEntries(Path.Combine(root, "usr/lib")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>Each path under <paramref name="root"/> as a line: type, mode, owner, time, link target or content, and the first path of its inode.</summary>
    private static List<string> Describe(string root)
    {
        var lines = new List<(string, string, object?)>();
        foreach (var host in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            string path = Path.GetRelativePath(root, host);
            var status = Posix.Lstat(host)!;
            string detail = status.IsSymlink ? new FileInfo(host).LinkTarget! : status.IsDirectory ? "" : System.IO.File.ReadAllText(host);
            lines.Add((path, $"{status.Type:x} {Convert.ToString(status.Permissions, 8)} {status.Uid}:{status.Gid} {status.ModTime:O} [{detail}]", status.IsDirectory ? null : status.Inode));
        }
        return WithInodes(lines);
    }

    /// <summary>The same for what a tree holds.</summary>
    private static async Task<List<string>> DescribeTreeAsync(FileTree tree)
    {
        var lines = new List<(string, string, object?)>();
        foreach (var (entry, content, group) in tree.Entries)
        {
            int type = entry.Type switch
            {
                LayerEntryType.Directory => Posix.TypeDirectory,
                LayerEntryType.Symlink => Posix.TypeSymlink,
                LayerEntryType.RegularFile => Posix.TypeRegular,
                _ => throw new InvalidOperationException(entry.Type.ToString()),
            };
            string detail = entry.Type == LayerEntryType.Symlink ? entry.LinkTarget : "";
            if (entry.Type == LayerEntryType.RegularFile && content is not null)
            {
                await using var stream = await content.OpenAsync(Ct);
                detail = await new StreamReader(stream).ReadToEndAsync(Ct);
            }
            lines.Add((entry.Path, $"{type:x} {Convert.ToString(entry.Mode & 0xFFF, 8)} {entry.Uid}:{entry.Gid} {entry.ModTime:O} [{detail}]", entry.IsDirectory ? null : group ?? entry.Path));
        }
        return WithInodes(lines);
    }

    /// <summary>Lines sorted by path, each ending with the first path of its inode (what hardlinks share).</summary>
    private static List<string> WithInodes(List<(string Path, string Line, object? Inode)> lines)
    {
        var first = new Dictionary<object, string>();
        return [.. lines.OrderBy(l => l.Path, StringComparer.Ordinal)
            .Select(l => $"{l.Path} {l.Line} {(l.Inode is null ? "" : first.TryAdd(l.Inode, l.Path) ? l.Path : first[l.Inode])}")];
    }

    [Fact]
    public async Task A_non_empty_target_is_refused()
    {
        using var temp = new TempDir("unpack");
        await System.IO.File.WriteAllTextAsync(temp.Combine("already"), "x", Ct);
        await Assert.ThrowsAsync<IOException>(() => RootfsUnpacker.UnpackAsync([Layer(File("a"))], temp.Path, Ct));
        Assert.Equal(["already"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_layer_that_breaks_off_takes_back_what_was_written()
    {
        // The second layer's tar is cut inside a file's content: the first layer and the start of the second are on
        // disk by then, and must not stay.
        var first = Layer(Dir("etc", mode: 0b101_101_101), File("etc/a", "a"), Dir("usr"), File("usr/b", "b"));
        var whole = await ReadAsync(Layer(Dir("var"), File("var/c", "c"), File("var/big", new string('x', 4096))));
        var cut = whole[..(whole.Length - 3000)];
        Func<CancellationToken, Task<Stream>> second = _ => Task.FromResult<Stream>(new MemoryStream(cut));

        using var temp = new TempDir("unpack");
        var made = temp.Combine("made");
        await Assert.ThrowsAnyAsync<Exception>(() => RootfsUnpacker.UnpackAsync([first, second], made, Ct));
        Assert.False(Directory.Exists(made));

        var empty = temp.Combine("empty");
        Directory.CreateDirectory(empty);
        await Assert.ThrowsAnyAsync<Exception>(() => RootfsUnpacker.UnpackAsync([first, second], empty, Ct));
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    private static async Task<byte[]> ReadAsync(Func<CancellationToken, Task<Stream>> layer)
    {
        await using var stream = await layer(Ct);
        var bytes = new MemoryStream();
        await stream.CopyToAsync(bytes, Ct);
        return bytes.ToArray();
    }
}

using System.Formats.Tar;
using System.Text;
using Tabula.Layers;
using Tabula.Runtime;
using Tabula.Tests.Integration.Support;
using Tabula.Tests.Layers;

namespace Tabula.Tests.Runtime;

/// <summary>The snapshot diff: what changed on disk since the unpack becomes a layer with whiteouts.</summary>
public class RootfsDiffTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Row(string Path, TarEntryType Type, int Mode, string LinkName, string? Text, long MTime, int Uid = 0, int Gid = 0);

    private static async Task<(FileTree Tree, string Root, TempDir Temp)> UnpackAsync(params LayerEntry[] entries)
    {
        var temp = new TempDir("diff");
        var bytes = await TarTestData.WriteTarAsync(entries, Ct);
        string root = temp.Combine("root");
        var (tree, _) = await RootfsUnpacker.UnpackAsync([_ => Task.FromResult<Stream>(new MemoryStream(bytes))], root, Ct);
        return (tree, root, temp);
    }

    private static async Task<List<Row>> LayerAsync(FileTree upper)
    {
        var output = new MemoryStream();
        await LayerEmitter.WriteLayerAsync(upper, output, Ct);
        output.Position = 0;
        var rows = new List<Row>();
        await using var reader = new TarReader(output);
        while (await reader.GetNextEntryAsync(copyData: true, Ct) is { } entry)
        {
            string? text = entry.DataStream is { } data ? await new StreamReader(data, Encoding.UTF8).ReadToEndAsync(Ct) : null;
            rows.Add(new Row(entry.Name.TrimEnd('/'), entry.EntryType, (int)entry.Mode, entry.LinkName, text, entry.ModificationTime.ToUnixTimeSeconds(), entry.Uid, entry.Gid));
        }
        return rows;
    }

    [Fact]
    public async Task Nothing_changed_gives_an_empty_layer()
    {
        var (tree, root, temp) = await UnpackAsync(TarTestData.Dir("etc"), TarTestData.File("etc/a", 3), TarTestData.Symlink("l", "etc/a"));
        using var _ = temp;

        var upper = RootfsDiff.Compute(tree, root);

        Assert.False(upper.HasChanges);
        Assert.Empty(await LayerAsync(upper));
    }

    [Fact]
    public async Task Added_modified_and_deleted_files_become_entries_and_whiteouts()
    {
        var (tree, root, temp) = await UnpackAsync(TarTestData.Dir("etc"), TarTestData.File("etc/keep", 3), TarTestData.File("etc/change", 3),
            TarTestData.File("etc/gone", 3), TarTestData.File("etc/mode", 3), TarTestData.Dir("var"), TarTestData.File("var/x", 1));
        using var _ = temp;
        await File.WriteAllTextAsync(Path.Combine(root, "etc/change"), "new content", Ct);
        File.Delete(Path.Combine(root, "etc/gone"));
        File.SetUnixFileMode(Path.Combine(root, "etc/mode"), (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(Path.Combine(root, "added"), "hello", Ct);
        Directory.Delete(Path.Combine(root, "var"), recursive: true);

        var rows = await LayerAsync(RootfsDiff.Compute(tree, root));

        Assert.Equal([".wh.var", "added", "etc", "etc/.wh.gone", "etc/change", "etc/mode"], rows.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.Equal("new content", rows.Single(r => r.Path == "etc/change").Text);
        Assert.Equal(0b111_101_101, rows.Single(r => r.Path == "etc/mode").Mode);
        Assert.Equal("hello", rows.Single(r => r.Path == "added").Text);
    }

    [Fact]
    public async Task A_replaced_directory_is_opaque_and_a_type_change_replaces()
    {
        var (tree, root, temp) = await UnpackAsync(TarTestData.Dir("d"), TarTestData.File("d/old", 1), TarTestData.Dir("f"), TarTestData.File("f/inner", 1),
            TarTestData.File("s", 1));
        using var _ = temp;
        Directory.Delete(Path.Combine(root, "d"), recursive: true);
        Directory.CreateDirectory(Path.Combine(root, "d"));
        await File.WriteAllTextAsync(Path.Combine(root, "d/new"), "n", Ct);
        Directory.Delete(Path.Combine(root, "f"), recursive: true);
        await File.WriteAllTextAsync(Path.Combine(root, "f"), "now a file", Ct);
        File.Delete(Path.Combine(root, "s"));
        File.CreateSymbolicLink(Path.Combine(root, "s"), "/etc");

        var rows = await LayerAsync(RootfsDiff.Compute(tree, root));

        Assert.Contains(rows, r => r.Path == "d/.wh.old");
        Assert.Contains(rows, r => r.Path == "d/new");
        Assert.Equal(TarEntryType.RegularFile, rows.Single(r => r.Path == "f").Type);
        Assert.DoesNotContain(rows, r => r.Path.StartsWith("f/", StringComparison.Ordinal));
        Assert.Equal("/etc", rows.Single(r => r.Path == "s").LinkName);
    }

    [Fact]
    public async Task New_hardlinks_are_hardlink_entries_and_times_clamp_to_the_epoch()
    {
        var (tree, root, temp) = await UnpackAsync(TarTestData.Dir("bin"));
        using var _ = temp;
        await File.WriteAllTextAsync(Path.Combine(root, "bin/a"), "same inode", Ct);
        Posix.Link(Path.Combine(root, "bin/a"), Path.Combine(root, "bin/b"));
        var epoch = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var rows = await LayerAsync(RootfsDiff.Compute(tree, root, epoch));

        Assert.Equal(TarEntryType.HardLink, rows.Single(r => r.Path == "bin/b").Type);
        Assert.Equal("bin/a", rows.Single(r => r.Path == "bin/b").LinkName);
        Assert.Equal(epoch.ToUnixTimeSeconds(), rows.Single(r => r.Path == "bin/a").MTime);
    }

    [Fact]
    public async Task Rootless_keeps_recorded_owners_makes_new_paths_root_and_skips_missing_devices()
    {
        Requirements.Root(); // the test plays a rootless disk by chowning to another user, which only root may do
        // The disk cannot show these owners rootless (every path is the caller's); the diff must not see a change.
        var (tree, root, temp) = await UnpackAsync(TarTestData.Dir("etc") with { Uid = 100, Gid = 101 },
            TarTestData.File("etc/keep", 3) with { Uid = 100, Gid = 101 }, TarTestData.File("etc/change", 3) with { Uid = 100, Gid = 101 },
            TarTestData.File("etc/gone", 3), TarTestData.File("usr-bin-tool", 3, 0b100_111_101_101) with { Uid = 5, Gid = 6 },
            new LayerEntry { Path = "null", Type = LayerEntryType.CharacterDevice, Mode = 0b110_110_110, DevMajor = 1, DevMinor = 3, ModTime = TarTestData.Time });
        using var _ = temp;
        foreach (var path in new[] { "etc", "etc/keep", "etc/change", "usr-bin-tool" }) Posix.Lchown(Path.Combine(root, path), 1234, 1234);
        File.SetUnixFileMode(Path.Combine(root, "usr-bin-tool"), (UnixFileMode)0b100_111_101_101); // chown cleared setuid; a rootless unpack never chowns
        if (File.Exists(Path.Combine(root, "null"))) File.Delete(Path.Combine(root, "null")); // a normal user's unpack leaves devices out
        await File.WriteAllTextAsync(Path.Combine(root, "etc/change"), "new content", Ct);
        File.Delete(Path.Combine(root, "etc/gone"));
        await File.WriteAllTextAsync(Path.Combine(root, "etc/added"), "hello", Ct);
        Posix.Lchown(Path.Combine(root, "etc/added"), 1234, 1234);

        var rows = await LayerAsync(RootfsDiff.Compute(tree, root, rootless: true));

        Assert.Equal(["etc", "etc/.wh.gone", "etc/added", "etc/change"], rows.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.Equal((100, 101), rows.Single(r => r.Path == "etc/change") is var change ? (change.Uid, change.Gid) : default);
        Assert.Equal((0, 0), rows.Single(r => r.Path == "etc/added") is var added ? (added.Uid, added.Gid) : default);
        Assert.Equal((100, 101), rows.Single(r => r.Path == "etc") is var etc ? (etc.Uid, etc.Gid) : default);
    }

    [Fact]
    public async Task Rootless_reads_unreadable_paths_and_keeps_their_modes()
    {
        var (tree, root, temp) = await UnpackAsync(TarTestData.Dir("locked", 0b101_101_101), TarTestData.File("locked/inside", 3));
        using var _ = temp;
        File.SetUnixFileMode(Path.Combine(root, "locked"), (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(Path.Combine(root, "locked/secret"), "shh", Ct);
        File.SetUnixFileMode(Path.Combine(root, "locked/secret"), (UnixFileMode)0b100_000_000_000); // setuid, no permission bits
        File.SetUnixFileMode(Path.Combine(root, "locked"), 0);
        var times = File.GetLastWriteTimeUtc(Path.Combine(root, "locked"));

        var rows = await LayerAsync(RootfsDiff.Compute(tree, root, rootless: true));

        Assert.Equal(["locked", "locked/secret"], rows.Select(r => r.Path));
        Assert.Equal(0, rows[0].Mode);
        Assert.Equal(0b100_000_000_000, rows[1].Mode);
        Assert.Equal("shh", rows[1].Text);
        Assert.Equal(times, File.GetLastWriteTimeUtc(Path.Combine(root, "locked")));
    }
}

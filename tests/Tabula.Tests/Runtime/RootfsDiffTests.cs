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

    private sealed record Row(string Path, TarEntryType Type, int Mode, string LinkName, string? Text, long MTime);

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
            rows.Add(new Row(entry.Name.TrimEnd('/'), entry.EntryType, (int)entry.Mode, entry.LinkName, text, entry.ModificationTime.ToUnixTimeSeconds()));
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
}

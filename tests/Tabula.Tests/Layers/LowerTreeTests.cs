using Tabula.Layers;

namespace Tabula.Tests.Layers;

public class LowerTreeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Whiteouts_and_opaque_directories_apply_in_layer_order()
    {
        var first = await TarTestData.WriteTarAsync([TarTestData.Dir("a"), TarTestData.File("a/b", 3), TarTestData.File("a/c", 4), TarTestData.File("d", 1), TarTestData.Dir("e"), TarTestData.File("e/old", 2)], Ct);
        var second = await TarTestData.WriteTarAsync([TarTestData.Dir("a"), TarTestData.File("a/.wh.b"), TarTestData.File(".wh.d")], Ct);
        var third = await TarTestData.WriteTarAsync([TarTestData.Dir("e"), TarTestData.File("e/-new", 5), TarTestData.File("e/.wh..wh..opq"), TarTestData.File("e/z", 1)], Ct);

        var tree = await TreeTestSupport.ApplyLayersAsync(Ct, first, second, third);

        Assert.Equal(["a", "a/c", "e", "e/-new", "e/z"], tree.Entries.Select(e => e.Entry.Path));
        var content = tree.Get("a/c")!.Content!;
        await using var stream = await content.OpenAsync(Ct);
        Assert.Equal(TarTestData.ContentFor(TarTestData.File("a/c", 4)), await ReadAllAsync(stream));
    }

    [Fact]
    public async Task A_whiteout_in_a_missing_directory_creates_nothing()
    {
        var layer = await TarTestData.WriteTarAsync([TarTestData.File("ghost/.wh.x"), TarTestData.File(".wh.none")], Ct);
        Assert.Empty((await TreeTestSupport.ApplyLayersAsync(Ct, layer)).Entries);
    }

    [Fact]
    public async Task An_upper_tree_sees_lower_symlinks_and_emits_only_changes()
    {
        var lowerTar = await TarTestData.WriteTarAsync([TarTestData.Symlink("bin", "usr/bin"), TarTestData.Dir("etc"), TarTestData.File("etc/keep", 1),
            TarTestData.File("etc/gone", 1), TarTestData.Dir("usr", mode: 0b111_101_000), TarTestData.Dir("usr/bin"), TarTestData.File("usr/bin/sh", 2), TarTestData.Dir("var"), TarTestData.File("var/x", 1)], Ct);
        var lower = await TreeTestSupport.ApplyLayersAsync(Ct, lowerTar);
        var tree = FileTree.Over(lower);

        tree.Put(TarTestData.File("bin/tool", 0), null, null);
        tree.Delete("/etc/gone");
        tree.Delete("var");
        tree.Put(TarTestData.Dir("var"), null, null);
        tree.Put(TarTestData.File("var/y"), null, null);

        var layer = await TreeTestSupport.EmitAsync(tree, Ct);
        Assert.Equal(["etc/", "etc/.wh.gone", "usr/", "usr/bin/", "usr/bin/tool", "var/", "var/.wh..wh..opq", "var/y"], await TreeTestSupport.NamesAsync(layer, Ct));
        var read = await TarEntryWriterTests.ReadAllAsync(layer);
        Assert.Equal(0b111_101_000, read.Single(r => r.Entry.Path == "usr").Entry.Mode);
        Assert.True(lower.IsFrozen);
        Assert.Throws<InvalidOperationException>(() => lower.Delete("etc"));

        var merged = await TreeTestSupport.ApplyLayersAsync(Ct, lowerTar, layer);
        Assert.Equal(["bin", "etc", "etc/keep", "usr", "usr/bin", "usr/bin/sh", "usr/bin/tool", "var", "var/y"], merged.Entries.Select(e => e.Entry.Path));
    }

    [Fact]
    public async Task Emission_is_in_component_order_and_hardlinks_follow_their_targets()
    {
        var tree = new FileTree();
        var d = TreeTestSupport.Implied;
        tree.Put(TarTestData.File("z", 3), new MemoryContent(TarTestData.ContentFor(TarTestData.File("z", 3))), d);
        tree.AddHardlink("a", "z", d);
        tree.Put(TarTestData.File("a-c"), null, d);
        tree.Put(TarTestData.File("a.d/b"), null, d);
        tree.Put(TarTestData.File("b/c"), null, d);

        var layer = await TreeTestSupport.EmitAsync(tree, Ct);

        Assert.Equal(["a", "a-c", "a.d/", "a.d/b", "b/", "b/c", "z => a"], await TreeTestSupport.NamesAsync(layer, Ct));
        var read = await TarEntryWriterTests.ReadAllAsync(layer);
        Assert.Equal(TarTestData.ContentFor(TarTestData.File("z", 3)), read[0].Content);
    }

    [Fact]
    public async Task Trees_over_trees_share_nodes_yet_each_emits_only_its_own_changes_and_leaves_the_lower_as_it_was()
    {
        var lowerTar = await TarTestData.WriteTarAsync([TarTestData.Dir("etc"), TarTestData.File("etc/passwd", 2), TarTestData.File("etc/group", 1),
            TarTestData.Dir("usr"), TarTestData.Dir("usr/bin"), TarTestData.File("usr/bin/sh", 3), TarTestData.Dir("var"), TarTestData.File("var/x", 1)], Ct);
        var lower = await TreeTestSupport.ApplyLayersAsync(Ct, lowerTar);
        var lowerRows = await TreeTestSupport.RowsAsync(lower, Ct);

        // Every kind of write the step makes, each on a node the lower tree holds.
        var middle = FileTree.Over(lower);
        middle.Put(TarTestData.File("etc/hosts", 1), new MemoryContent(TarTestData.ContentFor(TarTestData.File("etc/hosts", 1))), null);
        middle.Put(TarTestData.Dir("usr", mode: 0b111_000_000), null, null);
        middle.Delete("var/x");
        middle.AddHardlink("usr/bin/bash", "usr/bin/sh", null);
        middle.TouchChangedDirectories(TarTestData.Time.AddDays(1));
        Assert.Equal(lowerRows, await TreeTestSupport.RowsAsync(lower, Ct));
        Assert.True(lower.Get("usr/bin/sh")!.LinkGroup is null);

        // The top tree shares the middle's written nodes; the middle's changes are not the top's.
        var top = FileTree.Over(middle);
        var middleRows = await TreeTestSupport.RowsAsync(middle, Ct);
        top.Put(TarTestData.File("etc/motd"), null, null);
        var layer = await TreeTestSupport.EmitAsync(top, Ct);
        Assert.Equal(["etc/", "etc/motd"], await TreeTestSupport.NamesAsync(layer, Ct));
        Assert.Equal(middleRows, await TreeTestSupport.RowsAsync(middle, Ct));
        Assert.Equal(lowerRows, await TreeTestSupport.RowsAsync(lower, Ct));

        Assert.Equal(["etc/", "etc/hosts", "usr/", "usr/bin/", "usr/bin/bash", "var/", "var/.wh.x"],
            await TreeTestSupport.NamesAsync(await TreeTestSupport.EmitAsync(middle, Ct), Ct));
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        var output = new MemoryStream();
        await stream.CopyToAsync(output);
        return output.ToArray();
    }
}

internal sealed class MemoryContent(byte[] bytes) : IContentSource
{
    public long Length => bytes.Length;
    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Stream>(new MemoryStream(bytes, writable: false));
}

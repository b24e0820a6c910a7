using System.Formats.Tar;
using Tabula.Layers;

namespace Tabula.Tests.Layers;

public sealed class ArchiveExtractorTests : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly ExtractOptions Options = new() { ImpliedDirectories = TreeTestSupport.Implied };

    // Content references point into the spool: it lives as long as the trees of a test.
    private readonly SpoolFile _spool = SpoolFile.Create();

    public ValueTask DisposeAsync() => _spool.DisposeAsync();

    private async Task<FileTree> ExtractAsync(byte[] archive, string destination = "/", ExtractOptions? options = null, FileTree? tree = null)
    {
        tree ??= new FileTree();
        await ArchiveExtractor.ExtractAsync(tree, new MemoryStream(archive), destination, options ?? Options, _spool, Ct);
        return tree;
    }

    [Theory]
    [InlineData("/")]
    [InlineData("../../..")]
    [InlineData("../../../etc/..")]
    public async Task Symlinks_planted_by_the_archive_cannot_lead_outside_the_destination(string evilTarget)
    {
        var archive = TarTestData.BclTar(TarEntryFormat.Pax,
            ("evil", TarEntryType.SymbolicLink, evilTarget),
            ("evil/etc/x", TarEntryType.RegularFile, "pwned"),
            ("/abs/y", TarEntryType.RegularFile, "y"),
            ("../../up/z", TarEntryType.RegularFile, "z"));

        var tree = await ExtractAsync(CompressedSamples.Gzip(archive), "/opt/app");

        var paths = tree.Entries.Select(e => e.Entry.Path).ToList();
        Assert.Contains("opt/app/etc/x", paths);
        Assert.Contains("opt/app/abs/y", paths);
        Assert.Contains("opt/app/up/z", paths);
        Assert.All(paths, p => Assert.True(p == "opt" || p.StartsWith("opt/app", StringComparison.Ordinal), p));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("../../..")]
    public async Task At_the_root_a_planted_absolute_or_dotdot_symlink_resolves_inside_the_image(string target)
    {
        var archive = TarTestData.BclTar(TarEntryFormat.Ustar, ("evil", TarEntryType.SymbolicLink, target), ("evil/etc/x", TarEntryType.RegularFile, "x"));
        var tree = await ExtractAsync(archive);
        Assert.Equal(["etc", "etc/x", "evil"], tree.Entries.Select(e => e.Entry.Path));
    }

    [Theory]
    [InlineData("a/.wh.b")]
    [InlineData(".wh..wh..opq")]
    public async Task Whiteout_names_are_refused(string name)
    {
        var archive = TarTestData.BclTar(TarEntryFormat.Pax, (name, TarEntryType.RegularFile, null));
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => ExtractAsync(archive));
        Assert.Contains("whiteout", error.Message);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("dir")]
    public async Task Hardlinks_need_an_existing_non_directory_target(string target)
    {
        var archive = TarTestData.BclTar(TarEntryFormat.Pax, ("dir/", TarEntryType.Directory, null), ("h", TarEntryType.HardLink, target));
        await Assert.ThrowsAsync<LayerFormatException>(() => ExtractAsync(archive));
    }

    [Fact]
    public async Task Rewrites_clamp_times_and_set_owner_and_mode()
    {
        var epoch = TarTestData.Time.AddDays(-1);
        var archive = await TarTestData.WriteTarAsync([TarTestData.Dir("d"), TarTestData.File("d/f", 4), TarTestData.Symlink("d/l", "f")], Ct);
        var options = Options with { Rewrites = new EntryRewrites { Epoch = epoch, Chown = new Ownership(7, 8), Chmod = ModeChange.Parse("600") } };

        var tree = await ExtractAsync(CompressedSamples.Compress(archive, ArchiveCompression.Bzip2), "/x", options);

        var rows = tree.Entries.Where(e => e.Entry.Path.StartsWith("x/d", StringComparison.Ordinal)).Select(e => e.Entry).ToList();
        Assert.All(rows, e => Assert.Equal(epoch, e.ModTime));
        Assert.All(rows, e => Assert.Equal((7, 8), (e.Uid, e.Gid)));
        Assert.Equal(0b110_000_000, rows.Single(e => e.Path == "x/d/f").Mode);
        Assert.Equal(0b111_111_111, rows.Single(e => e.Path == "x/d/l").Mode);
    }

    [Fact]
    public async Task Extraction_over_a_lower_tree_resolves_through_lower_symlinks()
    {
        var lowerTar = await TarTestData.WriteTarAsync([TarTestData.Symlink("bin", "usr/bin"), TarTestData.Dir("usr"), TarTestData.Dir("usr/bin")], Ct);
        var tree = FileTree.Over(await TreeTestSupport.ApplyLayersAsync(Ct, lowerTar));
        var archive = await TarTestData.WriteTarAsync([TarTestData.Dir("bin"), TarTestData.File("bin/busybox", 10)], Ct);

        await ExtractAsync(CompressedSamples.Compress(archive, ArchiveCompression.Xz), "/", tree: tree);

        // "bin" from the archive replaces the lower symlink, as tar would: the entry is not a parent here.
        Assert.Equal(LayerEntryType.Directory, tree.Get("bin")!.Entry.Type);
        Assert.Equal(["bin/", "bin/busybox"], await TreeTestSupport.NamesAsync(await TreeTestSupport.EmitAsync(tree, Ct), Ct));
    }
}

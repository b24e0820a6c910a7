using System.Formats.Tar;
using System.Text.Json;
using Tabula.Analysis;
using Tabula.Cli;
using Tabula.Tests.Archives;
using Tabula.Transports;
using static Tabula.Tests.Analysis.TarItems;

namespace Tabula.Tests.Analysis;

/// <summary><c>diff</c> compares final filesystems: whiteouts applied, unchanged files silent, each kind of change named.</summary>
public class ImageDiffTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly byte[] Base = Tar(
        new TarItem("d/", Type: TarEntryType.Directory, Mode: Mode755), new TarItem("d/x", "x"),
        new TarItem("f1", "one"), new TarItem("f2", "two"), new TarItem("f3", "three"), new TarItem("l", Type: TarEntryType.SymbolicLink, Link: "f1"),
        new TarItem("owned", "same"));

    // On top of the same base: d/ deleted, f2's content changed (same size), f3 made executable, l pointed elsewhere,
    // owned given to uid 1000 with its content unchanged, n added; f1 written again identically (no change).
    private static readonly byte[] Changes = Tar(
        new TarItem(".wh.d"), new TarItem("f1", "one"), new TarItem("f2", "TWO"), new TarItem("f3", "three", Mode: Mode755),
        new TarItem("l", Type: TarEntryType.SymbolicLink, Link: "f2"), new TarItem("n", "new"), new TarItem("owned", "same", Uid: 1000));

    private static async Task<ArchiveFixture> TwoImagesAsync()
    {
        var fixture = new ArchiveFixture();
        await fixture.AddImageFromTarsAsync(["before:1"], "sh", null, Base);
        await fixture.AddImageFromTarsAsync(["after:1"], "sh", null, Base, Changes);
        return fixture;
    }

    [Fact]
    public async Task Added_removed_and_changed_paths_name_what_changed()
    {
        using var fixture = await TwoImagesAsync();
        var store = ImageStore.Open(fixture.Store.Root);
        var before = await store.LoadAsync(await store.Resolver.ResolveAsync("before:1", Ct), null, Ct);
        var after = await store.LoadAsync(await store.Resolver.ResolveAsync("after:1", Ct), null, Ct);

        var differences = await ImageDiff.CompareAsync(before, after, Ct);

        Assert.Equal(
            [
                (PathChange.Removed, "d", ""), (PathChange.Removed, "d/x", ""), (PathChange.Changed, "f2", "content"), (PathChange.Changed, "f3", "mode"),
                (PathChange.Changed, "l", "link"), (PathChange.Added, "n", ""), (PathChange.Changed, "owned", "owner"),
            ],
            differences.Select(d => (d.Change, d.Path, string.Join(',', d.Differences))));
        var mode = differences.Single(d => d.Path == "f3");
        Assert.Equal((0x1A4, 0x1ED), (mode.Before!.Mode, mode.After!.Mode));
        Assert.Equal(3, differences.Single(d => d.Path == "n").After!.Size);

        var reverse = await ImageDiff.CompareAsync(after, before, Ct);
        Assert.Equal(["d", "d/x"], reverse.Where(d => d.Change == PathChange.Added).Select(d => d.Path));
        Assert.Empty(await ImageDiff.CompareAsync(after, after, Ct));
    }

    [Fact]
    public async Task A_layer_writing_through_a_symlinked_directory_lands_in_its_target()
    {
        using var fixture = new ArchiveFixture();
        var merged = Tar(new TarItem("usr/", Type: TarEntryType.Directory, Mode: Mode755), new TarItem("usr/lib/", Type: TarEntryType.Directory, Mode: Mode755),
            new TarItem("lib", Type: TarEntryType.SymbolicLink, Link: "usr/lib"));
        await fixture.AddImageFromTarsAsync(["merged:1"], "sh", null, merged);
        await fixture.AddImageFromTarsAsync(["through:1"], "sh", null, merged, Tar(new TarItem("lib/x", "xx")));
        var store = ImageStore.Open(fixture.Store.Root);
        var before = await store.LoadAsync(await store.Resolver.ResolveAsync("merged:1", Ct), null, Ct);
        var after = await store.LoadAsync(await store.Resolver.ResolveAsync("through:1", Ct), null, Ct);

        var difference = Assert.Single(await ImageDiff.CompareAsync(before, after, Ct));

        Assert.Equal((PathChange.Added, "usr/lib/x"), (difference.Change, difference.Path));
    }

    [Fact]
    public async Task The_cli_prints_a_table_and_a_json_list()
    {
        using var fixture = await TwoImagesAsync();
        var output = new StringWriter();
        var error = new StringWriter();

        int code = await CliApp.RunAsync(["--root", fixture.Store.Root, "diff", "before:1", "after:1"], output, error, _ => null, Ct);

        Assert.True(code == 0, error.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^C\s+file\s+5B\s+5B\s+mode 0644→0755\s+/f3$", lines.Single(l => l.EndsWith("/f3", StringComparison.Ordinal)));
        Assert.Matches(@"^C\s+symlink\s+0B\s+0B\s+link f1→f2\s+/l$", lines.Single(l => l.EndsWith("/l", StringComparison.Ordinal)));
        Assert.Matches(@"^C\s+file\s+4B\s+4B\s+owner 0:0→1000:0\s+/owned$", lines.Single(l => l.EndsWith("/owned", StringComparison.Ordinal)));
        Assert.Equal("1 added, 2 removed, 4 changed", lines[^1].Trim());

        output = new StringWriter();
        code = await CliApp.RunAsync(["--root", fixture.Store.Root, "diff", "--format", "json", "before:1", "after:1"], output, error, _ => null, Ct);
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output.ToString());
        var changes = json.RootElement.GetProperty("changes");
        Assert.Equal(7, changes.GetArrayLength());
        var f2 = changes.EnumerateArray().Single(c => c.GetProperty("path").GetString() == "/f2");
        Assert.Equal("changed", f2.GetProperty("change").GetString());
        Assert.NotEqual(f2.GetProperty("before").GetProperty("hash").GetString(), f2.GetProperty("after").GetProperty("hash").GetString());
        var added = changes.EnumerateArray().Single(c => c.GetProperty("path").GetString() == "/n");
        Assert.False(added.TryGetProperty("before", out _));
        Assert.Equal("0644", added.GetProperty("after").GetProperty("mode").GetString());
    }
}

using System.Text.Json;
using Tabula.Analysis;
using Tabula.Cli;
using Tabula.Oci;
using Tabula.Tests.Archives;
using Tabula.Transports;
using static Tabula.Tests.Analysis.TarItems;

namespace Tabula.Tests.Analysis;

/// <summary>
/// <c>analyze</c> on an image whose later layers overwrite files, delete a file, a directory (whiteout) and a
/// directory's lower contents (opaque), and store one content twice: every figure against the numbers worked out by hand.
/// </summary>
public class ImageAnalyzerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Layer 1: bin/a 1000, bin/b 2000, etc/c 300, data/x 400, data/y 500, lib/keep 60          (files size 4260)
    // Layer 2: bin/a again 1500, deletes bin/b and the whole data/, new/dup = etc/c's content   (files size 1800)
    // Layer 3: etc/e 80, then etc/ made opaque (hides etc/c, keeps etc/e), bin/a again 100      (files size 180)
    //
    // path      versions (0 = deleted)   cumulative  minimum
    // bin/a     1000, 1500, 100          2600        100
    // bin/b     2000, 0                  2000        0
    // etc/c     300, 0                   300         0
    // data/x    400, 0                   400         0
    // data/y    500, 0                   500         0
    // lib/keep  60                       60          60
    // new/dup   300                      300         300
    // etc/e     80                       80          80
    //                                    6240        540   -> efficiency 540/6240
    // wasted (paths with 2+ versions, all versions) = 2600+2000+300+400+500 = 5800
    // hidden (cumulative - final) = 2500+2000+300+400+500 = 5700; duplicate content: etc/c = new/dup, 300
    // user size = 1800 + 180 = 1980 -> user wasted = 5800/1980
    internal static readonly byte[][] Layers =
    [
        Tar(File("bin/a", 'a', 1000), File("bin/b", 'b', 2000), File("etc/c", 'c', 300), File("data/x", 'x', 400), File("data/y", 'y', 500), File("lib/keep", 'k', 60)),
        Tar(File("bin/a", 'A', 1500), new TarItem("bin/.wh.b"), new TarItem(".wh.data"), File("new/dup", 'c', 300)),
        Tar(File("etc/e", 'e', 80), new TarItem("etc/.wh..wh..opq"), File("bin/a", 'z', 100)),
    ];

    internal static readonly HistoryEntry[] History =
    [
        new() { CreatedBy = "ADD base.tar / # buildkit" },
        new() { CreatedBy = "ENV A=1", EmptyLayer = true },
        new() { CreatedBy = "RUN step two # buildkit" },
        new() { CreatedBy = "CMD [\"sh\"]", EmptyLayer = true },
        new() { CreatedBy = "RUN step three # buildkit" },
    ];

    internal static Task AddWastefulImageAsync(ArchiveFixture fixture, string name = "wasteful:1")
        => fixture.AddImageFromTarsAsync([name], "sh", History, Layers);

    private static async Task<ImageAnalysis> AnalyzeAsync(ArchiveFixture fixture, string name = "wasteful:1")
    {
        var store = ImageStore.Open(fixture.Store.Root);
        var image = await store.LoadAsync(await store.Resolver.ResolveAsync(name, Ct), null, Ct);
        return await ImageAnalyzer.AnalyzeAsync(image, 10, Ct);
    }

    [Fact]
    public async Task Wasted_bytes_efficiency_and_layer_changes_are_the_hand_computed_ones()
    {
        using var fixture = new ArchiveFixture();
        await AddWastefulImageAsync(fixture);

        var a = await AnalyzeAsync(fixture);

        Assert.Equal(540.0 / 6240, a.Efficiency, 12);
        Assert.Equal(5800, a.WastedBytes);
        Assert.Equal(5700, a.HiddenBytes);
        Assert.Equal(300, a.DuplicateBytes);
        Assert.Equal(4260 + 1800 + 180, a.FilesSize);
        Assert.Equal(1980, a.UserFilesSize);
        Assert.Equal(5800.0 / 1980, a.WastedUserPercent, 12);
        Assert.Equal(540, a.FinalSize);
        Assert.Equal(4, a.FinalFileCount);

        Assert.Equal(["ADD base.tar / # buildkit", "RUN step two # buildkit", "RUN step three # buildkit"], a.Layers.Select(l => l.CreatedBy));
        Assert.Equal([6, 2, 2], a.Layers.Select(l => l.FileCount));
        Assert.Equal([4260L, 1800, 180], a.Layers.Select(l => l.FilesSize));
        Assert.Equal(Layers.Select(t => (long)t.Length), a.Layers.Select(l => l.UncompressedSize));
        Assert.Equal(new LayerChanges { Added = 6, AddedBytes = 4260 }, a.Layers[0].Changes);
        Assert.Equal(new LayerChanges { Added = 1, AddedBytes = 300, Changed = 1, ChangedBytes = 1500, Deleted = 3, DeletedBytes = 2900 }, a.Layers[1].Changes);
        Assert.Equal(new LayerChanges { Added = 1, AddedBytes = 80, Changed = 1, ChangedBytes = 100, Deleted = 1, DeletedBytes = 300 }, a.Layers[2].Changes);

        Assert.Equal(
            [new RepeatedPath("bin/a", 3, 2600, 100), new RepeatedPath("bin/b", 2, 2000, 0), new RepeatedPath("data/y", 2, 500, 0), new RepeatedPath("data/x", 2, 400, 0), new RepeatedPath("etc/c", 2, 300, 0)],
            a.RepeatedPaths);
        var duplicate = Assert.Single(a.Duplicates);
        Assert.Equal((300L, 2, 300L), (duplicate.Size, duplicate.Copies, duplicate.ExtraBytes));
        Assert.Equal([new LayerPlace(1, "etc/c"), new LayerPlace(2, "new/dup")], duplicate.Places);
        Assert.Equal([new SizedPath("new/dup", 300), new SizedPath("bin/a", 100), new SizedPath("etc/e", 80), new SizedPath("lib/keep", 60)], a.BiggestFiles);
        Assert.Equal([new SizedPath("new", 300), new SizedPath("bin", 100), new SizedPath("etc", 80), new SizedPath("lib", 60)], a.BiggestDirectories);
    }

    private static async Task<(int Code, string Out, string Err)> CliAsync(ArchiveFixture fixture, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", fixture.Store.Root, .. args], output, error, _ => null, Ct);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_json_shape_carries_the_same_figures()
    {
        using var fixture = new ArchiveFixture();
        await AddWastefulImageAsync(fixture);

        var (code, output, error) = await CliAsync(fixture, "analyze", "--format", "json", "--top", "2", "wasteful:1");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(5800, root.GetProperty("wastedBytes").GetInt64());
        Assert.Equal(540.0 / 6240, root.GetProperty("efficiency").GetDouble(), 12);
        Assert.Equal(5700, root.GetProperty("hiddenBytes").GetInt64());
        Assert.Equal(3, root.GetProperty("layers").GetArrayLength());
        var second = root.GetProperty("layers")[1];
        Assert.Equal("RUN step two # buildkit", second.GetProperty("createdBy").GetString());
        Assert.Equal(3, second.GetProperty("deleted").GetProperty("count").GetInt32());
        Assert.Equal(2900, second.GetProperty("deleted").GetProperty("bytes").GetInt64());
        Assert.Equal(["/new/dup", "/bin/a"], root.GetProperty("biggestFiles").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.False(root.TryGetProperty("ci", out _));
    }

    [Theory]
    [InlineData(new[] { "--lowest-efficiency", "0.086", "--highest-user-wasted-percent", "off" }, 0, new string[0])]
    [InlineData(new[] { "--lowest-efficiency", "0.087", "--highest-user-wasted-percent", "off" }, 1, new[] { "FAIL: lowest-efficiency: image efficiency is too low (efficiency=0.0865 < threshold=0.087)" })]
    [InlineData(new[] { "--highest-wasted-bytes", "5800", "--lowest-efficiency", "0", "--highest-user-wasted-percent", "disabled" }, 0, new string[0])]
    [InlineData(new[] { "--highest-wasted-bytes", "5.799kB", "--lowest-efficiency", "0", "--highest-user-wasted-percent", "disabled" }, 1, new[] { "FAIL: highest-wasted-bytes: too many bytes wasted (wasted-bytes=5800 > threshold=5799)" })]
    [InlineData(new[] { "--highest-user-wasted-percent", "1", "--lowest-efficiency", "disabled" }, 1, new[] { "FAIL: highest-user-wasted-percent: too many bytes wasted, relative to the user bytes added (user-wasted-percent=2.9293 > threshold=1)" })]
    [InlineData(new string[0], 1, new[]
    {
        "FAIL: lowest-efficiency: image efficiency is too low (efficiency=0.0865 < threshold=0.9)",
        "FAIL: highest-user-wasted-percent: too many bytes wasted, relative to the user bytes added (user-wasted-percent=2.9293 > threshold=0.1)",
    })]
    public async Task The_ci_gate_fails_one_line_per_rule_and_passes_at_its_thresholds(string[] rules, int exitCode, string[] failures)
    {
        using var fixture = new ArchiveFixture();
        await AddWastefulImageAsync(fixture);

        var (code, output, error) = await CliAsync(fixture, ["analyze", "--ci", .. rules, "wasteful:1"]);

        Assert.True(code == exitCode, $"exit {code}: {error}{output}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(failures, lines.Where(l => l.StartsWith("FAIL: ", StringComparison.Ordinal)));
        Assert.Equal(exitCode == 0, lines.Contains("PASS: every rule"));
    }

    [Fact]
    public async Task The_ci_rules_come_from_a_dive_ci_file_and_flags_win_over_it()
    {
        using var fixture = new ArchiveFixture();
        await AddWastefulImageAsync(fixture);
        var config = fixture.PathFor(".dive-ci");
        await System.IO.File.WriteAllTextAsync(config, "# dive's file\nrules:\n  lowestEfficiency: 0.08\n  highestWastedBytes: 5.7kB   # bytes\n  highestUserWastedPercent: disabled\n", Ct);

        var (code, output, _) = await CliAsync(fixture, "analyze", "--ci", "--ci-config", config, "wasteful:1");
        Assert.Equal(CliApp.Failure, code);
        Assert.Equal(["FAIL: highest-wasted-bytes: too many bytes wasted (wasted-bytes=5800 > threshold=5700)"], output.Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)));

        (code, output, _) = await CliAsync(fixture, "analyze", "--ci", "--ci-config", config, "--highest-wasted-bytes", "6kB", "wasteful:1");
        Assert.Equal(CliApp.Ok, code);
        Assert.Contains("PASS: every rule", output);

        await System.IO.File.WriteAllTextAsync(config, "rules:\n  lowestEfficency: 0.5\n", Ct);
        var (usage, _, error) = await CliAsync(fixture, "analyze", "--ci", "--ci-config", config, "wasteful:1");
        Assert.Equal(CliApp.Usage, usage);
        Assert.Contains("unknown rule 'lowestEfficency'", error);
    }

    [Theory]
    [InlineData("--lowest-efficiency", "1.5")]
    [InlineData("--highest-wasted-bytes", "lots")]
    public async Task A_bad_threshold_or_a_rule_without_ci_is_a_usage_error(string flag, string value)
    {
        using var fixture = new ArchiveFixture();
        await AddWastefulImageAsync(fixture);

        Assert.Equal(CliApp.Usage, (await CliAsync(fixture, "analyze", "--ci", flag, value, "wasteful:1")).Code);
        var (code, _, error) = await CliAsync(fixture, "analyze", "--highest-wasted-bytes", "1MB", "wasteful:1");
        Assert.Equal(CliApp.Usage, code);
        Assert.StartsWith("Error: ", error);
    }

    [Fact]
    public void Sizes_read_as_dive_reads_them()
    {
        Assert.Equal(20_000_000, ByteSizeText.Parse("20MB", "x"));
        Assert.Equal(20L << 20, ByteSizeText.Parse("20MiB", "x"));
        Assert.Equal(1500, ByteSizeText.Parse("1.5k", "x"));
        Assert.Equal(42, ByteSizeText.Parse("42", "x"));
    }
}

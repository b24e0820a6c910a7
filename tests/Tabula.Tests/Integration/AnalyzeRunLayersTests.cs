using System.Text.Json;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>analyze</c> of layers that RUN made through runc (whiteouts as the overlay differ writes them), on the busybox
/// base: the wasted bytes and the efficiency are those worked out from the two files the steps overwrite and delete.
/// </summary>
public sealed class AnalyzeRunLayersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_file_deleted_and_a_file_overwritten_by_a_later_run_are_wasted_as_dive_counts_them()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("wasteful-run", $"""
            FROM {RunFixture.BaseImage}
            RUN dd if=/dev/zero of=/big bs=1000 count=50 && dd if=/dev/zero of=/over bs=1000 count=7
            RUN rm /big && echo x > /over
            """);
        await fixture.BuildAsync(context, "wasteful-run:1", Ct);

        var (code, output, error) = await fixture.TabulaAsync(Ct, "analyze", "--format", "json", "wasteful-run:1");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        // /big: 50000 then deleted (0); /over: 7000 then 2. Every other path has one version, so the sum of all
        // versions is the files size of all layers, and the sum of the smallest is that less 50000 and 7000.
        Assert.Equal(57002, root.GetProperty("wastedBytes").GetInt64());
        Assert.Equal(57000, root.GetProperty("hiddenBytes").GetInt64());
        long files = root.GetProperty("filesSize").GetInt64();
        Assert.Equal((double)(files - 57000) / files, root.GetProperty("efficiency").GetDouble(), 12);
        var last = root.GetProperty("layers")[root.GetProperty("layers").GetArrayLength() - 1];
        Assert.Equal("RUN /bin/sh -c rm /big && echo x > /over # buildkit", last.GetProperty("createdBy").GetString());
        Assert.Equal((1, 50000L), (last.GetProperty("deleted").GetProperty("count").GetInt32(), last.GetProperty("deleted").GetProperty("bytes").GetInt64()));
        Assert.Equal((1, 2L), (last.GetProperty("changed").GetProperty("count").GetInt32(), last.GetProperty("changed").GetProperty("bytes").GetInt64()));
        Assert.Equal(0, last.GetProperty("added").GetProperty("count").GetInt32());
        Assert.Equal(["/big", "/over"], root.GetProperty("repeatedPaths").EnumerateArray().Select(p => p.GetProperty("path").GetString()));

        // diff against the step before: /big removed, /over changed in content and size.
        var (diffCode, diff, diffError) = await fixture.TabulaAsync(Ct, "diff", "--format", "json", RunFixture.BaseImage, "wasteful-run:1");
        Assert.True(diffCode == 0, diffError);
        using var changes = JsonDocument.Parse(diff);
        Assert.Equal([("added", "/over")], changes.RootElement.GetProperty("changes").EnumerateArray()
            .Select(c => (c.GetProperty("change").GetString(), c.GetProperty("path").GetString())).Where(c => c.Item2 is "/big" or "/over"));
    }
}

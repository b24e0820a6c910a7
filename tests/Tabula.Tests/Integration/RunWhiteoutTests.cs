using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>Whiteouts in RUN layers (issue item 12), as BuildKit's differ (containerd's ChangeWriter) writes them.</summary>
public sealed class RunWhiteoutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A deletion is written as BuildKit's differ writes it (issue item 12): mode 0000, mtime 0 even with a timestamp.</summary>
    [Fact]
    public async Task Whiteouts_have_mode_0_and_mtime_0_whatever_the_timestamp()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("whiteout", $"FROM {RunFixture.BaseImage}\nRUN rm /etc/passwd-\n");
        await fixture.BuildAsync(context, "whiteout:1", Ct, "--timestamp", "1700000000");
        var archive = fixture.Temp.Combine("whiteout.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", archive, "whiteout:1")).Code);
        var layer = (await DockerSaveArchive.ReadLayerListingsAsync(archive, Ct))[^1];
        var whiteout = Assert.Single(layer, r => r.Path == "etc/.wh.passwd-");
        Assert.Equal((System.Formats.Tar.TarEntryType.RegularFile, "0000", 0, 0, 0L, 0L),
            (whiteout.Type, whiteout.OctalMode, whiteout.Uid, whiteout.Gid, whiteout.Size, whiteout.ModifiedUnixSeconds));
    }

    /// <summary>
    /// A directory removed and made again is written as BuildKit's overlay differ writes it (issue item 12): a
    /// whiteout for each name the lower layers had there and the new directory lacks, at every depth, and no
    /// <c>.wh..wh..opq</c> marker.
    /// </summary>
    [Fact]
    public async Task A_recreated_directory_gets_a_whiteout_per_name_it_lost()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("recreated", $"""
            FROM {RunFixture.BaseImage}
            RUN mkdir -p /d/sub && echo a > /d/a && echo b > /d/sub/b && echo c > /d/sub/c && echo k > /d/keep
            RUN rm -rf /d && mkdir -p /d/sub && echo k2 > /d/keep && echo c2 > /d/sub/c
            """);
        await fixture.BuildAsync(context, "recreated:1", Ct, "--timestamp", "1700000000");
        var archive = fixture.Temp.Combine("recreated.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", archive, "recreated:1")).Code);
        var layer = (await DockerSaveArchive.ReadLayerListingsAsync(archive, Ct))[^1];
        Assert.Equal(["d", "d/.wh.a", "d/keep", "d/sub", "d/sub/.wh.b", "d/sub/c"], layer.Select(r => r.Path).Order(StringComparer.Ordinal));
    }
}

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
}

using System.Formats.Tar;

namespace Tabula.Tests.Integration.Support;

public sealed class TarListingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadsTheBusyboxFixtureAlikeFromPlainAndGzipArchives()
    {
        using var temp = new TempDir();
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var plain = await rootfs.WriteTarAsync(temp.Combine("rootfs.tar"), TarCompression.None, Token);
        var gzip = await rootfs.WriteTarAsync(temp.Combine("rootfs.tar.gz"), TarCompression.Gzip, Token);

        var fromPlain = await TarListing.ReadFileAsync(plain, Token);
        var fromGzip = await TarListing.ReadFileAsync(gzip, Token);

        TarDiff.AssertSame(fromPlain, fromGzip, "rootfs.tar", "rootfs.tar.gz");
        var byPath = fromPlain.ToDictionary(record => record.Path);
        Assert.Equal(TarEntryType.SymbolicLink, byPath["bin/sh"].Type);
        Assert.Equal("busybox", byPath["bin/sh"].LinkTarget);
        Assert.Equal("4755", byPath["usr/bin/setuid-tool"].OctalMode);
        Assert.Equal("2711", byPath["usr/bin/setgid-tool"].OctalMode);
        Assert.Equal("1777", byPath["tmp"].OctalMode);
        Assert.Equal("0555", byPath["proc"].OctalMode);
        Assert.Equal(TarEntryType.HardLink, byPath["etc/passwd-"].Type);
        Assert.Equal("etc/passwd", byPath["etc/passwd-"].LinkTarget);
        Assert.Equal("/run", byPath["var/run"].LinkTarget);
        Assert.Contains(fromPlain, record => record.Path.Length > 100);
        Assert.All(fromPlain, record => Assert.Equal(BusyboxRootfs.Epoch, record.ModifiedUnixSeconds));
        Assert.All(fromPlain, record => Assert.Equal((0, 0), (record.Uid, record.Gid)));
    }

    [Fact]
    public async Task DiffNamesEachDifferingField()
    {
        var file = new TarRecord("etc/passwd", TarEntryType.RegularFile, FixtureWriter.Mode("644"), 0, 0, 10, 0, null, "aa");
        var changed = file with { Mode = FixtureWriter.Mode("600"), Uid = 1000, Sha256 = "bb" };
        var extra = file with { Path = "etc/group" };

        var differences = TarDiff.Compare([file], [changed, extra]);

        Assert.Equal(["extra:   " + extra, "etc/passwd: mode 0644 ≠ 0600, owner 0/0 ≠ 1000/0, content differs"], differences);
    }

    [Fact]
    public void DiffReportsAPathListedTwice()
    {
        var file = new TarRecord("etc/passwd", TarEntryType.RegularFile, FixtureWriter.Mode("644"), 0, 0, 10, 0, null, "aa");

        var differences = TarDiff.Compare([file], [file with { Sha256 = "bb" }, file]);

        Assert.Equal(["etc/passwd: 2 entries in actual"], differences);
    }

    [Theory]
    [InlineData("./", ".")]
    [InlineData("./bin/", "bin")]
    [InlineData("bin/sh", "bin/sh")]
    [InlineData("/etc/passwd", "etc/passwd")]
    public void NormalizesPaths(string name, string expected) => Assert.Equal(expected, TarListing.NormalizePath(name));
}

using System.Formats.Tar;
using Tabula.Layers;

namespace Tabula.Tests.Layers;

public class TarArchiveReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_back_what_the_writer_wrote_including_binary_xattrs_and_long_names()
    {
        var entries = new List<LayerEntry>
        {
            TarTestData.Dir("usr"),
            TarTestData.File("usr/ping", 20) with { Xattrs = LayerXattrs.From([new("security.capability", [1, 0, 0, 2, 0x00, 0x20, 0, 0, 0xff])]) },
            TarTestData.File(new string('a', 90) + "/" + new string('b', 90), 3),
            TarTestData.File("ünïcode", 1) with { Uid = 5_000_000 },
            TarTestData.Symlink("l", new string('t', 200)),
            TarTestData.Hardlink("h", "usr/ping"),
            new LayerEntry { Path = "null", Type = LayerEntryType.CharacterDevice, DevMajor = 1, DevMinor = 3, ModTime = TarTestData.Time },
        };
        var tar = await TarTestData.WriteTarAsync(entries, Ct);

        var reader = new TarArchiveReader(new MemoryStream(tar));
        foreach (var expected in entries)
        {
            var entry = await reader.NextAsync(Ct);
            Assert.NotNull(entry);
            Assert.Equal(expected.Type, entry.Type);
            Assert.Equal(expected.Path, entry.Name.TrimEnd('/'));
            Assert.Equal(expected.Uid, entry.Uid);
            Assert.Equal(expected.ModTime, entry.ModTime);
            Assert.Equal(expected.LinkTarget, entry.LinkName);
            Assert.Equal(expected.DevMinor, entry.DevMinor);
            Assert.True(LayerXattrs.AreEqual(expected.Xattrs, entry.Xattrs));
            if (expected.Size > 0)
            {
                var content = new MemoryStream();
                await reader.OpenContent().CopyToAsync(content, Ct);
                Assert.Equal(TarTestData.ContentFor(expected), content.ToArray());
            }
        }
        Assert.Null(await reader.NextAsync(Ct));
    }

    [Theory]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.V7)]
    public async Task Reads_other_writers_formats(TarEntryFormat format)
    {
        string longName = format is TarEntryFormat.Gnu or TarEntryFormat.Pax ? new string('n', 150) : "short";
        var tar = TarTestData.BclTar(format,
            ("dir/", TarEntryType.Directory, null),
            ("dir/" + longName, TarEntryType.RegularFile, "hello"),
            ("dir/link", TarEntryType.SymbolicLink, "target"));

        var reader = new TarArchiveReader(new MemoryStream(tar));
        var names = new List<(string, LayerEntryType?)>();
        while (await reader.NextAsync(Ct) is { } entry) names.Add((entry.Name.TrimEnd('/'), entry.Type));
        Assert.Equal([("dir", LayerEntryType.Directory), ("dir/" + longName, LayerEntryType.RegularFile), ("dir/link", LayerEntryType.Symlink)], names);
    }

    [Fact]
    public async Task A_corrupt_header_is_a_layer_format_error()
    {
        var tar = await TarTestData.WriteTarAsync([TarTestData.File("a", 1)], Ct);
        tar[10] ^= 0xFF;
        await Assert.ThrowsAsync<LayerFormatException>(() => new TarArchiveReader(new MemoryStream(tar)).NextAsync(Ct));
    }

    [Fact]
    public async Task A_truncated_content_is_a_layer_format_error()
    {
        var tar = await TarTestData.WriteTarAsync([TarTestData.File("a", 2000), TarTestData.File("b", 1)], Ct);
        var reader = new TarArchiveReader(new MemoryStream(tar[..1000]));
        await reader.NextAsync(Ct);
        await Assert.ThrowsAsync<LayerFormatException>(() => reader.NextAsync(Ct));
    }

    [Fact]
    public async Task Can_seek_past_content_it_does_not_read()
    {
        var tar = await TarTestData.WriteTarAsync([TarTestData.File("a", 5000), TarTestData.File("b", 3)], Ct);
        var source = new ReadCountingStream(tar);

        var reader = new TarArchiveReader(source, seekPastContent: true);
        var a = await reader.NextAsync(Ct);
        var b = await reader.NextAsync(Ct);

        Assert.Equal(512, a!.DataOffset);
        Assert.Equal(512 + 5120 + 512, b!.DataOffset);
        Assert.Null(await reader.NextAsync(Ct));
        Assert.True(source.BytesRead < 5000, "content that was not asked for is not read");
    }

    [Fact]
    public async Task Seeking_past_content_still_finds_a_truncated_tar()
    {
        var tar = await TarTestData.WriteTarAsync([TarTestData.File("a", 5000)], Ct);
        var reader = new TarArchiveReader(new MemoryStream(tar[..2048]), seekPastContent: true);

        Assert.NotNull(await reader.NextAsync(Ct));
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => reader.NextAsync(Ct));
        Assert.Contains("truncated", error.Message);
    }

    private sealed class ReadCountingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public long BytesRead { get; private set; }

        public override int Read(Span<byte> buffer) => Count(base.Read(buffer));
        public override int Read(byte[] buffer, int offset, int count) => Count(base.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Count(await base.ReadAsync(buffer, cancellationToken));

        private int Count(int read)
        {
            BytesRead += read;
            return read;
        }
    }
}

using System.Formats.Tar;
using Tabula.Archives;
using Tabula.Archives.Tar;

namespace Tabula.Tests.Archives;

public sealed class TarTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ArchiveFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task WrittenEntriesReadBackWithSystemFormatsTar()
    {
        var path = _fixture.PathFor("w.tar");
        await using (var file = File.Create(path))
        {
            var writer = new ArchiveTarWriter(file);
            await writer.WriteDirectoryAsync("dir", Ct);
            await writer.WriteFileAsync("dir/known", "12345"u8.ToArray(), Ct);
            await writer.WriteFileAsync("dir/streamed", async (s, ct) => await s.WriteAsync(new byte[1000], ct), Ct);
            await writer.WriteSymlinkAsync("dir/link", "../dir/known", Ct);
            var longName = string.Join('/', Enumerable.Repeat("segment-of-a-long-path", 8)) + "/file";
            await writer.WriteFileAsync(longName, "x"u8.ToArray(), Ct);
            await writer.FinishAsync(Ct);
        }
        var entries = ArchiveFixture.ReadTar(path);
        Assert.Equal(TarEntryType.Directory, entries["dir/"].Type);
        Assert.Equal("12345"u8.ToArray(), entries["dir/known"].Content);
        Assert.Equal(1000, entries["dir/streamed"].Content.Length);
        Assert.Equal("../dir/known", entries["dir/link"].Link);
        Assert.Contains(entries.Keys, k => k.EndsWith("/file", StringComparison.Ordinal) && k.Length > 150);
    }

    [Fact]
    public async Task StreamedEntryThroughAPipeIsSpooledNotBuffered()
    {
        var path = _fixture.PathFor("pipe.tar");
        await using (var file = File.Create(path))
        await using (var pipe = new WriteOnlyForward(file))
        {
            var writer = new ArchiveTarWriter(pipe, _fixture.Root);
            long spooledWhileWriting = -1;
            await writer.WriteFileAsync("big", async (s, ct) =>
            {
                for (int i = 0; i < 10; i++) await s.WriteAsync(new byte[100_000], ct);
                // Still inside the entry: its bytes are in a file in the spool directory, not in memory
                // (at most one write buffer of them may be waiting).
                spooledWhileWriting = new FileInfo(Assert.Single(Directory.GetFiles(_fixture.Root, "*spool*"))).Length;
            }, Ct);
            await writer.FinishAsync(Ct);
            Assert.InRange(spooledWhileWriting, 900_000, 1_000_000);
        }
        Assert.Equal(1_000_000, ArchiveFixture.ReadTar(path)["big"].Content.Length);
        Assert.Empty(Directory.GetFiles(_fixture.Root, "*spool*"));
    }

    [Fact]
    public async Task IndexReadsPaxAndGnuLongNamesAndFollowsLinks()
    {
        var path = _fixture.PathFor("r.tar");
        var longName = string.Join('/', Enumerable.Repeat("a-very-long-folder-name-for-testing", 6)) + "/layer.tar";
        await using (var file = File.Create(path))
        {
            using var pax = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true);
            pax.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, longName) { DataStream = new MemoryStream("pax"u8.ToArray()) });
            pax.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "gnu/" + new string('g', 150)) { DataStream = new MemoryStream("gnu"u8.ToArray()) });
            pax.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "./other/layer.tar") { LinkName = "../" + longName });
            pax.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "hard") { LinkName = "gnu/" + new string('g', 150) });
            pax.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "escape") { LinkName = "../../etc/passwd" });
        }
        using var archive = await ArchiveFile.OpenAsync(path, null, Ct);
        Assert.Equal("pax"u8.ToArray(), await archive.ReadAllBytesAsync(longName, "test", Ct));
        Assert.Equal("gnu"u8.ToArray(), await archive.ReadAllBytesAsync("gnu/" + new string('g', 150), "test", Ct));
        Assert.Equal("pax"u8.ToArray(), await archive.ReadAllBytesAsync("other/layer.tar", "test", Ct));
        Assert.Equal("gnu"u8.ToArray(), await archive.ReadAllBytesAsync("./hard", "test", Ct));
        await Assert.ThrowsAsync<ArchiveFormatException>(() => archive.ReadAllBytesAsync("escape", "test", Ct));
        await Assert.ThrowsAsync<ArchiveFormatException>(() => archive.ReadAllBytesAsync("other/../../x", "test", Ct));
        var missing = await Assert.ThrowsAsync<ArchiveEntryNotFoundException>(() => archive.ReadAllBytesAsync("nope/layer.tar", "layer 1", Ct));
        Assert.Contains("'nope/layer.tar' (needed for layer 1)", missing.Message);
    }

    private sealed class WriteOnlyForward(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}

using System.Security.Cryptography;
using Tabula.IO;

namespace Tabula.Tests.IO;

public sealed class StreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly byte[] Data = [.. Enumerable.Range(0, 3000).Select(i => (byte)i)];

    [Fact]
    public async Task Sha256_stream_hashes_and_counts_what_is_read_or_written()
    {
        using var read = new Sha256Stream(new MemoryStream(Data));
        await read.CopyToAsync(Stream.Null, Ct);
        Assert.Equal(SHA256.HashData(Data), read.Hash.ToArray());
        Assert.Equal(Data.Length, read.BytesPassed);

        var sink = new MemoryStream();
        using var write = new Sha256Stream(sink, leaveOpen: true);
        await write.WriteAsync(Data.AsMemory(0, 1000), Ct);
        write.Write(Data, 1000, 2000);
        Assert.Equal(SHA256.HashData(Data), write.Hash.ToArray());
        Assert.Equal(Data, sink.ToArray());
        Assert.Throws<InvalidOperationException>(() => write.Write(Data, 0, 1));
    }

    [Fact]
    public void Counting_stream_leaves_its_inner_stream_open_only_when_told()
    {
        var kept = new MemoryStream();
        new CountingStream(kept, leaveOpen: true).Dispose();
        Assert.True(kept.CanWrite);

        var closed = new MemoryStream();
        new CountingStream(closed).Dispose();
        Assert.False(closed.CanWrite);
    }

    [Fact]
    public async Task Prefixed_stream_gives_back_the_sniffed_bytes_first()
    {
        var rest = new MemoryStream(Data, 10, Data.Length - 10);
        await using var stream = new PrefixedReadStream(Data.AsMemory(0, 10), rest);
        var all = new MemoryStream();
        await stream.CopyToAsync(all, 7, Ct);
        Assert.Equal(Data, all.ToArray());
        Assert.Equal(Data.Length, stream.Position);
    }

    [Fact]
    public async Task Tee_hands_every_byte_read_to_its_sink()
    {
        var sink = new MemoryStream();
        await using var tee = new TeeReadStream(new MemoryStream(Data), sink);
        await tee.CopyToAsync(Stream.Null, Ct);
        Assert.Equal(Data, sink.ToArray());
    }

    [Fact]
    public async Task File_range_reads_and_seeks_within_its_range_only()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tabula-range-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(path, Data, Ct);
        try
        {
            using var handle = File.OpenHandle(path);
            await using var range = new FileRangeStream(handle, 100, 50);
            var all = new MemoryStream();
            await range.CopyToAsync(all, Ct);
            Assert.Equal(Data.AsSpan(100, 50).ToArray(), all.ToArray());

            range.Seek(-10, SeekOrigin.End);
            var tail = new byte[64];
            Assert.Equal(10, range.Read(tail));
            Assert.Equal(Data.AsSpan(140, 10).ToArray(), tail[..10]);
            range.Position = 500;
            Assert.Equal(0, range.Read(tail));
            Assert.False(handle.IsClosed);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using Tabula.IO;

namespace Tabula.Tests.IO;

public class ReadAheadStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(100_000)]
    public async Task Reads_exactly_the_source(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        await using var ahead = new ReadAheadStream(new MemoryStream(data), chunkSize: 1024, chunksAhead: 2);
        var copy = new MemoryStream();
        await ahead.CopyToAsync(copy, 777, Ct);
        Assert.Equal(data, copy.ToArray());
        Assert.Equal(0, await ahead.ReadAsync(new byte[10], Ct));
    }

    [Fact]
    public void Sync_reads_see_the_same_bytes()
    {
        var data = new byte[50_000];
        new Random(3).NextBytes(data);
        using var ahead = new ReadAheadStream(new MemoryStream(data), chunkSize: 4096);
        var copy = new MemoryStream();
        ahead.CopyTo(copy, 1000);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task A_failure_reaches_the_reader_after_the_bytes_before_it_with_its_own_type()
    {
        await using var ahead = new ReadAheadStream(new FailingStream(3000), chunkSize: 1000);
        var buffer = new byte[1000];
        long total = 0;
        var e = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            int n;
            while ((n = await ahead.ReadAsync(buffer, Ct)) > 0) total += n;
        });
        Assert.Equal(3000, total);
        Assert.Equal("broken", e.Message);
    }

    [Fact]
    public async Task Disposing_early_stops_and_disposes_the_source()
    {
        var source = new FailingStream(long.MaxValue);
        var ahead = new ReadAheadStream(source, chunkSize: 1000);
        Assert.Equal(10, await ahead.ReadAsync(new byte[10], Ct));
        await ahead.DisposeAsync();
        Assert.True(source.Disposed);
    }

    /// <summary>Gives <c>failAfter</c> bytes, then throws.</summary>
    private sealed class FailingStream(long failAfter) : ForwardReadStream
    {
        private long _given;
        public bool Disposed { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            if (_given >= failAfter) throw new InvalidDataException("broken");
            int n = (int)Math.Min(buffer.Length, failAfter - _given);
            buffer[..n].Fill(7);
            _given += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        protected override void Dispose(bool disposing) { Disposed = true; base.Dispose(disposing); }
    }
}

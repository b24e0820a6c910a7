using Tabula.IO;

namespace Tabula.Tests.IO;

public class WriteBehindStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0, 7)]
    [InlineData(1, 1)]
    [InlineData(1000, 3)]
    [InlineData(4096, 4096)]
    [InlineData(100_000, 999)]
    public async Task Writes_exactly_what_was_written_in_order(int size, int piece)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        var destination = new MemoryStream();
        await using (var behind = new WriteBehindStream(destination, leaveOpen: true, chunkSize: 1024, chunksAhead: 2))
        {
            for (int at = 0, i = 0; at < size; at += piece, i++)
            {
                var slice = data.AsMemory(at, Math.Min(piece, size - at));
                if (i % 2 == 0) await behind.WriteAsync(slice, Ct);
                else behind.Write(slice.Span);
            }
            await behind.CompleteAsync(Ct);
            Assert.Equal(data, destination.ToArray());
        }
        Assert.Equal(data, destination.ToArray());
    }

    [Fact]
    public async Task A_failure_of_the_destination_reaches_the_writer_with_its_own_type()
    {
        var behind = new WriteBehindStream(new FailingStream(), leaveOpen: true, chunkSize: 16, chunksAhead: 1);
        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (int i = 0; i < 100; i++) await behind.WriteAsync(new byte[16], Ct);
            await behind.CompleteAsync(Ct);
        });
        Assert.Equal("disk full", error.Message);
        await Assert.ThrowsAsync<IOException>(async () => await behind.DisposeAsync());
    }

    [Fact]
    public async Task Disposing_writes_what_is_left_and_disposes_the_destination_unless_left_open()
    {
        var destination = new MemoryStream();
        var behind = new WriteBehindStream(destination);
        behind.Write([1, 2, 3]);
        await behind.DisposeAsync();
        Assert.Equal([1, 2, 3], destination.ToArray());
        Assert.False(destination.CanWrite);
    }

    private sealed class FailingStream : ForwardWriteStream
    {
        public FailingStream() : base(Stream.Null) { }
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("disk full");
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => throw new IOException("disk full");
    }
}

using System.Buffers;
using System.Threading.Channels;

namespace Tabula.IO;

/// <summary>
/// Writes to its destination on another thread, a few chunks behind the writer, so that producing bytes (typically
/// decompressing) overlaps with what the destination does with them (hashing, writing to disk): the write-side twin of
/// <see cref="ReadAheadStream"/>. Memory is bounded by the chunks in flight. <see cref="CompleteAsync"/> waits until
/// every byte is written; a failure of the destination surfaces there or at a later write. Disposing completes too.
/// </summary>
internal sealed class WriteBehindStream : ForwardWriteStream
{
    private readonly Channel<(byte[] Buffer, int Count)> _chunks;
    private readonly Task _pump;
    private readonly bool _leaveOpen;
    private readonly int _chunkSize;
    private byte[]? _pending;
    private int _pendingCount;
    private bool _completed;

    public WriteBehindStream(Stream destination, bool leaveOpen = false, int chunkSize = 256 * 1024, int chunksAhead = 4) : base(destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunksAhead, 1);
        _leaveOpen = leaveOpen;
        _chunkSize = chunkSize;
        _chunks = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(chunksAhead) { SingleReader = true, SingleWriter = true });
        _pump = Task.Run(PumpAsync);
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await _chunks.Reader.WaitToReadAsync().ConfigureAwait(false))
                while (_chunks.Reader.TryRead(out var chunk))
                {
                    try { await Destination.WriteAsync(chunk.Buffer.AsMemory(0, chunk.Count)).ConfigureAwait(false); }
                    finally { ArrayPool<byte>.Shared.Return(chunk.Buffer); }
                }
        }
        catch (Exception e)
        {
            // The writer learns of it at its next write; what is still queued is dropped.
            _chunks.Writer.TryComplete(e);
            while (_chunks.Reader.TryRead(out var chunk)) ArrayPool<byte>.Shared.Return(chunk.Buffer);
            throw;
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = Append(buffer);
            buffer = buffer[n..];
            if (_pendingCount == _chunkSize) PostAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int n = Append(buffer.Span);
            buffer = buffer[n..];
            if (_pendingCount == _chunkSize) await PostAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Hands what is buffered to the writing thread; <see cref="CompleteAsync"/> waits for it to be written.</summary>
    public override void Flush() => PostAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => PostAsync(cancellationToken).AsTask();

    /// <summary>Writes everything still buffered or queued, then flushes the destination.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_completed) return;
        await PostAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
        _chunks.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
        await Destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private int Append(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _pending ??= ArrayPool<byte>.Shared.Rent(_chunkSize);
        int n = Math.Min(buffer.Length, _chunkSize - _pendingCount);
        buffer[..n].CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount += n;
        return n;
    }

    private async ValueTask PostAsync(CancellationToken cancellationToken)
    {
        if (_pending is null) return;
        var chunk = (_pending, _pendingCount);
        _pending = null;
        _pendingCount = 0;
        try
        {
            await _chunks.Writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ArrayPool<byte>.Shared.Return(chunk.Item1);
            await _pump.ConfigureAwait(false); // rethrows the destination's failure
            throw;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(chunk.Item1);
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _completed = true;
            _chunks.Writer.TryComplete();
            try { await _pump.ConfigureAwait(false); } catch { /* already reported by CompleteAsync */ }
            if (_pending is { } pending) { _pending = null; ArrayPool<byte>.Shared.Return(pending); }
            if (!_leaveOpen) await Destination.DisposeAsync().ConfigureAwait(false);
        }
        GC.SuppressFinalize(this);
    }
}

using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Tabula.IO;

/// <summary>
/// Reads its source on another thread, a few chunks ahead of the reader, so that producing the bytes (typically
/// decompressing) overlaps with consuming them (hashing, parsing, writing). Memory is bounded by the chunks in
/// flight. A failure of the source reaches the reader where it happened in the stream: a reader that stops earlier
/// never sees it. Disposing stops the read-ahead and waits for it before disposing the source (unless leaveOpen).
/// </summary>
internal sealed class ReadAheadStream : ForwardReadStream
{
    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly Channel<Chunk> _chunks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private Chunk _current;
    private int _offset;
    private bool _ended;
    private bool _disposed;

    public ReadAheadStream(Stream source, bool leaveOpen = false, int chunkSize = 256 * 1024, int chunksAhead = 4)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunksAhead, 1);
        _source = source;
        _leaveOpen = leaveOpen;
        _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(chunksAhead) { SingleReader = true, SingleWriter = true });
        _pump = Task.Run(() => PumpAsync(chunkSize, _stop.Token));
    }

    private async Task PumpAsync(int chunkSize, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
                int n;
                try
                {
                    n = await _source.ReadAtLeastAsync(buffer.AsMemory(0, chunkSize), chunkSize, throwOnEndOfStream: false, stop).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                await _chunks.Writer.WriteAsync(new Chunk(buffer, n, null), stop).ConfigureAwait(false);
                if (n < chunkSize) break;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: nobody reads any more.
        }
        catch (Exception e)
        {
            var failure = new Chunk(null, 0, ExceptionDispatchInfo.Capture(e));
            // A full channel: the reader is still behind; wait for room unless disposed.
            try { await _chunks.Writer.WriteAsync(failure, stop).ConfigureAwait(false); }
            catch (OperationCanceledException)
            {
                // Disposed while waiting: nobody is left to receive the failure.
            }
        }
        finally
        {
            _chunks.Writer.TryComplete();
        }
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (!HasData() && !FetchAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()) return 0;
        return Take(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        if (!HasData() && !await FetchAsync(cancellationToken).ConfigureAwait(false)) return 0;
        return Take(buffer.Span);
    }

    private bool HasData() => _current.Buffer is not null && _offset < _current.Count;

    private int Take(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, _current.Count - _offset);
        _current.Buffer.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    /// <summary>Moves to the next chunk; false at the end of the source.</summary>
    private async ValueTask<bool> FetchAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReturnCurrent();
        if (_ended) return false;
        while (await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!_chunks.Reader.TryRead(out var chunk)) continue;
            if (chunk.Error is { } error)
            {
                _ended = true;
                error.Throw();
            }
            _current = chunk;
            _offset = 0;
            return true;
        }
        _ended = true;
        return false;
    }

    private void ReturnCurrent()
    {
        if (_current.Buffer is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
        _current = default;
        _offset = 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            try { _pump.GetAwaiter().GetResult(); } catch { /* stopped */ }
            Drain();
            if (!_leaveOpen) _source.Dispose();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            try { await _pump.ConfigureAwait(false); } catch { /* stopped */ }
            Drain();
            if (!_leaveOpen) await _source.DisposeAsync().ConfigureAwait(false);
            _stop.Dispose();
        }
        await base.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private void Drain()
    {
        ReturnCurrent();
        while (_chunks.Reader.TryRead(out var chunk))
            if (chunk.Buffer is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
    }

    private readonly record struct Chunk(byte[]? Buffer, int Count, ExceptionDispatchInfo? Error);
}

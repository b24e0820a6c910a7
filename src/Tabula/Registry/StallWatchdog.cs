namespace Tabula.Registry;

/// <summary>
/// Cancels a request that makes no progress for <c>timeout</c>: armed when the request starts, re-armed by every
/// write of its body (so a large upload is timed per stall, not as a whole), and left running from the last byte
/// sent until the response headers arrive.
/// </summary>
internal sealed class StallWatchdog : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly TimeSpan _timeout;

    public StallWatchdog(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _timeout = timeout;
        _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Kick();
    }

    public CancellationToken Token => _source.Token;

    public void Kick()
    {
        if (_timeout == Timeout.InfiniteTimeSpan) return;
        try { _source.CancelAfter(_timeout); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose() => _source.Dispose();
}

/// <summary>A request body that re-arms its <see cref="StallWatchdog"/> as its bytes are written to the connection.</summary>
internal sealed class WatchedContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly StallWatchdog _watchdog;

    public WatchedContent(HttpContent inner, StallWatchdog watchdog)
    {
        _inner = inner;
        _watchdog = watchdog;
        foreach (var header in inner.Headers)
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                Headers.TryAddWithoutValidation(header.Key, header.Value);
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        await using var kicking = new KickingWriteStream(stream, _watchdog);
        await _inner.CopyToAsync(kicking, context, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    private sealed class KickingWriteStream(Stream destination, StallWatchdog watchdog) : IO.ForwardWriteStream(destination)
    {

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            watchdog.Kick();
            Destination.Write(buffer);
            watchdog.Kick();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            watchdog.Kick();
            await Destination.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            watchdog.Kick();
        }
    }
}

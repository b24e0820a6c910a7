using System.Diagnostics;

namespace Tabula.Registry;

/// <summary>
/// Holds reads of a response body to a minimum of progress: at least <see cref="ProgressBytes"/> (or the end) in every
/// <c>timeout</c> of time spent waiting in reads. Only time inside reads counts, so a slow consumer is never taken
/// for a stalled registry; and a registry that drips a byte now and then is caught, which a plain per-read
/// timeout would not catch.
/// </summary>
internal sealed class ReadStallGuard(TimeSpan timeout)
{
    public const int ProgressBytes = 16 << 10;

    private TimeSpan _waited;
    private long _bytesInWindow;

    public TimeSpan Timeout => timeout;

    /// <summary>Reads once; throws what <paramref name="stalled"/> makes when the window runs out without progress.</summary>
    public async ValueTask<int> ReadAsync(Stream stream, Memory<byte> buffer, Func<Exception> stalled, CancellationToken cancellationToken)
    {
        if (timeout == System.Threading.Timeout.InfiniteTimeSpan || buffer.IsEmpty)
            return await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        var remaining = timeout - _waited;
        if (remaining <= TimeSpan.Zero) throw stalled();
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(remaining);
        long start = Stopwatch.GetTimestamp();
        int read;
        try
        {
            read = await stream.ReadAsync(buffer, window.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException
                                  && window.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw stalled();
        }
        _waited += Stopwatch.GetElapsedTime(start);
        _bytesInWindow += read;
        if (read == 0 || _bytesInWindow >= ProgressBytes)
        {
            _waited = TimeSpan.Zero;
            _bytesInWindow = 0;
        }
        return read;
    }
}

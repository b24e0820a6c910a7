namespace Tabula.Layers;

/// <summary>
/// A zstd compressing write stream on the native library, with the parameters the managed one gets (so equal bytes).
/// ZstdNet's stream never closes what it wraps and its options hold native memory; this owns both.
/// </summary>
internal sealed class NativeZstdCompressionStream : Stream
{
    private readonly Stream destination;
    private readonly bool leaveOpen;
    private readonly ZstdNet.CompressionOptions options;
    private readonly ZstdNet.CompressionStream zstd;
    private bool disposed;

    public NativeZstdCompressionStream(Stream destination, int level, int workers, int jobSize, int bufferSize, bool leaveOpen)
    {
        this.destination = destination;
        this.leaveOpen = leaveOpen;
        options = new ZstdNet.CompressionOptions(null, new Dictionary<ZstdNet.ZSTD_cParameter, int>
        {
            [ZstdNet.ZSTD_cParameter.ZSTD_c_nbWorkers] = workers,
            [ZstdNet.ZSTD_cParameter.ZSTD_c_jobSize] = jobSize,
        }, level);
        zstd = new ZstdNet.CompressionStream(destination, options, bufferSize);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => zstd.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => zstd.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => zstd.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => zstd.Write(buffer);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => zstd.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => zstd.WriteAsync(buffer, offset, count, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            try { zstd.Dispose(); }
            finally
            {
                options.Dispose();
                if (!leaveOpen) destination.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!disposed)
        {
            disposed = true;
            try { await zstd.DisposeAsync().ConfigureAwait(false); }
            finally
            {
                options.Dispose();
                if (!leaveOpen) await destination.DisposeAsync().ConfigureAwait(false);
            }
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

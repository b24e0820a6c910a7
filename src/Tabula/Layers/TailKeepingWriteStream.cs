namespace Tabula.Layers;

/// <summary>Writes through and remembers the last few bytes written (a gzip trailer, for instance).</summary>
internal sealed class TailKeepingWriteStream(Stream destination, int tailLength) : Stream
{
    private readonly byte[] _tail = new byte[tailLength];
    private long _written;

    /// <summary>The last bytes written, fewer when fewer were written.</summary>
    public ReadOnlySpan<byte> Tail => _tail.AsSpan(tailLength - (int)Math.Min(_written, tailLength));

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Remember(buffer);
        destination.Write(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Remember(buffer.Span);
        return destination.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Remember(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length >= tailLength)
        {
            buffer[^tailLength..].CopyTo(_tail);
        }
        else
        {
            _tail.AsSpan(buffer.Length).CopyTo(_tail);
            buffer.CopyTo(_tail.AsSpan(tailLength - buffer.Length));
        }
        _written += buffer.Length;
    }

    public override void Flush() => destination.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => destination.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

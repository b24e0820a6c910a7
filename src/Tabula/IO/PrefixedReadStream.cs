namespace Tabula.IO;

/// <summary>
/// Reads some bytes already taken from a stream (to sniff its format), then the rest of that stream. It leaves
/// <paramref name="rest"/> open when disposed.
/// </summary>
internal sealed class PrefixedReadStream(ReadOnlyMemory<byte> prefix, Stream rest) : ForwardReadStream
{
    private ReadOnlyMemory<byte> _prefix = prefix;
    private long _read;

    /// <summary>Bytes read so far: SharpCompress's xz reader asks, to align to its 4-byte blocks.</summary>
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer) => Count(_prefix.IsEmpty ? rest.Read(buffer) : TakePrefix(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Count(_prefix.IsEmpty ? await rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) : TakePrefix(buffer.Span));

    private int TakePrefix(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..count].CopyTo(buffer);
        _prefix = _prefix[count..];
        return count;
    }

    private int Count(int read)
    {
        _read += read;
        return read;
    }
}

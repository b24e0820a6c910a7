using Tabula.IO;

namespace Tabula.Layers;

/// <summary>Writes through and remembers the last few bytes written (a gzip trailer, for instance).</summary>
internal sealed class TailKeepingWriteStream(Stream destination, int tailLength) : ForwardWriteStream(destination)
{
    private readonly byte[] _tail = new byte[tailLength];
    private long _written;

    /// <summary>The last bytes written, fewer when fewer were written.</summary>
    public ReadOnlySpan<byte> Tail => _tail.AsSpan(_tail.Length - (int)Math.Min(_written, _tail.Length));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Remember(buffer);
        Destination.Write(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Remember(buffer.Span);
        return Destination.WriteAsync(buffer, cancellationToken);
    }

    private void Remember(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length >= _tail.Length)
        {
            buffer[^_tail.Length..].CopyTo(_tail);
        }
        else
        {
            _tail.AsSpan(buffer.Length).CopyTo(_tail);
            buffer.CopyTo(_tail.AsSpan(_tail.Length - buffer.Length));
        }
        _written += buffer.Length;
    }
}

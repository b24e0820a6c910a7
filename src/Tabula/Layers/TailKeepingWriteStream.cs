using Tabula.IO;

namespace Tabula.Layers;

/// <summary>Writes through and remembers the last few bytes written (a gzip trailer, for instance).</summary>
internal sealed class TailKeepingWriteStream(Stream destination, int tailLength) : CountingStream(destination, leaveOpen: true)
{
    private readonly byte[] _tail = new byte[tailLength];

    /// <summary>The last bytes written, fewer when fewer were written.</summary>
    public ReadOnlySpan<byte> Tail => _tail.AsSpan(_tail.Length - (int)Math.Min(BytesPassed, _tail.Length));

    protected override void Observe(ReadOnlySpan<byte> buffer)
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
    }
}

using Tabula.IO;

namespace Tabula.Archives.Tar;

/// <summary>A write-only pass-through that counts bytes and leaves its inner stream open when disposed.</summary>
internal sealed class CountingWriteStream(Stream inner) : ForwardWriteStream(inner)
{
    public long Count { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Destination.Write(buffer);
        Count += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Destination.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Count += buffer.Length;
    }
}

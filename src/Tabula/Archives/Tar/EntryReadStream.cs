using Microsoft.Win32.SafeHandles;
using Tabula.IO;

namespace Tabula.Archives.Tar;

/// <summary>Reads one entry's bytes from a tar file by offset; many can be open at once over one handle.</summary>
internal sealed class EntryReadStream(SafeFileHandle file, long offset, long length) : ForwardReadStream
{
    private long _position;

    public override long Length => length;

    public override int Read(Span<byte> buffer)
    {
        var window = Window(buffer.Length);
        if (window == 0) return 0;
        int n = RandomAccess.Read(file, buffer[..window], offset + _position);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var window = Window(buffer.Length);
        if (window == 0) return 0;
        int n = await RandomAccess.ReadAsync(file, buffer[..window], offset + _position, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    private int Window(int requested) => (int)Math.Min(requested, length - _position);
}

using Microsoft.Win32.SafeHandles;

namespace Tabula.IO;

/// <summary>
/// Reads <paramref name="length"/> bytes of a file from <paramref name="offset"/> by positional reads on its handle, so
/// many can be open at once over one handle. It can seek within its range and never closes the handle.
/// </summary>
internal sealed class FileRangeStream(SafeFileHandle file, long offset, long length) : ForwardReadStream
{
    private long _position;

    public override bool CanSeek => true;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), "a position cannot be negative");
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override int Read(Span<byte> buffer)
    {
        int window = Window(buffer.Length);
        if (window <= 0) return 0;
        int read = RandomAccess.Read(file, buffer[..window], offset + _position);
        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int window = Window(buffer.Length);
        if (window <= 0) return 0;
        int read = await RandomAccess.ReadAsync(file, buffer[..window], offset + _position, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    private int Window(int requested) => (int)Math.Min(requested, length - _position);
}

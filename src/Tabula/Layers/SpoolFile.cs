using Microsoft.Win32.SafeHandles;
using Tabula.IO;

namespace Tabula.Layers;

/// <summary>
/// One temporary file holding the content of the files extracted from archives, one after another; the tree refers
/// to segments of it. Removed when disposed (and by the OS if the process dies: it is unlinked on close).
/// </summary>
internal sealed class SpoolFile : IAsyncDisposable
{
    private const int CopyChunkSize = 128 * 1024;

    private readonly FileStream _file;
    private long _length;

    private SpoolFile(FileStream file) => _file = file;

    /// <summary>Creates the spool in <paramref name="directory"/> (the system temp directory by default).</summary>
    public static SpoolFile Create(string? directory = null)
    {
        string path = Path.Combine(directory ?? Path.GetTempPath(), $"tabula-spool-{Guid.NewGuid():N}");
        return new SpoolFile(new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose,
        }));
    }

    public long Length => _length;

    internal SafeFileHandle Handle => _file.SafeFileHandle;

    /// <summary>Copies exactly <paramref name="length"/> bytes from <paramref name="content"/> to the end of the spool.</summary>
    public async Task<SpoolSegment> AppendAsync(Stream content, long length, CancellationToken cancellationToken)
    {
        long offset = _length;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyChunkSize);
        try
        {
            long remaining = length;
            while (remaining > 0)
            {
                int read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
                if (read == 0) throw new LayerFormatException($"content ended {remaining} bytes early");
                await RandomAccess.WriteAsync(Handle, buffer.AsMemory(0, read), _length, cancellationToken).ConfigureAwait(false);
                _length += read;
                remaining -= read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return new SpoolSegment(this, offset, length);
    }

    /// <summary>Appends what <paramref name="read"/> fills buffers with until it returns 0 (a body of unknown length).</summary>
    public async Task<SpoolSegment> AppendToEndAsync(Func<Memory<byte>, ValueTask<int>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        long offset = _length;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyChunkSize);
        try
        {
            int count;
            while ((count = await read(buffer.AsMemory(0, CopyChunkSize)).ConfigureAwait(false)) > 0)
            {
                await RandomAccess.WriteAsync(Handle, buffer.AsMemory(0, count), _length, cancellationToken).ConfigureAwait(false);
                _length += count;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return new SpoolSegment(this, offset, _length - offset);
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}

/// <summary>A file's content: <see cref="Length"/> bytes of a spool from <see cref="Offset"/>.</summary>
internal sealed record SpoolSegment(SpoolFile Spool, long Offset, long Length) : IContentSource
{
    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult<Stream>(new FileRangeStream(Spool.Handle, Offset, Length));
}

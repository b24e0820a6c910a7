using Microsoft.Win32.SafeHandles;

namespace Tabula.IO;

/// <summary>
/// A local file read from the start, whose asynchronous reads are plain blocking reads on the caller's thread. On
/// Linux a FileStream's asynchronous read is a blocking read handed to a thread-pool thread and a continuation
/// back: for a file in the page cache, two hops that cost more than the read, and, with the pool's threads busy, a
/// wait in its queue per read. Closes the file when disposed.
/// </summary>
internal sealed class BlockingFileReadStream(SafeFileHandle file) : ForwardReadStream
{
    private long _position;

    public static BlockingFileReadStream Open(string path)
        => new(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan));

    public override int Read(Span<byte> buffer)
    {
        int read = RandomAccess.Read(file, buffer, _position);
        _position += read;
        return read;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) file.Dispose();
        base.Dispose(disposing);
    }
}

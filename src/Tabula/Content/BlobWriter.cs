using Tabula.Oci;

namespace Tabula.Content;

/// <summary>
/// A blob being written into the store's ingest area. It becomes visible only through <see cref="CommitAsync"/>:
/// verify → fsync → rename → read-only. Disposing an uncommitted writer removes its temp file.
/// </summary>
internal sealed class BlobWriter : IAsyncDisposable, IDisposable
{
    private readonly ContentStore _store;
    private readonly FileStream _file;
    private readonly HashingStream _hashing;
    private bool _done;

    internal BlobWriter(ContentStore store, string tempPath)
    {
        _store = store;
        TempPath = tempPath;
        _file = new FileStream(tempPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            Options = FileOptions.Asynchronous,
        });
        _hashing = new HashingStream(new BufferedStream(_file, 1 << 16));
    }

    internal string TempPath { get; }

    /// <summary>Where to write the blob's bytes; they are hashed as they pass.</summary>
    public Stream Stream => _hashing;

    public long BytesWritten => _hashing.BytesHashed;

    /// <summary>Verifies (when expectations are given), makes the blob durable and visible, and returns its descriptor data.</summary>
    public async Task<(Digest Digest, long Size)> CommitAsync(Digest? expected = null, long? expectedSize = null, string what = "blob", CancellationToken cancellationToken = default)
    {
        var (digest, size) = await VerifyAsync(expected, expectedSize, what, cancellationToken).ConfigureAwait(false);
        _file.Flush(flushToDisk: true);
        await _hashing.DisposeAsync().ConfigureAwait(false);
        _done = true;
        _store.Publish(TempPath, digest);
        return (digest, size);
    }

    /// <summary>
    /// Checks what was written against the expectations without making it visible: a caller that found the content
    /// bad for another reason reports a wrong digest first, as the more basic fault, and then aborts.
    /// </summary>
    public async Task<(Digest Digest, long Size)> VerifyAsync(Digest? expected, long? expectedSize, string what, CancellationToken cancellationToken)
    {
        if (_done) throw new InvalidOperationException("blob already committed or aborted");
        await _hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
        var digest = _hashing.Digest;
        long size = _hashing.BytesHashed;
        if (expectedSize is { } s && s != size)
            throw new DigestMismatchException(what, expected ?? digest, $"{size} bytes instead of {s}");
        if (expected is { } e && e != digest)
            throw new DigestMismatchException(what, e, digest.ToString());
        return (digest, size);
    }

    public void Dispose()
    {
        _hashing.Dispose();
        if (!_done) TryDelete();
        _done = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _hashing.DisposeAsync().ConfigureAwait(false);
        if (!_done) TryDelete();
        _done = true;
    }

    private void TryDelete()
    {
        // Best effort on a clean-up path: a leftover temp file is an orphan that GC (prune) removes, and failing
        // here would hide the error that brought us here.
        try { File.Delete(TempPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Layers;

/// <summary>
/// The one streaming pass of DESIGN §7: an uncompressed tar is written into this stream; it hashes and counts
/// those bytes (diffID), compresses them, hashes and counts the compressed bytes (digest, size) and writes them to
/// the destination (the content store's ingest file). Memory use does not depend on the layer's size.
/// Call <see cref="CompleteAsync"/> to finish the compressed stream and get the digests.
/// </summary>
internal sealed class LayerWriter : Stream
{
    private readonly Stream _destination;
    private readonly bool _leaveOpen;
    private readonly LayerCompressionSettings _compression;
    private readonly Sha256Stream _blob;
    private readonly bool _ownsBlob;
    private readonly Stream _compressor;
    private readonly Sha256Stream _tar;
    private WrittenLayer? _result;

    /// <param name="destination">Receives the blob bytes; flushed on completion, closed only when <paramref name="leaveOpen"/> is false.</param>
    public LayerWriter(Stream destination, LayerCompressionSettings compression, bool leaveOpen = true)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(compression);
        _destination = destination;
        _leaveOpen = leaveOpen;
        _compression = compression;
        _blob = Sha256Stream.Over(destination, out _ownsBlob);
        _compressor = ArchiveStreams.OpenCompressing(_blob, compression, leaveOpen: true);
        _tar = new Sha256Stream(_compressor, leaveOpen: true);
    }

    public long UncompressedBytesWritten => _tar.BytesPassed;

    /// <summary>Finishes the compressed stream, flushes the destination and returns the layer's digests and sizes.</summary>
    public async Task<WrittenLayer> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_result is not null) return _result;
        await _compressor.DisposeAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        await _destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        _result = new WrittenLayer(
            DiffId: Digest.FromSha256Hash(_tar.Hash),
            Digest: Digest.FromSha256Hash(_blob.Hash),
            Size: _blob.BytesPassed,
            UncompressedSize: _tar.BytesPassed,
            Compression: _compression.Compression);
        return _result;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => _result is null;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _tar.BytesPassed; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWritable();
        _tar.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        return _tar.WriteAsync(buffer, cancellationToken);
    }

    // Flushing a compressor mid-stream would change the compressed bytes (a sync flush block): only completion ends it.
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_result is null) await _compressor.DisposeAsync().ConfigureAwait(false);
        if (_ownsBlob) _blob.Dispose();
        _tar.Dispose();
        if (!_leaveOpen) await _destination.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_result is null) _compressor.Dispose();
            if (_ownsBlob) _blob.Dispose();
            _tar.Dispose();
            if (!_leaveOpen) _destination.Dispose();
        }
        base.Dispose(disposing);
    }

    private void EnsureWritable()
    {
        if (_result is not null) throw new InvalidOperationException("the layer is complete; nothing more can be written to it");
    }
}

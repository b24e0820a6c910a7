using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Content;

/// <summary>
/// A read stream that fails at its end (or when it runs past the expected size) unless the bytes read match the
/// expected digest and size, so a consumer never completes on corrupt or truncated content.
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, Digest expected, long? expectedSize, string what, bool leaveOpen = false) : ForwardReadStream
{
    private readonly HashingStream _hashing = new(inner, leaveOpen);
    private bool _verified;

    public override long Length => expectedSize ?? throw new NotSupportedException();
    public override long Position { get => _hashing.BytesHashed; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer) => Check(_hashing.Read(buffer), buffer.Length);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Check(await _hashing.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);

    private int Check(int read, int requested)
    {
        if (expectedSize is { } size && _hashing.BytesHashed > size)
            throw new DigestMismatchException(what, expected, $"more than the expected {size} bytes");
        if (read == 0 && requested > 0 && !_verified)
        {
            if (expectedSize is { } s && _hashing.BytesHashed != s)
                throw new DigestMismatchException(what, expected, $"{_hashing.BytesHashed} bytes instead of {s}");
            if (_hashing.Digest != expected)
                throw new DigestMismatchException(what, expected, _hashing.Digest.ToString());
            _verified = true;
        }
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hashing.Dispose();
        base.Dispose(disposing);
    }
}

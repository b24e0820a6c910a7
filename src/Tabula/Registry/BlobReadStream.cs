using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Registry;

/// <summary>
/// A blob's bytes as they arrive from a registry, hashed as they pass: reading past the expected size, ending short
/// of it, or ending with another digest throws <see cref="RegistryContentException"/>, so no consumer completes on
/// corrupt content.
/// </summary>
internal sealed class BlobReadStream(HttpResponseMessage response, Stream body, Digest expected, long? expectedSize, string what) : ForwardReadStream
{
    private readonly Sha256Stream _hashing = new(body);
    private bool _verified;

    public override long Length => expectedSize ?? throw new NotSupportedException();
    public override long Position { get => _hashing.BytesPassed; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer) => Check(_hashing.Read(buffer), buffer.Length);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await _hashing.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e is not RegistryException)
        {
            throw new RegistryException($"{what}: the connection broke after {_hashing.BytesPassed} bytes: {e.Message}", transient: true, inner: e);
        }
        return Check(read, buffer.Length);
    }

    private int Check(int read, int requested)
    {
        if (expectedSize is { } size && _hashing.BytesPassed > size)
            throw new RegistryContentException($"{what}: the registry sent more than the expected {size} bytes; nothing was stored");
        if (read == 0 && requested > 0 && !_verified)
        {
            if (expectedSize is { } s && _hashing.BytesPassed != s)
                throw new RegistryContentException($"{what}: the registry sent {_hashing.BytesPassed} bytes instead of {s} (truncated); nothing was stored");
            var actual = Digest.FromSha256Hash(_hashing.Hash);
            if (actual != expected)
                throw new RegistryContentException($"{what}: content does not match its digest: expected {expected}, got {actual}; the registry sent corrupt data, nothing was stored");
            _verified = true;
        }
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hashing.Dispose();
            response.Dispose();
        }
        base.Dispose(disposing);
    }
}

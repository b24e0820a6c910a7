using System.Security.Cryptography;
using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Layers;

/// <summary>Reads through from a source while computing the sha256 and count of every byte read.</summary>
internal sealed class DigestingReadStream(Stream source) : ForwardReadStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    public Digest ComputeDigest() => Digest.FromSha256Hash(_hash.GetCurrentHash());

    public override int Read(Span<byte> buffer) => Account(buffer, source.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span, read);
    }

    private int Account(ReadOnlySpan<byte> buffer, int read)
    {
        _hash.AppendData(buffer[..read]);
        BytesRead += read;
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}

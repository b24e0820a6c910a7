using System.Security.Cryptography;
using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Layers;

/// <summary>Writes through to a destination while computing the sha256 and count of every byte written.</summary>
internal sealed class DigestingWriteStream(Stream destination) : ForwardWriteStream(destination)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesWritten { get; private set; }

    public Digest ComputeDigest() => Digest.FromSha256Hash(_hash.GetCurrentHash());

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Account(buffer);
        Destination.Write(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Account(buffer.Span);
        return Destination.WriteAsync(buffer, cancellationToken);
    }

    private void Account(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        BytesWritten += buffer.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}

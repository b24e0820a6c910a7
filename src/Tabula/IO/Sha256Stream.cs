using System.Security.Cryptography;

namespace Tabula.IO;

/// <summary>
/// Passes bytes through (read or write) while hashing them with SHA-256 and counting them, so that content is
/// checked in the same pass that moves it.
/// </summary>
internal class Sha256Stream(Stream inner, bool leaveOpen = false) : CountingStream(inner, leaveOpen)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[]? _finished;

    /// <summary>The SHA-256 of every byte that passed; the hash is finished on first call, and no byte may pass after it.</summary>
    public ReadOnlySpan<byte> Hash => _finished ??= _hash.GetHashAndReset();

    protected override void Observe(ReadOnlySpan<byte> data)
    {
        if (_finished is not null && data.Length > 0) throw new InvalidOperationException("the digest was already taken");
        _hash.AppendData(data);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}

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

    /// <summary>
    /// A stream that hashes what is written into <paramref name="destination"/>: the destination itself when it is
    /// already a <see cref="Sha256Stream"/> nothing has passed yet (a store's blob writer), so that a blob's bytes are
    /// hashed once, not once by the store and again by whoever writes them. <paramref name="owned"/> tells whether
    /// the caller made the stream and so must dispose it; a borrowed one is disposed by its owner.
    /// </summary>
    public static Sha256Stream Over(Stream destination, out bool owned)
    {
        owned = destination is not Sha256Stream { BytesPassed: 0 };
        return owned ? new Sha256Stream(destination, leaveOpen: true) : (Sha256Stream)destination;
    }

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

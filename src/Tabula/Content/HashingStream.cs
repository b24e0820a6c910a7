using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Content;

/// <summary>
/// Passes bytes through (read or write) while hashing them with SHA-256 and counting them, so that a blob is
/// verified in the same pass that moves it.
/// </summary>
internal sealed class HashingStream(Stream inner, bool leaveOpen = false) : Sha256Stream(inner, leaveOpen)
{
    private Digest? _digest;

    public long BytesHashed => BytesPassed;

    /// <summary>The digest of every byte that passed; the hash is finished on first call.</summary>
    public Digest Digest => _digest ??= Digest.FromSha256Hash(Hash);
}

using System.Buffers.Binary;

namespace Tabula.Analysis;

/// <summary>
/// The SHA-256 of a file's content, held as four numbers rather than an array: one is kept per path and per distinct
/// content, so it is a value (no object of its own) and compares without allocating.
/// </summary>
internal readonly record struct ContentHash(ulong A, ulong B, ulong C, ulong D)
{
    public static ContentHash FromBytes(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != 32) throw new ArgumentException("a SHA-256 is 32 bytes", nameof(sha256));
        return new(BinaryPrimitives.ReadUInt64BigEndian(sha256), BinaryPrimitives.ReadUInt64BigEndian(sha256[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(sha256[16..]), BinaryPrimitives.ReadUInt64BigEndian(sha256[24..]));
    }

    public override string ToString() => $"sha256:{A:x16}{B:x16}{C:x16}{D:x16}";
}

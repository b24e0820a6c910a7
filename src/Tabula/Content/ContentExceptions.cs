using Tabula.Oci;

namespace Tabula.Content;

/// <summary>Bytes that do not hash to the digest (or size) they were promised under. Nothing was stored.</summary>
public sealed class DigestMismatchException(string what, Digest expected, string actual)
    : IOException($"{what}: content does not match its digest: expected {expected}, got {actual}; the source is corrupt or truncated, nothing was stored")
{
    public Digest Expected { get; } = expected;
}

/// <summary>A blob the store (or another source) does not have.</summary>
public sealed class BlobNotFoundException(Digest digest, string where)
    : IOException($"blob {digest} not found in {where}")
{
    public Digest Digest { get; } = digest;
}

/// <summary>A name or id that matches no image in the store.</summary>
public sealed class ImageNotFoundException(string name, string hint = "")
    : Exception($"image '{name}' not found in the local store{hint}")
{
    public string Name { get; } = name;
}

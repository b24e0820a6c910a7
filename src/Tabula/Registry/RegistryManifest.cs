using Tabula.Oci;

namespace Tabula.Registry;

/// <summary>A manifest or index as the registry sent it: its exact bytes, media type and the digest of those bytes.</summary>
internal sealed record RegistryManifest(byte[] Bytes, string MediaType, Digest Digest)
{
    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    public Descriptor Descriptor => new() { MediaType = MediaType, Digest = Digest, Size = Bytes.Length };
}

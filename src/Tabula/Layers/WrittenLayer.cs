using Tabula.Oci;

namespace Tabula.Layers;

/// <summary>
/// What one pass of writing a layer produced: the digest and size of the blob bytes written (what a manifest
/// references) and the diffID and size of the uncompressed tar (what the image config's rootfs lists).
/// </summary>
internal sealed record WrittenLayer(Digest DiffId, Digest Digest, long Size, long UncompressedSize, LayerCompression Compression)
{
    /// <summary>The layer media type in the Docker (default) or OCI family.</summary>
    /// <summary>Docker's SIZE of the layer (file bytes), when the writer saw its entries; null for a passthrough blob.</summary>
    public long? FilesSize { get; init; }

    public string MediaType(bool oci) => MediaTypes.LayerMediaType(Compression, oci);

    public Descriptor ToDescriptor(bool oci) => new() { MediaType = MediaType(oci), Digest = Digest, Size = Size };
}

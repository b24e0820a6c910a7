using Tabula.Oci;

namespace Tabula.Images;

/// <summary>A multi-platform image: an OCI index or Docker manifest list, with its exact bytes.</summary>
internal interface IImageIndex
{
    ReadOnlyMemory<byte> RawIndex { get; }
    ImageIndex Index { get; }
    string MediaType { get; }

    Task<IImage> GetImageAsync(Descriptor manifest, CancellationToken cancellationToken);
}

using Tabula.Oci;

namespace Tabula.Images;

/// <summary>
/// The same blob under another media type of the same compression (its Docker or OCI name), so it opens the same way.
/// </summary>
internal sealed class RetypedLayer(ILayer inner, string mediaType) : ILayer
{
    public Digest Digest => inner.Digest;
    public Digest DiffId => inner.DiffId;
    public long Size => inner.Size;
    public string MediaType => mediaType;

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => inner.OpenCompressedAsync(cancellationToken);

    public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken) => inner.OpenUncompressedAsync(cancellationToken);

    /// <summary>The layer as the OCI or Docker family names it; itself when it has that name or the family has none.</summary>
    public static ILayer In(ILayer layer, bool oci)
        => MediaTypes.LayerMediaTypeIn(layer.MediaType, oci) is { } type && type != layer.MediaType ? new RetypedLayer(layer, type) : layer;
}

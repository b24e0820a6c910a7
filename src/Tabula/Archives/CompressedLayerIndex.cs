using Tabula.Content;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// Which gzip layers the store already has, by diff ID, from the images it names: loading a docker archive again
/// then reuses them instead of compressing the same tar a second time (compression is the slow part of a load).
/// </summary>
internal static class CompressedLayerIndex
{
    public static async Task<Dictionary<Digest, Descriptor>> BuildAsync(ContentStore store, ReferenceStore references, CancellationToken cancellationToken)
    {
        var result = new Dictionary<Digest, Descriptor>();
        var layout = new OciLayout(store);
        foreach (var entry in (await references.ListAsync(cancellationToken).ConfigureAwait(false)).DistinctBy(e => e.Digest))
        {
            try
            {
                var image = await layout.LoadImageAsync(entry, null, cancellationToken).ConfigureAwait(false);
                foreach (var layer in image.Layers)
                    if (MediaTypes.LayerCompressionOf(layer.MediaType) == LayerCompression.Gzip && store.Exists(layer.Digest))
                        result.TryAdd(layer.DiffId, new Descriptor { MediaType = layer.MediaType, Digest = layer.Digest, Size = layer.Size });
            }
            catch (Exception e) when (e is IOException or InvalidDataException or PlatformNotFoundException or FormatException)
            {
                // An image the store cannot read fully is no help here; loading goes on without it.
            }
        }
        return result;
    }
}

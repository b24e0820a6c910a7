using Tabula.Images;

namespace Tabula.Transports;

/// <summary>
/// The sizes of an image as docker shows them. <paramref name="Files"/> is SIZE in <c>images</c> and <c>Size</c> in
/// <c>inspect</c>: the sum of the layers' uncompressed file sizes, as docker computed it before the containerd store
/// (DESIGN §4). <paramref name="Content"/> is what the store holds for it: manifest, config and compressed layers.
/// </summary>
internal readonly record struct ImageSize(long Files, long Content)
{
    /// <summary>Both sizes of <paramref name="image"/>; layer file sizes come from the store's stats (computed once a layer).</summary>
    public static async Task<ImageSize> ComputeAsync(ImageStore store, IImage image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(image);
        long files = 0;
        foreach (var layer in image.Layers)
            files += (await store.GetLayerStatsAsync(layer, cancellationToken).ConfigureAwait(false)).FilesSize;
        long content = image.RawManifest.Length + image.RawConfig.Length + image.Layers.Sum(l => l.Size);
        return new ImageSize(files, content);
    }
}

using Tabula.Content;
using Tabula.Images;
using Tabula.Transports;

namespace Tabula.Cli;

/// <summary>An image as the listing verbs show it, with the sizes docker shows.</summary>
internal sealed record ImageSummary(StoredImage Stored, IImage? Image, long FilesSize, long ContentSize)
{
    public DateTimeOffset? Created => Image?.Config.Created;

    public static async Task<ImageSummary> LoadAsync(ImageStore store, StoredImage stored, CancellationToken cancellationToken)
    {
        IImage image;
        try
        {
            image = await store.LoadAsync(stored, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BlobNotFoundException or Tabula.Archives.PlatformNotFoundException)
        {
            return new ImageSummary(stored, null, 0, 0);
        }
        long files = 0;
        foreach (var layer in image.Layers)
            files += (await store.GetLayerStatsAsync(layer, cancellationToken).ConfigureAwait(false)).FilesSize;
        long content = image.RawManifest.Length + image.RawConfig.Length + image.Layers.Sum(l => l.Size);
        return new ImageSummary(stored, image, files, content);
    }
}

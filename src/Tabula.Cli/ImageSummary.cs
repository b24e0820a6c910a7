using Tabula.Content;
using Tabula.Images;
using Tabula.Transports;

namespace Tabula.Cli;

/// <summary>An image as the listing verbs show it, with the sizes docker shows.</summary>
internal sealed record ImageSummary(StoredImage Stored, IImage? Image, long FilesSize, long ContentSize, string? Problem = null)
{
    public DateTimeOffset? Created => Image?.Config.Created;

    /// <summary>
    /// The image's summary; one the store cannot read (a damaged or missing blob, a layer that is no tar) comes back
    /// with its <see cref="Problem"/> instead of failing, so a listing shows every other image and marks this one.
    /// </summary>
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
        catch (Exception e) when (IsDamage(e))
        {
            return new ImageSummary(stored, null, 0, 0, e.Message);
        }
        long files = 0;
        try
        {
            foreach (var layer in image.Layers)
                files += (await store.GetLayerStatsAsync(layer, cancellationToken).ConfigureAwait(false)).FilesSize;
        }
        catch (Exception e) when (IsDamage(e))
        {
            return new ImageSummary(stored, image, 0, 0, e.Message);
        }
        long content = image.RawManifest.Length + image.RawConfig.Length + image.Layers.Sum(l => l.Size);
        return new ImageSummary(stored, image, files, content);
    }

    private static bool IsDamage(Exception e) => e is InvalidDataException or IOException or FormatException or System.Text.Json.JsonException
        or Tabula.Layers.LayerFormatException or ArgumentException or OverflowException;
}
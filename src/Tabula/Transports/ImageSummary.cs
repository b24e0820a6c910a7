using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;

namespace Tabula.Transports;

/// <summary>
/// An image as a listing shows it: its names, its config when readable, and its sizes; one the store cannot read
/// (a damaged blob, a layer that is no tar) comes with its <see cref="Problem"/> instead of failing the listing.
/// </summary>
internal sealed record ImageSummary(StoredImage Stored, IImage? Image, ImageSize Size, string? Problem = null)
{
    public DateTimeOffset? Created => Image?.Config.Created;

    public static async Task<ImageSummary> LoadAsync(ImageStore store, StoredImage stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(stored);
        IImage image;
        try
        {
            image = await store.LoadAsync(stored, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BlobNotFoundException or PlatformNotFoundException)
        {
            // A listing shows every name in the store, also one whose blobs are gone (an interrupted pull) or whose
            // index lacks this machine's platform: as docker does, it is listed with no date and size 0, rather than
            // one unreadable image hiding all the others. Loading it by name still reports the error.
            return new ImageSummary(stored, null, default);
        }
        catch (Exception e) when (StoreDamage.IsDamage(e))
        {
            return new ImageSummary(stored, null, default, e.Message);
        }
        try
        {
            return new ImageSummary(stored, image, await ImageSize.ComputeAsync(store, image, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (StoreDamage.IsDamage(e))
        {
            return new ImageSummary(stored, image, default, e.Message);
        }
    }
}

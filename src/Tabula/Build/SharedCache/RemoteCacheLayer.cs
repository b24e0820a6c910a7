using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Build.SharedCache;

/// <summary>
/// A layer an imported cache promised: known by digest and diff ID at once (which is all the next step's key needs),
/// fetched into the store only when something opens it — a RUN on top, a COPY that reads the tree, the final image.
/// A <paramref name="keyOnly"/> layer is one the cache does not carry (<c>mode=min</c>): it can key the steps after it,
/// never be fetched.
/// </summary>
internal sealed class RemoteCacheLayer(SharedBuildCache cache, ContentStore store, Descriptor descriptor, Digest diffId, ICacheBlobSource source, bool keyOnly = false) : ILayer
{
    public bool KeyOnly => keyOnly;

    public Digest Digest => descriptor.Digest;
    public Digest DiffId => diffId;
    public long Size => descriptor.Size;
    public string MediaType => descriptor.MediaType;
    public Descriptor Descriptor => descriptor;
    public ICacheBlobSource Source => source;

    public async Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
    {
        await cache.FetchAsync(this, cancellationToken).ConfigureAwait(false);
        return await Stored.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
    {
        await cache.FetchAsync(this, cancellationToken).ConfigureAwait(false);
        return await Stored.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
    }

    private StoreLayer Stored => new(store, descriptor, diffId);
}

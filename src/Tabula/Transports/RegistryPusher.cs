using Tabula.Archives;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// Pushes an image of the store to a registry: blobs the repository has are skipped, blobs of another repository of
/// the same registry are mounted, others uploaded (in parallel, bounded); manifests go last, the named one very last.
/// An index is pushed whole when the store has all its manifests, else only the chosen platform's manifest.
/// </summary>
public sealed class RegistryPusher(ImageStore store, RegistryClient client, int parallelism = 3)
{
    public async Task<PushResult> PushAsync(StoredImage source, ImageReference destination, Platform? platform, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        if (destination.Registry != client.Registry) throw new ArgumentException($"{destination} is not on {client.Registry}", nameof(destination));
        var mountFrom = source.Names.FirstOrDefault(n => n.Registry == destination.Registry && n.Repository != destination.Repository)?.Repository;
        var repository = destination.Repository;
        var raw = await store.Content.ReadAllBytesAsync(source.Manifest.Digest, cancellationToken).ConfigureAwait(false);
        var mediaType = OciJson.DetectManifestMediaType(raw);
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = OciJson.DeserializeIndex(raw);
            if (index.Manifests.All(m => store.Content.Exists(m.Digest)))
            {
                foreach (var child in index.Manifests)
                {
                    var childRaw = await store.Content.ReadAllBytesAsync(child.Digest, cancellationToken).ConfigureAwait(false);
                    var childType = OciJson.DetectManifestMediaType(childRaw);
                    if (MediaTypes.IsManifest(childType))
                        await PushManifestAsync(repository, childRaw, childType, child.Digest.ToString(), mountFrom, progress, cancellationToken).ConfigureAwait(false);
                }
                return await PutNamedAsync(destination, raw, mediaType, progress, cancellationToken).ConfigureAwait(false);
            }
            var wanted = platform ?? Platform.Host;
            var chosen = PlatformSelection.Choose(index, wanted) ?? throw new PlatformNotFoundException(source.Manifest.Digest, wanted, index);
            raw = await store.Content.ReadAllBytesAsync(chosen.Digest, cancellationToken).ConfigureAwait(false);
            mediaType = OciJson.DetectManifestMediaType(raw);
        }
        await PushBlobsAsync(repository, OciJson.DeserializeManifest(raw), mountFrom, progress, cancellationToken).ConfigureAwait(false);
        return await PutNamedAsync(destination, raw, mediaType, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PushResult> PutNamedAsync(ImageReference destination, byte[] raw, string mediaType, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        var reference = destination.Tag ?? destination.Digest?.ToString() ?? ImageReference.DefaultTag;
        var digest = Digest.Compute(raw);
        if (destination.Digest is { } asked && asked != digest)
            throw new InvalidOperationException($"cannot push to {destination}: the image's manifest digest is {digest}");
        await client.PutManifestAsync(destination.Repository, reference, raw, mediaType, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TransferEvent(TransferKind.ManifestWritten, digest, raw.Length));
        return new PushResult(destination, digest, raw.Length);
    }

    private async Task PushManifestAsync(string repository, byte[] raw, string mediaType, string reference, string? mountFrom, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        await PushBlobsAsync(repository, OciJson.DeserializeManifest(raw), mountFrom, progress, cancellationToken).ConfigureAwait(false);
        await client.PutManifestAsync(repository, reference, raw, mediaType, cancellationToken).ConfigureAwait(false);
    }

    private async Task PushBlobsAsync(string repository, ImageManifest manifest, string? mountFrom, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        foreach (var blob in manifest.Layers.Append(manifest.Config))
            if (!store.Content.Exists(blob.Digest))
                throw new BlobNotFoundException(blob.Digest, $"the store at {store.Content.Root} (the image is incomplete; pull or load it again)");
        await Parallel.ForEachAsync(manifest.Layers, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, async (layer, ct) =>
            await PushBlobAsync(repository, layer, mountFrom, progress, ct).ConfigureAwait(false)).ConfigureAwait(false);
        await PushBlobAsync(repository, manifest.Config, mountFrom, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task PushBlobAsync(string repository, Descriptor blob, string? mountFrom, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        var result = await client.UploadBlobAsync(repository, blob.Digest, blob.Size,
            _ => Task.FromResult(TransferProgressStream.Wrap(store.Content.OpenRead(blob.Digest, blob.Size), blob.Digest, blob.Size, progress)), mountFrom, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TransferEvent(result switch
        {
            UploadResult.Exists => TransferKind.Exists,
            UploadResult.Mounted => TransferKind.Mounted,
            _ => TransferKind.Uploaded,
        }, blob.Digest, blob.Size));
    }
}

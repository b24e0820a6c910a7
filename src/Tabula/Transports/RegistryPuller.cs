using Tabula.Archives;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// Pulls an image from a registry into the store: blobs first (the config, and the layers beside it in parallel,
/// bounded; blobs the store has are skipped; every blob verified while it streams), then the manifest, and the name last, so an
/// interrupted pull leaves the store valid and a re-run finishes it. From an index, the platform is chosen as docker
/// does; with <c>allPlatforms</c> (or when pulled by the index's digest) the index itself is stored.
/// </summary>
internal sealed class RegistryPuller(ImageStore store, RegistryClient client, int parallelism = 3)
{
    private const int MaxBlobAttempts = 3;

    public async Task<PullResult> PullAsync(ImageReference reference, Platform? platform, bool allPlatforms, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        if (reference.Registry != client.Registry) throw new ArgumentException($"{reference} is not on {client.Registry}", nameof(reference));
        using var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        var repository = reference.Repository;
        var top = await client.GetManifestAsync(repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, cancellationToken).ConfigureAwait(false);
        bool downloaded = false;
        Descriptor entry;
        Digest imageId;
        if (top.IsIndex && (allPlatforms || reference.Digest is not null))
        {
            // The index itself is kept (so name@digest resolves): with every platform, or with only the chosen one's content.
            downloaded = allPlatforms
                ? await PullIndexAsync(repository, top, progress, 0, cancellationToken).ConfigureAwait(false)
                : (await PullManifestAsync(repository, await ChosenAsync(repository, top, platform, cancellationToken).ConfigureAwait(false), progress, cancellationToken).ConfigureAwait(false)).Downloaded;
            await store.Content.WriteBytesAsync(top.Bytes, cancellationToken).ConfigureAwait(false);
            entry = top.Descriptor;
            imageId = top.Digest;
        }
        else if (top.IsIndex)
        {
            var chosen = await ChosenAsync(repository, top, platform, cancellationToken).ConfigureAwait(false);
            (imageId, downloaded) = await PullManifestAsync(repository, chosen, progress, cancellationToken).ConfigureAwait(false);
            entry = chosen.Descriptor;
        }
        else
        {
            (imageId, downloaded) = await PullManifestAsync(repository, top, progress, cancellationToken).ConfigureAwait(false);
            entry = top.Descriptor;
        }
        // Names last: only now does the image appear.
        await store.References.TagAsync(reference, entry, cancellationToken).ConfigureAwait(false);
        return new PullResult(reference, entry, imageId, downloaded, top.Digest);
    }

    /// <summary>The manifest of an index for a platform (this machine's by default), looking into nested indexes.</summary>
    private async Task<RegistryManifest> ChosenAsync(string repository, RegistryManifest index, Platform? platform, CancellationToken cancellationToken)
    {
        var chosen = await PlatformSelection.ChooseAsync(index.Digest, OciJson.DeserializeIndex(index.Bytes), platform ?? Platform.Host,
            async (nested, ct) => OciJson.DeserializeIndex((await client.GetManifestAsync(repository, nested.Digest.ToString(), ct).ConfigureAwait(false)).Bytes), cancellationToken).ConfigureAwait(false);
        return await client.GetManifestAsync(repository, chosen.Digest.ToString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every image of an index, nested indexes followed and stored after their own children (so nothing stored ever
    /// names a missing blob); entries that are neither (artifacts) are left out. Returns whether anything was downloaded.
    /// </summary>
    private async Task<bool> PullIndexAsync(string repository, RegistryManifest index, IProgress<TransferEvent>? progress, int depth, CancellationToken cancellationToken)
    {
        if (depth >= PlatformSelection.MaxDepth) throw new RegistryContentException($"{client.Registry}/{repository}@{index.Digest.Short}: image indexes nested more than {PlatformSelection.MaxDepth} deep");
        bool downloaded = false;
        foreach (var child in OciJson.DeserializeIndex(index.Bytes).Manifests)
        {
            if (!MediaTypes.IsManifest(child.MediaType) && !MediaTypes.IsIndex(child.MediaType)) continue;
            var fetched = await client.GetManifestAsync(repository, child.Digest.ToString(), cancellationToken).ConfigureAwait(false);
            if (fetched.IsIndex)
            {
                downloaded |= await PullIndexAsync(repository, fetched, progress, depth + 1, cancellationToken).ConfigureAwait(false);
                await store.Content.WriteBytesAsync(fetched.Bytes, cancellationToken).ConfigureAwait(false);
            }
            else downloaded |= (await PullManifestAsync(repository, fetched, progress, cancellationToken).ConfigureAwait(false)).Downloaded;
        }
        return downloaded;
    }

    /// <summary>Stores one image manifest's blobs and then the manifest; returns the image ID and whether anything was downloaded.</summary>
    private async Task<(Digest ImageId, bool Downloaded)> PullManifestAsync(string repository, RegistryManifest raw, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        var image = $"{client.Registry}/{repository}@{raw.Digest.Short}";
        ImageManifest manifest;
        try { manifest = OciJson.DeserializeManifest(raw.Bytes); }
        catch (InvalidDataException e) { throw new RegistryContentException($"{image}: {e.Message}; nothing was named"); }
        int fetched = 0;
        // The config and the layers download together: a layer is checked against its diff ID only once its whole tar
        // has been hashed, so the config's round trip and fsync need not come before the first layer starts. A config
        // that fails stops the layers (none is committed without its diff ID) and is the error reported.
        using var configFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var diffIds = ConfigAsync();
        async Task<IReadOnlyList<Digest>?> ConfigAsync()
        {
            try
            {
                if (await FetchBlobAsync(repository, manifest.Config, "image config", null, null, cancellationToken).ConfigureAwait(false)) Interlocked.Increment(ref fetched);
                return await DiffIdsAsync(manifest, image, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await configFailed.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }
        bool checksLayers = IsImageConfig(manifest.Config);
        var layers = manifest.Layers.Select((layer, i) => (Blob: layer, Index: i));
        try
        {
            await Parallel.ForEachAsync(layers, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = configFailed.Token }, async (item, ct) =>
            {
                Func<CancellationToken, Task<Digest>>? diffId = checksLayers ? async c => (await diffIds.WaitAsync(c).ConfigureAwait(false))![item.Index] : null;
                if (await FetchBlobAsync(repository, item.Blob, $"layer {item.Blob.Digest.Short} of {image}", diffId, progress, ct).ConfigureAwait(false)) Interlocked.Increment(ref fetched);
            }).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            await diffIds.ConfigureAwait(false); // a config that failed is the news (and stopped the layers)
            throw;
        }
        await diffIds.ConfigureAwait(false);
        if (!store.Content.Exists(raw.Digest)) fetched++;
        await store.Content.WriteBytesAsync(raw.Bytes, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TransferEvent(TransferKind.ManifestWritten, raw.Digest, raw.Bytes.Length));
        return (manifest.Config.Digest, fetched > 0);
    }

    /// <summary>
    /// The config's diff IDs, one per layer, when the config is an image config (an artifact's is not checked); a config
    /// without them, or with another count than the manifest has layers, is refused as docker refuses it.
    /// </summary>
    private async Task<IReadOnlyList<Digest>?> DiffIdsAsync(ImageManifest manifest, string image, CancellationToken cancellationToken)
    {
        if (!IsImageConfig(manifest.Config)) return null;
        ImageConfig config;
        try { config = OciJson.DeserializeConfig(await store.Content.ReadAllBytesAsync(manifest.Config.Digest, cancellationToken).ConfigureAwait(false)); }
        catch (InvalidDataException e) { throw new RegistryContentException($"{image}: {e.Message}; nothing was named"); }
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
            throw new RegistryContentException($"{image}: the manifest has {manifest.Layers.Count} layers but the config's rootfs.diff_ids lists {config.RootFs.DiffIds.Count}; nothing was named");
        return config.RootFs.DiffIds;
    }

    private static bool IsImageConfig(Descriptor config) => config.MediaType is MediaTypes.OciConfig or MediaTypes.DockerConfig;

    private async Task<bool> FetchBlobAsync(string repository, Descriptor blob, string what, Func<CancellationToken, Task<Digest>>? diffId, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        if (store.Content.SizeOf(blob.Digest) is { } size && size == blob.Size)
        {
            progress?.Report(new TransferEvent(TransferKind.Exists, blob.Digest, blob.Size));
            return false;
        }
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                // The store hashes what it writes and commits nothing but the expected digest: the stream itself only
                // holds the registry to the size, so the bytes are hashed once.
                await using var source = TransferProgressStream.Wrap(
                    await client.OpenBlobAsync(repository, blob.Digest, blob.Size, hashDigest: false, cancellationToken).ConfigureAwait(false), blob.Digest, blob.Size, progress);
                if (diffId is { } uncompressed)
                {
                    // Decompressed on the way in: the tar's digest must be the config's diff ID, or the image ID would not pin the content.
                    var ingested = await LayerIngest.CopyCompressedAsync(store.Content, source, blob, uncompressed, what, cancellationToken).ConfigureAwait(false);
                    if (ingested.Stats is { } stats) store.LayerStats.Set(blob.Digest, stats);
                }
                else
                {
                    await store.Content.IngestAsync(source, blob.Digest, blob.Size, $"{what} from {client.Registry}/{repository}", cancellationToken).ConfigureAwait(false);
                }
                break;
            }
            catch (DigestMismatchException e)
            {
                throw new RegistryContentException(e.Message);
            }
            catch (Tabula.Layers.LayerFormatException e)
            {
                throw new RegistryContentException(e.Message);
            }
            catch (RegistryException e) when (e.IsTransient && attempt < (e is RegistryTimeoutException ? RetryPolicy.TimeoutAttempts : MaxBlobAttempts) && !cancellationToken.IsCancellationRequested)
            {
                // A connection that broke mid-blob: the partial ingest file is gone; fetch the blob again.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
        progress?.Report(new TransferEvent(TransferKind.Downloaded, blob.Digest, blob.Size));
        return true;
    }
}

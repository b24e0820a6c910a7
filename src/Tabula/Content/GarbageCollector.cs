using Tabula.Oci;

namespace Tabula.Content;

/// <summary>
/// Mark and sweep over the layout: everything reachable from index.json stays; other blobs and ingest files left by
/// dead processes go. Runs under the exclusive collector lock, so content being written (under a write lease) is safe.
/// </summary>
internal sealed class GarbageCollector(ContentStore store, ReferenceStore references)
{
    /// <param name="sweepChains">
    /// Also run under the lock, with the chain ids of every stack of layers a remaining image has (each prefix of
    /// each image's layers): removes what is kept per chain outside the blobs (the runtime's snapshots) and returns
    /// the bytes it freed.
    /// </param>
    public async Task<CollectionResult> CollectAsync(CancellationToken cancellationToken, Func<IReadOnlySet<Digest>, long>? sweepChains = null)
    {
        using var _ = await store.AcquireCollectorLockAsync(cancellationToken).ConfigureAwait(false);
        var reachable = new HashSet<Digest>();
        var configs = new HashSet<Digest>();
        foreach (var entry in await references.ListAsync(cancellationToken).ConfigureAwait(false))
            await MarkAsync(entry.Digest, entry.MediaType, reachable, configs, cancellationToken).ConfigureAwait(false);

        int removed = 0;
        long freed = 0;
        var blobDir = Path.Combine(store.Root, "blobs", Digest.Sha256);
        foreach (var file in Directory.EnumerateFiles(blobDir))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(file);
            if (Digest.TryParse($"{Digest.Sha256}:{name}", out var digest) && reachable.Contains(digest)) continue;
            freed += new FileInfo(file).Length;
            File.Delete(file);
            removed++;
        }
        freed += StaleTempFiles.Sweep(store);
        if (sweepChains is not null) freed += sweepChains(await ChainsAsync(configs, cancellationToken).ConfigureAwait(false));
        return new CollectionResult(removed, freed);
    }

    private async Task<HashSet<Digest>> ChainsAsync(HashSet<Digest> configs, CancellationToken cancellationToken)
    {
        var chains = new HashSet<Digest>();
        foreach (var config in configs)
        {
            if (!store.Exists(config)) continue;
            var diffIds = OciJson.DeserializeConfig(await store.ReadAllBytesAsync(config, cancellationToken).ConfigureAwait(false)).RootFs?.DiffIds ?? [];
            chains.UnionWith(ChainIds.Of(diffIds));
        }
        return chains;
    }

    private async Task MarkAsync(Digest digest, string? mediaType, HashSet<Digest> reachable, HashSet<Digest> configs, CancellationToken cancellationToken)
    {
        if (!reachable.Add(digest) || !store.Exists(digest)) return;
        if (!MediaTypes.IsManifest(mediaType) && !MediaTypes.IsIndex(mediaType) && mediaType is not null) return;
        var raw = await store.ReadAllBytesAsync(digest, cancellationToken).ConfigureAwait(false);
        var kind = OciJson.DetectManifestMediaType(raw);
        if (MediaTypes.IsIndex(kind))
        {
            foreach (var child in OciJson.DeserializeIndex(raw).Manifests)
                await MarkAsync(child.Digest, child.MediaType, reachable, configs, cancellationToken).ConfigureAwait(false);
            return;
        }
        var manifest = OciJson.DeserializeManifest(raw);
        reachable.Add(manifest.Config.Digest);
        configs.Add(manifest.Config.Digest);
        foreach (var layer in manifest.Layers) reachable.Add(layer.Digest);
        if (manifest.Subject is { } subject) reachable.Add(subject.Digest);
    }
}

internal readonly record struct CollectionResult(int BlobsRemoved, long BytesFreed);

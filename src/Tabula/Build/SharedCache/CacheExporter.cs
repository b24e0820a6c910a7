using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Build.SharedCache;

/// <summary>
/// Writes what this build keyed as a cache artifact: an OCI manifest (<see cref="CacheConfig.ArtifactType"/>) whose
/// config is the key map and whose layers are the steps' layer blobs as they are, so a registry dedupes them with the
/// image's and mounts them across repositories. Only blobs the destination lacks move, side by side.
/// </summary>
internal sealed class CacheExporter(ContentStore store, SharedBuildCache cache, RegistryOptions registryOptions, IProgress<BuildEvent>? progress)
{
    private const int Parallelism = 3;

    /// <param name="finalStages">The stages whose layers the final image is made of: what <c>mode=min</c> exports.</param>
    public async Task ExportAsync(CacheExportTarget target, IReadOnlySet<int> finalStages, CancellationToken cancellationToken)
    {
        var steps = cache.Recorded(target.Mode == CacheMode.Min ? finalStages : null);
        var config = new CacheConfig
        {
            Steps = steps.Select(s => new CacheStep { Key = s.Key, Layer = s.Layer is { } l ? DescriptorOf(l) : null, DiffId = s.Layer?.DiffId }).ToList(),
        };
        var layers = steps.Select(s => s.Layer).OfType<ILayer>().DistinctBy(l => l.Digest).ToList();
        var configBytes = config.Serialize();
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            ArtifactType = CacheConfig.ArtifactType,
            Config = new Descriptor { MediaType = CacheConfig.MediaType, Digest = Digest.Compute(configBytes), Size = configBytes.Length },
            Layers = layers.Select(DescriptorOf).ToList(),
        };
        var manifestBytes = OciJson.Serialize(manifest);
        int fresh = target.Location switch
        {
            RegistryCacheLocation registry => await ToRegistryAsync(registry.Reference, layers, manifest.Config, configBytes, manifestBytes, cancellationToken).ConfigureAwait(false),
            LocalCacheLocation local => await ToLayoutAsync(local, layers, configBytes, manifestBytes, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentException("unknown cache location", nameof(target)),
        };
        progress?.Report(new CacheProgress($"exporting cache to {target.Location.Display}: {layers.Count} layers, {fresh} new"));
    }

    private static Descriptor DescriptorOf(ILayer layer) => new() { MediaType = layer.MediaType, Digest = layer.Digest, Size = layer.Size };

    /// <summary>A layer's blob from the store, fetched there first if it is a cache hit's that nothing needed until now.</summary>
    private async Task<Stream> OpenAsync(ILayer layer, CancellationToken cancellationToken)
    {
        if (layer is RemoteCacheLayer remote) await cache.FetchAsync(remote, cancellationToken).ConfigureAwait(false);
        return store.OpenRead(layer.Digest, layer.Size);
    }

    /// <returns>How many layers were uploaded (not present, not mounted).</returns>
    private async Task<int> ToRegistryAsync(ImageReference reference, List<ILayer> layers, Descriptor config, byte[] configBytes, byte[] manifestBytes, CancellationToken cancellationToken)
    {
        using var client = new RegistryClient(reference.Registry, registryOptions);
        var repository = reference.Repository;
        int uploaded = 0;
        await Parallel.ForEachAsync(layers, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (layer, ct) =>
        {
            // A hit from a cache in another repository of this registry is mounted from there, never downloaded.
            var mountFrom = layer is RemoteCacheLayer { Source: RegistryBlobSource source } && source.Reference.Registry == reference.Registry ? source.Reference.Repository : null;
            var result = await client.UploadBlobAsync(repository, layer.Digest, layer.Size, c => OpenAsync(layer, c), mountFrom, ct).ConfigureAwait(false);
            if (result == UploadResult.Uploaded) Interlocked.Increment(ref uploaded);
        }).ConfigureAwait(false);
        await client.UploadBlobAsync(repository, config.Digest, config.Size, _ => Task.FromResult<Stream>(new MemoryStream(configBytes)), null, cancellationToken).ConfigureAwait(false);
        await client.PutManifestAsync(repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, manifestBytes, MediaTypes.OciManifest, cancellationToken).ConfigureAwait(false);
        return uploaded;
    }

    /// <returns>How many layers were written (the directory lacked them).</returns>
    private async Task<int> ToLayoutAsync(LocalCacheLocation local, List<ILayer> layers, byte[] configBytes, byte[] manifestBytes, CancellationToken cancellationToken)
    {
        var layout = new CacheLayoutDirectory(local.Directory);
        layout.Create();
        int written = 0;
        await Parallel.ForEachAsync(layers, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (layer, ct) =>
        {
            if (await layout.PutAsync(layer.Digest, layer.Size, c => OpenAsync(layer, c), ct).ConfigureAwait(false)) Interlocked.Increment(ref written);
        }).ConfigureAwait(false);
        layout.Put(configBytes);
        layout.Put(manifestBytes);
        layout.Tag(new Descriptor { MediaType = MediaTypes.OciManifest, Digest = Digest.Compute(manifestBytes), Size = manifestBytes.Length, ArtifactType = CacheConfig.ArtifactType }, local.Tag);
        return written;
    }
}

using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Layers;
using Tabula.Registry;
using Tabula.Transports;

namespace Tabula.Build.SharedCache;

/// <summary>
/// Writes what this build keyed as a cache artifact: an OCI manifest (<see cref="CacheConfig.ArtifactType"/>) whose
/// config is the key map and whose layers are the steps' layer blobs as they are, so a registry dedupes them with the
/// image's and mounts them across repositories. Only blobs the destination lacks move, side by side. The cache mounts
/// an export names (<c>mounts=</c>) travel as more layers, annotated with their id and name (<see cref="CacheMountArchiver"/>).
/// Every step's key is in the key map, whatever the mode: <c>mode=min</c> leaves out the layers of steps the images do
/// not hold (a build stage's), not their keys, so an importer still follows the chain of keys through that stage, hit
/// by hit, to the final stage's steps.
/// </summary>
internal sealed class CacheExporter(ContentStore store, SharedBuildCache cache, RegistryOptions registryOptions, LayerCompressionSettings mountCompression, IProgress<BuildEvent>? progress)
{
    private const int Parallelism = 3;

    /// <summary>On a cache mount's layer: the id the Dockerfile gave it.</summary>
    public const string MountIdAnnotation = "vnd.tabula.buildcache.mount.id";

    /// <summary>On a cache mount's layer: the store's name for it (the id, and what the cache was started from).</summary>
    public const string MountNameAnnotation = "vnd.tabula.buildcache.mount.name";

    private readonly CacheMountArchiver _mounts = new(store, cache, mountCompression, progress);

    /// <summary>Each <c>--cache-to</c> of the build, once its images are stored; a failed export warns, unless it was asked to fail the build (<c>ignore-error=false</c>).</summary>
    public static async Task ExportAllAsync(ContentStore store, SharedBuildCache cache, BuildOptions options, IProgress<BuildEvent>? progress, CancellationToken cancellationToken)
    {
        var exporter = new CacheExporter(store, cache, options.Registry ?? new RegistryOptions(), LayerCommit.Settings(options), progress);
        foreach (var target in options.CacheTo)
        {
            try
            {
                await exporter.ExportAsync(target, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var message = $"exporting cache to {target.Location.Display} failed: {SharedBuildCache.OneLine(e)}";
                if (!target.IgnoreError) throw new CacheExportException(message + " (ignore-error=false)", e);
                progress?.Report(new CacheWarning(message));
            }
        }
    }

    public async Task ExportAsync(CacheExportTarget target, CancellationToken cancellationToken)
    {
        var steps = cache.Recorded();
        var mounts = await _mounts.SelectAsync(target, cancellationToken).ConfigureAwait(false);
        var config = new CacheConfig
        {
            Steps = steps.Select(s => new CacheStep { Key = s.Key, Layer = s.Layer is { } l ? DescriptorOf(l) : null, DiffId = s.Layer?.DiffId, Created = s.Created }).ToList(),
            Mounts = mounts.Count > 0 ? mounts.Select(m => m.Archive).ToList() : null,
        };
        // A key-only hit's layer stays a key only: nothing here holds its blob.
        var layers = steps.Select(s => s.Layer).OfType<ILayer>()
            .Where(l => (target.Mode == CacheMode.Max || cache.InImage(l)) && cache.CanExport(l)).DistinctBy(l => l.Digest).ToList();
        var blobs = layers.Concat(mounts.Select(m => m.Blob)).DistinctBy(l => l.Digest).ToList();
        var configBytes = config.Serialize();
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            ArtifactType = CacheConfig.ArtifactType,
            Config = new Descriptor { MediaType = CacheConfig.MediaType, Digest = Digest.Compute(configBytes), Size = configBytes.Length },
            Layers = [.. layers.Select(DescriptorOf), .. mounts.Select(m => m.Archive.Blob.WithAnnotation(MountIdAnnotation, m.Archive.Id).WithAnnotation(MountNameAnnotation, m.Archive.Name))],
        };
        var manifestBytes = OciJson.Serialize(manifest);
        var transfers = new CacheTransferProgress(target.Location.Display, exporting: true, progress);
        var fresh = target.Location switch
        {
            RegistryCacheLocation registry => await ToRegistryAsync(registry.Reference, blobs, manifest.Config, configBytes, manifestBytes, transfers, cancellationToken).ConfigureAwait(false),
            LocalCacheLocation local => await ToLayoutAsync(local, blobs, configBytes, manifestBytes, transfers, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentException("unknown cache location", nameof(target)),
        };
        var summary = $"exporting cache to {target.Location.Display}: {layers.Count} layers, {fresh.Count(d => layers.Any(l => l.Digest == d))} new";
        if (mounts.Count > 0)
            summary += $"; cache mounts {string.Join(", ", mounts.Select(m => m.Archive.Id))}, {mounts.Count(m => fresh.Contains(m.Blob.Digest))} new";
        progress?.Report(new CacheProgress(summary));
    }

    private static Descriptor DescriptorOf(ILayer layer) => new() { MediaType = layer.MediaType, Digest = layer.Digest, Size = layer.Size };

    /// <summary>A layer's blob from the store, fetched there first if it is a cache hit's that nothing needed until now.</summary>
    private async Task<Stream> OpenAsync(ILayer layer, CancellationToken cancellationToken)
    {
        if (layer is RemoteCacheLayer remote) await cache.FetchAsync(remote, cancellationToken).ConfigureAwait(false);
        return store.OpenRead(layer.Digest, layer.Size);
    }

    /// <returns>The blobs that were uploaded (not present, not mounted).</returns>
    private async Task<HashSet<Digest>> ToRegistryAsync(ImageReference reference, List<ILayer> layers, Descriptor config, byte[] configBytes, byte[] manifestBytes,
        CacheTransferProgress transfers, CancellationToken cancellationToken)
    {
        using var client = new RegistryClient(reference.Registry, registryOptions);
        var repository = reference.Repository;
        var uploaded = new HashSet<Digest>();
        await Parallel.ForEachAsync(layers, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (layer, ct) =>
        {
            // A hit from a cache in another repository of this registry is mounted from there, never downloaded.
            var mountFrom = layer is RemoteCacheLayer { Source: RegistryBlobSource source } && source.Reference.Registry == reference.Registry ? source.Reference.Repository : null;
            var result = await client.UploadBlobAsync(repository, layer.Digest, layer.Size, async c => transfers.Wrap(await OpenAsync(layer, c).ConfigureAwait(false), layer), mountFrom, ct).ConfigureAwait(false);
            transfers.Done(result switch { UploadResult.Exists => TransferKind.Exists, UploadResult.Mounted => TransferKind.Mounted, _ => TransferKind.Uploaded }, layer);
            if (result == UploadResult.Uploaded) lock (uploaded) uploaded.Add(layer.Digest);
        }).ConfigureAwait(false);
        await client.UploadBlobAsync(repository, config.Digest, config.Size, _ => Task.FromResult<Stream>(new MemoryStream(configBytes)), null, cancellationToken).ConfigureAwait(false);
        await client.PutManifestAsync(repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, manifestBytes, MediaTypes.OciManifest, cancellationToken).ConfigureAwait(false);
        return uploaded;
    }

    /// <returns>The blobs that were written (the directory lacked them).</returns>
    private async Task<HashSet<Digest>> ToLayoutAsync(LocalCacheLocation local, List<ILayer> layers, byte[] configBytes, byte[] manifestBytes,
        CacheTransferProgress transfers, CancellationToken cancellationToken)
    {
        var layout = new CacheLayoutDirectory(local.Directory);
        layout.Create();
        var written = new HashSet<Digest>();
        await Parallel.ForEachAsync(layers, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (layer, ct) =>
        {
            bool copied = await layout.PutAsync(layer.Digest, layer.Size, async c => transfers.Wrap(await OpenAsync(layer, c).ConfigureAwait(false), layer), ct).ConfigureAwait(false);
            transfers.Done(copied ? TransferKind.Uploaded : TransferKind.Exists, layer);
            if (copied) lock (written) written.Add(layer.Digest);
        }).ConfigureAwait(false);
        layout.Put(configBytes);
        layout.Put(manifestBytes);
        layout.Tag(new Descriptor { MediaType = MediaTypes.OciManifest, Digest = Digest.Compute(manifestBytes), Size = manifestBytes.Length, ArtifactType = CacheConfig.ArtifactType }, local.Tag);
        return written;
    }
}

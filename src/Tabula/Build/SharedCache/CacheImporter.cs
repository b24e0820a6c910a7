using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Build.SharedCache;

/// <summary>
/// Reads a shared cache's manifest and key map, and nothing else: layers stay where they are until a hit needs one
/// (<see cref="SharedBuildCache"/>).
/// </summary>
internal static class CacheImporter
{
    /// <summary>More than any key map needs (a step is ~250 bytes), little enough to hold.</summary>
    private const long MaxConfigBytes = 64 << 20;

    public static async Task<ImportedCache> ImportAsync(CacheLocation location, RegistryOptions registryOptions, CancellationToken cancellationToken)
    {
        switch (location)
        {
            case RegistryCacheLocation { Reference: var reference }:
            {
                var client = new RegistryClient(reference.Registry, registryOptions);
                var source = new RegistryBlobSource(client, reference);
                try
                {
                    var manifest = await client.GetManifestAsync(reference.Repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, cancellationToken).ConfigureAwait(false);
                    var artifact = ManifestOf(manifest.Bytes, location);
                    var config = artifact.Config;
                    await using var stream = await client.OpenBlobAsync(reference.Repository, config.Digest, config.Size, cancellationToken).ConfigureAwait(false);
                    return new ImportedCache(CacheConfig.Parse(await ReadAsync(stream, config.Size, cancellationToken).ConfigureAwait(false)), Carried(artifact), source);
                }
                catch
                {
                    source.Dispose();
                    throw;
                }
            }
            case LocalCacheLocation local:
            {
                var indexPath = Path.Combine(local.Directory, "index.json");
                if (!File.Exists(indexPath)) throw new FileNotFoundException($"{local.Directory} has no index.json: it is no OCI layout (yet)", indexPath);
                var index = OciJson.DeserializeIndex(await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false));
                var entry = index.Manifests.LastOrDefault(m => m.Annotations?.GetValueOrDefault(AnnotationKeys.RefName) == local.Tag)
                    ?? throw new InvalidDataException($"{local.Directory} has no manifest tagged {local.Tag}");
                var source = new LayoutBlobSource(local.Directory);
                var manifestBytes = await ReadBlobAsync(source, entry, cancellationToken).ConfigureAwait(false);
                var artifact = ManifestOf(manifestBytes, location);
                return new ImportedCache(CacheConfig.Parse(await ReadBlobAsync(source, artifact.Config, cancellationToken).ConfigureAwait(false)), Carried(artifact), source);
            }
            default:
                throw new ArgumentException("unknown cache location", nameof(location));
        }
    }

    /// <summary>The blobs the artifact holds; a step whose layer is not among them was exported as a key only.</summary>
    private static HashSet<Digest> Carried(ImageManifest manifest) => manifest.Layers.Select(l => l.Digest).ToHashSet();

    private static ImageManifest ManifestOf(byte[] manifestBytes, CacheLocation location)
    {
        var manifest = OciJson.DeserializeManifest(manifestBytes);
        if (manifest.Config.MediaType != CacheConfig.MediaType)
            throw new InvalidDataException($"{location.Display} is not a tabula build cache (its config is {manifest.Config.MediaType})");
        if (manifest.Config.Size > MaxConfigBytes) throw new InvalidDataException($"the cache config of {location.Display} is {manifest.Config.Size} bytes, more than a cache needs");
        return manifest;
    }

    private static async Task<byte[]> ReadBlobAsync(ICacheBlobSource source, Descriptor blob, CancellationToken cancellationToken)
    {
        await using var stream = await source.OpenAsync(blob, cancellationToken).ConfigureAwait(false);
        var bytes = await ReadAsync(stream, blob.Size, cancellationToken).ConfigureAwait(false);
        if (Digest.Compute(bytes) != blob.Digest) throw new InvalidDataException($"blob {blob.Digest.Short} in {source.Display} does not match its digest");
        return bytes;
    }

    private static async Task<byte[]> ReadAsync(Stream stream, long size, CancellationToken cancellationToken)
    {
        var bytes = new byte[size];
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }
}

/// <summary>An imported cache: its key map, the blobs its artifact carries, and where to fetch them.</summary>
internal sealed record ImportedCache(CacheConfig Config, IReadOnlySet<Digest> Carried, ICacheBlobSource Source);

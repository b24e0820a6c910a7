using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// Registries get compressed layers, as docker push and skopeo send them: an uncompressed layer (a loaded docker
/// archive's, say) is gzipped once into the store, remembered by diff ID (<see cref="CompressedLayerCache"/>), and the
/// manifest rewritten to name the gzip blob. The config is unchanged, so the image ID stays; the manifest digest is
/// the rewritten manifest's. A layer remembered but since collected is not compressed again when the registry has it.
/// </summary>
internal sealed class RegistryLayerForm(ContentStore store, RegistryClient client, string repository, IProgress<TransferEvent>? progress)
{
    /// <summary>What to upload for a layer: its own blob when compressed or no tar, else its gzip form (keeping the descriptor's annotations).</summary>
    public async Task<Descriptor> PrepareAsync(Descriptor original, ILayer layer, bool oci, CancellationToken cancellationToken)
    {
        if (!MediaTypes.IsUncompressedTarLayer(original.MediaType)) return original;
        // Compressing a large layer takes seconds: its progress is shown as the tar is read.
        var watched = progress is null ? layer : new CompressingLayer(layer, original.Size, progress);
        var (compressed, made) = await LayerIngest.CompressOnceAsync(store, watched, oci, $"layer {layer.DiffId.Short}", RegistryHasAsync, cancellationToken).ConfigureAwait(false);
        if (made) progress?.Report(new TransferEvent(TransferKind.Compressed, compressed.Digest, compressed.Size, From: layer.DiffId));
        return original with { MediaType = compressed.MediaType, Digest = compressed.Digest, Size = compressed.Size };
    }

    private async Task<bool> RegistryHasAsync(Descriptor blob, CancellationToken cancellationToken)
        => await client.BlobSizeAsync(repository, blob.Digest, cancellationToken).ConfigureAwait(false) == blob.Size;

    /// <summary>The manifest naming <paramref name="layers"/>: the very same bytes when they are its own layers.</summary>
    public static byte[] Rewrite(byte[] raw, ImageManifest manifest, IReadOnlyList<Descriptor> layers)
        => manifest.Layers.SequenceEqual(layers) ? raw : OciJson.Serialize(manifest with { Layers = layers.ToList() });

    /// <summary>Whether a manifest's flavour is OCI (its layers then get OCI media types).</summary>
    public static bool IsOci(string manifestMediaType) => manifestMediaType == MediaTypes.OciManifest;
}

using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// Reads and writes images in an OCI image layout (the local store is one): manifests, indexes and configs are
/// read as exact bytes and verified; layers stay in the layout until someone opens them.
/// </summary>
internal sealed class OciLayout(ContentStore store)
{
    public ContentStore Store { get; } = store;

    /// <summary>Loads the image a descriptor names; for an index, the manifest for <paramref name="platform"/> (host by default).</summary>
    public async Task<IImage> LoadImageAsync(Descriptor descriptor, Platform? platform, CancellationToken cancellationToken)
    {
        var raw = await Store.ReadAllBytesAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false);
        var mediaType = OciJson.DetectManifestMediaType(raw);
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = OciJson.DeserializeIndex(raw);
            var chosen = await PlatformSelection.ChooseAsync(descriptor.Digest, index, platform ?? Platform.Host, ReadIndexAsync, cancellationToken).ConfigureAwait(false);
            return await LoadImageAsync(chosen, platform, cancellationToken).ConfigureAwait(false);
        }
        return await LoadManifestAsync(raw, mediaType, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ImageIndex> ReadIndexAsync(Descriptor descriptor, CancellationToken cancellationToken)
        => OciJson.DeserializeIndex(await Store.ReadAllBytesAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false));

    private async Task<IImage> LoadManifestAsync(byte[] rawManifest, string mediaType, CancellationToken cancellationToken)
    {
        var manifest = OciJson.DeserializeManifest(rawManifest);
        var rawConfig = await Store.ReadAllBytesAsync(manifest.Config.Digest, cancellationToken).ConfigureAwait(false);
        var config = OciJson.DeserializeConfig(rawConfig);
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
            throw new InvalidDataException($"image config lists {config.RootFs.DiffIds.Count} diff IDs but the manifest has {manifest.Layers.Count} layers");
        var layers = manifest.Layers.Select((d, i) => (ILayer)new StoreLayer(Store, d, config.RootFs.DiffIds[i])).ToList();
        return Image.FromParts(rawManifest, manifest, mediaType, rawConfig, config, layers);
    }

    /// <summary>
    /// Writes an image's blobs (layers first, then config, then manifest, so nothing ever points at a missing blob)
    /// and returns the manifest's descriptor. Blobs already present are skipped; others are verified as they stream.
    /// </summary>
    public async Task<Descriptor> WriteImageAsync(IImage image, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        foreach (var layer in image.Layers)
        {
            if (Store.Exists(layer.Digest))
            {
                progress?.Report(new BlobProgress(layer.Digest, layer.Size, layer.Size, Skipped: true));
                continue;
            }
            await using var source = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
            await Store.IngestAsync(source, layer.Digest, layer.Size, $"layer {layer.Digest.Short}", cancellationToken).ConfigureAwait(false);
            progress?.Report(new BlobProgress(layer.Digest, layer.Size, layer.Size, Skipped: false));
        }
        await WriteVerifiedAsync(image.RawConfig, image.Manifest.Config.Digest, "image config", cancellationToken).ConfigureAwait(false);
        await Store.WriteBytesAsync(image.RawManifest, cancellationToken).ConfigureAwait(false);
        return image.ManifestDescriptor;
    }

    private async Task WriteVerifiedAsync(ReadOnlyMemory<byte> bytes, Digest expected, string what, CancellationToken cancellationToken)
    {
        var actual = Digest.Compute(bytes.Span);
        if (actual != expected) throw new DigestMismatchException(what, expected, actual.ToString());
        await Store.WriteBytesAsync(bytes, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Progress of one blob moving between places.</summary>
internal readonly record struct BlobProgress(Digest Digest, long Done, long Total, bool Skipped);

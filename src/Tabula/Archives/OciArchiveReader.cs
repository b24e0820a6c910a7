using Tabula.Archives.Tar;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// Reads the OCI image layout inside an archive: index.json entries (an index resolved to one platform), their
/// manifests and configs verified against their descriptors, layers checked present. Entries of one manifest are one
/// image with all their names.
/// </summary>
internal static class OciArchiveReader
{
    public static async Task<IReadOnlyList<ArchiveImage>> ReadAsync(ArchiveFile archive, Platform platform, CancellationToken cancellationToken)
    {
        var rawIndex = await archive.ReadAllBytesAsync(OciLayoutPlan.IndexFile, "the image list", cancellationToken).ConfigureAwait(false);
        ImageIndex index;
        try
        {
            index = OciJson.DeserializeIndex(rawIndex);
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveFormatException($"{archive.DisplayName}: index.json is damaged: {e.Message}", e);
        }

        var images = new List<ArchiveImage>();
        var byDigest = new Dictionary<Digest, int>();
        foreach (var entry in index.Manifests)
        {
            var name = NameOf(entry);
            if (byDigest.TryGetValue(entry.Digest, out var at))
            {
                if (name is not null) images[at] = images[at] with { Names = [.. images[at].Names, name] };
                continue;
            }
            var image = await ReadImageAsync(archive, entry, platform, cancellationToken).ConfigureAwait(false);
            byDigest[entry.Digest] = images.Count;
            images.Add(new ArchiveImage(image, name is null ? [] : [name]));
        }
        return images;
    }

    /// <summary>The full name an entry carries: containerd's annotation, or a ref.name that is a whole reference (not a bare tag).</summary>
    private static ImageReference? NameOf(Descriptor entry)
    {
        if (entry.Annotation(AnnotationKeys.ContainerdImageName) is { } full && ImageReference.TryParse(full, out var named)) return named;
        if (entry.Annotation(AnnotationKeys.RefName) is { } refName && (refName.Contains(':') || refName.Contains('/'))
            && ImageReference.TryParse(refName, out var reference)) return reference;
        return null;
    }

    private static async Task<IImage> ReadImageAsync(ArchiveFile archive, Descriptor descriptor, Platform platform, CancellationToken cancellationToken)
    {
        var raw = await ReadBlobAsync(archive, descriptor, "a manifest", cancellationToken).ConfigureAwait(false);
        var mediaType = Parse(archive, () => OciJson.DetectManifestMediaType(raw), descriptor);
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = Parse(archive, () => OciJson.DeserializeIndex(raw), descriptor);
            var chosen = PlatformSelection.Choose(index, platform) ?? throw new PlatformNotFoundException(descriptor.Digest, platform, index);
            return await ReadImageAsync(archive, chosen, platform, cancellationToken).ConfigureAwait(false);
        }
        var manifest = Parse(archive, () => OciJson.DeserializeManifest(raw), descriptor);
        var rawConfig = await ReadBlobAsync(archive, manifest.Config, "an image config", cancellationToken).ConfigureAwait(false);
        var config = Parse(archive, () => OciJson.DeserializeConfig(rawConfig), manifest.Config);
        var diffIds = config.RootFs.DiffIds;
        var layers = new List<ILayer>();
        for (int i = 0; i < manifest.Layers.Count; i++)
        {
            var layer = manifest.Layers[i];
            var path = OciLayoutPlan.BlobPath(layer.Digest);
            var entry = archive.Resolve(path, $"layer {i + 1} of image {manifest.Config.Digest.Short}");
            if (entry.Size != layer.Size)
                throw new DigestMismatchException($"layer {path} of {archive.DisplayName}", layer.Digest, $"{entry.Size} bytes instead of {layer.Size}");
            // A manifest whose layers and diff IDs disagree is reported by the caller; keep the layer readable meanwhile.
            layers.Add(new ArchiveLayer(archive, path, layer, i < diffIds.Count ? diffIds[i] : layer.Digest));
        }
        return Image.FromParts(raw, manifest, mediaType, rawConfig, config, layers);
    }

    private static async Task<byte[]> ReadBlobAsync(ArchiveFile archive, Descriptor descriptor, string what, CancellationToken cancellationToken)
    {
        var path = OciLayoutPlan.BlobPath(descriptor.Digest);
        var bytes = await archive.ReadAllBytesAsync(path, what, cancellationToken).ConfigureAwait(false);
        var actual = Digest.Compute(bytes);
        if (actual != descriptor.Digest) throw new DigestMismatchException($"{what} ({path}) in {archive.DisplayName}", descriptor.Digest, actual.ToString());
        if (bytes.Length != descriptor.Size) throw new DigestMismatchException($"{what} ({path}) in {archive.DisplayName}", descriptor.Digest, $"{bytes.Length} bytes instead of {descriptor.Size}");
        return bytes;
    }

    private static T Parse<T>(ArchiveFile archive, Func<T> parse, Descriptor descriptor)
    {
        try
        {
            return parse();
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveFormatException($"{archive.DisplayName}: blob {descriptor.Digest.Short} is damaged: {e.Message}", e);
        }
    }
}

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
        => (await ReadAsync(archive, platform, keepIndexes: false, cancellationToken).ConfigureAwait(false)).Images;

    /// <param name="keepIndexes">Give entries that are indexes as they are (to be stored whole) instead of one platform's image.</param>
    public static async Task<(IReadOnlyList<ArchiveImage> Images, IReadOnlyList<ArchiveIndex> Indexes)> ReadAsync(ArchiveFile archive, Platform platform, bool keepIndexes,
        CancellationToken cancellationToken)
    {
        var images = new List<ArchiveImage>();
        var indexes = new List<ArchiveIndex>();
        var byDigest = new Dictionary<Digest, int>();
        foreach (var entry in await EntriesAsync(archive, cancellationToken).ConfigureAwait(false))
        {
            var name = NameOf(entry);
            if (keepIndexes && MediaTypes.IsIndex(entry.MediaType))
            {
                int seen = indexes.FindIndex(i => i.Entry.Digest == entry.Digest);
                if (seen >= 0) indexes[seen] = indexes[seen] with { Names = name is null ? indexes[seen].Names : [.. indexes[seen].Names, name] };
                else indexes.Add(new ArchiveIndex(Plain(entry), name is null ? [] : [name]));
                continue;
            }
            if (byDigest.TryGetValue(entry.Digest, out var at))
            {
                if (name is not null) images[at] = images[at] with { Names = [.. images[at].Names, name] };
                continue;
            }
            var image = await ReadImageAsync(archive, entry, platform, cancellationToken).ConfigureAwait(false);
            byDigest[entry.Digest] = images.Count;
            images.Add(new ArchiveImage(image, name is null ? [] : [name]));
        }
        return (images, indexes);
    }

    /// <summary>The entries of the archive's index.json.</summary>
    public static async Task<IReadOnlyList<Descriptor>> EntriesAsync(ArchiveFile archive, CancellationToken cancellationToken)
    {
        var rawIndex = await archive.ReadAllBytesAsync(OciLayoutPlan.IndexFile, "the image list", cancellationToken).ConfigureAwait(false);
        try
        {
            return OciJson.DeserializeIndex(rawIndex).Manifests;
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveFormatException($"{archive.DisplayName}: index.json is damaged: {e.Message}", e);
        }
    }

    /// <summary>
    /// The entry an <c>oci-archive:FILE[:NAME]</c> names, with its names: by its ref.name tag or full name, else the
    /// only image of the archive.
    /// </summary>
    public static async Task<ArchiveIndex> EntryAsync(ArchiveFile archive, string? wanted, string location, CancellationToken cancellationToken)
    {
        var entries = await EntriesAsync(archive, cancellationToken).ConfigureAwait(false);
        if (wanted is not null)
        {
            var named = entries.Where(e => e.Annotation(AnnotationKeys.RefName) == wanted || NameOf(e) is { } n && (n.ToString() == wanted || n.Tag == wanted)).ToList();
            return named.Count > 0 ? new ArchiveIndex(Plain(named[0]), [.. named.Select(NameOf).OfType<ImageReference>()]) : throw new ImageNotFoundException(location);
        }
        var distinct = entries.DistinctBy(e => e.Digest).ToList();
        return distinct.Count == 1
            ? new ArchiveIndex(Plain(distinct[0]), [.. entries.Select(NameOf).OfType<ImageReference>()])
            : throw new FormatException($"{location}: the archive holds {distinct.Count} images; name one with {location}:NAME");
    }

    /// <summary>An entry without its naming annotations: what the store names.</summary>
    private static Descriptor Plain(Descriptor entry) => new() { MediaType = entry.MediaType, Digest = entry.Digest, Size = entry.Size };

    /// <summary>The full name an entry carries: containerd's annotation, or a ref.name that is a whole reference (not a bare tag).</summary>
    private static ImageReference? NameOf(Descriptor entry)
    {
        if (entry.Annotation(AnnotationKeys.ContainerdImageName) is { } full && ImageReference.TryParse(full, out var named)) return named;
        if (entry.Annotation(AnnotationKeys.RefName) is { } refName && (refName.Contains(':') || refName.Contains('/'))
            && ImageReference.TryParse(refName, out var reference)) return reference;
        return null;
    }

    /// <summary>The image a manifest names, or for an index the image of <paramref name="platform"/>.</summary>
    public static async Task<IImage> ReadImageAsync(ArchiveFile archive, Descriptor descriptor, Platform platform, CancellationToken cancellationToken)
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

    /// <summary>A blob named by a descriptor, verified against its digest and size.</summary>
    public static async Task<byte[]> ReadBlobAsync(ArchiveFile archive, Descriptor descriptor, string what, CancellationToken cancellationToken)
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

/// <summary>An index an archive names, to be stored or copied whole, with the names its index.json entries give it.</summary>
internal sealed record ArchiveIndex(Descriptor Entry, IReadOnlyList<ImageReference> Names);

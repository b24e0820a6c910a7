namespace Tabula.Oci;

/// <summary>
/// Building and editing an image index as <c>docker manifest</c> and <c>buildah manifest</c> do. Each edit returns a
/// new index; its digest is of the bytes it is serialised to once (<see cref="ManifestBlob.Of"/>), never recomputed.
/// </summary>
internal static class ImageIndexEdits
{
    /// <summary>An OCI index listing <paramref name="manifests"/> (manifests or nested indexes, each with its platform) in order.</summary>
    public static ImageIndex Create(IEnumerable<Descriptor> manifests, IReadOnlyDictionary<string, string>? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var index = new ImageIndex { MediaType = MediaTypes.OciIndex, Annotations = annotations is { Count: > 0 } ? Sorted(annotations) : null };
        return manifests.Aggregate(index, (current, manifest) => current.WithManifest(manifest));
    }

    /// <summary>
    /// The index with <paramref name="manifest"/> listed: an entry of the same digest is replaced in place (adding an
    /// image twice updates its platform), else it is appended.
    /// </summary>
    public static ImageIndex WithManifest(this ImageIndex index, Descriptor manifest)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(manifest);
        if (!MediaTypes.IsManifest(manifest.MediaType) && !MediaTypes.IsIndex(manifest.MediaType))
            throw new ArgumentException($"{manifest.Digest.Short} is a '{manifest.MediaType}', not an image manifest or index", nameof(manifest));
        var entries = index.Manifests.ToList();
        int at = entries.FindIndex(e => e.Digest == manifest.Digest);
        if (at >= 0) entries[at] = manifest; else entries.Add(manifest);
        return index with { Manifests = entries };
    }

    /// <summary>The index without the entry of <paramref name="digest"/>.</summary>
    public static ImageIndex WithoutManifest(this ImageIndex index, Digest digest)
    {
        ArgumentNullException.ThrowIfNull(index);
        var entry = index.Entry(digest);
        return index with { Manifests = index.Manifests.Where(e => !ReferenceEquals(e, entry)).ToList() };
    }

    /// <summary>
    /// The index with the entry of <paramref name="digest"/> given more annotations (a value replaces the one of the
    /// same key) and, when asked, another platform. With no digest, the annotations go on the index itself.
    /// </summary>
    public static ImageIndex Annotate(this ImageIndex index, Digest? digest, IReadOnlyDictionary<string, string> annotations, Platform? platform = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(annotations);
        if (digest is null)
        {
            if (platform is not null) throw new ArgumentException("a platform belongs to an entry: name its digest", nameof(platform));
            return index with { Annotations = Merge(index.Annotations, annotations) };
        }
        var entry = index.Entry(digest.Value);
        var annotated = entry with { Annotations = Merge(entry.Annotations, annotations), Platform = platform ?? entry.Platform };
        return index with { Manifests = index.Manifests.Select(e => ReferenceEquals(e, entry) ? annotated : e).ToList() };
    }

    /// <summary>The entry of a digest; a missing one is a typed error naming what the index has.</summary>
    public static Descriptor Entry(this ImageIndex index, Digest digest)
    {
        ArgumentNullException.ThrowIfNull(index);
        return index.Manifests.FirstOrDefault(e => e.Digest == digest) ?? throw new IndexEntryNotFoundException(digest, index);
    }

    private static SortedDictionary<string, string>? Merge(IReadOnlyDictionary<string, string>? existing, IReadOnlyDictionary<string, string> added)
    {
        var merged = existing is null ? new SortedDictionary<string, string>(StringComparer.Ordinal) : Sorted(existing);
        foreach (var (key, value) in added) merged[key] = value;
        return merged.Count == 0 ? null : merged;
    }

    private static SortedDictionary<string, string> Sorted(IReadOnlyDictionary<string, string> annotations)
        => new(annotations.ToDictionary(), StringComparer.Ordinal);
}

/// <summary>A digest an index does not list.</summary>
public sealed class IndexEntryNotFoundException(Digest digest, ImageIndex index)
    : Exception($"the index lists no manifest {digest}; it has: {(index.Manifests.Count == 0 ? "none" : string.Join(", ", index.Manifests.Select(m => $"{m.Digest} ({m.Platform?.ToString() ?? "no platform"})")))}")
{
    public Digest Digest { get; } = digest;
}

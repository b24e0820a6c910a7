using Tabula.Archives.Tar;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// The OCI image layout part of an archive: <c>oci-layout</c>, <c>index.json</c> with one entry per name (annotated
/// with the full name and the tag, as docker and containerd write them), and every blob once, untouched.
/// </summary>
internal static class OciLayoutPlan
{
    public const string IndexFile = "index.json";
    public const string LayoutFile = "oci-layout";

    public static string BlobPath(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Encoded}";

    /// <param name="taggedOnly">Docker's layout annotates only tagged names; a plain OCI layout also takes names by digest.</param>
    public static void AddLayout(IReadOnlyList<ArchiveImage> images, TarPlan plan, bool taggedOnly)
    {
        var entries = new List<Descriptor>();
        foreach (var (image, names) in images)
        {
            AddImage(image, plan);
            AddEntries(entries, image.ManifestDescriptor, names, taggedOnly);
        }
        AddIndexFile(entries, plan);
    }

    /// <summary>An image's blobs (layers, config, manifest), each once.</summary>
    public static void AddImage(IImage image, TarPlan plan)
    {
        foreach (var layer in image.Layers)
        {
            var path = BlobPath(layer.Digest);
            if (!plan.Contains(path)) plan.File(path, (writer, ct) => WriteBlobAsync(writer, path, layer, ct));
        }
        if (!plan.Contains(BlobPath(image.ConfigDigest))) plan.File(BlobPath(image.ConfigDigest), image.RawConfig);
        if (!plan.Contains(BlobPath(image.ManifestDigest))) plan.File(BlobPath(image.ManifestDigest), image.RawManifest);
    }

    /// <summary>The index.json entries of one manifest or index: one per usable name, or one unnamed entry.</summary>
    public static void AddEntries(List<Descriptor> entries, Descriptor descriptor, IReadOnlyList<ImageReference> names, bool taggedOnly)
    {
        var usable = names.Where(n => !taggedOnly || n.Tag is not null).DistinctBy(n => n.ToString()).ToList();
        if (usable.Count == 0 && !entries.Any(e => e.Digest == descriptor.Digest)) entries.Add(descriptor);
        foreach (var name in usable)
        {
            var entry = descriptor.WithAnnotation(AnnotationKeys.ContainerdImageName, name.ToString());
            if (name.Tag is { } tag) entry = entry.WithAnnotation(AnnotationKeys.RefName, tag);
            if (!entries.Contains(entry)) entries.Add(entry);
        }
    }

    /// <summary><c>oci-layout</c> and <c>index.json</c> naming <paramref name="entries"/>.</summary>
    public static void AddIndexFile(IReadOnlyList<Descriptor> entries, TarPlan plan)
    {
        plan.File(LayoutFile, OciJson.Serialize(new OciLayoutFile()));
        plan.File(IndexFile, OciJson.Serialize(new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = [.. entries] }));
    }

    private static async Task WriteBlobAsync(ArchiveTarWriter writer, string path, ILayer layer, CancellationToken cancellationToken)
    {
        await using var source = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        await writer.WriteFileAsync(path, source, layer.Size, cancellationToken).ConfigureAwait(false);
    }
}

using Tabula.Archives.Tar;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// An image index from the store as an archive, as BuildKit's oci exporter writes a multi-platform build: an OCI
/// layout whose <c>index.json</c> names the index (with the image's names), every platform's blobs beside it. The
/// docker flavour adds the Docker 25+ <c>manifest.json</c>, which holds single images only, so it names one platform's
/// image, as containerd's archive exporter picks it: this machine's platform when the index has it, else the first.
/// Blobs stream from the store, untouched (the index's digest stays).
/// </summary>
internal static class IndexArchiveWriter
{
    /// <param name="format"><see cref="ArchiveFormat.Oci"/> or <see cref="ArchiveFormat.DockerOci"/>.</param>
    public static async Task WriteAsync(ContentStore store, Descriptor index, IReadOnlyList<ImageReference> names, ArchiveFormat format, Stream output,
        CancellationToken cancellationToken, string? spoolDirectory = null)
    {
        if (format is not (ArchiveFormat.Oci or ArchiveFormat.DockerOci))
            throw new ArgumentOutOfRangeException(nameof(format), format, "an index goes into an OCI layout; the legacy docker layout holds single images");
        var plan = new TarPlan();
        var images = new List<(Descriptor Entry, IImage Image)>();
        await AddIndexAsync(new OciLayout(store), index, plan, images, 0, cancellationToken).ConfigureAwait(false);
        var entries = new List<Descriptor>();
        var top = new Descriptor { MediaType = index.MediaType, Digest = index.Digest, Size = index.Size };
        OciLayoutPlan.AddEntries(entries, top, names, taggedOnly: format == ArchiveFormat.DockerOci);
        OciLayoutPlan.AddIndexFile(entries, plan);
        if (format == ArchiveFormat.DockerOci && images.Count > 0)
        {
            int host = images.FindIndex(i => Platform.Host.Matches(i.Entry.Platform));
            DockerArchiveWriter.PlanDockerFiles([new ArchiveImage(images[Math.Max(host, 0)].Image, names)], plan);
        }
        await plan.WriteAsync(new ArchiveTarWriter(output, spoolDirectory), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The index's blob and, through nested indexes, every image it names; other entries (artifacts) are not images and stay out.</summary>
    private static async Task AddIndexAsync(OciLayout layout, Descriptor descriptor, TarPlan plan, List<(Descriptor, IImage)> images, int depth, CancellationToken cancellationToken)
    {
        if (depth >= PlatformSelection.MaxDepth) throw new InvalidDataException($"image indexes nested more than {PlatformSelection.MaxDepth} deep");
        var raw = await layout.Store.ReadAllBytesAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false);
        var index = OciJson.DeserializeIndex(raw);
        foreach (var child in index.Manifests)
        {
            if (MediaTypes.IsIndex(child.MediaType))
                await AddIndexAsync(layout, child, plan, images, depth + 1, cancellationToken).ConfigureAwait(false);
            else if (MediaTypes.IsManifest(child.MediaType))
            {
                var image = await layout.LoadImageAsync(child, null, cancellationToken).ConfigureAwait(false);
                OciLayoutPlan.AddImage(image, plan);
                images.Add((child, image));
            }
        }
        plan.File(OciLayoutPlan.BlobPath(descriptor.Digest), raw);
    }
}

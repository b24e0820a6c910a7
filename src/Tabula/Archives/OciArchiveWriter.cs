using Tabula.Archives.Tar;

namespace Tabula.Archives;

/// <summary>Writes an oci-archive: a tar of an OCI image layout, blobs untouched, deterministic.</summary>
internal static class OciArchiveWriter
{
    public static Task WriteAsync(IReadOnlyList<ArchiveImage> images, Stream output, CancellationToken cancellationToken)
    {
        var plan = new TarPlan();
        OciLayoutPlan.AddLayout(images, plan, taggedOnly: false);
        return plan.WriteAsync(new ArchiveTarWriter(output), cancellationToken);
    }
}

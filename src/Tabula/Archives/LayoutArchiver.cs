using Tabula.Archives.Tar;
using Tabula.Content;

namespace Tabula.Archives;

/// <summary>
/// An oci-archive made from an OCI layout on disk (what an index copy writes first): <c>oci-layout</c>,
/// <c>index.json</c> and every blob, in the deterministic order and form of <see cref="OciArchiveWriter"/>; the
/// layout's own bookkeeping (ingest folder, lock files) stays out. Blobs stream from disk.
/// </summary>
internal static class LayoutArchiver
{
    public static async Task WriteAsync(ContentStore layout, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var plan = new TarPlan();
        plan.File(OciLayoutPlan.LayoutFile, await File.ReadAllBytesAsync(Path.Combine(layout.Root, OciLayoutPlan.LayoutFile), cancellationToken).ConfigureAwait(false));
        plan.File(OciLayoutPlan.IndexFile, await File.ReadAllBytesAsync(Path.Combine(layout.Root, OciLayoutPlan.IndexFile), cancellationToken).ConfigureAwait(false));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(layout.Root, "blobs"), "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(layout.Root, file).Replace(Path.DirectorySeparatorChar, '/');
            plan.File(name, async (writer, ct) =>
            {
                await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await writer.WriteFileAsync(name, source, source.Length, ct).ConfigureAwait(false);
            });
        }
        await plan.WriteAsync(new ArchiveTarWriter(output), cancellationToken).ConfigureAwait(false);
    }
}

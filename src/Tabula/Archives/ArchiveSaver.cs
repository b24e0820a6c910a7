using Tabula.Content;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// <c>tabula save</c>: writes images from the store into an archive file. The archive is written to a temp file beside
/// the target and renamed into place only when complete, so a failed or cancelled save never leaves a partial file
/// under the target's name. Each image is written with the names given in its <see cref="StoredImage.Names"/> (docker
/// writes the names the user asked for, not every name the image has).
/// </summary>
internal static class ArchiveSaver
{
    /// <param name="platform">The platform taken where an entry is a multi-platform index (the host's by default).</param>
    /// <param name="preserveDigests">Keep the stored manifests' bytes in an oci-archive (see <see cref="ArchiveWriter"/>).</param>
    public static Task SaveAsync(ContentStore store, IReadOnlyList<StoredImage> images, ArchiveFormat format, string outputPath, CancellationToken cancellationToken, Platform? platform = null, bool preserveDigests = false)
    {
        if (images.Count == 0) throw new ArgumentException("nothing to save: name at least one image", nameof(images));
        return WriteFileAsync(outputPath, output => SaveAsync(store, images, format, output, cancellationToken, platform, preserveDigests), cancellationToken);
    }

    /// <summary>A stored index whole, every platform's image in it, into an archive file (see <see cref="IndexArchiveWriter"/>).</summary>
    public static Task SaveIndexAsync(ContentStore store, Descriptor index, IReadOnlyList<ImageReference> names, ArchiveFormat format, string outputPath, CancellationToken cancellationToken)
        => WriteFileAsync(outputPath, output => SaveIndexAsync(store, index, names, format, output, cancellationToken), cancellationToken);

    /// <summary>The same onto a stream (stdout).</summary>
    public static async Task SaveIndexAsync(ContentStore store, Descriptor index, IReadOnlyList<ImageReference> names, ArchiveFormat format, Stream output, CancellationToken cancellationToken)
    {
        using var lease = await store.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        await IndexArchiveWriter.WriteAsync(store, index, names, format, output, cancellationToken, store.IngestPath).ConfigureAwait(false);
    }

    /// <summary>Writes to a temp file beside the target, renamed into place only when complete.</summary>
    private static async Task WriteFileAsync(string outputPath, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(outputPath);
        var directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"cannot write '{outputPath}': folder '{directory}' does not exist");
        RemoveStaleTemps(directory, Path.GetFileName(target));
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(output).ConfigureAwait(false);
            // Not forced to disk (as cp, tar and docker save do not): this is the user's file, not the store, and
            // forcing a few hundred MB out costs more than the save. The rename alone keeps a partial archive from
            // ever having the target's name.
            }
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Partial archives of earlier saves to the same name whose process is gone (killed mid-save): the next save
    /// removes them, so they do not pile up. A file of a live process, or not named as ours, is left alone.
    /// </summary>
    private static void RemoveStaleTemps(string directory, string name)
    {
        var prefix = $".{name}.";
        foreach (var file in Directory.EnumerateFiles(directory, $"{prefix}*.tmp"))
        {
            var owner = Path.GetFileName(file)[prefix.Length..^".tmp".Length];
            int dash = owner.IndexOf('-');
            if (dash <= 0 || !int.TryParse(owner.AsSpan(0, dash), out int pid) || pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}")) continue;
            try { File.Delete(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Writes the archive to a stream (stdout); a stream that cannot seek stages each layer.tar in a temp file.</summary>
    public static async Task SaveAsync(ContentStore store, IReadOnlyList<StoredImage> images, ArchiveFormat format, Stream output, CancellationToken cancellationToken, Platform? platform = null, bool preserveDigests = false)
    {
        // The lease keeps GC away while blobs are read, in case a name goes meanwhile.
        using var lease = await store.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        var layout = new OciLayout(store);
        var archived = new List<ArchiveImage>();
        foreach (var request in images)
        {
            var image = await layout.LoadImageAsync(request.Manifest, platform, cancellationToken).ConfigureAwait(false);
            archived.Add(new ArchiveImage(image, request.Names));
        }
        await ArchiveWriter.WriteAsync(archived, format, output, cancellationToken, store.IngestPath, preserveDigests).ConfigureAwait(false);
    }
}

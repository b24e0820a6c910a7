using Tabula.IO;
namespace Tabula.Layers;

/// <summary>
/// <c>ADD archive dest</c> into a <see cref="FileTree"/>: any tar (plain, gzip, bzip2, xz, zstd) is read once, file
/// contents go to a spool, and every path is resolved as a process chrooted at the destination would see it, as
/// docker's and BuildKit's extraction do: <c>..</c>, absolute names and symlinks — including ones the archive
/// planted earlier — never lead outside the destination.
/// </summary>
internal static class ArchiveExtractor
{
    /// <summary>
    /// Extracts <paramref name="archive"/> (read from its current position) at <paramref name="destination"/>, which is
    /// resolved in the image (symlinks followed) and created if missing. Returns the resolved destination.
    /// Whiteout names, unsupported entry kinds and hardlinks to missing paths or directories are a <see cref="LayerFormatException"/>.
    /// </summary>
    public static async Task<string> ExtractAsync(FileTree tree, Stream archive, string destination, ExtractOptions options,
        SpoolFile spool, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(spool);
        var (scope, _) = tree.EnsureDirectoryNode(destination, scope: "", options.ImpliedDirectories);
        var implied = options.ImpliedDirectories;

        var (compression, input) = await ArchiveDetector.SniffAsync(archive, cancellationToken).ConfigureAwait(false);
        // Decompression runs a few chunks ahead on another thread while this one parses and spools.
        await using var tar = compression == ArchiveCompression.None
            ? ArchiveStreams.OpenDecompressing(input, compression, leaveOpen: false)
            : new ReadAheadStream(ArchiveStreams.OpenDecompressing(input, compression, leaveOpen: false));
        var reader = new TarArchiveReader(tar);

        while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } header)
        {
            if (header.Name.Split('/').Any(LayerPath.IsWhiteoutName))
                throw new LayerFormatException($"the archive holds '{header.Name}', a whiteout name; an archive added to an image must not delete files in it") { EntryPath = header.Name };

            // Clean lexically (".." clamped), then resolve the parent through symlinks inside the scope, as containerd does.
            string relative = LayerPath.Clean(header.Name);
            if (relative.Length == 0) continue; // the destination itself: docker and BuildKit leave it as it is
            string name = LayerPath.NameOf(relative);
            var (parentPath, parent) = tree.EnsureDirectoryNode(LayerPath.ParentOf(relative), scope, implied);

            if (header.Type == LayerEntryType.Hardlink)
            {
                var target = tree.ResolveNode(LayerPath.Clean(header.LinkName), followFinal: false, scope);
                tree.PlaceHardlink(parent, parentPath, name, target, header.LinkName);
                continue;
            }
            var entry = ArchiveEntries.ToLayerEntry(header, LayerPath.Join(parentPath, name), options.Rewrites);
            IContentSource? content = null;
            if (entry.Type == LayerEntryType.RegularFile)
                content = await spool.AppendAsync(reader.OpenContent(), header.Size, cancellationToken).ConfigureAwait(false);
            tree.Place(parent, parentPath, name, entry, content, links: null);
        }
        await reader.DrainAsync(cancellationToken).ConfigureAwait(false);
        return scope;
    }
}

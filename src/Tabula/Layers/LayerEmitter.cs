namespace Tabula.Layers;

/// <summary>
/// Writes the changes of a <see cref="FileTree"/> as a layer tar: changed entries and the directories above them
/// (with their existing metadata), whiteouts for deletions and opaque markers for replaced directories, in
/// <see cref="LayerPathOrder"/> (a directory before its contents). Of paths sharing an inode the first written
/// carries the content and the later ones are hardlinks to it, so a hardlink always follows its target.
/// </summary>
internal static class LayerEmitter
{
    /// <summary>
    /// Writes the tar, end marker included, to <paramref name="destination"/> (typically a <see cref="LayerWriter"/>).
    /// </summary>
    /// <returns>Docker's SIZE of what was written (file bytes and symlink targets, hardlinks once).</returns>
    public static async Task<long> WriteLayerAsync(FileTree tree, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var writer = new TarEntryWriter(destination);
        await EmitAsync(tree, new TarSink(writer), cancellationToken).ConfigureAwait(false);
        await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
        return writer.FilesSize;
    }

    /// <summary>
    /// Writes the tree's entries below <paramref name="directory"/> into an open tar, hardlinks pointing there too: a
    /// platform's folder in BuildKit's platform-split tar output. The caller writes the folder's own entry and finishes.
    /// </summary>
    public static Task WriteUnderAsync(FileTree tree, string directory, TarEntryWriter writer, CancellationToken cancellationToken)
        => EmitAsync(tree, new PrefixSink(new TarSink(writer), directory), cancellationToken);

    /// <summary>
    /// The same walk handed to any <paramref name="sink"/>: a tar, or a directory in overlay form (a snapshot). A
    /// whiteout arrives as an empty regular file named <c>.wh.NAME</c>, an opaque directory as <c>.wh..wh..opq</c>,
    /// and a later path of an inode as a <see cref="LayerEntryType.Hardlink"/> entry naming the first.
    /// </summary>
    internal static async Task EmitAsync(FileTree tree, ILayerEntrySink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var state = new EmitState(tree, sink, new Dictionary<HardlinkGroup, string>());
        await EmitChildrenAsync(tree.Root, "", state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The whole normal-path step: emits the tree's changes through a <see cref="LayerWriter"/> into
    /// <paramref name="blobDestination"/> (the content store's ingest file) and returns the digests and sizes.
    /// </summary>
    public static async Task<WrittenLayer> WriteCompressedLayerAsync(FileTree tree, Stream blobDestination, LayerCompressionSettings compression,
        CancellationToken cancellationToken)
    {
        await using var layer = new LayerWriter(blobDestination, compression);
        long files = await WriteLayerAsync(tree, layer, cancellationToken).ConfigureAwait(false);
        return await layer.CompleteAsync(cancellationToken).ConfigureAwait(false) with { FilesSize = files };
    }

    private sealed record EmitState(FileTree Tree, ILayerEntrySink Writer, Dictionary<HardlinkGroup, string> FirstPathOfInode);

    private static async Task EmitChildrenAsync(FileNode directory, string directoryPath, EmitState state, CancellationToken cancellationToken)
    {
        var names = new List<(string Name, FileNode? Node)>();
        foreach (var (name, child) in directory.Children!)
            if (state.Tree.InLayer(child)) names.Add((name, child));
        if (directory.Whiteouts is not null)
            foreach (var deleted in directory.Whiteouts) names.Add((LayerPath.WhiteoutPrefix + deleted, null));
        if (directory.Opaque) names.Add((LayerPath.OpaqueMarker, null));
        names.Sort((a, b) => LayerPathOrder.CompareNames(a.Name, b.Name));

        foreach (var (name, node) in names)
        {
            string path = LayerPath.Join(directoryPath, name);
            if (node is null)
            {
                await state.Writer.WriteAsync(Whiteout(path), null, cancellationToken).ConfigureAwait(false);
                continue;
            }
            await EmitNodeAsync(node, path, state, cancellationToken).ConfigureAwait(false);
            if (node.IsDirectory) await EmitChildrenAsync(node, path, state, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task EmitNodeAsync(FileNode node, string path, EmitState state, CancellationToken cancellationToken)
    {
        var entry = node.Entry!;
        if (node.Links is { } inode)
        {
            if (state.FirstPathOfInode.TryGetValue(inode, out var firstPath))
            {
                var link = entry with { Type = LayerEntryType.Hardlink, LinkTarget = firstPath, Size = 0, DevMajor = 0, DevMinor = 0 };
                await state.Writer.WriteAsync(link, null, cancellationToken).ConfigureAwait(false);
                return;
            }
            state.FirstPathOfInode[inode] = path;
        }
        await state.Writer.WriteAsync(entry, entry.Type == LayerEntryType.RegularFile && entry.Size > 0 ? node.Content : null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Entries moved below a folder.</summary>
    private sealed class PrefixSink(ILayerEntrySink inner, string directory) : ILayerEntrySink
    {
        public Task WriteAsync(LayerEntry entry, IContentSource? content, CancellationToken cancellationToken)
            => inner.WriteAsync(entry with
            {
                Path = LayerPath.Join(directory, entry.Path),
                LinkTarget = entry.Type == LayerEntryType.Hardlink ? LayerPath.Join(directory, entry.LinkTarget) : entry.LinkTarget,
            }, content, cancellationToken);
    }

    /// <summary>Entries into a tar.</summary>
    internal sealed class TarSink(TarEntryWriter writer) : ILayerEntrySink
    {
        public async Task WriteAsync(LayerEntry entry, IContentSource? content, CancellationToken cancellationToken)
        {
            if (content is null)
            {
                await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                return;
            }
            await using var stream = await content.OpenAsync(cancellationToken).ConfigureAwait(false);
            await writer.WriteEntryAsync(entry, stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A whiteout or opaque marker as BuildKit's differ (containerd's ChangeWriter) writes it: an empty regular file,
    /// mode 0000, root-owned, mtime 1970-01-01 whatever the build's timestamp (containerd 2.0 stopped clamping
    /// them to SOURCE_DATE_EPOCH), so the same deletion is the same bytes in every build.
    /// </summary>
    internal static LayerEntry Whiteout(string path) =>
        new() { Path = path, Type = LayerEntryType.RegularFile, Mode = 0, ModTime = DateTimeOffset.UnixEpoch };
}

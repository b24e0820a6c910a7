namespace Tabula.Layers;

/// <summary>
/// Builds the merged view of lower layers: reads each layer tar's headers in order (content stays a
/// <see cref="LowerLayerContent"/> reference) and applies its whiteouts — <c>.wh.NAME</c> deletes NAME,
/// <c>.wh..wh..opq</c> hides what earlier layers put in its directory.
/// </summary>
internal static class LayerApplier
{
    /// <summary>
    /// Applies one uncompressed layer tar to <paramref name="tree"/>. Parents a layer omits are created as root-owned
    /// 0755 directories dated at the Unix epoch; an entry for the root itself is ignored, as containerd does.
    /// </summary>
    /// <param name="mirror">Told of each change as it is made (the layer's file contents are read only then).</param>
    public static async Task ApplyAsync(FileTree tree, Stream uncompressedTar, int layerIndex, LowerLayerOpener opener, CancellationToken cancellationToken, ITreeMirror? mirror = null)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var reader = new TarArchiveReader(uncompressedTar);
        var implied = DirectoryDefaults.Create(DateTimeOffset.UnixEpoch);
        var addedByThisLayer = new HashSet<FileNode>(ReferenceEqualityComparer.Instance);
        while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } header)
        {
            string path = LayerPath.Clean(header.Name);
            if (path.Length == 0) continue;
            string name = LayerPath.NameOf(path);
            if (LayerPath.IsWhiteoutName(name))
            {
                // A whiteout in a directory that does not exist has nothing to hide.
                var (directoryPath, directory) = tree.ResolveNode(LayerPath.ParentOf(path), followFinal: true, scope: "");
                if (directory is not { IsDirectory: true }) continue;
                var siblings = tree.OwnPath(directoryPath).Children!;
                if (name == LayerPath.OpaqueMarker)
                {
                    foreach (var (childName, child) in siblings.ToList())
                    {
                        if (addedByThisLayer.Contains(child)) continue;
                        mirror?.Removing(LayerPath.Join(directoryPath, childName), child);
                        siblings.Remove(childName);
                    }
                }
                else if (siblings.TryGetValue(name[LayerPath.WhiteoutPrefix.Length..], out var hidden))
                {
                    mirror?.Removing(LayerPath.Join(directoryPath, name[LayerPath.WhiteoutPrefix.Length..]), hidden);
                    siblings.Remove(name[LayerPath.WhiteoutPrefix.Length..]);
                }
                continue;
            }
            var (parentPath, parent) = tree.ParentFor(path, scope: "", implied);
            if (header.Type is not { } type)
                throw new LayerFormatException($"layer {layerIndex}: '{header.Name}' is of a kind layers do not hold (type flag '{header.TypeFlag}')") { EntryPath = path };

            parent.Children!.TryGetValue(name, out var existing);
            if (type == LayerEntryType.Hardlink)
            {
                var target = tree.ResolveNode(header.LinkName, followFinal: false, scope: "");
                bool same = existing is not null && ReferenceEquals(existing, target.Node);
                if (existing is not null && !same && target.Node is { IsDirectory: false }) mirror?.Removing(LayerPath.Join(parentPath, name), existing);
                tree.PlaceHardlink(parent, parentPath, name, target, header.LinkName);
                if (!same) mirror?.Linked(parent, LayerPath.Join(parentPath, name), target.Path, target.Node!);
            }
            else
            {
                var entry = ArchiveEntries.ToLayerEntry(header, path, EntryRewrites.None);
                IContentSource? content = type == LayerEntryType.RegularFile
                    ? new LowerLayerContent(layerIndex, path, header.DataOffset, header.Size, opener)
                    : null;
                // A directory over a directory keeps what is in it; anything else replaces what was there.
                if (existing is not null && !(existing.IsDirectory && type == LayerEntryType.Directory)) mirror?.Removing(LayerPath.Join(parentPath, name), existing);
                string placed = tree.Place(parent, parentPath, name, entry, content, links: null);
                if (mirror is not null) await mirror.PlacedAsync(parent, placed, parent.Children[name], reader, cancellationToken).ConfigureAwait(false);
            }
            addedByThisLayer.Add(parent.Children![name]);
        }
        await reader.DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies the layers in order to a new tree and freezes it: the lower tree of the next build step.</summary>
    public static async Task<FileTree> BuildLowerTreeAsync(IReadOnlyList<Func<CancellationToken, Task<Stream>>> openUncompressedLayers,
        LowerLayerOpener opener, CancellationToken cancellationToken)
    {
        var tree = new FileTree();
        for (int index = 0; index < openUncompressedLayers.Count; index++)
        {
            await using var tar = await openUncompressedLayers[index](cancellationToken).ConfigureAwait(false);
            await ApplyAsync(tree, tar, index, opener, cancellationToken).ConfigureAwait(false);
        }
        tree.Freeze();
        return tree;
    }
}

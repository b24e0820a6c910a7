namespace Tabula.Layers;

/// <summary>
/// Told by <see cref="LayerApplier"/> of every change it makes to a tree while it applies a layer, as it makes it,
/// so that a directory on disk can be kept the same as the tree (<see cref="RootfsMirror"/>) and each layer read once.
/// Paths are physical: the tree has resolved every symlink on the way.
/// </summary>
internal interface ITreeMirror
{
    /// <summary><paramref name="node"/> (with all below it) is about to leave the tree at <paramref name="path"/>.</summary>
    void Removing(string path, FileNode node);

    /// <summary>
    /// <paramref name="node"/> was put at <paramref name="path"/> in the directory <paramref name="parent"/>, as a new
    /// node or (a directory over a directory) with new metadata; a regular file's content is the reader's current entry.
    /// </summary>
    ValueTask PlacedAsync(FileNode parent, string path, FileNode node, TarArchiveReader reader, CancellationToken cancellationToken);

    /// <summary><paramref name="path"/> in <paramref name="parent"/> became another name of the inode at <paramref name="targetPath"/>.</summary>
    void Linked(FileNode parent, string path, string targetPath, FileNode target);
}

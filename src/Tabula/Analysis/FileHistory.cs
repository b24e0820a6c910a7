using Tabula.Layers;

namespace Tabula.Analysis;

/// <summary>
/// The image's paths as its layers are applied in order, whiteouts included: what each layer added, changed and
/// deleted, and per path every version it had. After the last layer the present paths are the image's filesystem.
/// Symlinked directories are not followed: a layer's paths are taken as written, as layer diffs write them.
/// </summary>
internal sealed class FileHistory
{
    private const int ImpliedDirectoryMode = 0x1ED; // 0755, as extraction creates a parent a layer omits

    public PathNode Root { get; } = new("", null) { Present = true, Type = LayerEntryType.Directory, Mode = ImpliedDirectoryMode };

    /// <summary>Applies one entry; returns its node.</summary>
    public PathNode Write(int layer, in ScannedEntry entry, LayerChanges changes)
    {
        var parent = Root;
        var components = LayerPath.Components(entry.Path);
        for (int i = 0; i < components.Length - 1; i++)
        {
            var child = ChildOf(parent, components[i]);
            if (child.Present && !child.IsDirectory) Remove(child, changes);
            if (!child.Present) SetDirectory(child);
            child.TouchedLayer = layer;
            parent = child;
        }
        var node = ChildOf(parent, components[^1]);
        bool directory = entry.Type == LayerEntryType.Directory;
        // A file written over a directory removes what the directory held; a directory written over a file removes
        // the file; a directory written over a directory only changes its metadata.
        if (node.Present && !node.IsDirectory && !directory)
        {
            changes.Changed++;
            changes.ChangedBytes += entry.Size;
        }
        else
        {
            if (node.Present && node.IsDirectory != directory) Remove(node, changes);
            if (!directory)
            {
                changes.Added++;
                changes.AddedBytes += entry.Size;
            }
        }
        node.Present = true;
        node.Type = entry.Type;
        node.Mode = entry.Mode;
        node.Uid = entry.Uid;
        node.Gid = entry.Gid;
        node.Size = entry.Size;
        node.LinkTarget = entry.LinkTarget.Length == 0 ? null : entry.LinkTarget;
        node.Hash = entry.Hash;
        node.TouchedLayer = layer;
        if (!directory) node.AddVersion(entry.Size);
        return node;
    }

    /// <summary>A whiteout: the path and everything beneath it are gone.</summary>
    public void Delete(string path, LayerChanges changes)
    {
        if (Find(path) is { Present: true } node) Remove(node, changes);
    }

    /// <summary>An opaque directory: what lower layers put in it is gone; what this layer wrote there stays.</summary>
    public void MakeOpaque(int layer, string directoryPath, LayerChanges changes)
    {
        if (Find(directoryPath) is not { Present: true, IsDirectory: true, Children: { } children }) return;
        foreach (var child in children.Values)
            if (child.Present && child.TouchedLayer != layer) Remove(child, changes);
    }

    public PathNode? Find(string path)
    {
        var node = Root;
        foreach (var name in LayerPath.Components(path))
            if (node.Children is null || !node.Children.TryGetValue(name, out node)) return null;
        return node;
    }

    private static PathNode ChildOf(PathNode parent, string name)
    {
        parent.Children ??= new Dictionary<string, PathNode>(StringComparer.Ordinal);
        if (!parent.Children.TryGetValue(name, out var child))
        {
            child = new PathNode(name, parent);
            parent.Children.Add(name, child);
        }
        return child;
    }

    private static void SetDirectory(PathNode node)
    {
        node.Present = true;
        node.Type = LayerEntryType.Directory;
        node.Mode = ImpliedDirectoryMode;
        node.Uid = 0;
        node.Gid = 0;
        node.Size = 0;
        node.LinkTarget = null;
        node.Hash = default;
    }

    /// <summary>Removes a path and all beneath it; each non-directory removed gets a version of size 0, as dive counts a deletion.</summary>
    private static void Remove(PathNode node, LayerChanges changes)
    {
        if (node.IsDirectory) RemoveChildren(node, changes);
        else
        {
            changes.Deleted++;
            changes.DeletedBytes += node.Size;
            node.AddVersion(0);
        }
        node.Present = false;
    }

    private static void RemoveChildren(PathNode directory, LayerChanges changes)
    {
        if (directory.Children is null) return;
        foreach (var child in directory.Children.Values)
            if (child.Present) Remove(child, changes);
    }
}

using Tabula.Layers;

namespace Tabula.Analysis;

/// <summary>
/// The image's paths as its layers are applied in order, whiteouts included: what each layer added, changed and
/// deleted, and per path every version it had. After the last layer the present paths are the image's filesystem.
/// A parent that is a symlink to a directory is followed inside the root, as extraction does.
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
            // A parent that is a symlink to a directory is followed, as extraction resolves it inside the root
            // (lib/x onto a merged-/usr base lands in usr/lib/x); one that leads nowhere is replaced.
            if (child is { Present: true, Type: LayerEntryType.Symlink } && FollowDirectoryLink(child) is { } target) child = target;
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

    /// <summary>The present directory a symlink leads to inside the root (a few hops at most), or null.</summary>
    private PathNode? FollowDirectoryLink(PathNode link)
    {
        var node = link;
        for (int hops = 0; hops < 16 && node is { Present: true, Type: LayerEntryType.Symlink }; hops++)
        {
            var target = node.LinkTarget ?? "";
            var start = target.StartsWith('/') ? Root : node.Parent!;
            node = Walk(start, target.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        return node is { Present: true, IsDirectory: true } ? node : null;
    }

    /// <summary>Follows names from a directory, <c>..</c> stopping at the root as it does in a chroot; null where a name is missing.</summary>
    private static PathNode? Walk(PathNode from, string[] names)
    {
        PathNode? node = from;
        foreach (var name in names)
        {
            if (node is null) return null;
            if (name == ".") continue;
            if (name == "..") node = node.Parent ?? node;
            else node = node.Children is { } children && children.TryGetValue(name, out var child) && child.Present ? child : null;
        }
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

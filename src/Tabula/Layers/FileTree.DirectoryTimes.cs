namespace Tabula.Layers;

internal sealed partial class FileTree
{
    /// <summary>
    /// Gives <paramref name="time"/> as mtime to every directory of the lower tree whose entries this tree added,
    /// replaced or removed, as the kernel does when BuildKit's copy writes into a real directory. Directories this
    /// tree wrote itself keep the metadata they were given; a directory that only has a changed descendant deeper
    /// down keeps its own; the root is not in a layer and is left alone.
    /// </summary>
    public void TouchChangedDirectories(DateTimeOffset time)
    {
        ThrowIfFrozen();
        var stamp = LayerTimes.TruncateToSeconds(time);
        foreach (var (name, child) in _root.Children!)
            if (child.IsDirectory && InLayer(child)) Touch(child, name, stamp);
    }

    private void Touch(FileNode directory, string path, DateTimeOffset stamp)
    {
        bool entriesChanged = directory.Opaque || directory.Whiteouts is { Count: > 0 };
        foreach (var (name, child) in directory.Children!)
        {
            var childPath = LayerPath.Join(path, name);
            if (Wrote(child) && !entriesChanged) entriesChanged = !child.IsDirectory || Lower?.Find(childPath) is not { IsDirectory: true };
            if (child.IsDirectory && InLayer(child)) Touch(child, childPath, stamp);
        }
        if (!entriesChanged || directory.Changed) return;
        directory.Entry = directory.Entry! with { ModTime = stamp };
        directory.Changed = true;
    }
}

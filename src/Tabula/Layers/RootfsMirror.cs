namespace Tabula.Layers;

/// <summary>
/// Keeps a directory the same as a <see cref="FileTree"/> that <see cref="LayerApplier"/> builds from layers, change
/// by change, as containerd and umoci apply layers: a whiteout removes the path on disk, an opaque marker what earlier
/// layers put in its directory, a replaced entry goes before the new one is made, and files are written from the layer
/// as it is read — so an unpack reads each layer once. The tree decides everything (where a path resolves, what it
/// replaces, which paths share an inode), the disk only follows it, so the result is the tree's merged view.
/// Safety: the tree's paths are physical (every parent is a directory of the tree, no symlink on the way) and the
/// disk holds what the tree holds, so a parent on disk is a directory this class made; it is checked to be one before
/// anything is made in it (<see cref="TargetDirectory"/>) and files are created with O_EXCL, so nothing is written
/// through a symlink or outside the root. Directory metadata goes on at the end (<see cref="Finish"/>), so that
/// writing into a directory neither changes its times nor is refused by its mode.
/// </summary>
internal sealed class RootfsMirror : ITreeMirror
{
    private readonly FileTree _tree;
    private readonly TargetDirectory _target;
    private readonly bool _privileged = Environment.IsPrivilegedProcess;

    /// <summary>The tree's directories made on disk (an implied parent is made when something is first put in it).</summary>
    private readonly HashSet<FileNode> _made = new(ReferenceEqualityComparer.Instance);

    /// <summary>The directory the last entry went into, known to be on disk: the files of a folder come together.</summary>
    private FileNode? _lastParent;

    /// <param name="root">A new or empty directory.</param>
    public RootfsMirror(FileTree tree, string root)
    {
        ArgumentNullException.ThrowIfNull(tree);
        _tree = tree;
        _target = new TargetDirectory(root);
        _lastParent = tree.Root;
    }

    private string Root => _target.Root;

    public void Removing(string path, FileNode node)
    {
        _lastParent = null;
        _target.Forget(); // what a parent check found may be gone
        string full = Path.Combine(Root, path);
        if (Posix.Lstat(full) is not { } status) return; // a device node a normal user could not make
        if (status.IsDirectory) Directory.Delete(full, recursive: true); // removes symlinks, not their targets
        else File.Delete(full);
    }

    public async ValueTask PlacedAsync(FileNode parent, string path, FileNode node, TarArchiveReader reader, CancellationToken cancellationToken)
    {
        EnsureDirectory(parent, LayerPath.ParentOf(path));
        var entry = node.Entry!;
        if (node.IsDirectory)
        {
            if (_made.Add(node)) Directory.CreateDirectory(_target.FullPath(path)); // else a directory over one: metadata at the end
            return;
        }
        string full = _target.FullPath(path);
        switch (entry.Type)
        {
            case LayerEntryType.RegularFile:
                await RootfsWriter.WriteFileAsync(full, entry, new TarEntryContent(reader, entry.Size), _privileged, cancellationToken).ConfigureAwait(false);
                return;
            case LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice when !_privileged:
                return; // making one needs root; Finish counts them
        }
        RootfsWriter.CreateSpecial(full, entry);
        RootfsWriter.ApplyMetadata(full, entry, _privileged);
    }

    public void Linked(FileNode parent, string path, string targetPath, FileNode target)
    {
        EnsureDirectory(parent, LayerPath.ParentOf(path));
        if (!_privileged && target.Entry!.Type is LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice) return;
        Posix.Link(Path.Combine(Root, targetPath), _target.FullPath(path)); // the target was made under checked parents
    }

    /// <summary>
    /// Puts on each directory's metadata, deepest last-written first (after all that goes into them), and counts what
    /// the tree holds and what was left out.
    /// </summary>
    public RootfsWriteResult Finish()
    {
        var directories = new List<LayerEntry>();
        int count = 0, skippedDevices = 0;
        foreach (var (entry, _, _) in _tree.Entries)
        {
            count++;
            if (entry.Type == LayerEntryType.Directory) directories.Add(entry);
            else if (!_privileged && entry.Type is LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice) skippedDevices++;
        }
        for (int i = directories.Count - 1; i >= 0; i--)
            RootfsWriter.ApplyMetadata(Path.Combine(Root, directories[i].Path), directories[i], _privileged);
        return new RootfsWriteResult(count, skippedDevices);
    }

    /// <summary>Makes the directory <paramref name="directory"/> at <paramref name="path"/>, and those above it, where the tree has them and the disk not yet.</summary>
    private void EnsureDirectory(FileNode directory, string path)
    {
        if (ReferenceEquals(directory, _lastParent) || _made.Contains(directory))
        {
            _lastParent = directory;
            return;
        }
        var node = _tree.Root;
        string current = "";
        foreach (var name in LayerPath.Components(path))
        {
            current = LayerPath.Join(current, name);
            node = node.Children![name];
            if (_made.Add(node)) Directory.CreateDirectory(_target.FullPath(current));
        }
        _lastParent = directory;
    }
}

namespace Tabula.Layers;

/// <summary>
/// An in-memory filesystem of entry metadata (content stays a reference), O(entries) in memory. A tree may sit on
/// a read-only lower tree (the merged layers of the base): it starts as the lower view, resolves paths through the
/// lower symlinks (<c>/bin -> usr/bin</c>), and records what it changes, so that <see cref="LayerEmitter"/> writes
/// only changed entries, their parent directories and whiteouts. It shares the lower tree's nodes until it writes:
/// a write first makes its own copy of each directory on the way (copy on write), so a step that adds one file to a
/// base of 300,000 costs a few directories, not a second tree.
/// Paths given to it are relative to the image root; a leading '/' is accepted.
/// </summary>
internal sealed partial class FileTree
{
    /// <summary>As securejoin and BuildKit allow.</summary>
    public const int MaxSymlinks = 255;

    private readonly FileNode _root;
    private bool _frozen;

    /// <summary>An empty tree: <c>FROM scratch</c>.</summary>
    public FileTree() => _root = new FileNode(this, null, null);

    private FileTree(FileTree lower)
    {
        lower.Freeze();
        Lower = lower;
        _root = lower._root.CopyFor(this);
    }

    /// <summary>A tree whose changes are recorded against <paramref name="lower"/>, which is frozen from now on.</summary>
    public static FileTree Over(FileTree lower)
    {
        ArgumentNullException.ThrowIfNull(lower);
        return new FileTree(lower);
    }

    public FileTree? Lower { get; }

    public bool IsFrozen => _frozen;

    /// <summary>Makes the tree read-only (a lower tree must not change under the trees built on it).</summary>
    public void Freeze() => _frozen = true;

    /// <summary>True when anything was written or deleted since the tree was made.</summary>
    public bool HasChanges => _root.SubtreeChanged;

    internal FileNode Root => _root;

    /// <summary>What is at exactly this path (no symlink is followed), or null.</summary>
    public TreeEntry? Get(string path)
    {
        var node = Find(LayerPath.Clean(path));
        return node?.Entry is null ? null : new TreeEntry(node.Entry, node.Content, node.Links);
    }

    /// <summary>Every entry of the merged view in layer order (a directory before its contents).</summary>
    public IEnumerable<TreeEntry> Entries => Walk(_root);

    private static IEnumerable<TreeEntry> Walk(FileNode directory)
    {
        foreach (var name in SortedNames(directory.Children!.Keys))
        {
            var child = directory.Children[name];
            yield return new TreeEntry(child.Entry!, child.Content, child.Links);
            if (child.IsDirectory)
                foreach (var descendant in Walk(child)) yield return descendant;
        }
    }

    internal static List<string> SortedNames(IEnumerable<string> names)
    {
        var sorted = names.ToList();
        sorted.Sort((a, b) => LayerPathOrder.CompareNames(a, b));
        return sorted;
    }

    /// <summary>
    /// Writes an entry at its path, resolving symlinks in the parent path (not in the final name) and creating
    /// missing parents with <paramref name="parents"/> (without it a missing parent is an error). Overwrites as tar
    /// extraction does: a directory over a directory updates its metadata and keeps its contents; anything else
    /// replaces what was there. Returns the path the entry landed at.
    /// </summary>
    /// <param name="name">The entry's last path component, when the caller already holds it as a string: the tree
    /// keeps that one instead of cutting its own from the path (a tree of 300,000 files keeps 300,000 strings fewer).</param>
    public string Put(LayerEntry entry, IContentSource? content, DirectoryDefaults? parents, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (name is not null && !(entry.Path.EndsWith(name, StringComparison.Ordinal)
                                  && (entry.Path.Length == name.Length || entry.Path[^(name.Length + 1)] == '/')))
            throw new ArgumentException($"'{name}' is not the name of '{entry.Path}'", nameof(name));
        if (entry.Type == LayerEntryType.Hardlink) return AddHardlink(entry.Path, entry.LinkTarget, parents);
        if (entry.Type == LayerEntryType.RegularFile && entry.Size > 0 && content is null)
            throw new ArgumentException($"'{entry.Path}' is a regular file of {entry.Size} bytes but no content was given", nameof(content));
        var (parentPath, parent) = ParentFor(entry.Path, scope: "", parents);
        return Place(parent, parentPath, name ?? entry.Name, entry, content, links: null);
    }

    /// <summary>Makes <paramref name="path"/> another name of the inode at <paramref name="targetPath"/> (not followed if a symlink).</summary>
    public string AddHardlink(string path, string targetPath, DirectoryDefaults? parents)
    {
        var target = ResolveNode(targetPath, followFinal: false, scope: "");
        string clean = LayerPath.Clean(path);
        if (clean.Length == 0) throw new LayerFormatException("a hardlink cannot replace the root");
        var (parentPath, parent) = ParentFor(clean, scope: "", parents);
        return PlaceHardlink(parent, parentPath, LayerPath.NameOf(clean), target, targetPath);
    }

    /// <summary>Creates a directory and its missing parents (symlinks on the way are followed); an existing directory is left as it is.</summary>
    public string EnsureDirectory(string path, DirectoryDefaults defaults)
    {
        var (resolved, _) = EnsureDirectoryNode(path, scope: "", defaults);
        return resolved;
    }

    /// <summary>Removes what is at the path (and below); the layer gets a whiteout when the lower tree has it. False when nothing was there.</summary>
    public bool Delete(string path)
    {
        ThrowIfFrozen();
        string clean = LayerPath.Clean(path);
        if (clean.Length == 0) throw new ArgumentException("the root cannot be deleted", nameof(path));
        var parent = ResolveNode(LayerPath.ParentOf(clean), followFinal: true, scope: "");
        string name = LayerPath.NameOf(clean);
        if (parent.Node?.Children is not { } children || !children.ContainsKey(name)) return false;
        RemoveChild(OwnPath(parent.Path), parent.Path, name);
        return true;
    }

    internal (string Path, FileNode Node) ParentFor(string path, string scope, DirectoryDefaults? parents)
    {
        ThrowIfFrozen();
        string parentPath = path.Contains('/') ? path[..path.LastIndexOf('/')] : "";
        if (parents is not null) return EnsureDirectoryNode(parentPath, scope, parents);
        var resolved = ResolveNode(parentPath, followFinal: true, scope);
        if (resolved.Node is null) throw new LayerFormatException($"'/{resolved.Path}' does not exist; the parent of '/{path}' is needed first") { EntryPath = path };
        if (!resolved.Node.IsDirectory) throw new LayerFormatException($"'/{resolved.Path}' is not a directory, so '/{path}' cannot be created") { EntryPath = path };
        return (resolved.Path, OwnPath(resolved.Path));
    }

    internal (string Path, FileNode Node) EnsureDirectoryNode(string path, string scope, DirectoryDefaults defaults)
    {
        ThrowIfFrozen();
        var resolved = ResolveNode(path, followFinal: true, scope);
        if (resolved.Node is { IsDirectory: true }) return (resolved.Path, OwnPath(resolved.Path));
        if (resolved.Node is not null) throw new LayerFormatException($"'/{resolved.Path}' exists and is not a directory") { EntryPath = resolved.Path };

        // The resolved path is physical: walk it, creating what is missing (a non-directory on the way is an error).
        var node = _root;
        string current = "";
        foreach (var name in LayerPath.Components(resolved.Path))
        {
            current = LayerPath.Join(current, name);
            if (!node.Children!.TryGetValue(name, out var child))
            {
                Place(node, LayerPath.ParentOf(current), name, defaults.EntryFor(current), null, null);
                child = node.Children[name];
            }
            else if (!child.IsDirectory)
            {
                throw new LayerFormatException($"'/{current}' is not a directory, so '/{resolved.Path}' cannot be created") { EntryPath = current };
            }
            node = Own(node, name, child);
        }
        return (resolved.Path, node);
    }

    /// <summary>Puts an entry as the child <paramref name="name"/> of a resolved directory, with tar overwrite semantics.</summary>
    internal string Place(FileNode parent, string parentPath, string name, LayerEntry entry, IContentSource? content, HardlinkGroup? links)
    {
        ThrowIfFrozen();
        string path = LayerPath.Join(parentPath, name);
        // Every entry of a tree lands here: a name no filesystem can hold would make a layer nobody can unpack.
        LayerPath.CheckName(parentPath, name);
        if (entry.Path != path) entry = entry with { Path = path };
        ThrowIfShared(parent);
        var children = parent.Children!;
        if (children.TryGetValue(name, out var existing))
        {
            if (existing.IsDirectory && entry.Type == LayerEntryType.Directory)
            {
                existing = Own(parent, name, existing);
                existing.Entry = entry;
                existing.Changed = true;
                MarkChanged(path);
                return path;
            }
            RemoveChild(parent, parentPath, name);
        }
        var node = new FileNode(this, entry, entry.Type == LayerEntryType.RegularFile ? content : null) { Links = links, Changed = true };
        children[name] = node;
        if (parent.Whiteouts?.Remove(name) == true && node.IsDirectory && Lower?.Find(path) is { IsDirectory: true })
            node.Opaque = true; // a lower directory was deleted here: its old contents must stay gone
        MarkChanged(path);
        return path;
    }

    /// <param name="target">The resolved target (<see cref="ResolveNode"/> without following the final symlink).</param>
    internal string PlaceHardlink(FileNode parent, string parentPath, string name, (string Path, FileNode? Node) target, string targetName)
    {
        var node = target.Node;
        if (node?.Entry is not { } entry) throw new LayerFormatException($"hardlink '/{LayerPath.Join(parentPath, name)}' points to '{targetName}', which does not exist") { EntryPath = LayerPath.Join(parentPath, name) };
        if (node.IsDirectory) throw new LayerFormatException($"hardlink '/{LayerPath.Join(parentPath, name)}' points to the directory '{targetName}'") { EntryPath = LayerPath.Join(parentPath, name) };
        if (parent.Children!.TryGetValue(name, out var existing) && ReferenceEquals(existing, node)) return entry.Path;
        if (node.Links is null)
        {
            // The target becomes one path of an inode: that is this tree's to record, not the lower tree's.
            node = OwnPath(target.Path);
            node.Links = new HardlinkGroup();
        }
        return Place(parent, parentPath, name, entry, node.Content, node.Links);
    }

    internal void RemoveChild(FileNode parent, string parentPath, string name)
    {
        ThrowIfShared(parent);
        parent.Children!.Remove(name);
        string path = LayerPath.Join(parentPath, name);
        if (!parent.Opaque && Lower?.Find(path) is not null) (parent.Whiteouts ??= new SortedSet<string>(StringComparer.Ordinal)).Add(name);
        MarkChanged(parentPath);
    }

    /// <summary>Marks the node at a path and every directory above it as part of the layer.</summary>
    private void MarkChanged(string path)
    {
        var node = _root;
        node.SubtreeChanged = true;
        foreach (var name in LayerPath.Components(path))
        {
            if (!node.Children!.TryGetValue(name, out var child)) return;
            node = Own(node, name, child);
            node.SubtreeChanged = true;
        }
    }

    /// <summary>True when the node was written here, or something below it was: it belongs in this tree's layer.</summary>
    internal bool InLayer(FileNode node) => ReferenceEquals(node.Owner, this) && (node.Changed || node.SubtreeChanged);

    /// <summary>True when this tree wrote the node itself (not one below it).</summary>
    internal bool Wrote(FileNode node) => ReferenceEquals(node.Owner, this) && node.Changed;

    /// <summary>
    /// The node at a physical path (no symlink on the way; every component exists) as this tree's own, with every
    /// directory above it: what a write needs before it changes anything there.
    /// </summary>
    internal FileNode OwnPath(string physicalPath)
    {
        var node = _root;
        foreach (var name in LayerPath.Components(physicalPath))
        {
            if (node.Children?.TryGetValue(name, out var child) != true)
                throw new InvalidOperationException($"'/{physicalPath}' is not in the tree");
            node = Own(node, name, child!);
        }
        return node;
    }

    /// <summary>The child as this tree's own: itself when it is, else a copy put in its place (the parent must be ours).</summary>
    private FileNode Own(FileNode parent, string name, FileNode child)
    {
        if (ReferenceEquals(child.Owner, this)) return child;
        ThrowIfFrozen();
        ThrowIfShared(parent);
        var copy = child.CopyFor(this);
        parent.Children![name] = copy;
        return copy;
    }

    private void ThrowIfShared(FileNode node)
    {
        if (!ReferenceEquals(node.Owner, this)) throw new InvalidOperationException("a node of the lower tree was about to be changed; take it with OwnPath first");
    }

    internal FileNode? Find(string cleanPath)
    {
        var node = _root;
        foreach (var name in LayerPath.Components(cleanPath))
            if (node.Children is null || !node.Children.TryGetValue(name, out node)) return null;
        return node;
    }

    private void ThrowIfFrozen()
    {
        if (_frozen) throw new InvalidOperationException("this tree is frozen (it is the lower tree of another); write to a tree made with FileTree.Over");
    }
}

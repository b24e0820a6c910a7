namespace Tabula.Layers;

/// <summary>
/// A node of a <see cref="FileTree"/>: metadata, content reference, children, and what changed. A node may be shared
/// by a tree and the trees built over it; only its <see cref="Owner"/> writes to it, and its flags (what changed)
/// speak for its owner alone.
/// </summary>
internal sealed class FileNode
{
    public FileNode(FileTree owner, LayerEntry? entry, IContentSource? content)
    {
        Owner = owner;
        Entry = entry;
        Content = content;
        if (entry is null || entry.Type == LayerEntryType.Directory) Children = new Dictionary<string, FileNode>(StringComparer.Ordinal);
    }

    private FileNode(FileTree owner, FileNode shared)
    {
        Owner = owner;
        Entry = shared.Entry;
        Content = shared.Content;
        Links = shared.Links;
        if (shared.Children is not null) Children = new Dictionary<string, FileNode>(shared.Children, StringComparer.Ordinal);
    }

    /// <summary>The tree that made this node and alone may change it.</summary>
    public FileTree Owner { get; }

    /// <summary>Null only for the root.</summary>
    public LayerEntry? Entry { get; set; }
    public IContentSource? Content { get; set; }

    /// <summary>Shared by the nodes of one inode (hardlinks).</summary>
    public HardlinkGroup? Links { get; set; }

    public Dictionary<string, FileNode>? Children { get; }

    public bool IsDirectory => Children is not null;

    /// <summary>The node itself was written in this tree (not just inherited from the lower one).</summary>
    public bool Changed { get; set; }

    /// <summary>Something at or below this node changed, or was deleted: the node must appear in the layer.</summary>
    public bool SubtreeChanged { get; set; }

    /// <summary>A directory that replaced a deleted lower directory: the lower contents stay hidden.</summary>
    public bool Opaque { get; set; }

    /// <summary>Names deleted here that exist in the lower tree.</summary>
    public SortedSet<string>? Whiteouts { get; set; }

    /// <summary>
    /// This node as <paramref name="owner"/>'s own: same metadata, content and inode, the same children (still shared),
    /// nothing changed yet.
    /// </summary>
    public FileNode CopyFor(FileTree owner) => new(owner, this);
}

/// <summary>Identity of an inode shared by hardlinked paths.</summary>
internal sealed class HardlinkGroup;

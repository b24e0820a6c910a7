namespace Tabula.Layers;

/// <summary>A node of a <see cref="FileTree"/>: metadata, content reference, children, and what changed.</summary>
internal sealed class FileNode
{
    public FileNode(LayerEntry? entry, IContentSource? content)
    {
        Entry = entry;
        Content = content;
        if (entry is null || entry.Type == LayerEntryType.Directory) Children = new Dictionary<string, FileNode>(StringComparer.Ordinal);
    }

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

    public FileNode CloneUnchanged(Dictionary<HardlinkGroup, HardlinkGroup> groups)
    {
        var clone = new FileNode(Entry, Content);
        if (Links is not null)
        {
            if (!groups.TryGetValue(Links, out var group)) groups[Links] = group = new HardlinkGroup();
            clone.Links = group;
        }
        if (Children is not null)
            foreach (var (name, child) in Children) clone.Children![name] = child.CloneUnchanged(groups);
        return clone;
    }
}

/// <summary>Identity of an inode shared by hardlinked paths.</summary>
internal sealed class HardlinkGroup;

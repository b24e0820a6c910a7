namespace Tabula.Layers;

/// <summary>
/// What a <see cref="FileTree"/> holds at a path: the entry and, for a regular file, where its content is.
/// Paths sharing an inode (hardlinks) report the same <see cref="LinkGroup"/> and appear as regular files.
/// </summary>
internal sealed record TreeEntry(LayerEntry Entry, IContentSource? Content, object? LinkGroup);

/// <summary>Where a path resolves to inside a root, and what is there (null when nothing is).</summary>
internal sealed record ResolvedPath(string Path, LayerEntry? Entry)
{
    public bool Exists => Entry is not null || Path.Length == 0;
    public bool IsDirectory => Path.Length == 0 || Entry?.Type == LayerEntryType.Directory;
}

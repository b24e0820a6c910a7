namespace Tabula.Layers;

/// <summary>
/// The directory a tree is written into: gives the host path of a clean tree path after checking that its parent is
/// a real directory on disk (not a symlink, nothing else), so that nothing is made through a symlink or outside the
/// root. The parent last found to be a directory is remembered and not looked at again: the writers only add to a
/// directory that started empty, each path once and exclusively (a directory they found is never replaced by them),
/// so the answer cannot change while they write; files of one directory come one after another in a tree walk, so
/// a tree of many files pays one <c>lstat</c> per directory rather than one per file. A writer that removes paths
/// (<see cref="RootfsMirror"/>) calls <see cref="Forget"/> first.
/// </summary>
internal sealed class TargetDirectory(string root)
{
    private string? _lastParent;

    public string Root { get; } = root;

    /// <summary>Checks the next parent again: something may have been removed since.</summary>
    public void Forget() => _lastParent = null;

    public string FullPath(string cleanPath)
    {
        if (cleanPath.Length == 0 || !LayerPath.IsClean(cleanPath))
            throw new LayerFormatException($"'{cleanPath}' is not a clean path inside the root") { EntryPath = cleanPath };
        int slash = cleanPath.LastIndexOf('/');
        var parent = slash < 0 ? ReadOnlySpan<char>.Empty : cleanPath.AsSpan(0, slash);
        if (_lastParent is null || !parent.SequenceEqual(_lastParent))
        {
            string parentPath = parent.ToString();
            string parentFull = parentPath.Length == 0 ? Root : Path.Combine(Root, parentPath);
            if (Posix.Lstat(parentFull) is not { IsDirectory: true })
                throw new LayerFormatException($"'/{parentPath}' is not a directory on disk; refusing to create '/{cleanPath}'") { EntryPath = cleanPath };
            _lastParent = parentPath;
        }
        return Path.Combine(Root, cleanPath);
    }
}

namespace Tabula.Layers;

/// <summary>
/// Decides, entry by entry while an archive streams, whether its bytes may be a layer blob as they are
/// (DESIGN §5 fast path): extracting them as a layer onto an empty root must give exactly the filesystem the
/// normal path would build. Every rule below names a case where the normal path would differ or refuse.
/// </summary>
public sealed class PassthroughChecker(EntryRewrites rewrites)
{
    private static readonly HashSet<string> KnownPaxKeys = new(StringComparer.Ordinal)
    {
        "path", "linkpath", "size", "uid", "gid", "mtime", "atime", "ctime", "uname", "gname",
    };

    private readonly Dictionary<string, LayerEntryType> _seen = new(StringComparer.Ordinal);

    /// <summary>Why the archive cannot pass through, or null when this entry keeps it eligible.</summary>
    public string? Check(TarArchiveEntry entry)
    {
        if (entry.Type is not { } type) return $"'{entry.Name}' is of a kind layers do not hold (type flag '{entry.TypeFlag}')";
        if (PathProblem(entry.Name, out string path) is { } pathProblem) return pathProblem;
        if (!_seen.TryAdd(path, type)) return $"'{path}' appears twice";

        string parent = LayerPath.ParentOf(path);
        if (parent.Length > 0)
        {
            if (!_seen.TryGetValue(parent, out var parentType))
                return $"the parent directory of '{path}' is not in the archive before it (the normal path would create it with its own metadata)";
            if (parentType == LayerEntryType.Symlink) return $"the parent of '{path}' is a symlink planted in the archive";
            if (parentType != LayerEntryType.Directory) return $"the parent of '{path}' is not a directory";
        }
        if (type == LayerEntryType.Hardlink)
        {
            if (PathProblem(entry.LinkName, out string target) is { } targetProblem) return $"hardlink '{path}': {targetProblem}";
            if (!_seen.TryGetValue(target, out var targetType) || target == path)
                return $"hardlink '{path}' points to '{entry.LinkName}', which is not earlier in the archive";
            if (targetType == LayerEntryType.Directory)
                return $"hardlink '{path}' points to the directory '{entry.LinkName}'";
        }
        if (!LayerTimes.IsWholeSecond(entry.ModTime)) return $"'{path}' has a time with a fraction of a second";
        if (rewrites.ApplyTime(entry.ModTime) != entry.ModTime) return $"'{path}' is newer than the build epoch";
        if (rewrites.ApplyOwner(entry.Uid, entry.Gid) != new Ownership(entry.Uid, entry.Gid)) return $"--chown would change the owner of '{path}'";
        if (rewrites.ApplyMode(type, entry.Mode) != entry.Mode) return $"--chmod would change the mode of '{path}'";
        foreach (var key in entry.PaxKeys)
            if (!KnownPaxKeys.Contains(key) && !key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                return $"'{path}' has a PAX record '{key}' the normal path would not keep";
        return null;
    }

    /// <summary>
    /// Accepts a relative name (after stripping leading <c>./</c>) with no empty, <c>.</c> or <c>..</c> component and
    /// no whiteout component; a trailing '/' is allowed. The root itself is refused: layers have no entry for it.
    /// </summary>
    private static string? PathProblem(string name, out string path)
    {
        path = name;
        while (path.StartsWith("./", StringComparison.Ordinal)) path = path[2..];
        if (path.StartsWith('/')) return $"'{name}' is absolute";
        path = path.TrimEnd('/');
        if (path.Length == 0 || path == ".") return $"'{name}' is an entry for the root itself";
        if (!LayerPath.IsClean(path)) return $"'{name}' has '..', '.' or empty components";
        if (LayerPath.ContainsWhiteout(path)) return $"'{name}' is a whiteout name";
        return null;
    }
}

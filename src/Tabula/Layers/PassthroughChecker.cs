namespace Tabula.Layers;

/// <summary>
/// Decides, entry by entry while an archive streams, whether its bytes may be a layer blob as they are
/// (DESIGN §5 fast path): extracting them as a layer onto an empty root must give exactly the filesystem the
/// normal path would build. Every rule below names a case where the normal path would differ or refuse.
/// </summary>
internal sealed class PassthroughChecker(EntryRewrites rewrites)
{
    private static readonly HashSet<string> KnownPaxKeys = new(StringComparer.Ordinal)
    {
        "path", "linkpath", "size", "uid", "gid", "mtime", "atime", "ctime", "uname", "gname",
    };

    /// <summary>The only root entry that passes: what the root of a new image is anyway (the normal path drops it).</summary>
    private const int RootMode = 0x1ED; // 0755

    private readonly Dictionary<string, LayerEntryType> _seen = new(StringComparer.Ordinal);

    /// <summary>Why the archive cannot pass through, or null when this entry keeps it eligible.</summary>
    public string? Check(TarArchiveEntry entry)
    {
        if (entry.Type is not { } type) return $"'{entry.Name}' is of a kind layers do not hold (type flag '{entry.TypeFlag}')";
        if (IsRoot(entry.Name)) return CheckRoot(entry, type);
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
        return CheckMetadata(entry, type, path);
    }

    /// <summary>
    /// Distribution tarballs (<c>tar -C rootfs -c .</c>) start with an entry for the root itself. Layers have none: the
    /// normal path drops it and the root of the image is a 0755 directory owned by root. An archive whose root entry
    /// says exactly that gives the same filesystem when extracted (only the root's mtime is the archive's), so it may
    /// still pass through; any other owner, mode or extended attribute would change the root, so it may not.
    /// </summary>
    private string? CheckRoot(TarArchiveEntry entry, LayerEntryType type)
    {
        if (type != LayerEntryType.Directory) return $"'{entry.Name}' is an entry for the root itself that is not a directory";
        if (!_seen.TryAdd("", type)) return $"'{entry.Name}' (the root) appears twice";
        if ((entry.Mode & 0xFFF) != RootMode || entry.Uid != 0 || entry.Gid != 0 || !entry.Xattrs.IsEmpty)
            return $"'{entry.Name}' is an entry for the root itself with an owner, mode or attributes a new image's root does not have";
        return CheckMetadata(entry, type, ".");
    }

    private string? CheckMetadata(TarArchiveEntry entry, LayerEntryType type, string path)
    {
        if (!LayerTimes.IsWholeSecond(entry.ModTime)) return $"'{path}' has a time with a fraction of a second";
        if (rewrites.ApplyTime(entry.ModTime) != entry.ModTime) return $"'{path}' is newer than the build epoch";
        if (rewrites.ApplyOwner(entry.Uid, entry.Gid) != new Ownership(entry.Uid, entry.Gid)) return $"--chown would change the owner of '{path}'";
        if (rewrites.ApplyMode(type, entry.Mode) != entry.Mode) return $"--chmod (or a symlink mode other than 0777) would change the mode of '{path}'";
        foreach (var key in entry.PaxKeys)
            if (!KnownPaxKeys.Contains(key) && !key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                return $"'{path}' has a PAX record '{key}' the normal path would not keep";
        return null;
    }

    private static bool IsRoot(string name) => StripDotSlash(name).TrimEnd('/') is "" or ".";

    private static string StripDotSlash(string name)
    {
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        return name;
    }

    /// <summary>
    /// Accepts a relative name (after stripping leading <c>./</c>) with no empty, <c>.</c> or <c>..</c> component and
    /// no whiteout component; a trailing '/' is allowed. Entries for the root itself are checked by <see cref="CheckRoot"/>.
    /// </summary>
    private static string? PathProblem(string name, out string path)
    {
        path = StripDotSlash(name);
        if (path.StartsWith('/')) return $"'{name}' is absolute";
        path = path.TrimEnd('/');
        if (path.Length == 0 || path == ".") return $"'{name}' names the root itself";
        if (!LayerPath.IsClean(path)) return $"'{name}' has '..', '.' or empty components";
        if (LayerPath.ContainsWhiteout(path)) return $"'{name}' is a whiteout name";
        if (LayerPath.TooLongName(path) is not null) return $"'{name}' has a name over {LayerPath.MaxNameBytes} bytes"; // the normal path refuses it
        return null;
    }
}

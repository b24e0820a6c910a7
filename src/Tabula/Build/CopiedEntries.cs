using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// Build-context entries as COPY places them: root-owned unless <c>--chown</c>, their own mode unless <c>--chmod</c>
/// (symlinks are always 0777), their mtime clamped to the timestamp. The copy into a tree and the copy streamed
/// straight into a layer both make their entries here, so the two write the same bytes.
/// </summary>
internal static class CopiedEntries
{
    public static LayerEntry Of(EntryRewrites rewrites, string target, LayerEntryType type, int permissions, DateTimeOffset modTime)
    {
        var owner = rewrites.ApplyOwner(0, 0);
        return new LayerEntry
        {
            Path = target,
            Type = type,
            Mode = type == LayerEntryType.Symlink ? 0b111_111_111 : rewrites.ApplyMode(type, permissions),
            Uid = owner.Uid,
            Gid = owner.Gid,
            ModTime = rewrites.ApplyTime(modTime),
        };
    }

    public static LayerEntry Of(EntryRewrites rewrites, string target, LayerEntryType type, FileSystemInfo info)
        => Of(rewrites, target, type, (int)info.UnixFileMode & LayerModes.AllPermissionBits, LayerTimes.ModTimeOf(info));

    /// <summary>A regular file (or a socket, sent as one) at <paramref name="fullPath"/>, stat'ed here.</summary>
    public static LayerEntry File(EntryRewrites rewrites, string target, string fullPath)
    {
        var info = new FileInfo(fullPath);
        return Of(rewrites, target, LayerEntryType.RegularFile, info) with { Size = info.Length };
    }

    /// <summary>A regular file from the walk's own <c>lstat</c>: no second stat per file.</summary>
    public static LayerEntry WalkedFile(EntryRewrites rewrites, string target, FileStatus status)
        => Of(rewrites, target, LayerEntryType.RegularFile, status.Permissions, status.ModTime) with { Size = status.Size };

    public static LayerEntry Symlink(EntryRewrites rewrites, string target, string fullPath)
    {
        var info = new FileInfo(fullPath);
        return Of(rewrites, target, LayerEntryType.Symlink, info) with { LinkTarget = info.LinkTarget ?? "" };
    }

    public static LayerEntry Directory(EntryRewrites rewrites, string target, string fullPath)
        => Of(rewrites, target, LayerEntryType.Directory, new DirectoryInfo(fullPath));
}

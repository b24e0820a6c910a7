using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// What a command changed in a rootfs, found by comparing the directory after the run with the tree it was
/// unpacked from (the snapshot comparison docker's naive differ makes): added and modified entries — content
/// by size and mtime, and mode, owner, link target, device numbers and xattrs — and deletions, recorded on a
/// <see cref="FileTree"/> over the old one, so that <see cref="LayerEmitter"/> writes them with whiteouts (and an
/// opaque marker where a directory was replaced by a new one). The walk never follows a symlink.
/// </summary>
public static class RootfsDiff
{
    /// <summary>
    /// The changes as an upper tree over <paramref name="before"/> (which is frozen); changed files' contents are
    /// read from the rootfs, so it must stay until the layer is written. Times later than
    /// <paramref name="clampTo"/> are clamped to it (SOURCE_DATE_EPOCH).
    /// </summary>
    public static FileTree Compute(FileTree before, string rootDirectory, DateTimeOffset? clampTo = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        string root = Path.GetFullPath(rootDirectory);
        var disk = new List<(string Path, FileStatus Status)>();
        var onDisk = new Dictionary<string, FileStatus>(StringComparer.Ordinal);
        Walk(root, "", disk);
        foreach (var (path, status) in disk) onDisk[path] = status;

        var upper = FileTree.Over(before);

        // Deletions first: what the old tree has and the disk does not (below a deleted or replaced directory, nothing more to say).
        string? skip = null;
        foreach (var (entry, _, _) in before.Entries)
        {
            if (skip is not null && entry.Path.StartsWith(skip, StringComparison.Ordinal)) continue;
            skip = null;
            if (!onDisk.TryGetValue(entry.Path, out var status))
            {
                upper.Delete(entry.Path);
                skip = entry.Path + "/";
            }
            else if (entry.IsDirectory && !status.IsDirectory)
            {
                skip = entry.Path + "/";
            }
        }

        var firstPathOfInode = new Dictionary<(uint, uint, ulong), string>();
        foreach (var (path, status) in disk)
        {
            string full = Path.Combine(root, path);
            var now = EntryFor(path, full, status);
            var old = before.Get(path)?.Entry;
            bool changed = old is null || !Same(old, now, status);
            if (!status.IsDirectory && status.Links > 1)
            {
                if (firstPathOfInode.TryGetValue(status.InodeKey, out var first))
                {
                    if (changed) upper.AddHardlink(path, first, null);
                    continue;
                }
                firstPathOfInode[status.InodeKey] = path;
            }
            if (!changed) continue;
            if (clampTo is { } limit && now.ModTime > limit) now = now with { ModTime = limit };
            upper.Put(now, now.Type == LayerEntryType.RegularFile ? new DiskFileContent(full, now.Size) : null, null);
        }
        return upper;
    }

    private static void Walk(string root, string directory, List<(string, FileStatus)> output)
    {
        string full = directory.Length == 0 ? root : Path.Combine(root, directory);
        var names = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).Select(n => n!).ToList();
        names.Sort((a, b) => LayerPathOrder.CompareNames(a, b));
        foreach (var name in names)
        {
            string path = LayerPath.Join(directory, name);
            if (Posix.Lstat(Path.Combine(root, path)) is not { } status || status.Type == Posix.TypeSocket) continue;
            output.Add((path, status));
            if (status.IsDirectory) Walk(root, path, output);
        }
    }

    private static LayerEntry EntryFor(string path, string full, FileStatus status)
    {
        var type = status.Type switch
        {
            Posix.TypeDirectory => LayerEntryType.Directory,
            Posix.TypeRegular => LayerEntryType.RegularFile,
            Posix.TypeSymlink => LayerEntryType.Symlink,
            Posix.TypeCharacter => LayerEntryType.CharacterDevice,
            Posix.TypeBlock => LayerEntryType.BlockDevice,
            Posix.TypeFifo => LayerEntryType.Fifo,
            _ => throw new IOException($"/{path} is of a kind layers do not hold"),
        };
        bool device = type is LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice;
        return new LayerEntry
        {
            Path = path,
            Type = type,
            Mode = status.Permissions,
            Uid = status.Uid,
            Gid = status.Gid,
            ModTime = status.ModTime, // whole seconds in the entry; Same compares the exact time
            LinkTarget = type == LayerEntryType.Symlink ? new FileInfo(full).LinkTarget ?? "" : "",
            Size = type == LayerEntryType.RegularFile ? status.Size : 0,
            DevMajor = device ? status.RdevMajor : 0,
            DevMinor = device ? status.RdevMinor : 0,
            Xattrs = LayerXattrs.From(Posix.GetXattrs(full)),
        };
    }

    /// <summary>Unchanged: the same metadata, and the exact mtime the unpack set (whole seconds, so any rewrite shows).</summary>
    private static bool Same(LayerEntry old, LayerEntry now, FileStatus status)
        => old.Type == now.Type && old.Mode == now.Mode && old.Uid == now.Uid && old.Gid == now.Gid && old.LinkTarget == now.LinkTarget
           && old.Size == now.Size && old.DevMajor == now.DevMajor && old.DevMinor == now.DevMinor && LayerXattrs.AreEqual(old.Xattrs, now.Xattrs)
           && status.MTimeNanoseconds == 0 && status.MTimeSeconds == old.ModTime.ToUnixTimeSeconds();
}

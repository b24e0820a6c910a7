using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// What a command changed in a rootfs, found by comparing the directory after the run with the tree it was
/// unpacked from (the snapshot comparison docker's naive differ makes): added and modified entries — content
/// by size and mtime, and mode, owner, link target, device numbers and xattrs — and deletions, recorded on a
/// <see cref="FileTree"/> over the old one, so that <see cref="LayerEmitter"/> writes them with whiteouts (and an
/// opaque marker where a directory was replaced by a new one). The walk never follows a symlink.
/// Rootless (the rootfs was unpacked and the command ran as the caller, root only inside a user namespace), what
/// the disk cannot show is taken from the old tree instead: every path on disk is owned by the caller, so an
/// entry keeps the owner recorded for its path, and a new one is owned by root (0:0), who made it; xattrs outside
/// <c>user.</c> could not be set, so a path keeps its recorded ones; device nodes were never made, so their
/// absence is no deletion. Owner-read (and, for directories, owner-search) bits the walk needs are added on disk
/// as it goes; the entries keep the modes the walk found.
/// </summary>
internal static class RootfsDiff
{
    /// <summary>
    /// The changes as an upper tree over <paramref name="before"/> (which is frozen); changed files' contents are
    /// read from the rootfs, so it must stay until the layer is written. Times later than
    /// <paramref name="clampTo"/> are clamped to it (SOURCE_DATE_EPOCH).
    /// </summary>
    /// <remarks>
    /// With <paramref name="since"/> (taken by <see cref="Mark"/> just before the command ran), a file whose inode
    /// changed status after it (ctime: every write, chmod, chown, touch and link does that) counts as changed even
    /// when its size and mtime are back to what they were — as overlayfs copies up whatever is opened for writing.
    /// Directories are judged by their metadata and contents alone, since putting back their times after the run
    /// (mount stubs) moves their ctime too.
    /// </remarks>
    public static FileTree Compute(FileTree before, string rootDirectory, DateTimeOffset? clampTo = null, bool rootless = false, ChangeMark? since = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        string root = Path.GetFullPath(rootDirectory);
        var disk = new List<(string Path, FileStatus Status)>();
        var onDisk = new Dictionary<string, FileStatus>(StringComparer.Ordinal);
        Walk(root, "", disk, rootless ? [] : null);
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
                if (rootless && entry.Type is LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice) continue;
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
            if (rootless) now = AsRootless(now, old);
            bool changed = old is null || !Same(old, now, status) || (since is { } mark && !status.IsDirectory && mark.IsBefore(status));
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

    /// <summary>
    /// The kernel's clock now, as file times show it: a marker file is made in <paramref name="scratchDirectory"/>
    /// (outside the rootfs) and its ctime read. File times come from a coarse clock (a tick of some milliseconds), so
    /// a path the unpack touched in the same tick would look changed by the command: markers are made until the clock
    /// has moved past the first one, so that whatever was done before this call is strictly before the mark.
    /// </summary>
    public static ChangeMark Mark(string scratchDirectory)
    {
        var before = MarkerTime(scratchDirectory);
        while (true)
        {
            var mark = MarkerTime(scratchDirectory);
            if (mark.Seconds > before.Seconds || (mark.Seconds == before.Seconds && mark.Nanoseconds > before.Nanoseconds)) return mark;
            Thread.Sleep(1);
        }
    }

    private static ChangeMark MarkerTime(string scratchDirectory)
    {
        string marker = Path.Combine(scratchDirectory, ".change-mark-" + Guid.NewGuid().ToString("N")[..8]);
        File.WriteAllBytes(marker, []);
        try
        {
            var status = Posix.Lstat(marker) ?? throw new IOException($"{marker} vanished as it was made");
            return new ChangeMark(status.CTimeSeconds, status.CTimeNanoseconds);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    /// <summary>The paths under <paramref name="directory"/>; rootless, <paramref name="relaxed"/> holds the modes <see cref="MakeReadable"/> changed, by inode.</summary>
    private static void Walk(string root, string directory, List<(string, FileStatus)> output, Dictionary<(uint, uint, ulong), int>? relaxed)
    {
        string full = directory.Length == 0 ? root : Path.Combine(root, directory);
        var names = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).Select(n => n!).ToList();
        names.Sort((a, b) => LayerPathOrder.CompareNames(a, b));
        foreach (var name in names)
        {
            string path = LayerPath.Join(directory, name);
            if (Posix.Lstat(Path.Combine(root, path)) is not { } status || status.Type == Posix.TypeSocket) continue;
            if (relaxed is not null)
            {
                // A second hard link to a file made readable shows the new mode: record the one it had.
                if (relaxed.TryGetValue(status.InodeKey, out var mode)) status = status with { Mode = mode };
                else if (MakeReadable(Path.Combine(root, path), status)) relaxed[status.InodeKey] = status.Mode;
            }
            output.Add((path, status));
            if (status.IsDirectory) Walk(root, path, output, relaxed);
        }
    }

    private const int OwnerRead = 0x100, OwnerSearch = 0x40;

    /// <summary>Rootless: the caller may not read (a file) or list (a directory) what it owns without these bits.</summary>
    private static bool MakeReadable(string full, FileStatus status)
    {
        int needed = status.IsDirectory ? OwnerRead | OwnerSearch : status.Type == Posix.TypeRegular ? OwnerRead : 0;
        if ((status.Permissions & needed) == needed) return false;
        File.SetUnixFileMode(full, (UnixFileMode)(status.Permissions | needed)); // keeps setuid: the caller owns it
        return true;
    }

    /// <summary>Rootless: the owner and privileged xattrs the path had (root's for a new path); <c>user.</c> xattrs as on disk.</summary>
    private static LayerEntry AsRootless(LayerEntry now, LayerEntry? old)
    {
        var xattrs = now.Xattrs.Where(x => IsUserXattr(x.Key));
        if (old is not null) xattrs = xattrs.Concat(old.Xattrs.Where(x => !IsUserXattr(x.Key)));
        return now with { Uid = old?.Uid ?? 0, Gid = old?.Gid ?? 0, Xattrs = LayerXattrs.From(xattrs) };
    }

    private static bool IsUserXattr(string name) => name.StartsWith("user.", StringComparison.Ordinal);

    internal static LayerEntry EntryFor(string path, string full, FileStatus status)
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

/// <summary>An instant of the kernel's file clock (see <see cref="RootfsDiff.Mark"/>).</summary>
internal readonly record struct ChangeMark(long Seconds, uint Nanoseconds)
{
    internal bool IsBefore(FileStatus status)
        => status.CTimeSeconds > Seconds || (status.CTimeSeconds == Seconds && status.CTimeNanoseconds >= Nanoseconds);
}

using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// Copies of lower entries made in an upper directory or a snapshot, as overlayfs's own copy-up makes them: the
/// owner (as root) and every xattr but the overlay's own — so a rootless snapshot's <see cref="RecordedMetadata"/>
/// records travel with the copy — then the mode and time. A directory's mode and time wait until its contents are
/// in (<see cref="FinishDirectory"/>): writing into it would change its time, and a read-only mode would refuse a normal
/// user the writes.
/// </summary>
internal static class CopyUp
{
    /// <summary>Makes the directory <paramref name="full"/> with the owner and xattrs of the lower one.</summary>
    public static void Directory(string full, string lowerPath, FileStatus status)
    {
        System.IO.Directory.CreateDirectory(full);
        CopyOwnerAndXattrs(full, lowerPath, status);
    }

    /// <summary>The lower directory's mode and time, once the copy's contents are written.</summary>
    public static void FinishDirectory(string full, FileStatus status)
    {
        File.SetUnixFileMode(full, (UnixFileMode)status.Permissions);
        Posix.SetTimes(full, status.ModTime);
    }

    /// <summary>Copies a non-directory of a lower snapshot whole to <paramref name="full"/> (which must not exist).</summary>
    public static void Entry(string full, string lowerPath, FileStatus status)
    {
        bool symlink = status.IsSymlink;
        switch (status.Type)
        {
            case Posix.TypeRegular:
                using (var source = new FileStream(lowerPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                using (var file = Posix.CreateNewFile(full))
                using (var target = new FileStream(file, FileAccess.Write, 1))
                    source.CopyTo(target, 128 * 1024);
                break;
            case Posix.TypeSymlink:
                File.CreateSymbolicLink(full, new FileInfo(lowerPath).LinkTarget ?? "");
                break;
            default:
                Posix.Mknod(full, status.Type, status.Permissions & 0x1FF, status.RdevMajor, status.RdevMinor);
                break;
        }
        CopyOwnerAndXattrs(full, lowerPath, status);
        if (!symlink) File.SetUnixFileMode(full, (UnixFileMode)status.Permissions); // after chown, which clears setuid bits
        Posix.SetTimes(full, status.ModTime);
    }

    private static void CopyOwnerAndXattrs(string full, string lowerPath, FileStatus status)
    {
        if (Environment.IsPrivilegedProcess) Posix.Lchown(full, status.Uid, status.Gid);
        if (status.IsSymlink) return; // a symlink holds no user xattrs, and a snapshot gives its own none
        foreach (var (name, value) in Posix.GetXattrs(lowerPath))
            if (!OverlaySnapshotWriter.IsOverlayXattr(name)) Posix.SetXattr(full, name, value);
    }
}

using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// Removes a bundle or unpacked rootfs, never following a symlink out of it. As a normal user a directory of the
/// image without owner write or search permission (a read-only <c>/usr</c>, say) cannot be emptied, so when the
/// first attempt fails those bits are given back to every directory the caller owns and removal is tried again.
/// What still cannot be removed stays; removal never fails the command it tidies after.
/// </summary>
internal static class ScratchDirectory
{
    private const int OwnerAll = 0x1C0;

    public static void Delete(string directory)
    {
        if (TryDelete(directory)) return;
        MakeRemovable(directory);
        TryDelete(directory);
    }

    private static bool TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); // removes symlinks, not their targets
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static void MakeRemovable(string directory)
    {
        if (Posix.Lstat(directory) is not { IsDirectory: true } status) return;
        try
        {
            if ((status.Permissions & OwnerAll) != OwnerAll) File.SetUnixFileMode(directory, (UnixFileMode)(status.Permissions | OwnerAll));
            foreach (var child in Directory.EnumerateDirectories(directory)) MakeRemovable(child);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

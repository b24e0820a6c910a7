using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// The mount points a container needs that the image lacks, made in the overlay's upper directory before the run
/// and taken out after (as BuildKit's stub cleaner does), so that the step's layer holds only what the command
/// changed. A missing mount point's parents are copied up by hand with the metadata the image has for them, and
/// go again afterwards when the command left them empty and as they were. Nothing is made below a symlink or a
/// file of the image: the runtime resolves such a mount point inside the root itself.
/// </summary>
internal sealed class UpperStubs
{
    private readonly string _upper;
    private readonly List<(string Path, bool IsDirectory)> _stubs = [];
    private readonly List<(string Path, FileStatus Status)> _copiedUp = [];

    private UpperStubs(string upper) => _upper = upper;

    public static UpperStubs Create(string upperDirectory, SnapshotView lower, IEnumerable<(string Path, bool IsDirectory)> mountPoints)
    {
        var stubs = new UpperStubs(Path.GetFullPath(upperDirectory));
        foreach (var (path, isDirectory) in mountPoints)
        {
            var components = LayerPath.Components(LayerPath.Clean(path));
            string current = "";
            for (int i = 0; i < components.Length; i++)
            {
                current = LayerPath.Join(current, components[i]);
                if (Posix.Lstat(Path.Combine(stubs._upper, current)) is { } made)
                {
                    if (!made.IsDirectory) break;
                    continue;
                }
                var visible = lower.Find(current, followFinalSymlink: false);
                if (visible is { Status.IsDirectory: true } directory)
                {
                    if (i < components.Length - 1) stubs.CopyUpDirectory(current, directory.HostPath, directory.Status);
                    continue;
                }
                if (visible is not null) break; // a symlink or a file: left to the runtime
                bool makeDirectory = i < components.Length - 1 || isDirectory;
                string full = Path.Combine(stubs._upper, current);
                if (makeDirectory) Directory.CreateDirectory(full);
                else File.Create(full).Dispose();
                stubs._stubs.Add((current, makeDirectory));
            }
        }
        // The image's modes once the stubs are in (a normal user cannot make one in a read-only directory it owns), and
        // the image's times, which making the stubs changed.
        foreach (var (path, status) in stubs._copiedUp) CopyUp.FinishDirectory(Path.Combine(stubs._upper, path), status);
        return stubs;
    }

    /// <summary>A lower directory made in the upper one with the image's owner and xattrs (rootless: its records too); its mode and time come last.</summary>
    private void CopyUpDirectory(string path, string lowerPath, FileStatus status)
    {
        CopyUp.Directory(Path.Combine(_upper, path), lowerPath, status);
        _copiedUp.Add((path, status));
    }

    /// <summary>Removes the stubs still empty, then the copied-up parents the command left empty and unchanged; keeps every parent's time.</summary>
    public void Remove()
    {
        for (int i = _stubs.Count - 1; i >= 0; i--)
        {
            var (path, isDirectory) = _stubs[i];
            string full = Path.Combine(_upper, path);
            var status = Posix.Lstat(full);
            bool untouched = status is not null && (isDirectory
                ? status.IsDirectory && !Directory.EnumerateFileSystemEntries(full).Any()
                : status.Type == Posix.TypeRegular && status.Size == 0);
            if (untouched) RemoveKeepingParentTime(full, isDirectory);
        }
        for (int i = _copiedUp.Count - 1; i >= 0; i--)
        {
            var (path, before) = _copiedUp[i];
            string full = Path.Combine(_upper, path);
            if (Posix.Lstat(full) is { IsDirectory: true } now && now.Mode == before.Mode && now.Uid == (Environment.IsPrivilegedProcess ? before.Uid : now.Uid)
                && now.ModTime == before.ModTime
                && !Directory.EnumerateFileSystemEntries(full).Any() && !OverlaySnapshotWriter.IsOpaque(full))
                RemoveKeepingParentTime(full, isDirectory: true);
        }
    }

    private static void RemoveKeepingParentTime(string full, bool isDirectory)
    {
        string parent = Path.GetDirectoryName(full)!;
        var parentStatus = Posix.Lstat(parent);
        MountStubs.WithWritableParent(parent, () =>
        {
            if (isDirectory) Directory.Delete(full);
            else File.Delete(full);
        });
        if (parentStatus is { IsDirectory: true }) Posix.SetTimes(parent, parentStatus.ModTime);
    }
}

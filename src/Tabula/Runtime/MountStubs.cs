using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// The empty directories and files a runtime needs as mount points, made in the rootfs before it runs and taken
/// away after, with the times of the directories they were made in put back (as BuildKit's stub cleaner does),
/// so that a RUN's layer holds only what the command changed. Nothing is made below a symlink: such a mount
/// point is left to the runtime, which resolves it inside the rootfs. As a normal user (rootless), a parent
/// without owner write permission is opened for the moment of making or removing a stub, then given its mode back.
/// </summary>
internal sealed class MountStubs
{
    private readonly List<(string Path, bool IsDirectory)> _created = [];
    private readonly List<(string Path, FileStatus Status)> _parents = [];
    private readonly Dictionary<string, DateTimeOffset> _timesAfterCreate = new(StringComparer.Ordinal);

    private MountStubs() { }

    public static MountStubs Create(string rootDirectory, IEnumerable<(string Path, bool IsDirectory)> mountPoints)
    {
        var stubs = new MountStubs();
        string root = Path.GetFullPath(rootDirectory);
        foreach (var (path, isDirectory) in mountPoints)
        {
            var components = LayerPath.Components(LayerPath.Clean(path));
            string current = root;
            for (int i = 0; i < components.Length; i++)
            {
                string next = Path.Combine(current, components[i]);
                bool last = i == components.Length - 1;
                var status = Posix.Lstat(next);
                if (status is null)
                {
                    if (Posix.Lstat(current) is { } parentStatus && !stubs._parents.Any(p => p.Path == current))
                        stubs._parents.Add((current, parentStatus));
                    bool directory = !last || isDirectory;
                    WithWritableParent(current, () =>
                    {
                        if (directory) Directory.CreateDirectory(next);
                        else new FileStream(next, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead }).Dispose();
                    });
                    stubs._created.Add((next, directory));
                    if (Posix.Lstat(current) is { } parentNow) stubs._timesAfterCreate[current] = parentNow.ModTime;
                }
                else if (!status.IsDirectory)
                {
                    break; // a symlink or a file on the way: the runtime resolves it
                }
                current = next;
            }
        }
        return stubs;
    }

    /// <summary>
    /// Removes what <see cref="Create"/> made, if it is still empty, and restores the parents' times: to what they
    /// were before the stubs where the command left the parent alone, else to what the command made them.
    /// </summary>
    public void Remove()
    {
        var timesBeforeRemoval = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (path, _) in _parents)
            if (Posix.Lstat(path) is { IsDirectory: true } now) timesBeforeRemoval[path] = now.ModTime;
        for (int i = _created.Count - 1; i >= 0; i--)
        {
            var (path, isDirectory) = _created[i];
            var status = Posix.Lstat(path);
            if (status is null) continue;
            if (isDirectory && status.IsDirectory && !Directory.EnumerateFileSystemEntries(path).Any()) WithWritableParent(Path.GetDirectoryName(path)!, () => Directory.Delete(path));
            else if (!isDirectory && status.Type == Posix.TypeRegular && status.Size == 0) WithWritableParent(Path.GetDirectoryName(path)!, () => File.Delete(path));
        }
        foreach (var (path, status) in _parents)
        {
            if (Posix.Lstat(path) is not { IsDirectory: true } || !timesBeforeRemoval.TryGetValue(path, out var beforeRemoval)) continue;
            bool untouched = _timesAfterCreate.TryGetValue(path, out var afterCreate) && afterCreate == beforeRemoval;
            Posix.SetTimes(path, untouched ? status.ModTime : beforeRemoval);
        }
    }

    private const int OwnerWriteSearch = 0xC0;

    /// <summary>Runs <paramref name="action"/>; as a normal user, with owner write and search on <paramref name="parent"/> for its duration.</summary>
    internal static void WithWritableParent(string parent, Action action)
    {
        if (Environment.IsPrivilegedProcess || Posix.Lstat(parent) is not { IsDirectory: true } status || (status.Permissions & OwnerWriteSearch) == OwnerWriteSearch)
        {
            action();
            return;
        }
        File.SetUnixFileMode(parent, (UnixFileMode)(status.Permissions | OwnerWriteSearch));
        try { action(); }
        finally { File.SetUnixFileMode(parent, (UnixFileMode)status.Permissions); }
    }
}

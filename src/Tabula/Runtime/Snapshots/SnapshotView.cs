using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// The merged filesystem of a stack of snapshot directories, read the way overlayfs merges them, without mounting
/// anything: a name is what the topmost directory holding it says; a whiteout (0:0 character device) hides it in
/// every directory below; a non-directory hides the directories below; an opaque directory hides what is below it.
/// Paths resolve as a process chrooted at the image root would see them (symlinks followed inside the root,
/// <c>..</c> never above it), so reading <c>/etc/passwd</c> of the image never reads a file outside the snapshots.
/// </summary>
internal sealed class SnapshotView
{
    private readonly IReadOnlyList<string> _topFirst;

    /// <param name="bottomFirst">The snapshot directories, bottom layer first.</param>
    public SnapshotView(IReadOnlyList<string> bottomFirst) => _topFirst = bottomFirst.Reverse().ToList();

    /// <summary>What is at a path of the image: the host path of the visible entry and its status, or null.</summary>
    internal (string HostPath, FileStatus Status)? Find(string path, bool followFinalSymlink = true)
    {
        try
        {
            var resolved = Resolve(path, followFinalSymlink);
            return resolved.Complete ? resolved.Visible : null;
        }
        catch (SymlinkLoopException)
        {
            return null;
        }
    }

    /// <summary>
    /// Resolves a path as a process chrooted at the image root would (as <see cref="FileTree.Resolve"/> does on a
    /// tree): symlinks followed inside the root (the final one only with <paramref name="followFinalSymlink"/>),
    /// <c>..</c> never above it, missing components kept as written. Gives the physical path (where the path is, or
    /// would be created), the entry visible there, and whether every component on the way was found (and all but
    /// the last are directories). Too many symlinks are a <see cref="SymlinkLoopException"/>.
    /// </summary>
    internal (string Path, (string HostPath, FileStatus Status)? Visible, bool Complete) Resolve(string path, bool followFinalSymlink)
    {
        var names = new List<string>();
        var dirs = new List<List<string>> { _topFirst.ToList() }; // for each depth, the host directories merged there
        var found = new List<(string HostPath, FileStatus Status)?>();
        var pending = new Stack<string>();
        Push(pending, path);
        int symlinks = 0;
        bool complete = true;
        while (pending.TryPop(out var name))
        {
            if (name == "..")
            {
                if (names.Count > 0)
                {
                    names.RemoveAt(names.Count - 1);
                    dirs.RemoveAt(dirs.Count - 1);
                    found.RemoveAt(found.Count - 1);
                }
                continue;
            }
            var (entry, merged) = dirs[^1].Count == 0 ? (null, []) : Lookup(dirs[^1], name);
            bool last = pending.Count == 0;
            if (entry is { Status.IsSymlink: true } link && (!last || followFinalSymlink))
            {
                if (++symlinks > FileTree.MaxSymlinks) throw new SymlinkLoopException(LayerPath.Clean(path), FileTree.MaxSymlinks) { EntryPath = path };
                string target = new FileInfo(link.HostPath).LinkTarget ?? "";
                if (target.StartsWith('/'))
                {
                    names.Clear();
                    dirs.RemoveRange(1, dirs.Count - 1);
                    found.Clear();
                }
                Push(pending, target);
                continue;
            }
            if (entry is null || (!last && !entry.Value.Status.IsDirectory)) complete = false;
            names.Add(name);
            dirs.Add(entry is { Status.IsDirectory: true } ? merged : []);
            found.Add(entry);
        }
        return (string.Join('/', names), found.Count > 0 ? found[^1] : null, complete && found.Count > 0); // the root itself is no entry of a layer
    }

    /// <summary>
    /// The host path of the entry at a physical path of the image (no symlink followed, not even among its parents:
    /// the path as a layer names it), or null.
    /// </summary>
    internal string? FindPhysical(string path) => FindPhysicalEntry(path)?.HostPath;

    /// <summary>The entry at a physical path of the image and its status, or null (see <see cref="FindPhysical"/>).</summary>
    internal (string HostPath, FileStatus Status)? FindPhysicalEntry(string path)
    {
        var merged = _topFirst.ToList();
        (string HostPath, FileStatus Status)? found = null;
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (found is { Status.IsDirectory: false }) return null;
            var (entry, next) = Lookup(merged, name);
            if (entry is null) return null;
            found = entry;
            merged = next;
        }
        return found;
    }

    /// <summary>Opens a regular file of the image, or null when the path is not one.</summary>
    public Stream? OpenFile(string path)
        => Find(path) is { Status.Type: Posix.TypeRegular } file ? File.OpenRead(file.HostPath) : null;

    /// <summary>
    /// The names the merged directory at <paramref name="path"/> shows (whiteouts applied); empty when the path is no
    /// directory. No symlink on the way is followed: this is the directory a layer's entries at that path replace.
    /// </summary>
    internal IReadOnlyList<string> VisibleChildren(string path)
    {
        var merged = _topFirst.ToList();
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var (found, next) = Lookup(merged, name);
            if (found is not { Status.IsDirectory: true }) return [];
            merged = next;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var visible = new List<string>();
        foreach (var directory in merged)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
            {
                var name = Path.GetFileName(entry);
                if (seen.Add(name) && Posix.Lstat(entry) is { } status && !IsWhiteout(status)) visible.Add(name);
            }
        }
        return visible;
    }

    /// <summary>The visible entry for <paramref name="name"/> in a merged directory, and the host directories merged under it when it is one.</summary>
    private static ((string HostPath, FileStatus Status)? Found, List<string> Merged) Lookup(List<string> directories, string name)
    {
        (string HostPath, FileStatus Status)? found = null;
        var merged = new List<string>();
        foreach (var directory in directories)
        {
            string candidate = Path.Combine(directory, name);
            if (Posix.Lstat(candidate) is not { } status) continue;
            if (IsWhiteout(status)) break;
            if (found is null) found = (candidate, status);
            if (!status.IsDirectory || !found.Value.Status.IsDirectory) break;
            merged.Add(candidate);
            if (OverlaySnapshotWriter.IsOpaque(candidate)) break;
        }
        return (found, merged);
    }

    internal static bool IsWhiteout(FileStatus status) => status.Type == Posix.TypeCharacter && status.RdevMajor == 0 && status.RdevMinor == 0;

    private static void Push(Stack<string> pending, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--)
            if (parts[i] != ".") pending.Push(parts[i]);
    }
}

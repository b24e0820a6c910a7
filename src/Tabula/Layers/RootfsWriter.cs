namespace Tabula.Layers;

/// <summary>What writing a tree to disk left out.</summary>
internal sealed record RootfsWriteResult(int Entries, int SkippedDevices);

/// <summary>
/// Writes the whole merged view of a <see cref="FileTree"/> into an empty directory: directories, files with their
/// content, symlinks (created, never followed), hard links, fifos and, as root, device nodes; then owners (as root),
/// extended attributes, modes and times — directories last, so writing their contents does not change their times.
/// Safety: a tree's paths are clean and physical (every parent is a directory of the tree), they are created
/// in order in a directory that starts empty, each parent is checked to be a real directory before anything is
/// made in it, and files are created with O_EXCL, so nothing is ever written through a symlink or outside the root.
/// </summary>
internal static class RootfsWriter
{
    public static async Task<RootfsWriteResult> WriteAsync(FileTree tree, string rootDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        string root = Path.GetFullPath(rootDirectory);
        Directory.CreateDirectory(root);
        if (Posix.Lstat(root) is not { IsDirectory: true })
            throw new IOException($"{root} is not a directory");
        if (Directory.EnumerateFileSystemEntries(root).Any())
            throw new IOException($"{root} is not empty; unpack into a new or empty directory");

        bool privileged = Environment.IsPrivilegedProcess;
        var firstPathOfInode = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        var directories = new List<LayerEntry>();
        int count = 0, skippedDevices = 0;
        foreach (var (entry, content, linkGroup) in tree.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            count++;
            string full = FullPath(root, entry.Path);
            if (linkGroup is not null && firstPathOfInode.TryGetValue(linkGroup, out var first))
            {
                Posix.Link(FullPath(root, first), full);
                continue;
            }
            if (linkGroup is not null) firstPathOfInode[linkGroup] = entry.Path;
            switch (entry.Type)
            {
                case LayerEntryType.Directory:
                    Directory.CreateDirectory(full);
                    directories.Add(entry);
                    continue; // metadata at the end
                case LayerEntryType.RegularFile:
                    await WriteFileAsync(full, entry, content, cancellationToken).ConfigureAwait(false);
                    break;
                case LayerEntryType.Symlink:
                    File.CreateSymbolicLink(full, entry.LinkTarget);
                    break;
                case LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice:
                    if (!privileged) { skippedDevices++; continue; }
                    Posix.Mknod(full, entry.Type == LayerEntryType.CharacterDevice ? Posix.TypeCharacter : Posix.TypeBlock, entry.Mode & 0x1FF, entry.DevMajor, entry.DevMinor);
                    break;
                case LayerEntryType.Fifo:
                    Posix.Mknod(full, Posix.TypeFifo, entry.Mode & 0x1FF, 0, 0);
                    break;
                default:
                    throw new LayerFormatException($"'/{entry.Path}' is a {entry.Type}, which a tree does not hold") { EntryPath = entry.Path };
            }
            ApplyMetadata(full, entry, privileged);
        }
        for (int i = directories.Count - 1; i >= 0; i--)
            ApplyMetadata(FullPath(root, directories[i].Path), directories[i], privileged);
        return new RootfsWriteResult(count, skippedDevices);
    }

    /// <summary>The host path of a clean tree path, after checking that its parent is a real directory under the root.</summary>
    internal static string FullPath(string root, string cleanPath)
    {
        if (!LayerPath.IsClean(cleanPath) || cleanPath.Length == 0)
            throw new LayerFormatException($"'{cleanPath}' is not a clean path inside the root") { EntryPath = cleanPath };
        string parent = LayerPath.ParentOf(cleanPath);
        string parentFull = parent.Length == 0 ? root : Path.Combine(root, parent);
        if (Posix.Lstat(parentFull) is not { IsDirectory: true })
            throw new LayerFormatException($"'/{parent}' is not a directory on disk; refusing to create '/{cleanPath}'") { EntryPath = cleanPath };
        return Path.Combine(root, cleanPath);
    }

    internal static async Task WriteFileAsync(string full, LayerEntry entry, IContentSource? content, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, // O_EXCL: never through a symlink, never over something
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            Options = FileOptions.Asynchronous,
        };
        await using var file = new FileStream(full, options);
        if (entry.Size == 0 || content is null) return;
        await using var source = await content.OpenAsync(cancellationToken).ConfigureAwait(false);
        await source.CopyToAsync(file, 128 * 1024, cancellationToken).ConfigureAwait(false);
        if (file.Length != entry.Size)
            throw new LayerFormatException($"'/{entry.Path}' should hold {entry.Size} bytes but its content gave {file.Length}") { EntryPath = entry.Path };
    }

    internal static void ApplyMetadata(string full, LayerEntry entry, bool privileged)
    {
        bool symlink = entry.Type == LayerEntryType.Symlink;
        if (privileged) Posix.Lchown(full, entry.Uid, entry.Gid);
        foreach (var (name, value) in entry.Xattrs)
        {
            try { Posix.SetXattr(full, name, value); }
            catch (IOException) when (!privileged || symlink) { } // user.* cannot go on symlinks; trusted.* needs root
        }
        if (!symlink) File.SetUnixFileMode(full, (UnixFileMode)entry.Mode); // after chown, which clears setuid bits
        Posix.SetTimes(full, entry.ModTime);
    }
}

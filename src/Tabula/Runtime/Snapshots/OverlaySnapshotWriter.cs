using System.Text;
using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// Unpacks one layer tar into an empty directory in overlayfs form, on top of the snapshots of the layers below it:
/// each entry is written as it is read (memory does not grow with the layer's files), a whiteout becomes a 0:0
/// character device, an opaque marker <c>trusted.overlay.opaque=y</c>. Paths resolve as they would on the merged
/// filesystem of the lower snapshots and this one (<see cref="SnapshotView"/>): a layer's <c>lib/x</c> under a lower
/// <c>lib -> usr/lib</c> lands in <c>usr/lib/x</c>, and a parent the layer does not name is copied up with the lower
/// metadata (or made root-owned 0755 at the epoch when nothing is there). Tar overwrite rules hold within the layer:
/// a directory over a directory keeps its contents, anything else replaces what the layer wrote before; a directory
/// that replaces a deleted lower directory is opaque. As a normal user (overlays mounted with <c>userxattr</c>):
/// opaque directories carry <c>user.overlay.opaque=y</c>, device nodes are left out, and owners and privileged xattrs
/// go into the <see cref="RecordedMetadata"/> records. Every path is created under a parent checked to be a real
/// directory (<see cref="TargetDirectory"/>), so nothing is written outside the directory.
/// </summary>
internal sealed class OverlaySnapshotWriter
{
    /// <summary>The xattr overlayfs reads (as root) to hide the lower contents of a directory.</summary>
    public const string OpaqueXattr = "trusted.overlay.opaque";

    /// <summary>The same in a user namespace (overlay's <c>userxattr</c> option).</summary>
    public const string UserOpaqueXattr = "user.overlay.opaque";

    private const int AlreadyExists = 17; // EEXIST

    private readonly TargetDirectory _target;
    private readonly SnapshotView _merged;
    private readonly SnapshotView _lower;
    private readonly int _layerIndex;
    private readonly bool _privileged = Environment.IsPrivilegedProcess;
    private readonly DirectoryDefaults _implied = DirectoryDefaults.Create(DateTimeOffset.UnixEpoch);

    /// <summary>Directories made here, in the order made; their metadata goes on last, deepest first.</summary>
    private readonly List<PendingDirectory> _directories = [];
    private readonly Dictionary<string, int> _directoryIndex = new(StringComparer.Ordinal);

    /// <summary>Lower files that hardlinks of this layer named, and the path of their one copy here.</summary>
    private readonly Dictionary<string, string> _copiedLowerFiles = new(StringComparer.Ordinal);

    /// <summary>The parent path of the last entry as the tar wrote it, and where it resolved (files of one folder come together).</summary>
    private string? _lastParent, _lastParentResolved;

    private OverlaySnapshotWriter(string root, IReadOnlyList<string> lowerBottomFirst, int layerIndex)
    {
        _target = new TargetDirectory(root);
        _merged = new SnapshotView([.. lowerBottomFirst, root]);
        _lower = new SnapshotView(lowerBottomFirst);
        _layerIndex = layerIndex;
    }

    private string Root => _target.Root;

    /// <summary>
    /// Writes the uncompressed layer <paramref name="tar"/> (layer <paramref name="layerIndex"/> of its image, for
    /// errors) into <paramref name="directory"/>, over the committed snapshots of the layers below it.
    /// </summary>
    public static async Task WriteAsync(Stream tar, int layerIndex, IReadOnlyList<string> lowerBottomFirst, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        System.IO.Directory.CreateDirectory(directory);
        var writer = new OverlaySnapshotWriter(Path.GetFullPath(directory), lowerBottomFirst, layerIndex);
        var reader = new TarArchiveReader(tar);
        while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } header)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = LayerPath.Clean(header.Name);
            if (path.Length == 0) continue; // the root itself, as containerd ignores it
            await writer.ApplyAsync(header, path, reader, cancellationToken).ConfigureAwait(false);
        }
        await reader.DrainAsync(cancellationToken).ConfigureAwait(false);
        writer.Finish();
    }

    private async Task ApplyAsync(TarArchiveEntry header, string path, TarArchiveReader reader, CancellationToken cancellationToken)
    {
        string name = LayerPath.NameOf(path);
        if (LayerPath.IsWhiteoutName(name))
        {
            Delete(LayerPath.ParentOf(path), name);
            return;
        }
        if (header.Type is not { } type)
            throw new LayerFormatException($"layer {_layerIndex}: '{header.Name}' is of a kind layers do not hold (type flag '{header.TypeFlag}')") { EntryPath = path };
        string parent = ParentDirectory(path);
        string target = LayerPath.Join(parent, name);
        if (LayerPath.TooLongName(name) is not null)
            throw new LayerFormatException($"the name '{name}' in '/{parent}' is {Encoding.UTF8.GetByteCount(name)} bytes long; filesystems hold names of at most {LayerPath.MaxNameBytes} bytes") { EntryPath = target };
        string full = _target.FullPath(target);
        switch (type)
        {
            case LayerEntryType.Hardlink:
                Link(target, full, header.LinkName);
                return;
            case LayerEntryType.Directory:
                var entry = ArchiveEntries.ToLayerEntry(header, target, EntryRewrites.None);
                if (Posix.Lstat(full) is { IsDirectory: true }) _directories[_directoryIndex[target]] = new PendingDirectory(target, entry, null); // a directory over a directory: its contents stay
                else MakeDirectory(target, full, entry);
                return;
            case LayerEntryType.RegularFile:
                await WriteFileAsync(ArchiveEntries.ToLayerEntry(header, target, EntryRewrites.None), full, reader, cancellationToken).ConfigureAwait(false);
                return;
            case LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice when !_privileged:
                return; // a normal user cannot make one (nor can the container, which sees /dev from the runtime)
        }
        var special = ArchiveEntries.ToLayerEntry(header, target, EntryRewrites.None);
        if (Posix.Lstat(full) is not null) Replace(full);
        RootfsWriter.CreateSpecial(full, special);
        _lastParent = null; // a symlink or a replaced entry can change where later paths resolve
        ApplyMetadata(full, special);
    }

    private async Task WriteFileAsync(LayerEntry entry, string full, TarArchiveReader reader, CancellationToken cancellationToken)
    {
        var content = new TarEntryContent(reader, entry.Size);
        try
        {
            await RootfsWriter.WriteFileAsync(full, entry, content, _privileged ? true : null, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e.HResult == AlreadyExists)
        {
            // The layer named this path before (or a lower layer's copy is here): the new file replaces it.
            Replace(full);
            await RootfsWriter.WriteFileAsync(full, entry, content, _privileged ? true : null, cancellationToken).ConfigureAwait(false);
        }
        if (!_privileged) ApplyMetadata(full, entry);
    }

    /// <summary>A hardlink: to a path this layer wrote, a link; to a lower layer's file, one copy here that later links share.</summary>
    private void Link(string target, string full, string linkName)
    {
        var resolved = _merged.Resolve(linkName, followFinalSymlink: false);
        if (!resolved.Complete || resolved.Visible is not { } existing)
            throw new LayerFormatException($"hardlink '/{target}' points to '{linkName}', which does not exist") { EntryPath = target };
        if (existing.Status.IsDirectory)
            throw new LayerFormatException($"hardlink '/{target}' points to the directory '{linkName}'") { EntryPath = target };
        if (resolved.Path == target) return; // a link to itself
        string? here = IsHere(existing.HostPath) ? existing.HostPath
            : _copiedLowerFiles.TryGetValue(existing.HostPath, out var copy) && Posix.Lstat(Path.Combine(Root, copy)) is not null ? Path.Combine(Root, copy) : null;
        if (Posix.Lstat(full) is not null) Replace(full);
        if (here is not null)
        {
            Posix.Link(here, full);
            return;
        }
        CopyUp.Entry(full, existing.HostPath, existing.Status);
        _copiedLowerFiles[existing.HostPath] = target;
    }

    /// <summary>A whiteout (<c>.wh.NAME</c>) or an opaque marker in the directory <paramref name="parentPath"/> as the tar names it.</summary>
    private void Delete(string parentPath, string marker)
    {
        _lastParent = null;
        var directory = _merged.Resolve(parentPath, followFinalSymlink: true);
        bool isRoot = directory.Path.Length == 0;
        if (!isRoot && directory.Visible is not { Status.IsDirectory: true }) return; // nothing there to hide
        EnsureDirectory(directory.Path);
        string directoryFull = isRoot ? Root : Path.Combine(Root, directory.Path);
        if (marker == LayerPath.OpaqueMarker)
        {
            Posix.SetXattr(directoryFull, _privileged ? OpaqueXattr : UserOpaqueXattr, "y"u8.ToArray());
            return;
        }
        string hidden = LayerPath.Join(directory.Path, marker[LayerPath.WhiteoutPrefix.Length..]);
        string full = Path.Combine(Root, hidden);
        if (Posix.Lstat(full) is not null) Replace(full); // what this layer wrote there
        if (_merged.FindPhysicalEntry(hidden) is not null) Posix.Mknod(full, Posix.TypeCharacter, 0, 0, 0);
    }

    /// <summary>The physical path of an entry's parent, made here (copied up, or implied) when this snapshot lacks it.</summary>
    private string ParentDirectory(string path)
    {
        string parentPath = LayerPath.ParentOf(path);
        if (parentPath == _lastParent) return _lastParentResolved!;
        string resolved = _merged.Resolve(parentPath, followFinalSymlink: true).Path;
        EnsureDirectory(resolved);
        (_lastParent, _lastParentResolved) = (parentPath, resolved);
        return resolved;
    }

    /// <summary>Makes each directory of a physical path here that is not yet: a copy of the lower one, or an implied one.</summary>
    private void EnsureDirectory(string physicalPath)
    {
        string current = "";
        foreach (var name in LayerPath.Components(physicalPath))
        {
            current = LayerPath.Join(current, name);
            string full = Path.Combine(Root, current);
            if (Posix.Lstat(full) is { IsDirectory: true }) continue;
            var visible = _merged.FindPhysicalEntry(current);
            if (visible is { Status.IsDirectory: true } lower)
            {
                CopyUp.Directory(_target.FullPath(current), lower.HostPath, lower.Status);
                Remember(current, new PendingDirectory(current, null, lower.Status));
            }
            else if (visible is not null)
            {
                throw new LayerFormatException($"'/{current}' is not a directory, so '/{physicalPath}' cannot be created") { EntryPath = current };
            }
            else
            {
                MakeDirectory(current, _target.FullPath(current), _implied.EntryFor(current));
            }
        }
    }

    /// <summary>
    /// A new directory here at <paramref name="path"/>. When it replaces what this layer put there (a file, a whiteout)
    /// over a lower directory, that directory was deleted: it is made opaque, so that the old contents stay gone.
    /// </summary>
    private void MakeDirectory(string path, string full, LayerEntry entry)
    {
        bool replaced = Posix.Lstat(full) is not null;
        if (replaced) Replace(full);
        System.IO.Directory.CreateDirectory(full);
        if (replaced && _lower.FindPhysicalEntry(path) is { Status.IsDirectory: true })
            Posix.SetXattr(full, _privileged ? OpaqueXattr : UserOpaqueXattr, "y"u8.ToArray());
        Remember(path, new PendingDirectory(path, entry, null));
    }

    /// <summary>Removes what this layer wrote at <paramref name="full"/> (a directory with all it holds).</summary>
    private void Replace(string full)
    {
        _lastParent = null;
        if (Posix.Lstat(full) is { IsDirectory: true }) System.IO.Directory.Delete(full, recursive: true); // removes symlinks, not their targets
        else File.Delete(full);
    }

    private bool IsHere(string hostPath) => hostPath.StartsWith(Root + "/", StringComparison.Ordinal);

    private void Remember(string path, PendingDirectory directory)
    {
        _directoryIndex[path] = _directories.Count;
        _directories.Add(directory);
    }

    private void ApplyMetadata(string full, LayerEntry entry)
    {
        // Records before the mode: a path without owner write cannot take a user xattr.
        if (!_privileged && Posix.Lstat(full) is { } status) RecordedMetadata.Write(full, entry, status);
        RootfsWriter.ApplyMetadata(full, entry, _privileged);
    }

    /// <summary>Directory metadata last and deepest first, so that writing their contents did not change their times.</summary>
    private void Finish()
    {
        for (int i = _directories.Count - 1; i >= 0; i--)
        {
            var directory = _directories[i];
            if (_directoryIndex[directory.Path] != i) continue; // made again later: that one's metadata counts
            string full = Path.Combine(Root, directory.Path);
            if (Posix.Lstat(full) is not { IsDirectory: true }) continue; // replaced by something else since
            if (directory.Entry is { } entry) ApplyMetadata(full, entry);
            else CopyUp.FinishDirectory(full, directory.Lower!);
        }
    }

    internal static bool IsOverlayXattr(string name)
        => name.StartsWith("trusted.overlay.", StringComparison.Ordinal) || name.StartsWith("user.overlay.", StringComparison.Ordinal);

    internal static bool IsOpaque(string directory)
        => Posix.GetXattrs(directory).Any(x => x.Key is OpaqueXattr or UserOpaqueXattr && Encoding.ASCII.GetString(x.Value) == "y");

    /// <summary>A directory made here: its metadata from the layer, or from the lower directory it copies.</summary>
    private sealed record PendingDirectory(string Path, LayerEntry? Entry, FileStatus? Lower);
}

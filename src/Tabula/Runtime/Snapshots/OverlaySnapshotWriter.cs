using System.Text;
using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// Writes what a tree changed (one layer) into an empty directory in overlayfs form: entries as
/// <see cref="RootfsWriter"/> writes them, a whiteout as a 0:0 character device, an opaque directory with
/// <c>trusted.overlay.opaque=y</c>. As a normal user (for overlays in a user namespace, mounted with <c>userxattr</c>):
/// opaque directories carry <c>user.overlay.opaque=y</c>, whiteouts are still 0:0 character devices (the kernel lets
/// anyone make those), device nodes are left out, and owners and privileged xattrs go into the
/// <see cref="RecordedMetadata"/> records. The tree's paths are clean and physical and come parents first, and every parent
/// is checked to be a real directory before anything is made in it, so nothing is written outside the directory.
/// </summary>
internal sealed class OverlaySnapshotWriter : ILayerEntrySink
{
    /// <summary>The xattr overlayfs reads (as root) to hide the lower contents of a directory.</summary>
    public const string OpaqueXattr = "trusted.overlay.opaque";

    /// <summary>The same in a user namespace (overlay's <c>userxattr</c> option).</summary>
    public const string UserOpaqueXattr = "user.overlay.opaque";

    private readonly TargetDirectory _target;
    private readonly bool _privileged = Environment.IsPrivilegedProcess;
    private readonly List<(string Full, LayerEntry Entry)> _directories = [];

    private OverlaySnapshotWriter(string root) => _target = new TargetDirectory(root);

    public static async Task WriteAsync(FileTree tree, string directory, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(directory);
        var writer = new OverlaySnapshotWriter(Path.GetFullPath(directory));
        await LayerEmitter.EmitAsync(tree, writer, cancellationToken).ConfigureAwait(false);
        writer.Finish();
    }

    public async Task WriteAsync(LayerEntry entry, IContentSource? content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string name = entry.Name;
        if (name == LayerPath.OpaqueMarker)
        {
            Posix.SetXattr(DirectoryOf(entry.Path), _privileged ? OpaqueXattr : UserOpaqueXattr, "y"u8.ToArray());
            return;
        }
        if (LayerPath.IsWhiteoutName(name))
        {
            string hidden = LayerPath.Join(LayerPath.ParentOf(entry.Path), name[LayerPath.WhiteoutPrefix.Length..]);
            Posix.Mknod(_target.FullPath(hidden), Posix.TypeCharacter, 0, 0, 0);
            return;
        }
        string full = _target.FullPath(entry.Path);
        switch (entry.Type)
        {
            case LayerEntryType.Directory:
                System.IO.Directory.CreateDirectory(full);
                _directories.Add((full, entry));
                return; // metadata once its contents are written
            case LayerEntryType.Hardlink:
                Posix.Link(_target.FullPath(entry.LinkTarget), full);
                return;
            case LayerEntryType.RegularFile when _privileged:
                await RootfsWriter.WriteFileAsync(full, entry, content, privileged: true, cancellationToken).ConfigureAwait(false);
                return; // metadata set through its descriptor
            case LayerEntryType.RegularFile:
                await RootfsWriter.WriteFileAsync(full, entry, content, cancellationToken).ConfigureAwait(false);
                break; // the records go on before the mode (below)
            case LayerEntryType.Symlink:
                File.CreateSymbolicLink(full, entry.LinkTarget);
                break;
            case LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice when !_privileged:
                return; // a normal user cannot make one (nor can the container, which sees /dev from the runtime)
            case LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice:
                Posix.Mknod(full, entry.Type == LayerEntryType.CharacterDevice ? Posix.TypeCharacter : Posix.TypeBlock, entry.Mode & 0x1FF, entry.DevMajor, entry.DevMinor);
                break;
            case LayerEntryType.Fifo:
                Posix.Mknod(full, Posix.TypeFifo, entry.Mode & 0x1FF, 0, 0);
                break;
        }
        ApplyMetadata(full, entry);
    }

    private void ApplyMetadata(string full, LayerEntry entry)
    {
        // Records before the mode: a path without owner write cannot take a user xattr.
        if (!_privileged && Posix.Lstat(full) is { } status) RecordedMetadata.Write(full, entry, status);
        RootfsWriter.ApplyMetadata(full, entry, _privileged);
    }

    private string DirectoryOf(string markerPath)
    {
        string parent = LayerPath.ParentOf(markerPath);
        return parent.Length == 0 ? _target.Root : _target.FullPath(parent);
    }

    /// <summary>Directory metadata last and deepest first, so that writing their contents did not change their times.</summary>
    private void Finish()
    {
        for (int i = _directories.Count - 1; i >= 0; i--)
            ApplyMetadata(_directories[i].Full, _directories[i].Entry);
    }

    internal static bool IsOverlayXattr(string name)
        => name.StartsWith("trusted.overlay.", StringComparison.Ordinal) || name.StartsWith("user.overlay.", StringComparison.Ordinal);

    internal static bool IsOpaque(string directory)
        => Posix.GetXattrs(directory).Any(x => x.Key is OpaqueXattr or UserOpaqueXattr && Encoding.ASCII.GetString(x.Value) == "y");
}

using Tabula.Images;
using Tabula.Layers;
using Tabula.Runtime.Snapshots;

namespace Tabula.Runtime;

/// <summary>
/// Makes the root filesystems of one command's containers (a build's RUN steps, <c>tabula run</c>): an overlay of
/// the store's snapshots where this machine allows it (asked once, see <see cref="OverlaySupport"/>), else the
/// layers unpacked into a fresh folder (the copy fallback). Before the first one, what killed commands left in the
/// store's active folders is reaped.
/// </summary>
internal sealed class ContainerWorkspaces(SnapshotStore snapshots, Snapshotter snapshotter, ContainerPrivileges privileges)
{
    private string? _overlayUnavailable;

    public SnapshotStore Snapshots { get; } = snapshots;

    /// <summary>Why overlays are not used here (after the first <see cref="CreateAsync"/>), or null.</summary>
    public string? OverlayUnavailable => string.IsNullOrEmpty(_overlayUnavailable) ? null : _overlayUnavailable;

    /// <exception cref="SnapshotException">Overlay was asked for and cannot be used here.</exception>
    public async Task<ContainerWorkspace> CreateAsync(IReadOnlyList<ILayer> layers, string kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (_overlayUnavailable is null) Snapshots.Active.ReapDead();
        if (snapshotter != Snapshotter.Copy)
        {
            _overlayUnavailable ??= OverlaySupport.Unavailable(Snapshots, privileges) ?? "";
            if (_overlayUnavailable.Length == 0)
            {
                try
                {
                    var overlay = await OverlayWorkspace.CreateAsync(Snapshots, layers, kind, privileges.Rootless, cancellationToken).ConfigureAwait(false);
                    return new ContainerWorkspace(overlay.Owner, overlay.BundleDirectory, overlay, null);
                }
                catch (SnapshotException e) when (snapshotter == Snapshotter.Auto)
                {
                    _overlayUnavailable = e.Message;
                }
            }
            if (snapshotter == Snapshotter.Overlay)
                throw new SnapshotException("overlay snapshots cannot be used here: " + _overlayUnavailable);
        }
        _overlayUnavailable ??= "";
        var owner = Snapshots.Active.Create(kind);
        try
        {
            string bundle = Path.Combine(owner.Path, "bundle");
            Directory.CreateDirectory(bundle, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var (tree, _) = await RootfsUnpacker.UnpackAsync(layers, Path.Combine(bundle, "rootfs"), cancellationToken).ConfigureAwait(false);
            return new ContainerWorkspace(owner, bundle, null, tree);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }
}

/// <summary>
/// One container's bundle folder and root: an <see cref="Overlay"/>, or a rootfs unpacked at
/// <c>BundleDirectory/rootfs</c> (then <see cref="Tree"/> is what was unpacked). Disposing removes it all.
/// </summary>
internal sealed class ContainerWorkspace(ActiveDirectory owner, string bundleDirectory, OverlayWorkspace? overlay, FileTree? tree) : IDisposable
{
    public ActiveDirectory Owner { get; } = owner;
    public string BundleDirectory { get; } = bundleDirectory;
    public OverlayWorkspace? Overlay { get; } = overlay;
    public FileTree? Tree { get; } = tree;

    public void Dispose()
    {
        if (Overlay is not null) Overlay.Dispose();
        else Owner.Dispose();
    }
}

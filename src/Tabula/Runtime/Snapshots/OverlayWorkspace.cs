using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// One container's root as an overlay of an image's snapshots: an active folder of the store (owned by this
/// process) with the bundle, the upper and work directories and short links to the lower snapshots (the kernel
/// takes at most a page of mount options, and the links keep each lower directory's path short). Disposing removes
/// it all; <see cref="CommitUpper"/> first keeps the upper directory as the snapshot of the layer made from it.
/// </summary>
internal sealed class OverlayWorkspace : IDisposable
{
    /// <summary>What the kernel reads of mount options: one page.</summary>
    private const int MaxMountOptions = 4000;

    private readonly SnapshotStore _store;

    private OverlayWorkspace(SnapshotStore store, ActiveDirectory owner, OverlayRootfs rootfs)
    {
        _store = store;
        Owner = owner;
        Rootfs = rootfs;
    }

    public ActiveDirectory Owner { get; }

    /// <summary>The bundle folder (config.json, /etc files, an empty <c>rootfs</c> mount point).</summary>
    public string BundleDirectory => Path.Combine(Owner.Path, "bundle");

    public OverlayRootfs Rootfs { get; }

    /// <summary>The layers' snapshots (unpacked now if missing) under a fresh, empty upper directory.</summary>
    /// <param name="inUserNamespace">Rootless: the runtime mounts the overlay as root of the container's user namespace.</param>
    public static async Task<OverlayWorkspace> CreateAsync(SnapshotStore store, IReadOnlyList<ILayer> layers, string kind, bool inUserNamespace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var lowers = await store.PrepareAsync(layers, cancellationToken).ConfigureAwait(false);
        var owner = store.Active.Create(kind);
        try
        {
            string links = Path.Combine(owner.Path, "l");
            Directory.CreateDirectory(links);
            var topFirst = new List<string>();
            for (int i = lowers.Count - 1; i >= 0; i--)
            {
                string link = Path.Combine(links, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                File.CreateSymbolicLink(link, lowers[i]);
                topFirst.Add(link);
            }
            if (topFirst.Count == 0)
            {
                // FROM scratch: overlayfs needs a lower directory, so an empty one.
                string empty = Path.Combine(owner.Path, "empty");
                Directory.CreateDirectory(empty);
                topFirst.Add(empty);
            }
            var root = new OverlayRoot(topFirst, Path.Combine(owner.Path, "upper"), Path.Combine(owner.Path, "work"), inUserNamespace);
            Directory.CreateDirectory(root.UpperDirectory);
            Directory.CreateDirectory(root.WorkDirectory);
            Directory.CreateDirectory(Path.Combine(owner.Path, "bundle"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (string.Join(',', root.Options).Length > MaxMountOptions)
                throw new SnapshotException($"an image of {lowers.Count} layers is more than one overlay mount can stack here");
            return new OverlayWorkspace(store, owner, new OverlayRootfs(root, new SnapshotView(lowers)));
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <summary>The upper directory becomes the snapshot of <paramref name="chainId"/> (the chain of the layer written from it).</summary>
    public void CommitUpper(Digest chainId) => _store.Commit(Rootfs.Root.UpperDirectory, chainId);

    public void Dispose() => Owner.Dispose();
}

/// <summary>A stack of snapshots that cannot be used as an overlay (the caller falls back to unpacking).</summary>
public sealed class SnapshotException(string message) : Exception(message);

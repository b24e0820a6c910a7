using Tabula.Content;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// Unpacked layers kept in the store, as containerd's overlay snapshotter keeps them: one directory per layer,
/// named by the chain id of the stack it tops (<c>snapshots/sha256/HEX</c>), holding only what that layer changed,
/// in overlayfs form (a deleted path is a 0:0 character device, a replaced directory carries the opaque xattr), so
/// that the snapshots of a stack, bottom to top, are the lower directories of an overlay mount. A snapshot is
/// written in <c>snapshots/active/</c> and appears by one rename, so an interrupted unpack is never used. Work in
/// progress (unpacks, RUN steps, <c>tabula run</c>) lives in <c>snapshots/active/ID</c>, owned by a live process
/// through a lock; what a killed process left is reaped by the next command (<see cref="ActiveDirectory"/>).
/// </summary>
internal sealed class SnapshotStore
{
    private const string CommittedFolder = "sha256";

    public SnapshotStore(string directory)
    {
        Directory = Path.GetFullPath(directory);
        Active = new ActiveDirectories(Path.Combine(Directory, "active"));
    }

    /// <summary>
    /// The snapshots of the store whose root is <paramref name="storeRoot"/> that containers with these privileges
    /// use: root's in <c>snapshots/</c>; a normal user's in <c>snapshots/rootless-UID/</c>, apart, since theirs hold
    /// no real owners or device nodes (<see cref="RecordedMetadata"/>) and root's are not theirs to copy up from
    /// inside a user namespace that maps no one else.
    /// </summary>
    public static SnapshotStore ForStore(string storeRoot, ContainerPrivileges privileges)
    {
        ArgumentNullException.ThrowIfNull(privileges);
        string root = Path.Combine(storeRoot, "snapshots");
        return new(privileges.Rootless ? Path.Combine(root, RootlessFolder(privileges.HostUid)) : root);
    }

    /// <summary>The folder of a normal user's snapshots, under root's.</summary>
    internal static string RootlessFolder(int uid) => "rootless-" + uid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Directory { get; }

    /// <summary>Where work in progress goes (on the snapshots' filesystem, so an upper directory can become a snapshot by rename).</summary>
    public ActiveDirectories Active { get; }

    /// <summary>The directory of the committed snapshot for a chain id, or null.</summary>
    public string? Find(Digest chainId)
    {
        string path = PathOf(chainId);
        return System.IO.Directory.Exists(path) ? path : null;
    }

    private string PathOf(Digest chainId) => Path.Combine(Directory, CommittedFolder, chainId.Encoded);

    /// <summary>
    /// The snapshot directories of <paramref name="layers"/>, bottom first, unpacking those not yet in the store:
    /// each missing layer is read once and written as it streams, over the snapshots below it (committed first), so
    /// neither memory nor the layers below depend on how many files the image holds.
    /// </summary>
    public async Task<IReadOnlyList<string>> PrepareAsync(IReadOnlyList<ILayer> layers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var chain = ChainIds.Of(layers.Select(l => l.DiffId).ToList());
        var directories = chain.Select(PathOf).ToList();
        for (int i = 0; i < chain.Count; i++)
        {
            if (Find(chain[i]) is not null) continue;
            using var work = Active.Create("unpack");
            string target = Path.Combine(work.Path, "fs");
            await using (var tar = await layers[i].OpenUncompressedAsync(cancellationToken).ConfigureAwait(false))
                await OverlaySnapshotWriter.WriteAsync(tar, i, directories.Take(i).ToList(), target, cancellationToken).ConfigureAwait(false);
            Commit(target, chain[i]);
        }
        return directories;
    }

    /// <summary>
    /// Makes <paramref name="directory"/> (an unpacked layer, or the upper directory of a finished RUN) the snapshot
    /// of <paramref name="chainId"/> by renaming it. When another process committed the same snapshot first, theirs
    /// stays and <paramref name="directory"/> is left to its owner to remove.
    /// </summary>
    public bool Commit(string directory, Digest chainId)
    {
        string target = PathOf(chainId);
        string committed = Path.GetDirectoryName(target)!;
        System.IO.Directory.CreateDirectory(committed);
        // On disk before it is named: after a power loss a committed snapshot must be whole, as a kill already
        // guarantees (an upper directory's files were written by the container, an unpacked one's by us).
        FileSync.FileSystemOf(directory);
        try
        {
            System.IO.Directory.Move(directory, target);
            FileSync.Directory(committed);
            return true;
        }
        catch (IOException) when (System.IO.Directory.Exists(target))
        {
            return false;
        }
    }

    /// <summary>Every committed snapshot: its chain id and directory.</summary>
    public IEnumerable<(Digest ChainId, string Directory)> List()
    {
        string committed = Path.Combine(Directory, CommittedFolder);
        if (!System.IO.Directory.Exists(committed)) yield break;
        foreach (var directory in System.IO.Directory.EnumerateDirectories(committed))
            if (Digest.TryParse(Digest.Sha256 + ":" + Path.GetFileName(directory), out var chainId))
                yield return (chainId, directory);
    }

    /// <summary>
    /// Removes the snapshots whose chain id is not in <paramref name="keep"/>, and what dead processes left in
    /// <c>active/</c>; returns the bytes freed. Callers hold the store's collector lock, so no build or run that
    /// could be using a snapshot is running.
    /// </summary>
    public long Prune(IReadOnlySet<Digest> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        long freed = 0;
        foreach (var (chainId, directory) in List().ToList())
        {
            if (keep.Contains(chainId)) continue;
            freed += DiskUsage(directory);
            // Renamed out of sight first: a half-removed snapshot must never be found as a whole one.
            string doomed = Path.Combine(Active.Directory, "removing-" + chainId.Encoded);
            System.IO.Directory.CreateDirectory(Active.Directory);
            System.IO.Directory.Move(directory, doomed);
            ScratchDirectory.Delete(doomed);
        }
        Active.ReapDead();
        return freed;
    }

    /// <summary>The bytes the committed snapshots take on disk (hard-linked files once).</summary>
    public long DiskUsage() => List().Sum(s => DiskUsage(s.Directory));

    private static long DiskUsage(string directory)
    {
        long total = 0;
        var seen = new HashSet<(uint, uint, ulong)>();
        var pending = new Stack<string>();
        pending.Push(directory);
        while (pending.TryPop(out var current))
        {
            foreach (var path in System.IO.Directory.EnumerateFileSystemEntries(current))
            {
                if (Posix.Lstat(path) is not { } status) continue;
                if (status.IsDirectory) pending.Push(path);
                else if (status.Type == Posix.TypeRegular && (status.Links == 1 || seen.Add(status.InodeKey))) total += status.Size;
            }
        }
        return total;
    }
}

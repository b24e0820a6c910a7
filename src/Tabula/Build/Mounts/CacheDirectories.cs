using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tabula.Content;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Runtime;

namespace Tabula.Build.Mounts;

/// <summary>
/// The store's cache-mount directories (<c>cache/mounts/NAME</c>) and their locks (<c>cache/mount-locks/NAME</c>). As in
/// BuildKit, a cache is named by its id and by what it was started from: a plain cache by the id alone (kept as a
/// readable name when it is one); a cache started from a stage, or with a mode, uid or gid for its root, by the id with
/// those (hashed), so that <c>uid=1000</c> and <c>uid=1001</c> of one id are two caches.
/// </summary>
internal static class CacheDirectories
{
    /// <summary>The cache's name in the store: the id, plus the stage it starts from and its root's mode and owner when given.</summary>
    public static string Name(CacheMount mount, IReadOnlyList<ILayer>? fromLayers)
    {
        var key = mount.Id;
        if (fromLayers is not null)
            key += ":from=" + (ChainIds.Of([.. fromLayers.Select(l => l.DiffId)]) is { Count: > 0 } chain ? chain[^1].ToString() : "scratch");
        if (mount.SetsRoot)
            key += string.Create(CultureInfo.InvariantCulture, $":mode={Convert.ToString(mount.Mode ?? DefaultMode, 8)},uid={mount.Uid ?? 0},gid={mount.Gid ?? 0}");
        bool plain = key.Length is > 0 and <= 100 && key is not ("." or "..") && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        return plain ? key : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    private const int DefaultMode = 0b111_101_101;

    /// <summary>
    /// BuildKit's <c>sharing=</c>, across every <c>tabula build</c> using the store: <c>shared</c> is used by any number at
    /// once; <c>locked</c> waits until no one else uses it; <c>private</c> takes it when no one else uses it, and otherwise
    /// gets <paramref name="fresh"/>, an empty directory for this command only. The lock is added to <paramref name="locks"/>.
    /// </summary>
    public static async Task<string> LockAsync(string storeRoot, string name, CacheSharing sharing, string fresh, List<IDisposable> locks, CancellationToken cancellationToken)
    {
        var locksFolder = Path.Combine(storeRoot, "cache", "mount-locks");
        Directory.CreateDirectory(locksFolder);
        var lockPath = Path.Combine(locksFolder, name);
        var directory = Path.Combine(storeRoot, "cache", "mounts", name);
        switch (sharing)
        {
            case CacheSharing.Locked:
                locks.Add(await StoreLock.AcquireAsync(lockPath, exclusive: true, cancellationToken).ConfigureAwait(false));
                return directory;
            case CacheSharing.Private:
                if (StoreLock.TryAcquireExclusive(lockPath) is { } held)
                {
                    locks.Add(held);
                    return directory;
                }
                return fresh;
            default:
                locks.Add(await StoreLock.AcquireAsync(lockPath, exclusive: false, cancellationToken).ConfigureAwait(false));
                return directory;
        }
    }

    /// <summary>The directory of the cache <paramref name="name"/> in the store.</summary>
    public static string DirectoryOf(string storeRoot, string name) => Path.Combine(storeRoot, "cache", "mounts", name);

    /// <summary>A shared hold on the cache <paramref name="name"/>: its content does not move under a reader (a <c>locked</c> RUN waits).</summary>
    public static Task<StoreLock> ReadLockAsync(string storeRoot, string name, CancellationToken cancellationToken)
    {
        var locksFolder = Path.Combine(storeRoot, "cache", "mount-locks");
        Directory.CreateDirectory(locksFolder);
        return StoreLock.AcquireAsync(Path.Combine(locksFolder, name), exclusive: false, cancellationToken);
    }

    /// <summary>
    /// Makes a cache's directory the first time it is used: the stage's files when it starts from one, its root with the
    /// mount's mode and owner (default 0755 root) — made aside and moved in, so a build that dies midway leaves none.
    /// With <paramref name="restore"/> (a shared cache carries this cache mount), a missing or empty directory is filled
    /// with what <paramref name="restore"/> unpacks into a new directory instead, when it can.
    /// </summary>
    public static async Task CreateAsync(string directory, CacheMount mount, IReadOnlyList<ILayer>? fromLayers, RunInstruction run,
        Func<string, CancellationToken, Task<bool>>? restore, CancellationToken cancellationToken)
    {
        bool exists = Directory.Exists(directory);
        if (exists && (restore is null || Directory.EnumerateFileSystemEntries(directory).Any())) return;
        int uid = mount.Uid ?? 0, gid = mount.Gid ?? 0;
        if ((uid != 0 || gid != 0) && !Environment.IsPrivilegedProcess)
            throw new DockerfileException(run.Location, "RUN --mount=type=cache: uid= and gid= other than 0 need root: a rootless build maps only root into the container");
        Directory.CreateDirectory(Path.GetDirectoryName(directory)!);
        var temporary = directory + ".new-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            if (restore is null || !await restore(temporary, cancellationToken).ConfigureAwait(false))
            {
                if (exists) return;
                if (fromLayers is not null) await RootfsUnpacker.UnpackAsync(fromLayers, temporary, cancellationToken).ConfigureAwait(false);
                else Directory.CreateDirectory(temporary);
            }
            if (fromLayers is null || mount.SetsRoot)
            {
                File.SetUnixFileMode(temporary, (UnixFileMode)(mount.SetsRoot ? mount.Mode ?? DefaultMode : DefaultMode));
                if (uid != 0 || gid != 0) Posix.Lchown(temporary, uid, gid);
            }
            if (exists) MoveEntries(temporary, directory);
            else
            {
                try { Directory.Move(temporary, directory); }
                catch (IOException) when (Directory.Exists(directory)) { }
            }
        }
        finally
        {
            if (Directory.Exists(temporary)) ScratchDirectory.Delete(temporary);
        }
    }

    /// <summary>Fills an existing empty cache (a RUN may hold it mounted, so the directory itself stays) by renames.</summary>
    private static void MoveEntries(string from, string to)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(from))
        {
            var target = Path.Combine(to, Path.GetFileName(entry));
            if (Directory.Exists(entry) && Posix.Lstat(entry) is { IsSymlink: false }) Directory.Move(entry, target);
            else File.Move(entry, target);
        }
    }
}

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// Folders of work in progress (<c>snapshots/active/KIND-ID</c>), each owned by the process that made it through an
/// exclusive lock on its <c>owner.lock</c>: the kernel drops the lock when that process dies, however it dies, so
/// a folder whose lock can be taken belongs to no one and is reaped — after the container it names (its
/// <c>container</c> file: runtime, state root, id) is deleted, and the secrets folder it names
/// (<c>secrets-path</c>) is removed. A live owner's folder is never touched.
/// </summary>
internal sealed class ActiveDirectories(string directory)
{
    internal const string LockName = "owner.lock";
    private static readonly TimeSpan UnfinishedAge = TimeSpan.FromHours(1);
    internal const string ContainerFileName = "container";
    internal const string SecretsFileName = "secrets-path";

    public string Directory { get; } = directory;

    /// <summary>A new folder owned by this process until disposed (then removed with all it holds).</summary>
    public ActiveDirectory Create(string kind)
    {
        for (int attempt = 1; ; attempt++)
        {
            System.IO.Directory.CreateDirectory(Directory);
            string path = System.IO.Path.Combine(Directory, kind + "-" + Guid.NewGuid().ToString("N")[..16]);
            System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            try
            {
                var handle = new FileStream(System.IO.Path.Combine(path, LockName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
                return new ActiveDirectory(path, handle);
            }
            catch (IOException) when (attempt < 3)
            {
                // A reaper beside us took the new lock file in the instant between its creation and its lock, and
                // removes the folder: make another.
            }
        }
    }

    /// <summary>Reaps every folder whose owner is gone: its container deleted, its secrets and files removed. Returns how many.</summary>
    public int ReapDead()
    {
        if (!System.IO.Directory.Exists(Directory)) return 0;
        int reaped = 0;
        foreach (var path in System.IO.Directory.EnumerateDirectories(Directory).ToList())
        {
            FileStream? handle;
            var lockPath = System.IO.Path.Combine(path, LockName);
            try
            {
                // A folder without its lock file yet is being made by Create (in this process or another, say a stage
                // running beside this one): taking it would delete it under its maker. Only one left so long that its
                // maker must have died between the two steps is reaped.
                var mode = File.Exists(lockPath) || System.IO.Directory.GetLastWriteTimeUtc(path) < DateTime.UtcNow - UnfinishedAge ? FileMode.OpenOrCreate : FileMode.Open;
                handle = new FileStream(lockPath, mode, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue; // held: its owner is alive (or the folder is still being made, or already gone)
            }
            catch (UnauthorizedAccessException)
            {
                continue; // another user's work: not ours to reap
            }
            using (handle)
            {
                ActiveDirectory.ReleaseResources(path);
            }
            ScratchDirectory.Delete(path);
            reaped++;
        }
        return reaped;
    }
}

/// <summary>One folder of work in progress; see <see cref="ActiveDirectories"/>.</summary>
internal sealed class ActiveDirectory : IDisposable
{
    private readonly FileStream _lock;
    private bool _disposed;

    internal ActiveDirectory(string path, FileStream ownerLock)
    {
        Path = path;
        _lock = ownerLock;
    }

    public string Path { get; }

    /// <summary>Records the container about to run here, so that a reaper can delete it if this process dies first.</summary>
    public void RecordContainer(OciRuntime runtime, string id)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        File.WriteAllLines(System.IO.Path.Combine(Path, ActiveDirectories.ContainerFileName), [runtime.Path, runtime.StateRoot ?? "", id]);
    }

    /// <summary>The recorded container was deleted by its runner: nothing to reap.</summary>
    public void ForgetContainer() => File.Delete(System.IO.Path.Combine(Path, ActiveDirectories.ContainerFileName));

    /// <summary>Records a folder of secrets outside this one (on a tmpfs), so that a reaper removes it too.</summary>
    public void RecordSecrets(string secretsDirectory)
        => File.WriteAllText(System.IO.Path.Combine(Path, ActiveDirectories.SecretsFileName), secretsDirectory);

    /// <summary>Deletes the recorded container (if it still exists) and the recorded secrets folder.</summary>
    internal static void ReleaseResources(string path)
    {
        string probe = System.IO.Path.Combine(path, OverlaySupport.ProbeMountPoint);
        if (System.IO.Directory.Exists(probe)) Layers.Posix.Unmount(probe); // a probe killed while mounted

        string containerFile = System.IO.Path.Combine(path, ActiveDirectories.ContainerFileName);
        if (File.Exists(containerFile) && File.ReadAllLines(containerFile) is [var runtime, var stateRoot, var id] && File.Exists(runtime))
            new OciRuntime(runtime, stateRoot.Length == 0 ? null : stateRoot).ForceDeleteAsync(id).GetAwaiter().GetResult();
        string secretsFile = System.IO.Path.Combine(path, ActiveDirectories.SecretsFileName);
        if (File.Exists(secretsFile) && File.ReadAllText(secretsFile) is { Length: > 0 } secrets) ScratchDirectory.Delete(secrets);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        ReleaseResources(Path);
        ScratchDirectory.Delete(Path); // the lock file goes with it; the lock is held until then
        _lock.Dispose();
    }
}

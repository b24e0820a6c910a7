namespace Tabula.Content;

/// <summary>
/// An advisory lock on a file in the store (flock underneath: .NET locks exclusively for FileShare.None and shared
/// otherwise). Released when disposed or when the process dies, so a killed process never leaves the store locked.
/// </summary>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream _handle;

    private StoreLock(FileStream handle) => _handle = handle;

    public static async Task<StoreLock> AcquireAsync(string path, bool exclusive, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(5);
        var waitedSince = DateTime.UtcNow;
        while (true)
        {
            try
            {
                var handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, exclusive ? FileShare.None : FileShare.ReadWrite);
                return new StoreLock(handle);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Held by another process: wait with a growing, bounded delay.
                if (DateTime.UtcNow - waitedSince > TimeSpan.FromSeconds(5) && delay < TimeSpan.FromMilliseconds(200))
                    delay *= 2;
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                if (delay < TimeSpan.FromMilliseconds(50)) delay *= 2;
            }
        }
    }

    /// <summary>The exclusive lock if no one holds the file locked now, else null.</summary>
    public static StoreLock? TryAcquireExclusive(string path)
    {
        try
        {
            return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    public void Dispose() => _handle.Dispose();
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tabula.Content;
using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// sha256 of build-context files for cache keys, read at most once per build, and not at all while the file's
/// stat (path, device, inode, size, mtime and ctime to the nanosecond) is one already hashed: results are kept in
/// memory for the build and as small files under the store's <c>tabula/checksums/</c>. ctime is in the key because
/// no one can set it back, so a rewrite that restores the mtime still changes the key. A file that changed while it
/// was hashed is hashed but not remembered. Only large files are remembered on disk: hashing a small one costs less
/// than the entry would. Entries are written without fsync — one lost in a crash is just computed again.
/// </summary>
internal sealed class FileChecksums(string storeRoot)
{
    private const long RememberFrom = 1 << 20;

    // Stages that run side by side share it.
    private readonly ConcurrentDictionary<string, string> _known = new(StringComparer.Ordinal);

    private string Folder => Path.Combine(storeRoot, "tabula", "checksums");

    public async Task<string> Sha256Async(string path, FileStatus status, CancellationToken cancellationToken)
    {
        var statKey = StatKey(path, status);
        if (_known.TryGetValue(statKey, out var known)) return known;
        var stored = Path.Combine(Folder, statKey);
        bool remember = status.Size >= RememberFrom;
        if (remember && TryRead(stored) is { Length: 64 } remembered && remembered.All(char.IsAsciiHexDigitLower))
            return _known[statKey] = remembered;

        var hex = await HashFileAsync(path, cancellationToken).ConfigureAwait(false);
        if (remember && Posix.Lstat(path) is { } after && StatKey(path, after) == statKey)
        {
            Directory.CreateDirectory(Folder);
            AtomicFile.Write(stored, Encoding.ASCII.GetBytes(hex), durable: false);
        }
        return _known[statKey] = hex;
    }

    /// <summary>
    /// One pooled buffer and no FileStream: a context has thousands of files, and a buffer allocated per file is
    /// garbage that grows the process's memory (the GC's first generation fills before it collects).
    /// </summary>
    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            long offset = 0;
            int read;
            while ((read = await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>A remembered checksum, or null when there is none (or someone is clearing the folder).</summary>
    private static string? TryRead(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path) : null; }
        catch (IOException) { return null; }
    }

    private static string StatKey(string path, FileStatus s)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{path}\0{s.DeviceMajor}:{s.DeviceMinor}:{s.Inode}\0{s.Size}\0{s.MTimeSeconds}.{s.MTimeNanoseconds}\0{s.CTimeSeconds}.{s.CTimeNanoseconds}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tabula.Content;
using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// sha256 of build-context files for cache keys, read at most once per build when they are worth remembering, and
/// not at all while the file's stat (path, device, inode, size, mtime and ctime to the nanosecond) is one already
/// hashed: results are kept in memory for the build and, for large files, as small files under the store's
/// <c>tabula/checksums/</c>. ctime is in the key because no one can set it back, so a rewrite that restores the mtime
/// still changes the key. A file that changed while it was hashed is hashed but not remembered. Small files are not
/// remembered at all: hashing one again costs less than an entry held for the whole build, and a context of
/// 300,000 small files would otherwise hold 100 MB of entries; so memory grows with the bytes of the context's large
/// files, never with its number of files. Entries are written without fsync — one lost in a crash is just computed again.
/// </summary>
internal sealed class FileChecksums(string storeRoot)
{
    private const long RememberOnDiskFrom = 1 << 20;
    private const long RememberFrom = 64 << 10;

    // A file read whole into one pooled buffer is hashed in one call, with no incremental hash object per file.
    private const int BufferSize = 1 << 17;

    private static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty));

    // Stages that run side by side share it.
    private readonly ConcurrentDictionary<string, string> _known = new(StringComparer.Ordinal);

    private string Folder => Path.Combine(storeRoot, "tabula", "checksums");

    /// <summary>Blocks while it reads: callers that want files hashed side by side run it on threads of their own.</summary>
    public string Sha256(string path, FileStatus status, CancellationToken cancellationToken)
    {
        if (status.Size == 0) return EmptySha256;
        if (status.Size < RememberFrom) return HashFile(path, cancellationToken);

        var statKey = StatKey(path, status);
        if (_known.TryGetValue(statKey, out var known)) return known;
        var stored = Path.Combine(Folder, statKey);
        bool onDisk = status.Size >= RememberOnDiskFrom;
        if (onDisk && TryRead(stored) is { Length: 64 } remembered && remembered.All(char.IsAsciiHexDigitLower))
            return _known[statKey] = remembered;

        var hex = HashFile(path, cancellationToken);
        if (Posix.Lstat(path) is not { } after || StatKey(path, after) != statKey) return hex;
        if (onDisk)
        {
            Directory.CreateDirectory(Folder);
            AtomicFile.Write(stored, Encoding.ASCII.GetBytes(hex), durable: false);
        }
        return _known[statKey] = hex;
    }

    /// <summary>
    /// One pooled buffer and no FileStream: a context has thousands of files, and a buffer allocated per file is
    /// garbage that grows the process's memory (the GC's first generation fills before it collects). A file that
    /// fits in the buffer (most of a context) is hashed in one call, without an incremental hash. Blocking reads: an
    /// asynchronous one on Linux is the same read on a pool thread plus two hops, more than a cached read costs.
    /// </summary>
    private static string HashFile(string path, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int first = ReadFull(handle, buffer);
            if (first < buffer.Length) return Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, first)));
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(buffer, 0, first);
            long offset = first;
            int read;
            while ((read = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                sha.AppendData(buffer, 0, read);
                offset += read;
            }
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads until the buffer is full or the file ends (a read may return less than asked before the end).</summary>
    private static int ReadFull(SafeFileHandle handle, byte[] buffer)
    {
        int filled = 0;
        int read;
        while (filled < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(filled), filled)) > 0)
            filled += read;
        return filled;
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

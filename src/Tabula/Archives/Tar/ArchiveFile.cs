using Microsoft.Win32.SafeHandles;
using Tabula.Images;
using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Archives.Tar;

/// <summary>
/// A tar archive opened for random access: indexed once, then entries read by name in any order. A compressed archive
/// (gzip or zstd, told by its first bytes) or one arriving as a stream is first copied to a temp file that is deleted
/// when this is disposed. Lookups never leave the archive: <c>..</c> and links pointing outside are refused.
/// </summary>
internal sealed class ArchiveFile : IDisposable
{
    private const int MaxLinkHops = 16;
    private readonly SafeFileHandle _file;
    private readonly IReadOnlyDictionary<string, TarIndexEntry> _entries;

    private ArchiveFile(string displayName, SafeFileHandle file, IReadOnlyDictionary<string, TarIndexEntry> entries)
    {
        DisplayName = displayName;
        _file = file;
        _entries = entries;
    }

    /// <summary>How error messages name the archive.</summary>
    public string DisplayName { get; }

    public IEnumerable<string> Names => _entries.Keys;

    public static async Task<ArchiveFile> OpenAsync(string path, string? tempDirectory, CancellationToken cancellationToken)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"archive '{path}' does not exist", path, e);
        }
        var head = new byte[4];
        int n = await RandomAccess.ReadAsync(file, head, 0, cancellationToken).ConfigureAwait(false);
        var compression = LayerDecompression.Sniff(head.AsSpan(0, n));
        if (compression == LayerCompression.None) return await IndexAsync(path, file, cancellationToken).ConfigureAwait(false);
        using (file)
        {
            await using var source = new FileStream(file, FileAccess.Read, 1 << 16, isAsync: true);
            return await SpoolAsync(path, source, compression, tempDirectory, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads an archive from a stream (stdin): it is copied to a temp file first, decompressed if need be.</summary>
    public static async Task<ArchiveFile> OpenAsync(Stream source, string displayName, string? tempDirectory, CancellationToken cancellationToken)
    {
        var buffered = new BufferedStream(source, 1 << 16);
        var head = new byte[4];
        int n = await buffered.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var rest = new PrefixedReadStream(head.AsMemory(0, n), buffered);
        return await SpoolAsync(displayName, rest, LayerDecompression.Sniff(head.AsSpan(0, n)), tempDirectory, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ArchiveFile> SpoolAsync(string displayName, Stream source, LayerCompression compression, string? tempDirectory, CancellationToken cancellationToken)
    {
        var dir = tempDirectory ?? Path.GetTempPath();
        Directory.CreateDirectory(dir);
        // Named as ingest files are (process id first), so GC knows whose it is.
        var temp = Path.Combine(dir, $"{Environment.ProcessId}-archive-{Guid.NewGuid():N}.tar");
        try
        {
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var plain = LayerDecompression.Open(new NonClosingStream(source), compression))
            {
                try
                {
                    await plain.CopyToAsync(target, 1 << 16, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (CorruptData.IsDecompressionFailure(e))
                {
                    throw new ArchiveFormatException($"{displayName} is compressed ({compression}) but cannot be decompressed: {e.Message}; it is damaged or truncated", e);
                }
            }
            // The temp file goes away when the reading handle closes.
            var reader = File.OpenHandle(temp, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            return await IndexAsync(displayName, reader, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The open reader keeps the data; the name must not outlive this call, even on failure.
            TryDelete(temp);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static async Task<ArchiveFile> IndexAsync(string displayName, SafeFileHandle file, CancellationToken cancellationToken)
    {
        try
        {
            var entries = await TarIndex.BuildAsync(file, displayName, cancellationToken).ConfigureAwait(false);
            return new ArchiveFile(displayName, file, entries);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => TryResolve(name, out _);

    /// <summary>The regular file an archive path names, following links inside the archive.</summary>
    public TarIndexEntry Resolve(string name, string neededFor)
        => TryResolve(name, out var entry) ? entry! : throw new ArchiveEntryNotFoundException(DisplayName, name, neededFor);

    public Stream OpenRead(string name, string neededFor)
    {
        var entry = Resolve(name, neededFor);
        return new FileRangeStream(_file, entry.Offset, entry.Size);
    }

    public async Task<byte[]> ReadAllBytesAsync(string name, string neededFor, CancellationToken cancellationToken, int maxSize = 64 << 20)
    {
        var entry = Resolve(name, neededFor);
        if (entry.Size > maxSize) throw new ArchiveFormatException($"{DisplayName}: '{name}' is {entry.Size} bytes, too large for {neededFor}");
        var bytes = new byte[entry.Size];
        await using var stream = new FileRangeStream(_file, entry.Offset, entry.Size);
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>Reads the first bytes of an entry (to sniff its compression).</summary>
    public async Task<byte[]> ReadHeadAsync(string name, int count, string neededFor, CancellationToken cancellationToken)
    {
        var entry = Resolve(name, neededFor);
        var head = new byte[(int)Math.Min(count, entry.Size)];
        await using var stream = new FileRangeStream(_file, entry.Offset, entry.Size);
        await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        return head;
    }

    private bool TryResolve(string name, out TarIndexEntry? entry)
    {
        // Names come from the archive's own metadata: '..' in them is never legitimate.
        if (name.Split('/').Contains(".."))
            throw new ArchiveFormatException($"{DisplayName}: refusing the entry name '{name}': it climbs out with '..'");
        var path = SafePath(name, name);
        for (int hop = 0; hop <= MaxLinkHops; hop++)
        {
            if (!_entries.TryGetValue(path, out entry)) return false;
            if (entry.IsFile) return true;
            if (!entry.IsLink) return false;
            // A symlink target is relative to the link's folder (or the archive root when absolute); a hard link's is the archive path.
            var target = entry.Type == TarIndexEntry.Symlink && !entry.LinkName.StartsWith('/')
                ? (path.Contains('/') ? path[..path.LastIndexOf('/')] + "/" : "") + entry.LinkName
                : entry.LinkName;
            path = SafePath(target, name);
        }
        throw new ArchiveFormatException($"{DisplayName}: '{name}' is a chain of more than {MaxLinkHops} links");
    }

    /// <summary>Resolves <c>.</c> and <c>..</c> inside the archive root; a path that would leave it is refused.</summary>
    private string SafePath(string path, string requested)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0)
                    throw new ArchiveFormatException($"{DisplayName}: '{requested}' points outside the archive; refusing to read it");
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public void Dispose() => _file.Dispose();
}

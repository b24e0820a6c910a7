using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Tabula.Tests.Integration.Support;

/// <summary>Reads a tar (plain or gzip, told apart by magic bytes) into records sorted by path.</summary>
public static class TarListing
{
    public static async Task<IReadOnlyList<TarRecord>> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return await ReadAsync(file, cancellationToken);
    }

    /// <summary>Reads from the current position of a seekable stream (the gzip check peeks and seeks back).</summary>
    public static async Task<IReadOnlyList<TarRecord>> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (!stream.CanSeek)
            throw new ArgumentException("the gzip check needs a seekable stream", nameof(stream));
        var start = stream.Position;
        var magic = new byte[2];
        var isGzip = await stream.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, cancellationToken) == 2
                     && magic[0] == 0x1f && magic[1] == 0x8b;
        stream.Position = start;

        await using var tar = isGzip ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : null;
        await using var reader = new TarReader(tar ?? stream, leaveOpen: true);
        var records = new List<TarRecord>();
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                continue;
            records.Add(await RecordAsync(entry, cancellationToken));
        }
        return records.OrderBy(record => record.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>"./a/b/" → "a/b"; "./" and "/" → ".".</summary>
    public static string NormalizePath(string path)
    {
        var trimmed = path.TrimEnd('/');
        while (trimmed.StartsWith("./", StringComparison.Ordinal))
            trimmed = trimmed[2..];
        trimmed = trimmed.TrimStart('/');
        return trimmed is "" or "." ? "." : trimmed;
    }

    private static async Task<TarRecord> RecordAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        var type = entry.EntryType is TarEntryType.V7RegularFile ? TarEntryType.RegularFile : entry.EntryType;
        string? linkTarget = type switch
        {
            // A hard link names another entry of the archive, so it is normalised like one.
            TarEntryType.HardLink => NormalizePath(entry.LinkName),
            TarEntryType.SymbolicLink => entry.LinkName,
            _ => null,
        };
        var sha256 = type != TarEntryType.RegularFile ? null
            : entry.DataStream is { } data ? Convert.ToHexStringLower(await SHA256.HashDataAsync(data, cancellationToken))
            : EmptySha256;
        return new TarRecord(
            NormalizePath(entry.Name), type, entry.Mode, entry.Uid, entry.Gid, entry.Length,
            entry.ModificationTime.ToUnixTimeSeconds(), linkTarget, sha256);
    }

    private static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData([]));
}

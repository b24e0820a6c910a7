using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Tabula.Archives.Tar;

/// <summary>One entry of a tar file on disk: where its data starts and how long it is.</summary>
internal sealed record TarIndexEntry(string Name, char Type, long Offset, long Size, string LinkName)
{
    public bool IsFile => Type is TarHeader.Regular or '\0' or '7';
    public bool IsLink => Type is TarHeader.Symlink or TarHeader.HardLink;
}

/// <summary>
/// Indexes a tar file in one pass over its headers (data is skipped, not read), so entries can then be opened in any
/// order by offset. Understands ustar, PAX (path, linkpath, size) and GNU long names. A later entry of the same name
/// replaces an earlier one, as extraction would.
/// </summary>
internal static class TarIndex
{
    public static async Task<IReadOnlyDictionary<string, TarIndexEntry>> BuildAsync(SafeFileHandle file, string what, CancellationToken cancellationToken)
    {
        long length = RandomAccess.GetLength(file);
        var entries = new Dictionary<string, TarIndexEntry>(StringComparer.Ordinal);
        var block = new byte[TarHeader.BlockSize];
        long position = 0;
        string? longName = null, longLink = null;
        Dictionary<string, string>? pax = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int read = await ReadFullyAsync(file, block, position, cancellationToken).ConfigureAwait(false);
            if (read == 0) break; // no end-of-archive blocks: tolerated, as Go's reader does
            if (read < TarHeader.BlockSize) throw Truncated(what, position, length);
            if (block.AsSpan().IndexOfAnyExcept((byte)0) < 0) break;
            if (!TarHeader.ChecksumMatches(block))
                throw new ArchiveFormatException($"{what} is not a tar archive or is damaged: bad header checksum at offset {position}");

            char type = (char)block[156];
            if (!TarHeader.TryParseNumber(block.AsSpan(124, 12), out long size) || size < 0)
                throw new ArchiveFormatException($"{what} is damaged: unreadable entry size at offset {position}");
            if (pax is not null && pax.TryGetValue("size", out var paxSize) && long.TryParse(paxSize, out var parsed)) size = parsed;
            long dataAt = position + TarHeader.BlockSize;
            if (dataAt + size > length) throw Truncated(what, position, length);

            switch (type)
            {
                case TarHeader.PaxLocal:
                    pax = ParsePax(await ReadDataAsync(file, dataAt, size, cancellationToken).ConfigureAwait(false), what);
                    break;
                case TarHeader.PaxGlobal:
                    break;
                case TarHeader.GnuLongName:
                    longName = TarHeader.ReadText(await ReadDataAsync(file, dataAt, size, cancellationToken).ConfigureAwait(false));
                    break;
                case TarHeader.GnuLongLink:
                    longLink = TarHeader.ReadText(await ReadDataAsync(file, dataAt, size, cancellationToken).ConfigureAwait(false));
                    break;
                default:
                    var name = pax?.GetValueOrDefault("path") ?? longName ?? HeaderName(block);
                    var link = pax?.GetValueOrDefault("linkpath") ?? longLink ?? TarHeader.ReadText(block.AsSpan(157, 100));
                    var key = Normalize(name);
                    if (key.Length > 0) entries[key] = new TarIndexEntry(key, type, dataAt, size, link);
                    (pax, longName, longLink) = (null, null, null);
                    break;
            }
            position = dataAt + size + TarHeader.Padding(size);
        }
        return entries;
    }

    /// <summary>An entry name without <c>./</c> prefixes, leading or trailing slashes.</summary>
    public static string Normalize(string name)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
        return string.Join('/', parts);
    }

    private static string HeaderName(ReadOnlySpan<byte> block)
    {
        var name = TarHeader.ReadText(block[..100]);
        bool ustar = block.Slice(257, 5).SequenceEqual("ustar"u8) && block[262] == 0;
        var prefix = ustar ? TarHeader.ReadText(block.Slice(345, 155)) : "";
        return prefix.Length > 0 ? prefix + "/" + name : name;
    }

    private static Dictionary<string, string> ParsePax(byte[] data, string what)
    {
        // Records are "<length> <key>=<value>\n", the length counting the whole record.
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int at = 0;
        while (at < data.Length)
        {
            int space = Array.IndexOf(data, (byte)' ', at);
            if (space < 0 || !int.TryParse(Encoding.ASCII.GetString(data, at, space - at), out int recordLength) || recordLength <= 0 || at + recordLength > data.Length)
                throw new ArchiveFormatException($"{what} has a malformed PAX header");
            var record = Encoding.UTF8.GetString(data, space + 1, at + recordLength - space - 2);
            int equals = record.IndexOf('=');
            if (equals > 0) result[record[..equals]] = record[(equals + 1)..];
            at += recordLength;
        }
        return result;
    }

    private static async Task<byte[]> ReadDataAsync(SafeFileHandle file, long offset, long size, CancellationToken cancellationToken)
    {
        if (size > 1 << 20) throw new ArchiveFormatException($"a tar metadata header of {size} bytes is implausibly large");
        var data = new byte[size];
        await ReadFullyAsync(file, data, offset, cancellationToken).ConfigureAwait(false);
        return data;
    }

    private static async Task<int> ReadFullyAsync(SafeFileHandle file, Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await RandomAccess.ReadAsync(file, buffer[total..], offset + total, cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static ArchiveFormatException Truncated(string what, long position, long length)
        => new($"{what} is truncated: the entry at offset {position} runs past the end of the file ({length} bytes); the archive was cut short, write it again");
}

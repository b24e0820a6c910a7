using System.Formats.Tar;
using Tabula.IO;

namespace Tabula.Content;

/// <summary>Counts a layer tar's <see cref="LayerStats"/> by reading it once, to its very end.</summary>
public static class LayerStatsCounter
{
    /// <summary>
    /// Reads the tar to the end of <paramref name="tar"/> (padding and end blocks included, so TarSize is the exact
    /// length) and sums what docker's SIZE counts. The stream is left open. A malformed tar throws
    /// <see cref="InvalidDataException"/> or <see cref="FormatException"/>.
    /// </summary>
    public static async Task<LayerStats> CountAsync(Stream tar, CancellationToken cancellationToken)
    {
        var counting = new CountingStream(tar, leaveOpen: true);
        long files = 0;
        await using (var reader = new TarReader(counting, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                files += FileBytes(entry.EntryType, entry.Length, entry.LinkName);
        }
        await counting.CopyToAsync(Stream.Null, 1 << 16, cancellationToken).ConfigureAwait(false);
        return new LayerStats(counting.BytesPassed, files);
    }

    /// <summary>What docker's SIZE counts for one entry: regular files and symlink targets; hardlinks count once.</summary>
    public static long FileBytes(TarEntryType type, long length, string? linkName) => type switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => length,
        TarEntryType.SymbolicLink => System.Text.Encoding.UTF8.GetByteCount(linkName ?? ""),
        _ => 0,
    };
}

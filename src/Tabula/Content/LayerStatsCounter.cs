using System.Formats.Tar;
using Tabula.IO;

namespace Tabula.Content;

/// <summary>Counts a layer tar's <see cref="LayerStats"/> by reading it once, to its very end.</summary>
internal static class LayerStatsCounter
{
    /// <summary>
    /// Reads the tar to the end of <paramref name="tar"/> (padding and end blocks included, so TarSize is the exact
    /// length) and sums what docker's SIZE counts. The stream is left open. A malformed tar throws
    /// <see cref="InvalidDataException"/> or <see cref="FormatException"/>: among them one that ends without an
    /// end-of-archive block (a truncated layer) and one whose header numbers are out of range.
    /// </summary>
    public static async Task<LayerStats> CountAsync(Stream tar, CancellationToken cancellationToken)
    {
        var counting = new CountingStream(tar, leaveOpen: true);
        long files = 0;
        await using (var reader = new TarReader(counting, leaveOpen: true))
        {
            long unread = 0; // the data of the previous entry, which the next call skips
            while (true)
            {
                long before = counting.BytesPassed;
                TarEntry? entry;
                try
                {
                    entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
                }
                catch (OverflowException e)
                {
                    throw new InvalidDataException($"a tar header at offset {before + unread} has a number out of range", e);
                }
                catch (EndOfStreamException e)
                {
                    throw new InvalidDataException($"the tar ends inside an entry or without an end-of-archive block (truncated) near offset {before + unread}", e);
                }
                if (entry is null)
                {
                    // The reader ends quietly at the end of the stream too: only a zero block read here is an end.
                    if (counting.BytesPassed - before <= unread)
                        throw new InvalidDataException($"the tar ends at offset {counting.BytesPassed} without an end-of-archive block (truncated)");
                    break;
                }
                // A global PAX header's data was read with it; any other entry's data is skipped by the next call.
                unread = entry is PaxGlobalExtendedAttributesTarEntry ? 0 : (entry.Length + 511) / 512 * 512;
                files += FileBytes(entry.EntryType, entry.Length, entry.LinkName);
                CheckTime(entry, before + unread);
            }
        }
        await counting.CopyToAsync(Stream.Null, 1 << 16, cancellationToken).ConfigureAwait(false);
        return new LayerStats(counting.BytesPassed, files);
    }

    /// <summary>
    /// A PAX mtime the reader takes but no file can have (beyond years 1–9999, or in exponent form): every later reader
    /// of the layer would fail on it, so it is refused when the layer comes in.
    /// </summary>
    private static void CheckTime(TarEntry entry, long offset)
    {
        if (entry is PaxTarEntry pax && pax.ExtendedAttributes.TryGetValue("mtime", out var text)
            && !(decimal.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint,
                     System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= -62135596800 && seconds <= 253402300799))
            throw new InvalidDataException($"the tar entry at offset {offset} has a PAX mtime out of range ('{text}')");
    }

    /// <summary>What docker's SIZE counts for one entry: regular files and symlink targets; hardlinks count once.</summary>
    public static long FileBytes(TarEntryType type, long length, string? linkName) => type switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => length,
        TarEntryType.SymbolicLink => System.Text.Encoding.UTF8.GetByteCount(linkName ?? ""),
        _ => 0,
    };
}

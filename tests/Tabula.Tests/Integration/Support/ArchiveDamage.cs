using System.Formats.Tar;

namespace Tabula.Tests.Integration.Support;

/// <summary>Damaged copies of an archive, for proving a loader refuses them and stores nothing.</summary>
public static class ArchiveDamage
{
    /// <summary>Copies the first <paramref name="keepFraction"/> of the archive's bytes.</summary>
    public static async Task<string> TruncateAsync(string archivePath, string damagedPath, double keepFraction, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(archivePath, cancellationToken);
        await File.WriteAllBytesAsync(damagedPath, bytes.AsMemory(0, (int)(bytes.Length * keepFraction)), cancellationToken);
        return damagedPath;
    }

    /// <summary>
    /// Copies the archive entry by entry, with one byte in the middle of <paramref name="entryName"/>'s data
    /// inverted; the tar structure stays valid, so only checking the content against its digest finds it.
    /// </summary>
    public static async Task<string> FlipByteInEntryAsync(
        string archivePath, string entryName, string damagedPath, CancellationToken cancellationToken)
    {
        var found = false;
        await using (var input = File.OpenRead(archivePath))
        await using (var output = File.Create(damagedPath))
        {
            await using var reader = new TarReader(input);
            await using var writer = new TarWriter(output);
            while (await reader.GetNextEntryAsync(copyData: true, cancellationToken) is { } entry)
            {
                if (entry.Name == entryName && entry.DataStream is { Length: > 0 } data)
                {
                    var bytes = new MemoryStream();
                    await data.CopyToAsync(bytes, cancellationToken);
                    var buffer = bytes.GetBuffer();
                    buffer[bytes.Length / 2] ^= 0xff;
                    bytes.Position = 0;
                    entry.DataStream = bytes;
                    found = true;
                }
                await writer.WriteEntryAsync(entry, cancellationToken);
            }
        }
        if (!found)
            throw new InvalidDataException($"{archivePath} has no entry {entryName} with data");
        return damagedPath;
    }
}

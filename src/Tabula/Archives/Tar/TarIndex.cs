using Microsoft.Win32.SafeHandles;
using Tabula.IO;
using Tabula.Layers;

namespace Tabula.Archives.Tar;

/// <summary>One entry of a tar file on disk: where its data starts and how long it is.</summary>
internal sealed record TarIndexEntry(string Name, char Type, long Offset, long Size, string LinkName)
{
    public const char Symlink = '2';

    /// <summary>Regular ('0', or '\0' in old tars) or contiguous ('7') files.</summary>
    public bool IsFile => Type is '0' or '\0' or '7';

    /// <summary>Symbolic ('2') or hard ('1') links.</summary>
    public bool IsLink => Type is Symlink or '1';
}

/// <summary>
/// Indexes a tar file in one pass over its headers (<see cref="TarArchiveReader"/> seeking past the data, which is not
/// read), so entries can then be opened in any order by offset. A later entry of the same name replaces an earlier
/// one, as extraction would.
/// </summary>
internal static class TarIndex
{
    public static async Task<IReadOnlyDictionary<string, TarIndexEntry>> BuildAsync(SafeFileHandle file, string what, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, TarIndexEntry>(StringComparer.Ordinal);
        await using var tar = new FileRangeStream(file, 0, RandomAccess.GetLength(file));
        var reader = new TarArchiveReader(tar, seekPastContent: true);
        try
        {
            while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = Normalize(entry.Name);
                if (key.Length > 0) entries[key] = new TarIndexEntry(key, entry.TypeFlag, entry.DataOffset, entry.Size, entry.LinkName);
            }
        }
        catch (LayerFormatException e)
        {
            throw new ArchiveFormatException($"{what} is not a tar archive or is damaged: {e.Message}; if it was cut short, write it again", e);
        }
        return entries;
    }

    /// <summary>An entry name without <c>./</c> prefixes, leading or trailing slashes.</summary>
    public static string Normalize(string name)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
        return string.Join('/', parts);
    }
}

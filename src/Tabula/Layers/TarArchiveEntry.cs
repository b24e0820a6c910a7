using System.Collections.Immutable;

namespace Tabula.Layers;

/// <summary>
/// An entry as a tar stores it, before any cleaning: the raw name (may be absolute, hold <c>..</c> or <c>./</c>),
/// the exact time (PAX may carry fractions), and the PAX record keys seen, so callers can judge what a layer keeps.
/// </summary>
internal sealed record TarArchiveEntry
{
    public required string Name { get; init; }

    /// <summary>The entry's kind, or null for kinds layers cannot hold (sparse files, GNU volume headers, …).</summary>
    public required LayerEntryType? Type { get; init; }

    /// <summary>The header's type flag as written ('0', '5', 'S', …).</summary>
    public required char TypeFlag { get; init; }

    public int Mode { get; init; }
    public int Uid { get; init; }
    public int Gid { get; init; }
    public DateTimeOffset ModTime { get; init; }
    public string LinkName { get; init; } = "";
    public long Size { get; init; }
    public int DevMajor { get; init; }
    public int DevMinor { get; init; }
    public ImmutableSortedDictionary<string, byte[]> Xattrs { get; init; } = LayerXattrs.Empty;

    /// <summary>Keys of the PAX records that applied to this entry.</summary>
    public ImmutableArray<string> PaxKeys { get; init; } = [];

    /// <summary>Offset of the entry's content from the start of the (uncompressed) tar stream.</summary>
    public long DataOffset { get; init; }
}

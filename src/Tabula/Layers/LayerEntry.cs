using System.Collections.Immutable;

namespace Tabula.Layers;

/// <summary>
/// One entry of a layer tar: what an extractor creates at <see cref="Path"/>.
/// Paths are clean and relative to the layer root (<c>usr/bin/env</c>, never <c>/usr</c>, <c>./usr</c> or <c>usr/</c>);
/// the root itself is never an entry, as in the layers docker writes.
/// </summary>
internal sealed record LayerEntry
{
    private readonly string _path = "";
    private readonly int _mode;
    private readonly DateTimeOffset _modTime = DateTimeOffset.UnixEpoch;

    public required string Path
    {
        get => _path;
        init => _path = LayerPath.IsClean(value) && value.Length > 0
            ? value
            : throw new ArgumentException($"'{value}' is not a clean relative layer path (no leading '/' or './', no '.', '..' or empty components, no trailing '/', not the root)", nameof(Path));
    }

    public required LayerEntryType Type { get; init; }

    /// <summary>Permission bits including setuid (04000), setgid (02000) and sticky (01000); never file-type bits.</summary>
    public int Mode
    {
        get => _mode;
        init => _mode = (value & ~LayerModes.AllPermissionBits) == 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Mode), $"mode {Convert.ToString(value, 8)} has bits beyond 07777");
    }

    public int Uid { get; init; }
    public int Gid { get; init; }

    /// <summary>Modification time, truncated to whole seconds as docker writes layer tars.</summary>
    public DateTimeOffset ModTime
    {
        get => _modTime;
        init => _modTime = LayerTimes.TruncateToSeconds(value);
    }

    /// <summary>The target of a symlink (as written) or of a hardlink (a layer path); empty otherwise.</summary>
    public string LinkTarget { get; init; } = "";

    /// <summary>Content length of a regular file; zero for every other type.</summary>
    public long Size { get; init; }

    public int DevMajor { get; init; }
    public int DevMinor { get; init; }

    /// <summary>Extended attributes, ordered by name (ordinal) so that headers are deterministic.</summary>
    public ImmutableSortedDictionary<string, byte[]> Xattrs { get; init; } = LayerXattrs.Empty;

    /// <summary>The last path component.</summary>
    public string Name => LayerPath.NameOf(Path);

    public bool IsDirectory => Type == LayerEntryType.Directory;

    public bool Equals(LayerEntry? other) =>
        other is not null && _path == other._path && Type == other.Type && _mode == other._mode && Uid == other.Uid && Gid == other.Gid
        && _modTime == other._modTime && LinkTarget == other.LinkTarget && Size == other.Size && DevMajor == other.DevMajor
        && DevMinor == other.DevMinor && LayerXattrs.AreEqual(Xattrs, other.Xattrs);

    public override int GetHashCode() => HashCode.Combine(_path, Type, _mode, Uid, Gid, _modTime, LinkTarget, Size);
}

namespace Tabula.Layers;

/// <summary>
/// The metadata of directories created because a path needs them (parents of a destination or of an archive
/// entry): mode 0755 as docker and BuildKit use, with the owner and time the caller decides (the build epoch, say).
/// </summary>
internal sealed record DirectoryDefaults(int Mode, int Uid, int Gid, DateTimeOffset ModTime)
{
    public static DirectoryDefaults Create(DateTimeOffset modTime, Ownership? owner = null)
        => new(LayerModes.DefaultDirectory, owner?.Uid ?? 0, owner?.Gid ?? 0, LayerTimes.TruncateToSeconds(modTime));

    public LayerEntry EntryFor(string path) => new()
    {
        Path = path,
        Type = LayerEntryType.Directory,
        Mode = Mode,
        Uid = Uid,
        Gid = Gid,
        ModTime = ModTime,
    };
}

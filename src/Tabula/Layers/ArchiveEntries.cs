namespace Tabula.Layers;

/// <summary>Turns a raw tar header into the entry a layer writes, applying the build's rewrites.</summary>
internal static class ArchiveEntries
{
    public static LayerEntry ToLayerEntry(TarArchiveEntry header, string path, EntryRewrites rewrites)
    {
        var type = header.Type ?? throw new LayerFormatException($"'{header.Name}' is of a kind layers do not hold (type flag '{header.TypeFlag}')") { EntryPath = path };
        var owner = rewrites.ApplyOwner(header.Uid, header.Gid);
        return new LayerEntry
        {
            Path = path,
            Type = type,
            Mode = rewrites.ApplyMode(type, header.Mode),
            Uid = owner.Uid,
            Gid = owner.Gid,
            ModTime = rewrites.ApplyTime(header.ModTime),
            LinkTarget = type is LayerEntryType.Symlink or LayerEntryType.Hardlink ? header.LinkName : "",
            Size = type == LayerEntryType.RegularFile ? header.Size : 0,
            DevMajor = type is LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice ? header.DevMajor : 0,
            DevMinor = type is LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice ? header.DevMinor : 0,
            Xattrs = header.Xattrs,
        };
    }
}

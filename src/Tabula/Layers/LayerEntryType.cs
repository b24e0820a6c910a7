namespace Tabula.Layers;

/// <summary>The kinds of filesystem objects a layer tar can hold.</summary>
public enum LayerEntryType
{
    RegularFile,
    Directory,
    Symlink,
    Hardlink,
    CharacterDevice,
    BlockDevice,
    Fifo,
}

namespace Tabula.Layers;

/// <summary>The kinds of filesystem objects a layer tar can hold.</summary>
internal enum LayerEntryType
{
    RegularFile,
    Directory,
    Symlink,
    Hardlink,
    CharacterDevice,
    BlockDevice,
    Fifo,
}

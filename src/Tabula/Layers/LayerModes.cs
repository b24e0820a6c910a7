namespace Tabula.Layers;

/// <summary>Permission-bit constants as tar and chmod use them.</summary>
internal static class LayerModes
{
    public const int SetUid = 0b100_000_000_000;     // 04000
    public const int SetGid = 0b010_000_000_000;     // 02000
    public const int Sticky = 0b001_000_000_000;     // 01000
    public const int AllPermissionBits = 0b111_111_111_111; // 07777

    /// <summary>0755: what docker and BuildKit give directories they create implicitly.</summary>
    public const int DefaultDirectory = 0b111_101_101;

    /// <summary>0644.</summary>
    public const int DefaultFile = 0b110_100_100;

    /// <summary>0777: symlinks' mode on Linux.</summary>
    public const int Symlink = 0b111_111_111;
}

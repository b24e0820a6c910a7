using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// Where COPY/ADD may write, as BuildKit's copier decides it: the destination named in the instruction is resolved
/// through symlinks (inside the image root), but nothing below it is. A copied directory meeting a symlink or file
/// there is an error, never a write through the link into its target; a copied file or symlink replaces a
/// symlink or file there, and meeting a directory is an error.
/// </summary>
internal static class CopyTargets
{
    /// <summary>The destination directory, made when missing, as the physical path its contents go under.</summary>
    public static string Destination(FileTree upper, string path, DirectoryDefaults defaults)
        => path.Length == 0 ? "" : upper.EnsureDirectory(path, defaults);

    /// <summary>True when a directory is already at <paramref name="path"/> (a copied directory merges into it).</summary>
    public static bool Check(FileTree upper, string path, LayerEntryType type)
    {
        if (path.Length == 0) return true;
        var existing = upper.Get(path)?.Entry;
        if (existing is null) return false;
        if (type == LayerEntryType.Directory)
        {
            return existing.Type == LayerEntryType.Directory
                ? true
                : throw new LayerFormatException($"cannot copy to non-directory: /{path} is a {Describe(existing)} in the image") { EntryPath = path };
        }
        return existing.Type == LayerEntryType.Directory
            ? throw new LayerFormatException($"cannot replace the directory /{path} with a file") { EntryPath = path }
            : false;
    }

    /// <summary>The directories of <paramref name="kept"/> under a resolved destination (<c>--parents</c>), none followed.</summary>
    public static void CheckBelow(FileTree upper, string destination, string kept)
    {
        var current = destination;
        foreach (var name in LayerPath.Components(kept))
        {
            current = LayerPath.Join(current, name);
            if (!Check(upper, current, LayerEntryType.Directory)) return;
        }
    }

    private static string Describe(LayerEntry entry) => entry.Type == LayerEntryType.Symlink ? $"symlink to {entry.LinkTarget}" : "file";
}

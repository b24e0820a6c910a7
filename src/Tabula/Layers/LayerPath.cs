namespace Tabula.Layers;

/// <summary>
/// Lexical rules for paths inside a layer or image root. A clean path is relative to the root with
/// components separated by single '/', no '.' or '..' components and no trailing '/'; "" is the root.
/// </summary>
internal static class LayerPath
{
    public const string WhiteoutPrefix = ".wh.";
    public const string WhiteoutMetaPrefix = ".wh..wh.";
    public const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>The longest name (path component) filesystems hold, in bytes of UTF-8: NAME_MAX of Linux.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Refuses a name no filesystem can hold: a layer with it is one nobody can unpack.</summary>
    /// <exception cref="LayerFormatException">The name is longer than <see cref="MaxNameBytes"/>.</exception>
    public static void CheckName(string parentPath, string name)
    {
        if (TooLongName(name) is not null)
            throw new LayerFormatException($"the name '{name}' in '/{parentPath}' is {System.Text.Encoding.UTF8.GetByteCount(name)} bytes long; filesystems hold names of at most {MaxNameBytes} bytes") { EntryPath = Join(parentPath, name) };
    }

    /// <summary>The first component of a path longer than <see cref="MaxNameBytes"/>, or null when there is none.</summary>
    public static string? TooLongName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length <= MaxNameBytes / 3) return null; // no component of this path can reach 256 bytes
        foreach (var component in path.Split('/'))
            if (System.Text.Encoding.UTF8.GetByteCount(component) > MaxNameBytes) return component;
        return null;
    }

    /// <summary>
    /// Cleans a path the way a chroot sees it: a leading '/' or './' means the root, '.' and empty components vanish,
    /// '..' removes the previous component and at the root stays at the root.
    /// Lexical only: symlinks are the job of <see cref="FileTree.Resolve"/>.
    /// </summary>
    public static string Clean(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (IsClean(path)) return path;
        var components = new List<string>();
        foreach (var component in path.Split('/'))
        {
            if (component.Length == 0 || component == ".") continue;
            if (component == "..")
            {
                if (components.Count > 0) components.RemoveAt(components.Count - 1);
                continue;
            }
            components.Add(component);
        }
        return string.Join('/', components);
    }

    public static bool IsClean(string path)
    {
        if (path.Length == 0) return true;
        int start = 0;
        while (start <= path.Length)
        {
            int slash = path.IndexOf('/', start);
            int end = slash < 0 ? path.Length : slash;
            var component = path.AsSpan(start, end - start);
            if (component.Length == 0 || component is "." || component is "..") return false;
            if (slash < 0) return true;
            start = slash + 1;
        }
        return false;
    }

    /// <summary>Splits a clean path into its components; the root has none.</summary>
    public static string[] Components(string cleanPath) => cleanPath.Length == 0 ? [] : cleanPath.Split('/');

    public static string Join(string cleanDirectory, string name) => cleanDirectory.Length == 0 ? name : name.Length == 0 ? cleanDirectory : cleanDirectory + "/" + name;

    /// <summary>The parent of a clean path ("" for a top-level name and for the root).</summary>
    public static string ParentOf(string cleanPath)
    {
        int slash = cleanPath.LastIndexOf('/');
        return slash < 0 ? "" : cleanPath[..slash];
    }

    public static string NameOf(string cleanPath)
    {
        int slash = cleanPath.LastIndexOf('/');
        return slash < 0 ? cleanPath : cleanPath[(slash + 1)..];
    }

    /// <summary>True for names that mean something to overlay-style layer application (<c>.wh.*</c>).</summary>
    public static bool IsWhiteoutName(string name) => name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal);

    /// <summary>
    /// For a clean path whose name is a whiteout: the directory it is in and the path it deletes (null for the opaque
    /// marker, which hides everything lower layers put in that directory). False for any other path.
    /// </summary>
    public static bool IsWhiteout(string cleanPath, out string directory, out string? deleted)
    {
        string name = NameOf(cleanPath);
        directory = ParentOf(cleanPath);
        deleted = null;
        if (!IsWhiteoutName(name)) return false;
        if (name != OpaqueMarker) deleted = Join(directory, name[WhiteoutPrefix.Length..]);
        return true;
    }

    /// <summary>True when any component of a clean path is a whiteout name.</summary>
    public static bool ContainsWhiteout(string cleanPath)
    {
        foreach (var component in Components(cleanPath))
            if (IsWhiteoutName(component)) return true;
        return false;
    }
}

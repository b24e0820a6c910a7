using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// A path inside a container's root with its symlinks followed inside that root (an absolute link starts again at the
/// root, <c>..</c> never leaves it), as the runtime resolves a mount destination and as BuildKit's stub cleaner
/// resolves one (continuity's fs.RootPath): so that a mount point is made, and taken away, where the runtime mounts.
/// </summary>
internal static class RootPath
{
    private const int MaxSymlinks = 255;

    /// <param name="path">The path in the container.</param>
    /// <param name="linkTargetOf">The target of the symlink at a clean path of the root (no leading slash), or null when that is no symlink.</param>
    /// <returns>The resolved absolute path; the path as it is when the links loop.</returns>
    public static string Resolve(string path, Func<string, string?> linkTargetOf)
    {
        ArgumentNullException.ThrowIfNull(linkTargetOf);
        var resolved = new List<string>();
        var pending = new Stack<string>();
        Push(pending, path);
        int links = 0;
        while (pending.TryPop(out var component))
        {
            if (component is "" or ".") continue;
            if (component == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = string.Join('/', resolved.Append(component));
            if (linkTargetOf(candidate) is { } target)
            {
                if (++links > MaxSymlinks) return "/" + LayerPath.Clean(path);
                if (target.StartsWith('/')) resolved.Clear();
                Push(pending, target);
                continue;
            }
            resolved.Add(component);
        }
        return "/" + string.Join('/', resolved);
    }

    private static void Push(Stack<string> pending, string path)
    {
        var components = path.Split('/');
        for (int i = components.Length - 1; i >= 0; i--) pending.Push(components[i]);
    }
}

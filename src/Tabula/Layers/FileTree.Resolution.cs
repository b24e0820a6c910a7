namespace Tabula.Layers;

internal sealed partial class FileTree
{
    /// <summary>
    /// Resolves a path the way a process chrooted at <paramref name="scope"/> (the image root by default) would:
    /// component by component, <c>..</c> never climbing above the scope, absolute symlinks restarting at the scope,
    /// relative ones at their directory, at most <see cref="MaxSymlinks"/> symlinks (else <see cref="SymlinkLoopException"/>).
    /// The final component is followed only when <paramref name="followFinalSymlink"/> is set (or the path ends in '/').
    /// Missing components are kept as written, so the result is where the path would be created.
    /// </summary>
    public ResolvedPath Resolve(string path, bool followFinalSymlink = true, string scope = "")
    {
        var (resolved, node) = ResolveNode(path, followFinalSymlink, LayerPath.Clean(scope));
        return new ResolvedPath(resolved, node?.Entry);
    }

    internal (string Path, FileNode? Node) ResolveNode(string path, bool followFinal, string scope)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith('/')) followFinal = true;
        var scopeNode = Find(scope);
        if (scopeNode is not { IsDirectory: true }) throw new ArgumentException($"the scope '/{scope}' is not an existing directory", nameof(scope));
        int scopeDepth = LayerPath.Components(scope).Length;

        var names = new List<string>(LayerPath.Components(scope));
        var nodes = new List<FileNode?> { scopeNode };
        var pending = new Stack<string>();
        PushComponents(pending, path);
        int symlinks = 0;

        while (pending.TryPop(out var name))
        {
            if (name == "..")
            {
                if (names.Count > scopeDepth)
                {
                    names.RemoveAt(names.Count - 1);
                    nodes.RemoveAt(nodes.Count - 1);
                }
                continue;
            }
            var parent = nodes[^1];
            FileNode? node = null;
            parent?.Children?.TryGetValue(name, out node);
            bool isLast = pending.Count == 0;
            if (node?.Entry is { Type: LayerEntryType.Symlink } link && (!isLast || followFinal))
            {
                if (++symlinks > MaxSymlinks) throw new SymlinkLoopException(LayerPath.Clean(path), MaxSymlinks) { EntryPath = path };
                if (link.LinkTarget.StartsWith('/'))
                {
                    names.RemoveRange(scopeDepth, names.Count - scopeDepth);
                    nodes.RemoveRange(1, nodes.Count - 1);
                }
                PushComponents(pending, link.LinkTarget);
                continue;
            }
            names.Add(name);
            nodes.Add(node);
        }
        return (string.Join('/', names), nodes[^1]);
    }

    /// <summary>Pushes the components so that the first is popped first; empty and '.' components mean nothing.</summary>
    private static void PushComponents(Stack<string> pending, string path)
    {
        var components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = components.Length - 1; i >= 0; i--)
            if (components[i] != ".") pending.Push(components[i]);
    }
}

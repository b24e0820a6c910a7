using Tabula.Layers;

namespace Tabula.Analysis;

/// <summary>How a path differs between two images.</summary>
internal enum PathChange
{
    Added,
    Removed,
    Changed,
}

/// <summary>The state of a path in one image: its type, size and metadata, and its content's hash when it is a file.</summary>
internal sealed record PathState(LayerEntryType Type, long Size, int Mode, int Uid, int Gid, string LinkTarget, ContentHash? Hash);

/// <summary>One path that differs: what it was in the first image (null when added) and is in the second (null when removed), and which of its properties differ.</summary>
internal sealed record PathDifference(PathChange Change, string Path, PathState? Before, PathState? After, IReadOnlyList<string> Differences);

/// <summary>
/// <c>tabula diff A B</c>: the final filesystems of two images (whiteouts applied) compared path by path. A path is
/// changed when its type, content hash, size, mode, owner or link target differs; modification times are not
/// compared (a rebuild changes them all). Each image's layers are read once, as a stream.
/// </summary>
internal static class ImageDiff
{
    public static async Task<IReadOnlyList<PathDifference>> CompareAsync(Images.IImage before, Images.IImage after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var (a, _) = await ImageScan.ReadAsync(before, null, cancellationToken).ConfigureAwait(false);
        var (b, _) = await ImageScan.ReadAsync(after, null, cancellationToken).ConfigureAwait(false);
        var result = new List<PathDifference>();
        Compare(a.Root, b.Root, "", result);
        return result;
    }

    private static void Compare(PathNode? a, PathNode? b, string path, List<PathDifference> result)
    {
        var children = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var node in new[] { a, b })
            if (node is { Present: true, IsDirectory: true, Children: { } c })
                foreach (var (name, child) in c)
                    if (child.Present) children.Add(name);
        foreach (var name in children)
        {
            var left = Child(a, name);
            var right = Child(b, name);
            var childPath = LayerPath.Join(path, name);
            if (left is null) AddAll(right!, childPath, PathChange.Added, result);
            else if (right is null) AddAll(left, childPath, PathChange.Removed, result);
            else
            {
                var differences = Differences(left, right);
                if (differences.Count > 0) result.Add(new PathDifference(PathChange.Changed, childPath, State(left), State(right), differences));
                if (left.IsDirectory || right.IsDirectory)
                    Compare(left.IsDirectory ? left : null, right.IsDirectory ? right : null, childPath, result);
            }
        }
    }

    private static PathNode? Child(PathNode? directory, string name)
        => directory is { Present: true, IsDirectory: true, Children: { } c } && c.TryGetValue(name, out var child) && child.Present ? child : null;

    /// <summary>A path only one image has, and everything beneath it.</summary>
    private static void AddAll(PathNode node, string path, PathChange change, List<PathDifference> result)
    {
        var state = State(node);
        result.Add(new PathDifference(change, path, change == PathChange.Removed ? state : null, change == PathChange.Added ? state : null, []));
        if (node is { IsDirectory: true, Children: { } children })
            foreach (var name in children.Keys.Order(StringComparer.Ordinal))
                if (children[name].Present) AddAll(children[name], LayerPath.Join(path, name), change, result);
    }

    private static PathState State(PathNode node)
        => new(node.Type, node.Size, node.Mode, node.Uid, node.Gid, node.LinkTarget ?? "", node.Type == LayerEntryType.RegularFile ? node.Hash : null);

    private static List<string> Differences(PathNode a, PathNode b)
    {
        var differences = new List<string>();
        if (a.Type != b.Type) differences.Add("type");
        else if (a.Type == LayerEntryType.RegularFile && a.Hash != b.Hash) differences.Add("content");
        if (a.Size != b.Size) differences.Add("size");
        if (a.Mode != b.Mode) differences.Add("mode");
        if (a.Uid != b.Uid || a.Gid != b.Gid) differences.Add("owner");
        if ((a.LinkTarget ?? "") != (b.LinkTarget ?? "")) differences.Add("link");
        return differences;
    }
}

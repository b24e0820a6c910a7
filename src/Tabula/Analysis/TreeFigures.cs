namespace Tabula.Analysis;

/// <summary>
/// One walk over every path a <see cref="FileHistory"/> holds: dive's efficiency sums over all paths' versions, and
/// the sizes of what the final image shows (its files, and each directory with everything beneath it).
/// Children are visited in name order, so that equal sizes list in a stable order.
/// </summary>
internal sealed class TreeFigures
{
    public long MinimumSum { get; private set; }
    public long CumulativeSum { get; private set; }
    public long WastedBytes { get; private set; }
    public long HiddenBytes { get; private set; }
    public long FinalSize { get; private set; }
    public int FinalFileCount { get; private set; }
    public List<(PathNode Node, long Size)> Files { get; } = [];
    public List<(PathNode Node, long Size)> Directories { get; } = [];
    public List<PathNode> Repeated { get; } = [];

    public double Efficiency => CumulativeSum == 0 ? 1.0 : (double)MinimumSum / CumulativeSum;

    public static TreeFigures Of(FileHistory history)
    {
        var figures = new TreeFigures();
        figures.Visit(history.Root);
        return figures;
    }

    /// <summary>Returns the size of what the final image shows at and beneath <paramref name="node"/>.</summary>
    private long Visit(PathNode node)
    {
        if (node.Versions > 0)
        {
            MinimumSum += node.Minimum;
            CumulativeSum += node.Cumulative;
            long final = node.Present && !node.IsDirectory ? node.Size : 0;
            HiddenBytes += node.Cumulative - final;
            if (node.Versions > 1)
            {
                WastedBytes += node.Cumulative;
                Repeated.Add(node);
            }
        }
        long shown = 0;
        if (node.Present && !node.IsDirectory)
        {
            shown = node.Size;
            FinalSize += shown;
            FinalFileCount++;
            Files.Add((node, shown));
        }
        if (node.Children is { } children)
        {
            foreach (var name in children.Keys.Order(StringComparer.Ordinal))
            {
                var child = children[name];
                long beneath = Visit(child);
                if (node.Present && node.IsDirectory && child.Present) shown += beneath;
            }
        }
        if (node.Present && node.IsDirectory && node.Parent is not null) Directories.Add((node, shown));
        return node.Present ? shown : 0;
    }
}

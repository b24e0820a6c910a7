namespace Tabula.Analysis;

/// <summary>
/// Identical file contents stored more than once across an image's layers, found by content hash: the same bytes
/// added again at another path, in another layer, or written again at the same path. Empty files are not counted.
/// Per distinct content it keeps a count and the first few places, so it grows with the number of files, never with
/// their size.
/// </summary>
internal sealed class DuplicateIndex
{
    private const int KeptPlaces = 3;
    private readonly Dictionary<ContentHash, Group> _groups = [];

    public void Add(ContentHash hash, long size, PathNode node, int layer)
    {
        if (size == 0) return;
        if (!_groups.TryGetValue(hash, out var group))
        {
            group = new Group(size);
            _groups.Add(hash, group);
        }
        group.Count++;
        if (group.Places.Count < KeptPlaces) group.Places.Add((node, layer));
    }

    /// <summary>The bytes of every copy beyond the first, summed over all contents.</summary>
    public long ExtraBytes => _groups.Values.Where(g => g.Count > 1).Sum(g => (g.Count - 1) * g.Size);

    /// <summary>The <paramref name="top"/> contents whose extra copies cost the most.</summary>
    public IReadOnlyList<DuplicateContent> Largest(int top) =>
        _groups.Where(g => g.Value.Count > 1)
            .OrderByDescending(g => (g.Value.Count - 1) * g.Value.Size).ThenBy(g => g.Key.ToString(), StringComparer.Ordinal)
            .Take(top)
            .Select(g => new DuplicateContent(g.Key, g.Value.Size, g.Value.Count, (g.Value.Count - 1) * g.Value.Size,
                g.Value.Places.Select(p => new LayerPlace(p.Layer + 1, p.Node.Path)).ToList()))
            .ToList();

    private sealed class Group(long size)
    {
        public long Size { get; } = size;
        public int Count { get; set; }
        public List<(PathNode Node, int Layer)> Places { get; } = [];
    }
}

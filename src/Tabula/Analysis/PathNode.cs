using Tabula.Layers;

namespace Tabula.Analysis;

/// <summary>
/// One path of an image as the layers leave it, with the history that the efficiency score needs. Kept small: an
/// image has one per path it ever held, and nothing here grows with a file's size. A path a layer deleted stays, not
/// <see cref="Present"/>, so that its history counts and a later layer can bring it back.
/// </summary>
internal sealed class PathNode(string name, PathNode? parent)
{
    public string Name { get; } = name;
    public PathNode? Parent { get; } = parent;
    public Dictionary<string, PathNode>? Children { get; set; }

    public bool Present { get; set; }
    public LayerEntryType Type { get; set; }
    public int Mode { get; set; }
    public int Uid { get; set; }
    public int Gid { get; set; }
    public long Size { get; set; }
    public string? LinkTarget { get; set; }
    public ContentHash Hash { get; set; }

    /// <summary>The last layer that wrote this path or anything beneath it (what an opaque directory keeps).</summary>
    public int TouchedLayer { get; set; } = -1;

    /// <summary>How many times a layer wrote or deleted this path as a non-directory.</summary>
    public int Versions { get; set; }

    /// <summary>The sizes of every version summed (a deletion is a version of size 0).</summary>
    public long Cumulative { get; set; }

    /// <summary>The smallest version's size.</summary>
    public long Minimum { get; set; }

    public bool IsDirectory => Type == LayerEntryType.Directory;

    public string Path
    {
        get
        {
            if (Parent is null) return "";
            var names = new List<string>();
            for (var node = this; node.Parent is not null; node = node.Parent) names.Add(node.Name);
            names.Reverse();
            return string.Join('/', names);
        }
    }

    public void AddVersion(long size)
    {
        Minimum = Versions == 0 ? size : Math.Min(Minimum, size);
        Cumulative += size;
        Versions++;
    }
}

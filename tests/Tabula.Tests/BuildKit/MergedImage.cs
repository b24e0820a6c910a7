using System.Formats.Tar;
using Tabula.Images;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// What BuildKit's tests read back through the local exporter: the image's files as the merged layers show them
/// (a later layer's entry wins; whiteouts remove).
/// </summary>
internal sealed class MergedImage
{
    private readonly Dictionary<string, LayerContents.Row> _rows;

    private MergedImage(Dictionary<string, LayerContents.Row> rows) => _rows = rows;

    public static async Task<MergedImage> ReadAsync(IImage image)
    {
        var rows = new Dictionary<string, LayerContents.Row>(StringComparer.Ordinal);
        foreach (var layer in image.Layers)
        {
            foreach (var row in await LayerContents.ReadAsync(layer))
            {
                var name = row.Path.Contains('/') ? row.Path[(row.Path.LastIndexOf('/') + 1)..] : row.Path;
                if (name.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    var parent = row.Path.Contains('/') ? row.Path[..row.Path.LastIndexOf('/')] + "/" : "";
                    var gone = parent + name[4..];
                    foreach (var key in rows.Keys.Where(k => k == gone || k.StartsWith(gone + "/", StringComparison.Ordinal)).ToList()) rows.Remove(key);
                    continue;
                }
                rows[row.Path] = row;
            }
        }
        return new MergedImage(rows);
    }

    public static async Task<MergedImage> BuildAsync(BuildHarness h, string dockerfile) => await ReadAsync(await h.BuildImageAsync(dockerfile));

    public bool Exists(string path) => _rows.ContainsKey(path);

    public LayerContents.Row Entry(string path)
        => _rows.TryGetValue(path, out var row) ? row : throw new Xunit.Sdk.XunitException($"no {path} in the image; it has: {string.Join(", ", _rows.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>The content of a regular file, following symlinks as a reader of the exported files would.</summary>
    public string Text(string path)
    {
        for (int hops = 0; hops < 40; hops++)
        {
            var row = Entry(path);
            if (row.Type != TarEntryType.SymbolicLink) return row.Text ?? "";
            var target = row.LinkName;
            path = target.StartsWith('/') ? target.TrimStart('/') : (path.Contains('/') ? path[..path.LastIndexOf('/')] + "/" : "") + target;
            path = string.Join('/', Normalize(path));
        }
        throw new Xunit.Sdk.XunitException($"too many symlinks at {path}");
    }

    private static IEnumerable<string> Normalize(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return parts;
    }
}

using System.Globalization;
using Tabula.Oci;

namespace Tabula.Content;

/// <summary>What a layer holds once unpacked: the tar's length and docker's SIZE (file bytes, hardlinks once).</summary>
internal readonly record struct LayerStats(long TarSize, long FilesSize);

/// <summary>
/// Sizes that only the uncompressed layer reveals, remembered per blob digest so listing images never has to
/// decompress a layer twice. One small file per layer, written atomically; a missing entry is just recomputed.
/// </summary>
internal sealed class LayerStatsCache(ContentStore store)
{
    private string Folder => Path.Combine(store.Root, "tabula", "layer-stats");

    public LayerStats? TryGet(Digest layer)
    {
        var path = Path.Combine(Folder, layer.Encoded);
        if (!File.Exists(path)) return null;
        var parts = File.ReadAllText(path).Split(' ');
        return parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var tar) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var files)
            ? new LayerStats(tar, files)
            : null;
    }

    public void Set(Digest layer, LayerStats stats)
    {
        Directory.CreateDirectory(Folder);
        AtomicFile.Write(Path.Combine(Folder, layer.Encoded), System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{stats.TarSize} {stats.FilesSize}")), durable: false);
    }
}

using System.Globalization;
using Tabula.Oci;

namespace Tabula.Content;

/// <summary>
/// Which compressed blob the store made from an uncompressed layer, by diff ID and compression, so a layer is
/// compressed once: a second push (or load with compression) reuses the blob, or finds the registry has it. One small
/// file per layer, written atomically; an entry whose blob GC removed is just made again.
/// </summary>
internal sealed class CompressedLayerCache(ContentStore store)
{
    private string Folder(LayerCompression compression) => Path.Combine(store.Root, "tabula", "compressed-layers", compression.ToString().ToLowerInvariant());

    /// <summary>The remembered blob (digest and size; the media type is left to the caller's manifest flavour).</summary>
    public (Digest Digest, long Size)? TryGet(Digest diffId, LayerCompression compression)
    {
        var path = Path.Combine(Folder(compression), diffId.Encoded);
        if (!File.Exists(path)) return null;
        var parts = File.ReadAllText(path).Split(' ');
        return parts.Length == 2 && Digest.TryParse(parts[0], out var digest) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var size)
            ? (digest, size)
            : null;
    }

    public void Set(Digest diffId, LayerCompression compression, Digest digest, long size)
    {
        var folder = Folder(compression);
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, diffId.Encoded), System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{digest} {size}")), durable: false);
    }
}

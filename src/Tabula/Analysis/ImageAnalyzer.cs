using Tabula.Images;

namespace Tabula.Analysis;

/// <summary>
/// <c>tabula analyze</c>: what each layer holds and changed, what the image wastes, and where its bytes are. Each
/// layer tar is read once as a stream (content hashed as it passes); memory grows with the number of paths, not
/// with the size of the layers.
/// </summary>
internal static class ImageAnalyzer
{
    public static async Task<ImageAnalysis> AnalyzeAsync(IImage image, int top, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        var duplicates = new DuplicateIndex();
        var (history, scans) = await ImageScan.ReadAsync(image, duplicates, cancellationToken).ConfigureAwait(false);
        var figures = TreeFigures.Of(history);
        var createdBy = CreatedByPerLayer(image);
        var layers = scans.Select((scan, i) => new LayerAnalysis(i + 1, image.Layers[i].Digest, image.Layers[i].DiffId, image.Layers[i].MediaType,
            image.Layers[i].Size, scan.TarBytes, scan.FilesSize, scan.FileCount, createdBy[i], scan.Changes)).ToList();
        long userSize = layers.Skip(1).Sum(l => l.FilesSize);
        return new ImageAnalysis
        {
            Layers = layers,
            CompressedSize = layers.Sum(l => l.CompressedSize),
            UncompressedSize = layers.Sum(l => l.UncompressedSize),
            FilesSize = layers.Sum(l => l.FilesSize),
            UserFilesSize = userSize,
            FinalSize = figures.FinalSize,
            FinalFileCount = figures.FinalFileCount,
            Efficiency = figures.Efficiency,
            WastedBytes = figures.WastedBytes,
            WastedUserPercent = userSize == 0 ? 0 : (double)figures.WastedBytes / userSize,
            HiddenBytes = figures.HiddenBytes,
            DuplicateBytes = duplicates.ExtraBytes,
            RepeatedPaths = figures.Repeated.OrderByDescending(n => n.Cumulative).Take(top)
                .Select(n => new RepeatedPath(n.Path, n.Versions, n.Cumulative, n.Present && !n.IsDirectory ? n.Size : 0)).ToList(),
            Duplicates = duplicates.Largest(top),
            BiggestFiles = Largest(figures.Files, top),
            BiggestDirectories = Largest(figures.Directories, top),
        };
    }

    /// <summary>The history's <c>created_by</c> for each layer: entries marked <c>empty_layer</c> made none, the rest pair with the layers in order.</summary>
    public static IReadOnlyList<string> CreatedByPerLayer(IImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new string[image.Layers.Count];
        Array.Fill(result, "");
        int layer = 0;
        foreach (var entry in image.Config.History ?? [])
        {
            if (entry.EmptyLayer == true) continue;
            if (layer == result.Length) break;
            result[layer++] = entry.CreatedBy ?? "";
        }
        return result;
    }

    private static List<SizedPath> Largest(List<(PathNode Node, long Size)> items, int top)
        => items.OrderByDescending(i => i.Size).Take(top).Select(i => new SizedPath(i.Node.Path, i.Size)).ToList();
}
